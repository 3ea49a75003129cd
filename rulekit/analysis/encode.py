"""The checked program as SMT constraints (z3): every field, let, population value and rule
condition as a z3 term with the language's three-valued logic.

A value is a `Val`: its z3 term and a z3 Boolean that is true when it is missing. A condition is
a `Cond`: two z3 Booleans, "is true" and "is false" (unknown is neither), so `and`, `or` and
`not` follow Kleene logic exactly as the engines do. Types map to sorts: integer → Int; number,
duration (days) and timestamp (days since 0001-01-01) → Real; date → Int (days); boolean → Bool;
string → Int, an index into the constants the file uses, plus a few "other" strings.

What cannot be encoded exactly (a list-valued field, `len`, string ordering, `cumulative_share`)
becomes a fresh variable of its type: the encoding then allows more than the engine does, so a
proof that no record exists stays a proof, and a witness that the engine does not reproduce is
dropped (rulekit.analysis.witness checks every one).

Outputs (`output x = …`) are lets to the encoding (a rule may read one); label attributes are
constants of a label and decide nothing: neither changes which labels a record can get.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import z3

from rulekit.model import datatypes as T
from rulekit.model.program import Program
from rulekit.syntax import nodes as n

OTHER_STRINGS = 3  # strings that are none of the file's constants (and differ from each other)
EPOCH = dt.date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class Val:
    term: Any  # z3 expression (Int, Real or Bool sort)
    missing: Any  # z3 Bool


@dataclass(frozen=True)
class Cond:
    true: Any  # z3 Bool: the condition is true
    false: Any  # z3 Bool: the condition is false


@dataclass
class PopVar:
    """A population function's result for the analysed record: a bounded variable."""

    node: n.Node
    key: str
    func: str  # score | percentile | top | bottom | cumulative_share
    var: Any
    operand: Val
    group: Val | None
    param: Fraction | int | None  # n of score, p of top/bottom


def num(value: Any) -> Any:
    """An exact z3 constant for a Python number (floats exactly, as the engine compares)."""
    if isinstance(value, bool):
        return z3.BoolVal(value)
    if isinstance(value, int):
        return z3.IntVal(value)
    f = Fraction(value)
    return (
        z3.RealVal(f"{f.numerator}/{f.denominator}")
        if f.denominator != 1
        else z3.IntVal(f.numerator)
    )


def day_number(value: dt.date) -> Fraction:
    """Days since 1970-01-01 (timestamps with their fraction of a day)."""
    days = Fraction(value.toordinal() - EPOCH)
    if isinstance(value, dt.datetime):
        days += Fraction(value.hour * 3600 + value.minute * 60 + value.second, 86400)
    return days


def _real(t: Any) -> Any:
    return z3.ToReal(t) if z3.is_int(t) else t


def _same(a: Any, b: Any) -> tuple[Any, Any]:
    if z3.is_int(a) and z3.is_real(b) or z3.is_real(a) and z3.is_int(b):
        return _real(a), _real(b)
    return a, b


