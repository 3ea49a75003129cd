"""What a failed test needs, in words: `frequency = 3 orders, needs ≥ 4 orders: 1 more`.

`needs(ex, node)` lists the failed leaf tests under a condition that is not true, each with the
nearest value that would pass it. It reads the values the traced evaluation recorded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from rulekit.documents import NeedDocument
from rulekit.explain.explanation import Explanation
from rulekit.explain.values import MONEY, describe_value, jsonable, number, snippet
from rulekit.i18n import N_, Msg
from rulekit.syntax import nodes as n
from rulekit.syntax.nodes import literal_value

_SYMBOL = {">": ">", ">=": "≥", "<": "<", "<=": "≤", "=": "=", "!=": "≠"}
_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "=", "!=": "!="}


@dataclass
class Need:
    """One failed test of a rule and the nearest value that would pass it."""

    text: str
    value: Any
    result: bool | None
    needs: str

    def to_dict(self) -> NeedDocument:
        return {
            "test": self.text,
            "value": jsonable(self.value),
            "result": self.result,
            "needs": self.needs,
        }


def _unit_of(ex: Explanation, node: n.Node) -> str | None:
    if isinstance(node, n.Name) and node.name in ex.ruleset.program.fields:
        return ex.ruleset.program.fields[node.name].unit
    return None


def _needs_compare(ex: Explanation, a: n.Node, op: str, b: n.Node) -> str:
    p = ex.ruleset.program
    va, vb = ex.value_of(a), ex.value_of(b)
    if not isinstance(a, (n.Name, n.Call)) and isinstance(b, (n.Name, n.Call)):
        a, b, va, vb, op = b, a, vb, va, _FLIP[op]
    tname = str(p.types.get(a.id, ""))
    unit = _unit_of(ex, a) or _unit_of(ex, b)
    name = snippet(p, a)
    target = describe_value(vb, tname, unit)
    sym = _SYMBOL[op]
    if va is None:
        return Msg(
            "{name} is missing; needs a value {sym} {target}", name=name, sym=sym, target=target
        )
    if vb is None:
        return Msg("the other side ({other}) is missing", other=snippet(p, b))
    head = Msg(
        "{name} = {value}, needs {sym} {target}",
        name=name,
        value=describe_value(va, tname, unit),
        sym=sym,
        target=target,
    )
    if isinstance(va, (int, float)) and isinstance(vb, (int, float)) and not isinstance(va, bool):
        step = 1 if tname in ("integer", "duration") and float(vb).is_integer() else 0

        def amount(x: float) -> str:  # durations and money carry their unit; counts are plain
            return (
                describe_value(x, tname, unit)
                if tname == "duration" or unit in MONEY
                else number(x)
            )

        if op in (">=", ">"):
            gap = vb + (step if op == ">" else 0) - va
            if gap > 0:
                if step or op == ">=":
                    return Msg("{head}: {amount} more", head=head, amount=amount(gap))
                return Msg("{head}: more than {amount} more", head=head, amount=amount(gap))
        if op in ("<=", "<"):
            gap = va - vb + (step if op == "<" else 0)
            if gap > 0:
                if step or op == "<=":
                    return Msg("{head}: {amount} less", head=head, amount=amount(gap))
                return Msg("{head}: more than {amount} less", head=head, amount=amount(gap))
    return head


def _ts(v: dt.date) -> dt.datetime:
    """A date as a timestamp at midnight, to compare with a timestamp (semantics.as_ts)."""
    return v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day)


def _holds(a: Any, op: str, b: Any) -> bool:
    x = _ts(a) if isinstance(a, dt.date) and isinstance(b, dt.datetime) else a
    y = _ts(b) if isinstance(b, dt.date) and isinstance(a, dt.datetime) else b
    a, b = x, y
    return bool({"=": a == b, "!=": a != b, ">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[op])


def needs(ex: Explanation, node: n.Node) -> list[Need]:
    """The failed leaf tests under `node` (a condition that is not true)."""
    value = ex.value_of(node)
    p = ex.ruleset.program
    text = snippet(p, node)
    if value is True:
        return []
    if isinstance(node, n.And):
        return needs(ex, node.left) + needs(ex, node.right)
    if isinstance(node, n.Or):
        either = needs(ex, node.left) + needs(ex, node.right)
        joined = either[0].needs if either else ""
        for x in either[1:]:
            joined = Msg("{a} | {b}", a=joined, b=x.needs)
        return [Need(text, None, value, Msg("one of: {needs}", needs=joined))]
    if isinstance(node, n.Compare):
        out = []
        for i, op in enumerate(node.ops):
            a, b = node.operands[i], node.operands[i + 1]
            va, vb = ex.value_of(a), ex.value_of(b)
            if va is None or vb is None or not _holds(va, op, vb):
                out.append(Need(text, va, value, _needs_compare(ex, a, op, b)))
        return out
    if isinstance(node, n.Between):
        lo, hi = ex.value_of(node.low), ex.value_of(node.high)
        name = snippet(p, node.operand)
        tname = str(p.types.get(node.operand.id, ""))
        unit = _unit_of(ex, node.operand)
        v = ex.value_of(node.operand)
        template = (
            N_("{name} = {value}, needs outside {low} and {high}")
            if node.negated
            else N_("{name} = {value}, needs between {low} and {high}")
        )
        shown = describe_value(v, tname, unit)
        low, high = describe_value(lo, tname, unit), describe_value(hi, tname, unit)
        return [Need(text, v, value, Msg(template, name=name, value=shown, low=low, high=high))]
    if isinstance(node, n.InList):
        v = ex.value_of(node.operand)
        name = snippet(p, node.operand)
        opts = (
            ex.value_of(node.options)
            if not isinstance(node.options, n.ListExpr)
            else tuple(
                literal_value(i) if isinstance(i, n.Literal) else ex.value_of(i)
                for i in node.options.items
            )
        )
        items = [describe_value(o, "") for o in (opts or ())]
        template = (
            N_("{name} = {value}, needs none of [{items}]")
            if node.negated
            else N_("{name} = {value}, needs one of [{items}]")
        )
        need = Msg(template, name=name, value=describe_value(v, ""), items=items)
        return [Need(text, v, value, need)]
    if isinstance(node, n.IsMissing):
        name = snippet(p, node.operand)
        wanted = (
            Msg("{name} needs a value", name=name)
            if node.negated
            else Msg("{name} needs to be missing", name=name)
        )
        return [Need(text, ex.value_of(node.operand), value, wanted)]
    if isinstance(node, n.Not):
        template = (
            N_("needs `{text}` to be false (it is true)")
            if ex.value_of(node.operand) is True
            else N_("needs `{text}` to be false (it is unknown)")
        )
        return [Need(text, None, value, Msg(template, text=text))]
    if isinstance(node, n.RankIn):
        v = ex.value_of(node.operand)
        name = snippet(p, node.operand)
        unit = _unit_of(ex, node.operand)
        size = ex.trace.population_sizes.get(node.id)
        share = snippet(p, node.fraction)
        shown = describe_value(v, str(p.types.get(node.operand.id, "")), unit)
        among = node.among
        if among is not None and ex.value_of(among) is not True:  # outside the filter
            template = (
                N_("{name} = {value}, ranked only where `{among}` (it is unknown)")
                if ex.value_of(among) is None
                else N_("{name} = {value}, ranked only where `{among}` (it is false)")
            )
            need = Msg(template, name=name, value=shown, among=snippet(p, among))
            return [Need(text, v, value, need)]
        if size is None:
            template = (
                N_("{name} = {value}, needs to rank in the top {share}")
                if node.top
                else N_("{name} = {value}, needs to rank in the bottom {share}")
            )
        else:
            template = (
                N_("{name} = {value}, needs to rank in the top {share} of {size} customers")
                if node.top
                else N_("{name} = {value}, needs to rank in the bottom {share} of {size} customers")
            )
        need = Msg(template, name=name, value=shown, share=share, size=f"{size or 0:,}")
        return [Need(text, v, value, need)]
    if isinstance(node, n.Name):
        let = p.lets.get(node.name)
        if let is not None and node.name not in ex.overrides:
            # A true/false let: say which part of its formula fails.
            inner = needs(ex, let.decl.expr)
            if inner:
                return inner
        shown = describe_value(value, "boolean")
        return [
            Need(text, value, value, Msg("{text} = {value}, needs true", text=text, value=shown))
        ]
    template = (
        N_("needs `{text}` to be true (it is unknown)")
        if value is None
        else N_("needs `{text}` to be true (it is false)")
    )
    return [Need(text, value, value, Msg(template, text=text))]
