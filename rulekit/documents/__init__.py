"""The JSON documents rulekit returns and prints, each defined once as a TypedDict.

A document is what `to_dict()` returns in the API and what `--format json` prints on the
command line: the same keys, the same values. Each top-level document carries a `format` key
(`rulekit-explanation/1`, …) that changes only when its shape does. The types here are plain
TypedDicts (no validation cost on the hot path); `rulekit.documents.schema` validates a document
and generates its JSON Schema with pydantic, imported only then. `python -m rulekit.documents`
writes the schemas to docs/schema/.

Foundation layer: this package imports nothing from rulekit.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, Final, Literal, NotRequired

from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

# The analysis documents live in documents/analysis.py; imported relatively so that this package
# loads on its own (see tests/test_documents.py).
from .analysis import (
    ANALYSIS_FORMAT,
    Acceptance,
    AnalysisDocument,
    AnalysisFileDocument,
    CellCount,
    FindingDocument,
    FindingKind,
    FindingRule,
    Severity,
    WitnessRunDocument,
)

EXPLANATION_FORMAT: Final = "rulekit-explanation/1"
WHY_NOT_FORMAT: Final = "rulekit-why-not/1"
DECISION_FORMAT: Final = "rulekit-decision/1"
CHECK_FORMAT: Final = "rulekit-check/1"
SUMMARY_FORMAT: Final = "rulekit-run-summary/1"
TEST_FORMAT: Final = "rulekit-test/1"

Hit = Literal["first", "priority", "all", "unique"]
Status = Literal["decided", "matched", "not matched", "unknown", "not reached"]
# A record value as JSON: number, string, boolean, null (missing), ISO date text, or a list.
Value = Any


# ---------------------------------------------------------------- shared parts


class RuleRefDocument(TypedDict):
    """Where a rule is."""

    name: str
    file: str
    line: int


class LabelInfo(TypedDict):
    """A label with its display names, description and strategy (Chinese and English)."""

    name: str
    display: str | None
    display_en: str | None
    description: str | None
    description_en: str | None
    strategy: str | None
    strategy_en: str | None


class DecisionFields(TypedDict):
    """The decision for one record: label(s), display name, deciding rule(s)."""

    label: str | None
    labels: list[str]
    display: str | None
    rule: RuleRefDocument | None
    rules: list[RuleRefDocument]


class RuleLine(TypedDict):
    name: str
    line: int


class NamedDecisionBrief(TypedDict):
    """One named decision (`decision NAME …`) of an explained record: whether it applies (its
    parent gave its label), its labels and matching rules."""

    applies: bool
    labels: list[str]
    rules: list[RuleLine]


class DecisionDocument(DecisionFields):
    """`Decision.to_dict()`."""

    format: Literal["rulekit-decision/1"]
    # named decisions (`decision NAME …`) by name: only in a file that has them
    decisions: NotRequired[dict[str, DecisionFields]]
    # a ruleset with outputs or label attributes: their values by name (rulekit.model.outputs)
    outputs: NotRequired[dict[str, Value]]
    attributes: NotRequired[dict[str, Value]]


# ---------------------------------------------------------------- explanation


class ExplainedDecision(DecisionFields):
    """The decision inside an explanation: also whether it is the default, the conflict of a
    `hit unique` record, and the labels' descriptions."""

    default: bool
    error: str | None
    label_info: list[LabelInfo]


class RulesetHeading(TypedDict):
    id: str
    display: str | None
    display_en: str | None
    file: str
    hit: Hit
    default: str | None


class FieldValue(TypedDict):
    name: str
    display: str | None
    display_en: str | None
    column: str
    type: str
    unit: str | None
    value: Value
    shown: str


class PopulationValue(TypedDict):
    """A population function's value and the population size it was computed over."""

    function: str
    kind: Literal["value", "rank"]
    value: Value
    shown: str
    of: int


class LetValue(TypedDict):
    name: str
    display: str | None
    display_en: str | None
    type: str
    expression: str
    constant: bool
    value: Value
    shown: str
    given: bool
    population: list[PopulationValue]


class ResultValue(TypedDict):
    """An output's or a label attribute's value in an explanation (rulekit.model.outputs)."""

    name: str
    display: str | None
    display_en: str | None
    column: str  # run's column: `<ruleset id>_<name>`
    type: str
    value: Value
    shown: str


class Operand(TypedDict):
    text: str
    value: Value
    type: str
    unit: str | None
    shown: str
    field: NotRequired[str]
    let: NotRequired[str]
    population: NotRequired[PopulationValue]


