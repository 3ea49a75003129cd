"""What the analysis finds: `Finding` (one problem, its rules, its region and its proof or
witness) and `FileAnalysis` (every finding of one rule file), with their JSON documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from rulekit.analysis.regions import Atom, Region
from rulekit.analysis.witness import Witness
from rulekit.documents import (
    ANALYSIS_FORMAT,
    AnalysisDocument,
    AnalysisFileDocument,
    FindingDocument,
    FindingKind,
    Severity,
    WitnessRunDocument,
)
from rulekit.engines.python import CompiledRuleset

SEVERITY = {
    "unreachable": "error",
    "contradiction": "error",
    "overlap": "error",
    "gap": "warning",
    "redundant-condition": "warning",
    "duplicate-rule": "warning",
    "unused-label": "warning",
    "unused-field": "warning",
    "partially-shadowed": "info",
}
RANK = {"error": 2, "warning": 1, "info": 0}


@dataclass
class Finding:
    kind: str
    message: str
    hint: str
    rules: list[int] = field(default_factory=list)  # rule indexes, file order
    labels: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # where it is (rules, or declarations)
    witness: Witness | None = None
    proof: str | None = None
    region: Region | None = None
    atoms: list[Atom] = field(default_factory=list)
    accepted: str | None = None  # the reason of the `# allow:` comment that accepts it
    accepted_line: int | None = None
    severity: str = ""

    def __post_init__(self) -> None:
        if not self.severity:
            self.severity = SEVERITY[self.kind]

    def boxes(self) -> list[dict[str, list[Any]]] | None:
        """The region as boxes of values: variable → [lo, hi]."""
        if self.region is None:
            return None
        return [
            {a.name: [a.values[box[a.name][0]], a.values[box[a.name][1]]] for a in self.atoms}
            for box in self.region.boxes
        ]

    def to_dict(self, rs: CompiledRuleset) -> FindingDocument:
        w = self.witness
        run: WitnessRunDocument | None = None
        if w is not None:
            ex = w.explanation
            run = {
                "as_of": w.as_of.isoformat(),
                "labels": list(ex.decision.labels) if ex.decision else [],
                "decided_by": [rs.rule_refs[i].name for i in w.deciding],
                "matched": [rs.rule_refs[i].name for i in w.matched],
                "conflict": ex.conflict,
                "population": w.population,
            }
        region = self.region
        return {
            "kind": cast(FindingKind, self.kind),
            "severity": cast(Severity, self.severity),
            "message": self.message,
            "hint": self.hint,
            "rules": [
                {"name": rs.rule_refs[i].name, "file": rs.path, "line": rs.rule_refs[i].line}
                for i in self.rules
            ],
            "lines": self.lines,
            "labels": self.labels,
            "region": self.boxes(),
            "cells": (
                {"uncovered": region.cells, "total": region.total, "exact": region.complete}
                if region is not None
                else None
            ),
            "witness": dict(w.record) if w is not None else None,
            "engine": run,
            "proof": self.proof,
            "accepted": (
                {"reason": self.accepted, "line": self.accepted_line or 0}
                if self.accepted is not None
                else None
            ),
        }


@dataclass
class FileAnalysis:
    """Every finding of one rule file."""

    ruleset: CompiledRuleset
    file: str
    findings: list[Finding] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # questions the solver could not decide
    unverified: int = 0  # witnesses the engine did not reproduce (not shown)
    seconds: float = 0.0

    @property
    def open(self) -> list[Finding]:
        """Findings not accepted by an `# allow:` comment."""
        return [f for f in self.findings if f.accepted is None]

    @property
    def accepted(self) -> list[Finding]:
        return [f for f in self.findings if f.accepted is not None]

    def worst(self) -> str | None:
        sev = [f.severity for f in self.open]
        return max(sev, key=lambda s: RANK[s]) if sev else None

    def fails(self, fail_on: str = "error") -> bool:
        """True when an open finding is at least as severe as `fail_on`."""
        return any(RANK[f.severity] >= RANK[fail_on] for f in self.open)

    def to_dict(self) -> AnalysisFileDocument:
        return {
            "file": self.file,
            "ruleset": self.ruleset.id,
            "hit": str(self.ruleset.hit),
            "findings": [f.to_dict(self.ruleset) for f in self.findings],
            "unknown": list(self.unknown),
            "unverified_witnesses": self.unverified,
            "seconds": round(self.seconds, 3),
        }


def analysis_document(files: list[FileAnalysis]) -> AnalysisDocument:
    return {"format": ANALYSIS_FORMAT, "files": [f.to_dict() for f in files]}
