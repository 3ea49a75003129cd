"""Witnesses: a z3 model turned into a record (and, for population functions, a population in
which the record ranks as the model says), run through the real Python evaluator.

A finding is shown only with a witness the engine reproduces; `run` returns the engine's
Explanation, and the caller checks that it shows what the finding claims.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, cast

import z3

from rulekit.analysis.encode import EPOCH, Encoder, PopVar
from rulekit.engines.population import FrozenPopulation, Population
from rulekit.engines.python import CompiledRuleset
from rulekit.errors import RulekitError
from rulekit.explain import Explanation
from rulekit.explain.trace import trace_record
from rulekit.model import datatypes as T
from rulekit.syntax import nodes as n

MAX_POPULATION = 10_000


@dataclass
class Witness:
    """A record (field name → JSON value), the as-of date it was run at, the population it
    was ranked in (None: no population function) and what the engine did with it."""

    record: dict[str, Any]
    as_of: dt.date
    population: dict[str, list[Any]] | None
    explanation: Explanation

    @property
    def matched(self) -> list[int]:
        return [i for i, v in enumerate(self.explanation.rule_values) if v is True]

    @property
    def deciding(self) -> list[int]:
        d = self.explanation.decision
        if d is None:
            return []
        rs = self.explanation.ruleset
        return [rs.rule_refs.index(ref) for ref in d.rules]


def _fraction(v: Any) -> Fraction:
    if z3.is_int_value(v):
        return Fraction(v.as_long())
    if z3.is_rational_value(v):
        return Fraction(v.numerator_as_long(), v.denominator_as_long())
    if z3.is_algebraic_value(v):
        return Fraction(v.approx(20).as_fraction())
    raise ValueError(f"not a number: {v}")


def _number(f: Fraction) -> int | float:
    return f.numerator if f.denominator == 1 else float(f)


def python_value(model: Any, term: Any, t: T.Type, enc: Encoder) -> Any:
    """The engine's value of a term of type t in the model (dates as dates)."""
    v = model.eval(term, model_completion=True)
    if z3.is_true(v) or z3.is_false(v):
        return z3.is_true(v)
    f = _fraction(v)
    if t.name == "string":
        return enc.string_value(int(f))
    if t.name == "date":
        return dt.date.fromordinal(int(f) + EPOCH)
    if t.name == "timestamp":
        day = math.floor(f)
        seconds = round((f - day) * 86400)
        return dt.datetime.fromordinal(day + EPOCH) + dt.timedelta(seconds=seconds)
    if t.name == "integer":
        return int(f)
    return _number(f)


def json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def record_of(model: Any, enc: Encoder) -> dict[str, Any]:
    """Field name → JSON value (None = missing) for every declared field."""
    out: dict[str, Any] = {}
    for name, info in enc.program.fields.items():
        val = enc.fields[name]
        if z3.is_true(model.eval(val.missing, model_completion=True)):
            out[name] = None
        else:
            out[name] = json_value(python_value(model, val.term, info.type, enc))
    return out


def _around(v: Any, below: int, above: int) -> list[Any]:
    if isinstance(v, dt.date):
        step = dt.timedelta(days=1)
        return [v - step * (i + 1) for i in range(below)] + [
            v + step * (i + 1) for i in range(above)
        ]
    return [v - (i + 1) for i in range(below)] + [v + (i + 1) for i in range(above)]


def _realize(p: PopVar, model: Any, enc: Encoder) -> list[Any] | None:
    """Population values (besides the record's own) that give the model's result, or None."""
    t = _operand_type(p, enc)
    v = python_value(model, p.operand.term, t, enc)
    if t.name == "duration" or t.name == "number" or t.name == "integer":
        v = _number(Fraction(v)) if not isinstance(v, bool) else v
    want = model.eval(p.var, model_completion=True)
    if p.func == "score":
        s, k = int(_fraction(want)), int(p.param or 5)
        return _around(v, s - 1, k - s)
    if p.func == "percentile":
        share = _fraction(want) / 100
        if share == 0:
            return []
        if share.denominator > MAX_POPULATION:
            return None
        return _around(v, share.numerator, share.denominator - share.numerator)
    if p.func in ("top", "bottom"):
        frac = Fraction(p.param) if p.param is not None else Fraction(1, 10)
        inside = z3.is_true(want)
        if inside:
            return [] if frac > 0 else None
        if frac >= 1:
            return None
        m = math.ceil(frac / (1 - frac)) if frac > 0 else 0
        return _around(v, 0, m) if p.func == "top" else _around(v, m, 0)
    return None  # cumulative_share: not realised


def run(rs: CompiledRuleset, model: Any, enc: Encoder) -> Witness | None:
    """The model's record run through the real evaluator; None when it cannot be realised."""
    record = record_of(model, enc)
    today_v = model.eval(enc.today, model_completion=True)
    as_of = (
        dt.date.fromordinal(int(_fraction(today_v)) + EPOCH)
        if enc.reads_today or not z3.is_const(enc.today) or z3.is_int_value(enc.today)
        else dt.date.today()  # the rules do not read `today`: any date gives the same result
    )
    frozen = None
    shown: dict[str, list[Any]] | None = None
    if enc.pops:
        pops: dict[str, Population] = {}
        shown = {}
        for p in enc.pops:
            if p.key in pops:
                continue
            others = _realize(p, model, enc)
            if others is None:
                return None
            own = python_value(model, p.operand.term, _operand_type(p, enc), enc)
            group = None
            if p.group is not None and p.node is not None:
                by = getattr(p.node, "by", None)
                gt = enc.program.types.get(by.id, T.STRING) if by is not None else T.STRING
                group = python_value(model, p.group.term, gt, enc)
            values = [own, *others]
            pops[p.key] = Population.build(p.key, [(x, group) for x in values], p.group is not None)
            shown[p.key] = [json_value(x) for x in values]
        for k, part in zip(rs.compiled.pop_keys, rs.compiled.pop_partitioned, strict=False):
            pops.setdefault(k, Population.build(k, [], part))
        frozen = FrozenPopulation(rs.id, pops, max(len(v) for v in shown.values()), str(as_of))
    columns = {rs.program.fields[f].column: v for f, v in record.items()}
    try:
        ex = trace_record(rs, columns, as_of, frozen, {})
    except RulekitError:
        return None
    return Witness(record, as_of, shown, ex)


def _operand_type(p: PopVar, enc: Encoder) -> T.Type:
    node = p.node.args[0] if isinstance(p.node, n.Call) else cast(n.RankIn, p.node).operand
    return enc.program.types.get(node.id, T.NUMBER)