class RankedAmong(TypedDict):
    of: int


class Condition(TypedDict):
    """A node of a rule's condition: `all` (and), `any` (or), `not`, or a `test`."""

    kind: Literal["all", "any", "not", "test"]
    text: str
    result: bool | None
    children: NotRequired[list[Condition]]
    operands: NotRequired[list[Operand]]
    population: NotRequired[RankedAmong]


class RuleResult(TypedDict):
    position: int
    name: str
    file: str
    line: int
    label: str
    label_display: str | None
    priority: int
    status: Status
    result: bool | None
    condition: NotRequired[Condition]


class ExplainInput(TypedDict):
    """Where the command line's record came from (only `rulekit explain` knows)."""

    record: str
    id_column: NotRequired[str]
    id: NotRequired[str]
    population: NotRequired[str]


# ---------------------------------------------------------------- why not


class NeedDocument(TypedDict):
    test: str
    value: Value
    result: bool | None
    needs: str


class BlockingRule(RuleRefDocument):
    label: str


class WhyNotRuleDocument(TypedDict):
    name: str
    file: str
    line: int
    result: bool | None
    needs: list[NeedDocument]
    blocked_by: list[BlockingRule]


class ActualDecision(TypedDict):
    labels: list[str]
    rule: RuleRefDocument | None


class WhyNotDocument(TypedDict):
    """`WhyNot.to_dict()`; `rulekit explain --why-not LABEL --format json` prints it as the
    explanation's `why_not`."""

    format: Literal["rulekit-why-not/1"]
    label: str
    label_info: LabelInfo
    already: bool
    actual: ActualDecision
    is_default: bool
    hit: Hit
    rules: list[WhyNotRuleDocument]
    matched: list[BlockingRule]


class ParamDocument(TypedDict):
    """A shared parameter as a run summary and an explanation record it: its value in this
    run (`value`, as the rule language writes it), the declared one, and whether `--param` or
    `params={…}` overrode it."""

    name: str
    display: str | None
    display_en: str | None
    type: str
    value: str
    declared_value: str
    overridden: bool
    declared_at: str


class ExplanationDocument(TypedDict):
    """`Explanation.to_dict()` and `rulekit explain --format json` (which adds `input` and, with
    --why-not, `why_not`)."""

    format: Literal["rulekit-explanation/1"]
    ruleset: RulesetHeading
    as_of: str
    decision: ExplainedDecision
    fields: list[FieldValue]
    lets: list[LetValue]
    population: list[PopulationValue]
    rules: list[RuleResult]
    input: NotRequired[ExplainInput]
    why_not: NotRequired[WhyNotDocument]
    params: NotRequired[list[ParamDocument]]  # the shared parameters the rules read
    # `rulekit explain` of a file with named decisions: each decision's labels, in short
    decisions: NotRequired[dict[str, NamedDecisionBrief]]
    # a ruleset with outputs or label attributes: their values (the outputs are lets too)
    outputs: NotRequired[list[ResultValue]]
    attributes: NotRequired[list[ResultValue]]


# ---------------------------------------------------------------- check


class Position(TypedDict):
    line: int
    column: int


class DiagnosticDocument(TypedDict):
    code: str
    severity: Literal["error", "warning"]
    file: str
    line: int
    column: int
    end: Position
    message: str
    label: str | None
    hint: str | None


class CheckDocument(TypedDict):
    """`rulekit check --format json`."""

    format: Literal["rulekit-check/1"]
    files: list[str]
    errors: int
    warnings: int
    diagnostics: list[DiagnosticDocument]


# ---------------------------------------------------------------- run summary


class LabelCount(TypedDict):
    label: str
    display: str | None
    display_en: str | None
    count: int
    share: float


class DecisionCount(TypedDict):
    """One named decision (`decision NAME …`) over a run: rows per label. Its counts reconcile
    with the run's: rows_in = labelled + unlabelled + rejected, where unlabelled includes the
    rows it does not apply to (their parent gave another label)."""

    decision: str
    display: str | None
    labels: list[LabelCount]
    labelled: int
    unlabelled: int


class RejectedRow(TypedDict):
    """A record set aside: its 0-based index in the input, the field and value, and why."""

    index: int
    field: str | None
    value: Value
    reason: str


class RunFiles(TypedDict):
    input: str
    output: str | None
    rejected: str | None


