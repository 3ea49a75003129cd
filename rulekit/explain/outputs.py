"""Outputs and label attributes in an explanation (rulekit.model.outputs): the values the
traced evaluation saw, the decision carrying them, and their entries of the document."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from rulekit.documents import ResultValue
from rulekit.engines.python import CompiledRuleset, Decision
from rulekit.explain.values import describe_value, jsonable
from rulekit.model.outputs import attributes_of, column_of
from rulekit.model.semantics import CoercionError, coerce
from rulekit.syntax import nodes as n
from rulekit.syntax.nodes import literal_value


def traced_results(rs: CompiledRuleset, decision: Decision, tr: Any) -> Decision:
    """The decision with its outputs as the trace (an `explanation.Trace`) computed them (an output that reads a bad
    value is missing, as on the engines) and its label's attributes."""
    p = rs.program
    outputs = {}
    for name in p.outputs:
        reads = p.reads(p.lets[name].decl.expr).fields
        outputs[name] = None if any(f in tr.bad for f in reads) else tr.lets.get(name)
    return replace(decision, outputs=outputs, attributes=attributes_of(p, decision.label))


def results_entries(
    rs: CompiledRuleset, decision: Decision | None
) -> tuple[list[ResultValue], list[ResultValue]]:
    """The `outputs` and `attributes` entries of an explanation document."""
    p = rs.program
    outputs: list[ResultValue] = []
    for name, info in p.outputs.items():
        value = decision.outputs.get(name) if decision else None
        outputs.append(
            {
                "name": name,
                "display": info.decl.display.zh,
                "display_en": info.decl.display.en,
                "column": column_of(p, name),
                "type": str(info.type),
                "value": jsonable(value),
                "shown": describe_value(value, str(info.type)),
            }
        )
    attributes: list[ResultValue] = []
    for name, attr in p.attributes.items():
        value = decision.attributes.get(name) if decision else None
        attributes.append(
            {
                "name": name,
                "display": None,
                "display_en": None,
                "column": column_of(p, name),
                "type": str(attr.type),
                "value": jsonable(value),
                "shown": describe_value(value, str(attr.type)),
            }
        )
    return outputs, attributes


def result_mismatches(rs: CompiledRuleset, ex: n.Example, decision: Decision | None) -> str | None:
    """What an example's `expect … with name = value` found different, in words (None: each
    output and attribute it checks has its expected value)."""
    p = rs.program
    wrong = []
    for g in ex.expect_with:
        info = p.outputs.get(g.name) or p.attributes.get(g.name)
        if info is None:  # reported by the checker
            continue
        expected = literal_value(g.value_node)
        try:
            expected = coerce(expected, info.type)
        except CoercionError:
            pass
        if decision is None:
            actual = None
        elif g.name in p.outputs:
            actual = decision.outputs.get(g.name)
        else:
            actual = decision.attributes.get(g.name)
        if not _same(expected, actual):
            shown = g.value_node.text if isinstance(g.value_node, n.Literal) else repr(expected)
            wrong.append(
                f"expected {g.name} = {shown}, got {describe_value(actual, str(info.type))}"
            )
    return "; ".join(wrong) or None


def _same(expected: Any, actual: Any) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        if isinstance(expected, bool) or isinstance(actual, bool):
            return expected is actual
        return math.isclose(float(expected), float(actual), rel_tol=1e-9, abs_tol=1e-12)
    return bool(expected == actual)
