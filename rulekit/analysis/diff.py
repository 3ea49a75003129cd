"""What changed between two versions of a ruleset: rules added, removed, reordered and changed
(with the thresholds that moved), labels added, removed and renamed, the hit policy and the
default; and, on data, the label transition matrix (old label → new label counts) with a few
example customers per changed cell and the explanation of why each moved.

The two versions are matched rule by rule by name (unnamed rules by their condition's text).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rulekit.engines.population import FrozenPopulation
from rulekit.engines.python import BatchResult, CompiledRuleset, Decision, Record
from rulekit.errors import RecordError
from rulekit.explain.trace import trace_record
from rulekit.model.params import expression_text
from rulekit.syntax import nodes as n

DIFF_FORMAT = "rulekit-diff/1"
NONE = "(no label)"


def _key(rs: CompiledRuleset, rule: n.Rule) -> str:
    return rule.name if rule.named else "if " + _text(rs, rule.condition)


def _text(rs: CompiledRuleset, node: n.Node) -> str:
    """The expression as written, shared parameters by their values (what it means)."""
    p = rs.program
    return " ".join(expression_text(p.source.text, node, p.params).split())


def _literals(node: n.Node) -> list[n.Literal]:
    return [x for x in n.walk(node) if isinstance(x, n.Literal)]


@dataclass
class RuleChange:
    name: str
    old_line: int | None
    new_line: int | None
    change: str  # added | removed | changed | relabelled | moved
    old: str | None = None  # condition (or label) before
    new: str | None = None
    thresholds: list[tuple[str, str]] = field(default_factory=list)  # (old literal, new literal)


@dataclass
class Changes:
    rules: list[RuleChange]
    labels_added: list[str]
    labels_removed: list[str]
    labels_renamed: list[tuple[str, str]]
    lets_changed: list[tuple[str, str, str]]  # name, old formula, new formula
    hit: tuple[str, str] | None
    default: tuple[str | None, str | None] | None

    @property
    def empty(self) -> bool:
        return not (
            self.rules or self.labels_added or self.labels_removed or self.lets_changed
        ) and not (self.hit or self.default)


def compare(old: CompiledRuleset, new: CompiledRuleset) -> Changes:
    """The changes of the rule file from `old` to `new`."""
    olds = {_key(old, r): (i, r) for i, r in enumerate(old.rules)}
    news = {_key(new, r): (i, r) for i, r in enumerate(new.rules)}
    out: list[RuleChange] = []
    renamed: Counter[tuple[str, str]] = Counter()
    for key, (_i, r) in olds.items():
        if key not in news:
            out.append(RuleChange(r.name, r.line, None, "removed", _text(old, r.condition)))
            continue
        j, s = news[key]
        a, b = _text(old, r.condition), _text(new, s.condition)
        if a != b:
            la, lb = _literals(r.condition), _literals(s.condition)
            moved = (
                [(x.text, y.text) for x, y in zip(la, lb, strict=True) if x.text != y.text]
                if len(la) == len(lb)
                else []
            )
            out.append(RuleChange(r.name, r.line, s.line, "changed", a, b, moved))
        if r.label != s.label:
            renamed[(r.label, s.label)] += 1
            out.append(RuleChange(r.name, r.line, s.line, "relabelled", r.label, s.label))
    for key, (_j, s) in news.items():
        if key not in olds:
            out.append(RuleChange(s.name, None, s.line, "added", None, _text(new, s.condition)))
    common = [k for k in olds if k in news]
    old_rank = {k: old.program.order.index(olds[k][0]) for k in common}
    new_rank = {k: new.program.order.index(news[k][0]) for k in common}
    by_old = sorted(common, key=old_rank.__getitem__)
    by_new = sorted(common, key=new_rank.__getitem__)
    if by_old != by_new:
        for k in common:
            if by_old.index(k) != by_new.index(k):
                i, r = olds[k]
                out.append(
                    RuleChange(
                        r.name,
                        r.line,
                        news[k][1].line,
                        "moved",
                        f"position {by_old.index(k) + 1}",
                        f"position {by_new.index(k) + 1}",
                    )
                )
    old_labels, new_labels = set(old.program.labels), set(new.program.labels)
    removed = sorted(old_labels - new_labels)
    added = sorted(new_labels - old_labels)
    pairs = [(a, b) for (a, b) in renamed if a in removed and b in added]
    lets = []
    for name, info in old.program.lets.items():
        other = new.program.lets.get(name)
        if other is not None:
            a, b = _text(old, info.decl.expr), _text(new, other.decl.expr)
            if a != b:
                lets.append((name, a, b))
    return Changes(
        out,
        [x for x in added if x not in {b for _, b in pairs}],
        [x for x in removed if x not in {a for a, _ in pairs}],
        pairs,
        lets,
        (str(old.hit), str(new.hit)) if old.hit != new.hit else None,
        (old.default, new.default) if old.default != new.default else None,
    )


def _labels(d: Decision | None) -> str:
    if d is None:
        return "(bad record)"
    return "、".join(d.labels) if d.labels else NONE


@dataclass
class Transitions:
    """Old label → new label counts over the rows of a data file, with example rows."""

    counts: Counter[tuple[str, str]]
    examples: dict[tuple[str, str], list[int]]  # row indexes (0-based), a few per changed cell
    rows: int

    @property
    def changed(self) -> int:
        return sum(c for (a, b), c in self.counts.items() if a != b)


def transitions(old: BatchResult, new: BatchResult, per_cell: int = 3) -> Transitions:
    counts: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], list[int]] = {}
    for i, (a, b) in enumerate(zip(old, new, strict=True)):
        cell = (_labels(a), _labels(b))
        counts[cell] += 1
        if cell[0] != cell[1]:
            got = examples.setdefault(cell, [])
            if len(got) < per_cell:
                got.append(i)
    return Transitions(counts, examples, len(old))


def why_moved(
    versions: Sequence[tuple[CompiledRuleset, FrozenPopulation | None]],
    record: Record,
    as_of: object,
) -> dict[str, Any]:
    """The deciding rule (and its condition) of one record under each version, each ranked in
    the population of the whole data (frozen once per version)."""
    out: dict[str, Any] = {}
    for side, (rs, frozen) in zip(("old", "new"), versions, strict=True):
        try:
            ex = trace_record(rs, record, as_of, frozen, {})
        except RecordError as e:
            out[side] = {"label": None, "rule": None, "condition": None, "error": str(e)}
            continue
        d = ex.decision
        rule = None
        cond = None
        if d is not None and d.rule is not None:
            i = rs.rule_refs.index(d.rule)
            rule, cond = f"{d.rule.name} (line {d.rule.line})", _text(rs, rs.rules[i].condition)
        out[side] = {"label": _labels(d), "rule": rule, "condition": cond, "error": ex.conflict}
    return out


def diff_document(
    old: CompiledRuleset,
    new: CompiledRuleset,
    changes: Changes,
    trans: Transitions | None,
    examples: dict[tuple[str, str], list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": DIFF_FORMAT,
        "old": {"file": old.path, "ruleset": old.id},
        "new": {"file": new.path, "ruleset": new.id},
        "rules": [
            {
                "name": c.name,
                "change": c.change,
                "old_line": c.old_line,
                "new_line": c.new_line,
                "old": c.old,
                "new": c.new,
                "thresholds": [{"old": a, "new": b} for a, b in c.thresholds],
            }
            for c in changes.rules
        ],
        "labels": {
            "added": changes.labels_added,
            "removed": changes.labels_removed,
            "renamed": [{"old": a, "new": b} for a, b in changes.labels_renamed],
        },
        "lets": [{"name": a, "old": b, "new": c} for a, b, c in changes.lets_changed],
        "hit": list(changes.hit) if changes.hit else None,
        "default": list(changes.default) if changes.default else None,
        "data": None,
    }
    if trans is not None:
        doc["data"] = {
            "rows": trans.rows,
            "changed": trans.changed,
            "transitions": [
                {"from": a, "to": b, "count": c}
                for (a, b), c in sorted(trans.counts.items(), key=lambda x: (-x[1], x[0]))
            ],
            "examples": [
                {"from": a, "to": b, "rows": (examples or {}).get((a, b), [])}
                for (a, b) in trans.examples
            ],
        }
    return doc