class RunSummaryDocument(TypedDict):
    """`BatchResult.summary()` and `RunSummary.to_dict()`: one ruleset over one run. Counts
    reconcile: rows_in = labelled + unlabelled + rejected; a `hit all` row counts once per label
    in `labels`."""

    format: Literal["rulekit-run-summary/1"]
    ruleset: str
    display: str | None
    hit: Hit
    as_of: str
    labels: list[LabelCount]
    rows_in: int
    labelled: int
    unlabelled: int
    rejected: int
    first_rejected: list[RejectedRow]
    seconds: float | None
    files: NotRequired[RunFiles]
    params: NotRequired[list[ParamDocument]]  # the shared parameters the rules read
    decisions: NotRequired[list[DecisionCount]]  # a file with named decisions: each one's labels


class RejectedValueCount(TypedDict):
    """How many values of one column one ruleset rejected for one reason (the reason's words,
    without the value: " is not a number")."""

    ruleset: str
    column: str | None
    reason: str
    count: int


class RunSummariesDocument(TypedDict):
    """`rulekit run --summary-json FILE`: every ruleset's summary of one run, and the rejected
    values counted per column and reason."""

    format: Literal["rulekit-run-summaries/1"]
    input: str | None
    output: str | None
    rulesets: list[RunSummaryDocument]
    rejected_values: list[RejectedValueCount]


# ---------------------------------------------------------------- examples as tests


class ExampleDocument(TypedDict):
    """One `example` of a rule file, run: what it expected, what the rules gave."""

    name: str
    file: str
    line: int
    expected: list[str]
    actual: list[str]
    passed: bool
    error: str | None
    explanation: ExplanationDocument | None  # only for a failed example


class RuleCoverage(TypedDict):
    name: str
    line: int
    exercised: bool


class TestFileDocument(TypedDict):
    file: str
    ruleset: NotRequired[str]
    error: str | None  # the rule file's errors, when it does not compile
    examples: list[ExampleDocument]
    rules: list[RuleCoverage]


class TestDocument(TypedDict):
    """`rulekit test --format json`."""

    format: Literal["rulekit-test/1"]
    files: list[TestFileDocument]
    passed: int
    failed: int
    broken_files: int
    rules: int
    rules_exercised: int


# ---------------------------------------------------------------- static analysis (documents/analysis.py)


DOCUMENTS: dict[str, type] = {
    "decision": DecisionDocument,
    "explanation": ExplanationDocument,
    "why-not": WhyNotDocument,
    "check": CheckDocument,
    "run-summary": RunSummaryDocument,
    "test": TestDocument,
    "analysis": AnalysisDocument,
    "run-summaries": RunSummariesDocument,
}
"""Each top-level document by the name of its schema file (docs/schema/NAME.schema.json)."""


# ---------------------------------------------------------------- helpers for builders


def show_path(path: str | os.PathLike[str]) -> str:
    """A file path as the user would type it: relative to the current directory when inside
    it. Documents show every file this way."""
    text = str(path)
    if text.startswith("<"):
        return text
    p = Path(text)
    if not p.is_absolute():
        return p.as_posix()
    try:
        return p.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return p.as_posix()


def json_value(value: Any) -> Value:
    """A record value as a document holds it: dates and timestamps as ISO text, tuples as
    lists; anything JSON cannot hold as its text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [json_value(v) for v in value]
    return str(value)


__all__ = [
    "ANALYSIS_FORMAT",
    "Acceptance",
    "AnalysisDocument",
    "AnalysisFileDocument",
    "CellCount",
    "FindingKind",
    "Severity",
    "FindingDocument",
    "FindingRule",
    "WitnessRunDocument",
    "CHECK_FORMAT",
    "DECISION_FORMAT",
    "DOCUMENTS",
    "EXPLANATION_FORMAT",
    "SUMMARY_FORMAT",
    "TEST_FORMAT",
    "WHY_NOT_FORMAT",
    "ActualDecision",
    "BlockingRule",
    "CheckDocument",
    "Condition",
    "DecisionDocument",
    "DecisionFields",
    "DiagnosticDocument",
    "ExplainInput",
    "ExplainedDecision",
    "ExplanationDocument",
    "FieldValue",
    "LabelCount",
    "LabelInfo",
    "LetValue",
    "NeedDocument",
    "Operand",
    "PopulationValue",
    "RejectedRow",
    "RuleRefDocument",
    "RuleResult",
    "RulesetHeading",
    "RunFiles",
    "RunSummaryDocument",
    "ExampleDocument",
    "RuleCoverage",
    "TestDocument",
    "TestFileDocument",
    "WhyNotDocument",
    "WhyNotRuleDocument",
    "json_value",
    "show_path",
]
