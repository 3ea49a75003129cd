"""Named decisions in explanations and examples: each decision of a record traced in
evaluation order (a child only where its parent gave its label), and the `expect NAME = LABEL`
of examples checked against them."""

from __future__ import annotations

from typing import Any

from rulekit.engines.python import CompiledRuleset
from rulekit.explain.explanation import Explanation
from rulekit.explain.trace import trace_record
from rulekit.model.decisions import applies, decision_order
from rulekit.model.program import HitPolicy
from rulekit.syntax import nodes as n


def trace_decisions(
    rs: CompiledRuleset,
    record: dict[str, Any],
    as_of: object = None,
    population: Any = None,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Explanation | None]:
    """Each named decision's explanation of this record, by name in file order; None where it
    does not apply (its parent gave another label, or none). Raises RecordError for a bad
    record, as the decisions met in evaluation order do."""
    decisions = rs.program.decisions
    out: dict[str, Explanation | None] = {}
    for name in decision_order(decisions):
        d = decisions[name]
        parent: tuple[str, ...] | None = ()
        if d.parent is not None:
            p = out.get(d.parent)
            parent = p.decision.labels if p is not None and p.decision is not None else None
        out[name] = (
            trace_record(rs.named[name], record, as_of, population, overrides or {})
            if applies(d, parent)
            else None
        )
    return {name: out.get(name) for name in decisions}


def _shown(labels: tuple[str, ...] | None) -> str:
    if not labels:
        return "none"
    return labels[0] if len(labels) == 1 else "[" + ", ".join(labels) + "]"


def check_expectations(
    rs: CompiledRuleset, ex: n.Example, traced: dict[str, Explanation | None]
) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """An example's `expect NAME = LABEL, …` against the traced decisions: what it expected
    and what the decisions gave (as `NAME = LABEL` texts), and whether they agree (a decision
    under `hit all`: the same labels in any order)."""
    expected, actual, passed = [], [], True
    for e in ex.decisions:
        d = rs.program.decisions.get(e.decision)
        exp = traced.get(e.decision)
        got = exp.decision.labels if exp is not None and exp.decision is not None else ()
        want = e.labels or ()
        if d is not None and d.program.hit is HitPolicy.ALL:
            ok = set(got) == set(want)
        else:
            ok = tuple(got) == tuple(want)
        passed = passed and ok
        expected.append(f"{e.decision} = {_shown(want)}")
        actual.append(f"{e.decision} = {_shown(got)}")
    return tuple(expected), tuple(actual), passed