@dataclass
class Encoder:
    """Encodes one program; terms are cached by node id, lets by name."""

    program: Program
    today: Any = None  # z3 Int (days) or a pinned constant
    strings: list[str] = field(default_factory=list)
    fields: dict[str, Val] = field(default_factory=dict)
    domain: list[Any] = field(default_factory=list)  # constraints every record satisfies
    pops: list[PopVar] = field(default_factory=list)
    opaque: int = 0
    reads_today: bool = False
    _lets: dict[str, Val | Cond] = field(default_factory=dict)
    _cache: dict[int, Val | Cond] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._collect_strings()
        if self.today is None:
            self.today = z3.Int("today")
        for name, info in self.program.fields.items():
            self.fields[name] = self._field(name, info.type, info.one_of)
            if info.default is not None:  # `default d`: never missing when evaluated
                self.domain.append(z3.Not(self.fields[name].missing))

    # ---- domains
    def _collect_strings(self) -> None:
        seen: dict[str, None] = {}
        for root in self.program.expressions():
            for sub in n.walk(root):
                if isinstance(sub, n.Literal) and sub.kind == "string":
                    seen.setdefault(sub.value, None)
        for info in self.program.fields.values():
            for v in info.one_of or ():
                if isinstance(v, str):
                    seen.setdefault(v, None)
            if isinstance(info.default, str):
                seen.setdefault(info.default, None)
        self.strings = list(seen)

    def string_value(self, index: int) -> str:
        if index < len(self.strings):
            return self.strings[index]
        return f"(other {index - len(self.strings) + 1})"

    def string_index(self, value: str) -> int:
        return self.strings.index(value)

    def _var(self, name: str, t: T.Type) -> Any:
        if t.name in ("integer", "date") or t.name == "string":
            return z3.Int(name)
        if t.name == "boolean":
            return z3.Bool(name)
        return z3.Real(name)

    def _field(self, name: str, t: T.Type, one_of: tuple[Any, ...] | None) -> Val:
        var = self._var(f"f:{name}", t)
        missing = z3.Bool(f"m:{name}")
        if t.name == "string":
            self.domain.append(z3.And(var >= 0, var < len(self.strings) + OTHER_STRINGS))
        if one_of:
            options = [self._const(v, t) for v in one_of]
            self.domain.append(z3.Or(missing, z3.Or([var == o for o in options])))
        return Val(var, missing)

    def _const(self, value: Any, t: T.Type | None = None) -> Any:
        if isinstance(value, str):
            return z3.IntVal(self.string_index(value))
        if isinstance(value, dt.date):
            d = day_number(value)
            return num(d) if isinstance(value, dt.datetime) else z3.IntVal(int(d))
        return num(value)

    def fresh(self, t: T.Type) -> Val:
        """An opaque value: anything of its type, missing or not."""
        self.opaque += 1
        var = self._var(f"o:{self.opaque}", t)
        if t.name == "string":
            self.domain.append(z3.And(var >= 0, var < len(self.strings) + OTHER_STRINGS))
        return Val(var, z3.Bool(f"om:{self.opaque}"))

    def fresh_cond(self) -> Cond:
        self.opaque += 1
        a, b = z3.Bool(f"ot:{self.opaque}"), z3.Bool(f"of:{self.opaque}")
        self.domain.append(z3.Not(z3.And(a, b)))
        return Cond(a, b)

    # ---- entry points
    def cond(self, node: n.Node) -> Cond:
        got = self.encode(node)
        return got if isinstance(got, Cond) else self._as_cond(got)

    def value(self, node: n.Node) -> Val:
        got = self.encode(node)
        return got if isinstance(got, Val) else self._as_val(got)

    def let(self, name: str) -> Val | Cond:
        if name not in self._lets:
            self._lets[name] = self.encode(self.program.lets[name].decl.expr)
        return self._lets[name]

    def encode(self, node: n.Node) -> Val | Cond:
        got = self._cache.get(node.id)
        if got is None:
            got = self._encode(node)
            self._cache[node.id] = got
        return got

    @staticmethod
    def _as_cond(v: Val) -> Cond:
        return Cond(z3.And(z3.Not(v.missing), v.term), z3.And(z3.Not(v.missing), z3.Not(v.term)))

    @staticmethod
    def _as_val(c: Cond) -> Val:
        return Val(c.true, z3.Not(z3.Or(c.true, c.false)))

    def _type(self, node: n.Node) -> T.Type:
        return self.program.types.get(node.id, T.UNKNOWN)

    # ---- expressions
    def _encode(self, node: n.Node) -> Val | Cond:  # noqa: C901 - one case per node kind
        if isinstance(node, n.Literal):
            if node.kind == "boolean":
                return Val(z3.BoolVal(bool(node.value)), z3.BoolVal(False))
            return Val(self._const(node.value), z3.BoolVal(False))
        if isinstance(node, n.Today):
            self.reads_today = True
            return Val(self.today, z3.BoolVal(False))
        if isinstance(node, n.Name):
            if node.name in self.program.lets:
                return self.let(node.name)
            if node.name in self.fields:
                f = self.fields[node.name]
                return self._as_cond(f) if z3.is_bool(f.term) else f
            return self.fresh(self._type(node))
        if isinstance(node, n.Neg):
            v = self.value(node.operand)
            return Val(-v.term, v.missing)
        if isinstance(node, n.Binary):
            return self._binary(node)
        if isinstance(node, n.Compare):
            parts = [
                self._compare(op, node.operands[i], node.operands[i + 1])
                for i, op in enumerate(node.ops)
            ]
            return Cond(z3.And([p.true for p in parts]), z3.Or([p.false for p in parts]))
        if isinstance(node, n.Between):
            lo = self._compare(">=", node.operand, node.low)
            hi = self._compare("<=", node.operand, node.high)
            c = Cond(z3.And(lo.true, hi.true), z3.Or(lo.false, hi.false))
            return Cond(c.false, c.true) if node.negated else c
        if isinstance(node, n.InList):
            return self._in(node)
        if isinstance(node, n.IsMissing):
            m = self._missing(node.operand)
            return Cond(z3.Not(m), m) if node.negated else Cond(m, z3.Not(m))
        if isinstance(node, n.StringTest):
            return self._string_test(node)
        if isinstance(node, n.And):
            a, b = self.cond(node.left), self.cond(node.right)
            return Cond(z3.And(a.true, b.true), z3.Or(a.false, b.false))
        if isinstance(node, n.Or):
            a, b = self.cond(node.left), self.cond(node.right)
            return Cond(z3.Or(a.true, b.true), z3.And(a.false, b.false))
        if isinstance(node, n.Not):
            a = self.cond(node.operand)
            return Cond(a.false, a.true)
        if isinstance(node, n.Call):
            return self._call(node)
        if isinstance(node, n.RankIn):
            return self._rank_in(node)
        if isinstance(node, n.Conditional):
            return self._conditional(node)
        if self._type(node).name == "boolean":
            return self.fresh_cond()
        return self.fresh(self._type(node))

    def _conditional(self, node: n.Conditional) -> Val | Cond:
        """`if C then A else B`: A when C is true, B when C is false or unknown."""
        c = self.cond(node.condition).true
        if self._type(node).name == "boolean":
            ca, cb = self.cond(node.then), self.cond(node.otherwise)
            return Cond(z3.If(c, ca.true, cb.true), z3.If(c, ca.false, cb.false))
        if self._type(node).is_list:
            return self.fresh(self._type(node))  # lists: not encoded
        va, vb = self.value(node.then), self.value(node.otherwise)
        x, y = _same(va.term, vb.term)
        return Val(z3.If(c, x, y), z3.If(c, va.missing, vb.missing))

    def _missing(self, node: n.Node) -> Any:
        got = self.encode(node)
        if isinstance(got, Cond):
            return z3.Not(z3.Or(got.true, got.false))
        return got.missing

    def _binary(self, node: n.Binary) -> Val:
        a, b = self.value(node.left), self.value(node.right)
        missing = z3.Or(a.missing, b.missing)
        x, y = _same(a.term, b.term)
        if node.op == "+":
            return Val(x + y, missing)
        if node.op == "-":
            return Val(x - y, missing)
        if node.op == "*":
            return Val(x * y, missing)
        x, y = _real(x), _real(y)  # "/" is exact division; by zero is missing
        return Val(x / y, z3.Or(missing, y == 0))

    def _compare(self, op: str, left: n.Node, right: n.Node) -> Cond:
        a, b = self.encode(left), self.encode(right)
        if isinstance(a, Cond) or isinstance(b, Cond) or z3.is_bool(self.value(left).term):
            va, vb = self.value(left), self.value(right)
            present = z3.Not(z3.Or(va.missing, vb.missing))
            if op in ("=", "!="):
                eq = va.term == vb.term
                rel = eq if op == "=" else z3.Not(eq)
                return Cond(z3.And(present, rel), z3.And(present, z3.Not(rel)))
            return self.fresh_cond()
        ta, tb = self._type(left), self._type(right)
        if "string" in (ta.name, tb.name) and op not in ("=", "!="):
            return self.fresh_cond()  # string ordering: not encoded
        present = z3.Not(z3.Or(a.missing, b.missing))
        x, y = _same(a.term, b.term)
        rel = {
            ">": lambda: x > y,
            ">=": lambda: x >= y,
            "<": lambda: x < y,
            "<=": lambda: x <= y,
            "=": lambda: x == y,
            "!=": lambda: x != y,
        }[op]()
        return Cond(z3.And(present, rel), z3.And(present, z3.Not(rel)))

    def _in(self, node: n.InList) -> Cond:
        v = self.value(node.operand)
        if not isinstance(node.options, n.ListExpr):
            c = self.fresh_cond()
            return c
        hits, has_missing = [], []
        for item in node.options.items:
            o = self.value(item)
            x, y = _same(v.term, o.term)
            hits.append(z3.And(z3.Not(o.missing), x == y))
            has_missing.append(o.missing)
        found = z3.And(z3.Not(v.missing), z3.Or(hits) if hits else z3.BoolVal(False))
        unknown = z3.Or(v.missing, z3.And(z3.Not(found), z3.Or(has_missing or [False])))
        not_found = z3.And(z3.Not(found), z3.Not(unknown))
        return Cond(not_found, found) if node.negated else Cond(found, not_found)

    def _string_test(self, node: n.StringTest) -> Cond:
        v = self.value(node.operand)
        if not isinstance(node.pattern, n.Literal) or not self.strings:
            return self.fresh_cond()
        p = str(node.pattern.value)

        def test(s: str) -> bool:
            if node.op == "contains":
                return p in s
            return s.startswith(p) if node.op == "starts_with" else s.endswith(p)

        size = len(self.strings) + OTHER_STRINGS
        hit = z3.Or([v.term == i for i in range(size) if test(self.string_value(i))] or [False])
        present = z3.Not(v.missing)
        c = Cond(z3.And(present, hit), z3.And(present, z3.Not(hit)))
        return Cond(c.false, c.true) if node.negated else c

    def _call(self, node: n.Call) -> Val | Cond:
        f = node.func
        if f in ("score", "percentile", "cumulative_share"):
            return self._population(node, f)
        args = [self.value(a) for a in node.args]
        if f in ("min", "max") and args:
            out = args[0].term
            for a in args[1:]:
                x, y = _same(out, a.term)
                out = z3.If(x <= y, x, y) if f == "min" else z3.If(x >= y, x, y)
            return Val(out, z3.Or([a.missing for a in args]))
        if f == "abs" and args:
            return Val(z3.If(args[0].term >= 0, args[0].term, -args[0].term), args[0].missing)
        if f == "coalesce" and args:
            term, missing = args[-1].term, args[-1].missing
            for a in reversed(args[:-1]):
                x, y = _same(a.term, term)
                term = z3.If(a.missing, y, x)
                missing = z3.And(a.missing, missing)
            return Val(term, missing)
        if f == "days_since" and args:
            self.reads_today = True
            x, y = _same(self.today, args[0].term)
            return Val(_real(x - y), args[0].missing)
        if f == "round" and args:
            # round half up to `digits`: a value within half a unit of its argument
            digits = 0
            if len(node.args) > 1 and isinstance(node.args[1], n.Literal):
                digits = int(node.args[1].value)
            out = self.fresh(T.NUMBER)
            half = Fraction(1, 2) / Fraction(10) ** digits
            x = _real(args[0].term)
            self.domain.append(z3.And(out.term - x <= num(half), x - out.term <= num(half)))
            self.domain.append(out.missing == z3.Or([a.missing for a in args]))
            return out
        if self._type(node).name == "boolean":
            return self.fresh_cond()
        return self.fresh(self._type(node))

    def _group(self, by: n.Name | None) -> Val | None:
        return self.value(by) if by is not None else None

    def _population(self, node: n.Call, func: str) -> Val:
        key = self.program.population_keys.get(node.id, f"node{node.id}")
        operand = self.value(node.args[0])
        param: int | None = None
        if func == "score":
            size = node.args[1] if len(node.args) > 1 else None
            param = int(size.value) if isinstance(size, n.Literal) else 5
        missing = self._outside(node, operand.missing)
        for p in self.pops:  # the same function of the same population: the same value
            if p.key == key and p.func == func and p.param == param:
                return Val(p.var, missing)
        self.opaque += 1
        if func == "score":
            var = z3.Int(f"score:{self.opaque}")
            self.domain.append(z3.And(var >= 1, var <= (param or 5)))
        else:
            var = z3.Real(f"{func}:{self.opaque}")
            top = 100 if func == "percentile" else 1
            self.domain.append(z3.And(var >= 0, var <= top))
        self.pops.append(PopVar(node, key, func, var, operand, self._group(node.by), param))
        return Val(var, missing)

    def _outside(self, node: n.Call | n.RankIn, missing: Any) -> Any:
        """Missing when the ranked value is, or outside the `among` filter (false or unknown).
        A ranked value that itself ranks (a staged population) is a bounded opaque value."""
        if node.among is None:
            return missing
        return z3.Or(missing, z3.Not(self.cond(node.among).true))

    def _rank_in(self, node: n.RankIn) -> Cond:
        key = self.program.population_keys.get(node.id, f"node{node.id}")
        operand = self.value(node.operand)
        func = "top" if node.top else "bottom"
        frac = node.fraction.value if isinstance(node.fraction, n.Literal) else None
        param = Fraction(frac) if frac is not None else None
        var = None
        for p in self.pops:
            if p.key == key and p.func == func and p.param == param:
                var = p.var
        if var is None:
            self.opaque += 1
            var = z3.Bool(f"{func}:{self.opaque}")
            self.pops.append(PopVar(node, key, func, var, operand, self._group(node.by), param))
        present = z3.Not(self._outside(node, operand.missing))
        return Cond(z3.And(present, var), z3.And(present, z3.Not(var)))
