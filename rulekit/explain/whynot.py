"""Why a record did not get a label: per rule of that label, the failed tests and what each
needs, and the earlier rules that would still win; `WhyNot.to_dict()` is the why-not document
that `rulekit explain --why-not LABEL --format json` prints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rulekit.documents import (
    WHY_NOT_FORMAT,
    BlockingRule,
    WhyNotDocument,
    WhyNotRuleDocument,
    show_path,
)
from rulekit.engines.decision import rule_ref_document as rule_ref
from rulekit.engines.python import CompiledRuleset, Decision
from rulekit.errors import RulekitError
from rulekit.explain.explanation import Explanation
from rulekit.explain.needs import Need, needs
from rulekit.explain.trace import trace_record
from rulekit.explain.values import hit_name, label_info
from rulekit.suggest import nearest


@dataclass
class WhyNotRule:
    """One rule that gives the label: its result, what it needs, and what blocks it."""

    rule: str
    line: int
    result: bool | None
    needs: list[Need]
    blocked_by: list[str]  # the earlier rules that matched and would still win, in words
    # … and as data: name, file, line, label.
    blocking: list[BlockingRule] = field(default_factory=list)
    file: str = ""

    def to_dict(self) -> WhyNotRuleDocument:
        return {
            "name": self.rule,
            "file": show_path(self.file),
            "line": self.line,
            "result": self.result,
            "needs": [x.to_dict() for x in self.needs],
            "blocked_by": [
                {
                    "name": b["name"],
                    "file": show_path(b["file"]),
                    "line": b["line"],
                    "label": b["label"],
                }
                for b in self.blocking
            ],
        }


@dataclass
class WhyNot:
    """Why a record did not get `label`; `actual` is what it got."""

    label: str
    actual: Decision | None
    rules: list[WhyNotRule]
    explanation: Explanation

    def to_dict(self) -> WhyNotDocument:
        """The why-not document (format rulekit-why-not/1); see docs/cli.md."""
        ex = self.explanation
        p = ex.ruleset.program
        actual = ex.decision
        return {
            "format": WHY_NOT_FORMAT,
            "label": self.label,
            "label_info": label_info(p, self.label),
            "already": bool(actual and self.label in actual.labels),
            "actual": {
                "labels": list(actual.labels) if actual else [],
                "rule": rule_ref(actual.rule) if actual and actual.rule else None,
            },
            "is_default": ex.ruleset.default == self.label,
            "hit": hit_name(ex.ruleset.hit),
            "rules": [r.to_dict() for r in self.rules],
            "matched": [
                {
                    "name": rule.name,
                    "file": show_path(p.path),
                    "line": rule.line,
                    "label": rule.label,
                }
                for i, rule in enumerate(p.rules)
                if ex.rule_values[i] is True
            ],
        }


def why_not(
    rs: CompiledRuleset,
    record: Mapping[str, Any],
    label: str,
    as_of: Any = None,
    population: Any = None,
    batch: Sequence[Mapping[str, Any]] | None = None,
    overrides: dict[str, Any] | None = None,
) -> WhyNot:
    """Why `record` does not get `label`: evaluate it traced, then for each rule of the label
    say what fails and which earlier rule would still win."""
    if label not in rs.program.labels:
        guess = nearest(label, rs.program.labels)
        raise RulekitError(
            f"unknown label {label!r} for ruleset {rs.id}"
            + (f"; did you mean {guess!r}?" if guess else "")
            + "; labels are "
            + ", ".join(rs.program.labels)
        )
    ex = trace_record(rs, record, as_of, population, overrides or {}, batch)
    order = rs.compiled.order
    out = []
    for i, rule in enumerate(rs.program.rules):
        if rule.label != label:
            continue
        blocked: list[str] = []
        blocking: list[BlockingRule] = []
        if rs.hit.single:
            for j in order[: order.index(i)]:
                other = rs.program.rules[j]
                if ex.rule_values[j] is True and other.label != label:
                    blocked.append(f"{other.name} (line {other.line}) → {other.label}")
                    blocking.append(
                        {
                            "name": other.name,
                            "file": rs.path,
                            "line": other.line,
                            "label": other.label,
                        }
                    )
        result = ex.rule_values[i]
        found = needs(ex, rule.condition)
        out.append(WhyNotRule(rule.name, rule.line, result, found, blocked, blocking, rs.path))
    return WhyNot(label, ex.decision, out, ex)
