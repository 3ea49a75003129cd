"""The static analysis's document (`rulekit analyze --format json`): findings per rule file.

Foundation layer, part of rulekit.documents (which re-exports every name here).
"""

from __future__ import annotations

from typing import Any, Final, Literal

from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

ANALYSIS_FORMAT: Final = "rulekit-analysis/1"

FindingKind = Literal[
    "unreachable",
    "partially-shadowed",
    "contradiction",
    "overlap",
    "gap",
    "redundant-condition",
    "duplicate-rule",
    "unused-label",
    "unused-field",
]
Severity = Literal["error", "warning", "info"]


class FindingRule(TypedDict):
    """A rule a finding concerns."""

    name: str
    file: str
    line: int


class CellCount(TypedDict):
    """How many cells of the bounded variables' grid a gap leaves uncovered."""

    uncovered: int
    total: int
    exact: bool  # false: the solver stopped (time limit or too many boxes)


class WitnessRunDocument(TypedDict):
    """What the Python engine did with the witness record."""

    as_of: str
    labels: list[str]
    decided_by: list[str]
    matched: list[str]
    conflict: str | None
    population: dict[str, list[Any]] | None  # population key → the values it was ranked in


class Acceptance(TypedDict):
    """The `# allow: KIND — reason` comment that accepts a finding."""

    reason: str
    line: int


class FindingDocument(TypedDict):
    """One finding: what, where, the region, and the witness (or the proof none exists)."""

    kind: FindingKind
    severity: Severity
    message: str
    hint: str
    rules: list[FindingRule]
    lines: list[int]
    labels: list[str]
    region: list[dict[str, list[Any]]] | None  # boxes: variable → [lo, hi] (null: open end)
    cells: CellCount | None
    witness: dict[str, Any] | None  # field name → value (null: missing)
    engine: WitnessRunDocument | None
    proof: str | None
    accepted: Acceptance | None


class AnalysisFileDocument(TypedDict):
    """The findings of one rule file."""

    file: str
    ruleset: str
    hit: str
    findings: list[FindingDocument]
    unknown: list[str]  # questions the solver could not decide within its time limit
    unverified_witnesses: int
    seconds: float


class AnalysisDocument(TypedDict):
    """`rulekit analyze --format json`, `rulekit check --analyze --format json`."""

    format: Literal["rulekit-analysis/1"]
    files: list[AnalysisFileDocument]
