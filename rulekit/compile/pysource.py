"""Compile a checked Program to Python source, then to code objects.

Two functions are generated from the one tree, by the same emitters:

* `_batch` — the fast path. Conditions are compiled in *truth context*: for each condition C we
  emit Python that is true exactly when C is true under SQL's three-valued logic (T), or exactly
  when C is false (F). Kleene logic then needs no unknown value at all: T(a and b) = T(a) and
  T(b); F(a and b) = F(a) or F(b); T(not a) = F(a); T(x > y) = x, y not missing and x > y.
* `_trace` — the observed path used by explain, why-not and examples. Every node is evaluated to
  its three-valued value and reported to an observer (`_r(node_id, value)`), so an explanation
  is a record of the evaluation, not a re-derivation.

Rule text never becomes code: names become generated identifiers (f_0, l_3, t_7), and every
constant goes through `repr()` only when `_safe_repr` accepts its type, else into the namespace.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from rulekit.model import datatypes as T
from rulekit.model import semantics as S
from rulekit.model.program import HitPolicy, Program
from rulekit.syntax import nodes as n

_OPS = {"=": "==", "!=": "!=", ">": ">", ">=": ">=", "<": "<", "<=": "<="}
_SAFE = (int, float, str, bool, type(None))


def _safe_repr(value: Any) -> bool:
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return True
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    return False


class Bad(Exception):
    """A record value that failed coercion or validation (raised by generated code)."""

    def __init__(self, field: str | None, value: Any, reason: str):
        super().__init__(reason)
        self.field, self.value, self.reason = field, value, reason


class Conflict(Exception):
    """Under `hit unique`, more than one rule matched."""

    def __init__(self, mask: int):
        super().__init__(mask)
        self.mask = mask


@dataclass
class Compiled:
    """Generated source and the functions it defines."""

    source: str
    batch: Any
    trace: Any
    popargs: Any
    order: list[int]  # rule indexes (file order) in evaluation order
    pop_keys: list[str]  # population keys, index = position in _P
    pop_partitioned: list[bool]
    namespace: dict = field(repr=False, default_factory=dict)
    validate: Any = None  # reads and coerces every declared field (validate="all")
    rule_fields: list = field(default_factory=list)  # fields each rule reads, declaration order


class _Emitter:
    def __init__(self, program: Program):
        self.p = program
        self.consts: dict[str, Any] = {}
        self._tmp = itertools.count()
        self.field_var = {name: f"f_{i}" for i, name in enumerate(program.fields)}
        self.let_var = {name: f"l_{i}" for i, name in enumerate(program.lets)}
        keys = list(dict.fromkeys(program.population_keys.values()))
        self.pop_index = {k: i for i, k in enumerate(keys)}
        self.pop_keys = keys
        self.pop_partitioned = [k.split("|", 1)[1] != "" for k in keys]
        self.trace = False

    # ---- helpers
    def tmp(self) -> str:
        return f"t_{next(self._tmp)}"

    def const(self, value: Any) -> str:
        if _safe_repr(value):
            return repr(value)
        name = f"K_{len(self.consts)}"
        self.consts[name] = value
        return name

    def obs(self, node: n.Node, code: str) -> str:
        return f"_r({node.id}, {code})" if self.trace else code

    def type(self, node: n.Node) -> T.Type:
        return self.p.types[node.id]

    # ---- values: returns (code, nullable)
    def v(self, node: n.Node) -> tuple[str, bool]:
        code, nullable = getattr(self, "v_" + type(node).__name__)(node)
        return self.obs(node, code), nullable

    def v_Literal(self, node: n.Literal):
        return self.const(node.value), node.value is None

    def v_Today(self, node):
        return "_today", False

    def v_Name(self, node: n.Name):
        if node.name in self.let_var:
            return self.let_var[node.name], True
        return self.field_var[node.name], True

    def v_ListExpr(self, node: n.ListExpr):
        if all(isinstance(i, n.Literal) for i in node.items):
            return self.const(tuple(i.value for i in node.items)), False
        return "(" + "".join(self.v(i)[0] + ", " for i in node.items) + ")", False

    def v_Neg(self, node: n.Neg):
        code, nullable = self.v(node.operand)
        if not nullable:
            return f"(-{code})", False
        t = self.tmp()
        return f"(None if ({t} := {code}) is None else -{t})", True

    def _null_guard(self, parts: list[tuple[str, bool]], body) -> tuple[str, bool]:
        """Evaluate parts once; None if any nullable part is None, else body(names)."""
        names, guards, assigns = [], [], []
        for code, nullable in parts:
            if nullable or not _is_simple(code):
                t = self.tmp()
                assigns.append(f"({t} := {code})")
                names.append(t)
                if nullable:
                    guards.append(f"{t} is None")
            else:
                names.append(code)
        if not guards and not assigns:
            return f"({body(names)})", False
        pre = f"({', '.join(assigns)},) and " if assigns else ""
        if not guards:
            return f"({pre}{body(names)})", False
        return f"(None if ({pre}({' or '.join(guards)})) else {body(names)})", True

    def v_Binary(self, node: n.Binary):
        ta, tb = self.type(node.left), self.type(node.right)
        a, b = self.v(node.left), self.v(node.right)
        op = node.op
        if op == "/":
            return f"_div({a[0]}, {b[0]})", True
        if ta in (T.DATE, T.TIMESTAMP) and tb in (T.DATE, T.TIMESTAMP):
            return f"_date_diff({a[0]}, {b[0]})", True
        if ta in (T.DATE, T.TIMESTAMP):
            sign = "1" if op == "+" else "-1"
            return f"_date_add({a[0]}, {b[0]}, {sign})", True
        if tb in (T.DATE, T.TIMESTAMP):
            return f"_date_add({b[0]}, {a[0]}, 1)", True
        return self._null_guard([a, b], lambda x: f"{x[0]} {op} {x[1]}")

    def _cmp_operands(self, a_node, b_node):
        a, b = self.v(a_node), self.v(b_node)
        ta, tb = self.type(a_node), self.type(b_node)
        if {ta.name, tb.name} == {"date", "timestamp"}:
            a = (f"_as_ts({a[0]})", a[1]) if ta == T.DATE else a
            b = (f"_as_ts({b[0]})", b[1]) if tb == T.DATE else b
        return a, b

    def v_Compare(self, node: n.Compare):
        pairs = []
        for i, op in enumerate(node.ops):
            a, b = self._cmp_operands(node.operands[i], node.operands[i + 1])
            pairs.append(self._null_guard([a, b], lambda x, op=op: f"{x[0]} {_OPS[op]} {x[1]}"))
        code = pairs[0][0]
        for pc, _ in pairs[1:]:
            code = f"_and3({code}, {pc})"
        return code, any(p[1] for p in pairs)

    def v_Between(self, node: n.Between):
        lo = self.v_Compare(_pair_node(node, node.low, ">="))
        hi = self.v_Compare(_pair_node(node, node.high, "<="))
        code = f"_and3({lo[0]}, {hi[0]})"
        return (f"_not3({code})" if node.negated else code), True

    def v_InList(self, node: n.InList):
        x, _ = self.v(node.operand)
        opts, _ = self.v(node.options)
        code = f"_in3({x}, {opts})"
        return (f"_not3({code})" if node.negated else code), True

    def v_IsMissing(self, node: n.IsMissing):
        x, _ = self.v(node.operand)
        return f"({x} is {'not ' if node.negated else ''}None)", False

    def v_StringTest(self, node: n.StringTest):
        s, _ = self.v(node.operand)
        pat, _ = self.v(node.pattern)
        code = f"_strtest({node.op!r}, {s}, {pat})"
        return (f"_not3({code})" if node.negated else code), True

    def v_And(self, node):
        return f"_and3({self.v(node.left)[0]}, {self.v(node.right)[0]})", True

    def v_Or(self, node):
        return f"_or3({self.v(node.left)[0]}, {self.v(node.right)[0]})", True

    def v_Not(self, node):
        return f"_not3({self.v(node.operand)[0]})", True

    _HELPERS = {
        "min": "_fmin",
        "max": "_fmax",
        "coalesce": "_coalesce",
        "abs": "_abs",
        "len": "_len",
        "round": "_round",
    }

    def v_Call(self, node: n.Call):
        if node.func in n.POPULATION_FUNCTIONS:
            return self._population(
                node,
                node.args[0],
                node.by,
                node.func,
                node.args[1].value if node.func == "score" else None,
            )
        args = [self.v(a)[0] for a in node.args]
        if node.func == "days_since":
            return f"_days_since(_today, {args[0]})", True
        if node.func == "coalesce":
            return f"_coalesce({', '.join(args)})", True
        return f"{self._HELPERS[node.func]}({', '.join(args)})", True

    def v_RankIn(self, node: n.RankIn):
        return self._population(
            node, node.operand, node.by, "in_top" if node.top else "in_bottom", node.fraction.value
        )

    def _population(self, node, arg, by, method, extra):
        k = self.pop_index[self.p.population_keys[node.id]]
        x, _ = self.v(arg)
        group = self.v(by)[0] if by is not None else "None"
        values = f"_P[{k}].values({group})" if self.pop_partitioned[k] else f"_V_{k}"
        extra_arg = f", {extra!r}" if extra is not None else ""
        t = self.tmp()
        if self.trace:
            return (
                f"(None if ({t} := {x}) is None else "
                f"_rpop({node.id}, {values}, {values}.{method}({t}{extra_arg})))"
            ), True
        return f"(None if ({t} := {x}) is None else {values}.{method}({t}{extra_arg}))", True

    # ---- truth context: code true exactly when node's value is `want` (True or False)
    def t(self, node: n.Node, want: bool) -> str:
        method = getattr(self, "t_" + type(node).__name__, None)
        if method is None or self.trace:
            code, _ = self.v(node)
            return f"({code} is {want})"
        return method(node, want)

    def t_And(self, node, want):
        a, b = self.t(node.left, want), self.t(node.right, want)
        return f"({a} {'and' if want else 'or'} {b})"

    def t_Or(self, node, want):
        a, b = self.t(node.left, want), self.t(node.right, want)
        return f"({a} {'or' if want else 'and'} {b})"

    def t_Not(self, node, want):
        return self.t(node.operand, not want)

    def _t_pairs(self, operands, ops, want):
        # Evaluate every non-trivial operand once, up front, then test each pair.
        pre, names, nullable = [], [], []
        for operand in operands:
            code, null = self.v(operand)
            if not _is_simple(code):
                t = self.tmp()
                pre.append(f"({t} := {code})")
                code = t
            names.append(code)
            nullable.append(null)
        types = [self.type(o) for o in operands]
        mixed = len({t.name for t in types} & {"date", "timestamp"}) == 2
        if mixed:
            names = [
                f"_as_ts({c})" if t == T.DATE else c for c, t in zip(names, types, strict=False)
            ]
        tests = []
        for i, op in enumerate(ops):
            guards = [f"{names[j]} is not None" for j in (i, i + 1) if nullable[j]]
            cmp = f"{names[i]} {_OPS[op]} {names[i + 1]}"
            tests.append(" and ".join(guards + [cmp if want else f"not ({cmp})"]))
        body = f" {'and' if want else 'or'} ".join(f"({t})" for t in tests)
        return f"(({', '.join(pre)},) and ({body}))" if pre else f"({body})"

    def t_Compare(self, node: n.Compare, want):
        return self._t_pairs(node.operands, node.ops, want)

    def t_Between(self, node: n.Between, want):
        if node.negated:
            want = not want
        pre, names = [], []
        for operand in (node.operand, node.low, node.high):
            code, null = self.v(operand)
            if not _is_simple(code):
                t = self.tmp()
                pre.append(f"({t} := {code})")
                code = t
            names.append((code, null))
        types = [self.type(o) for o in (node.operand, node.low, node.high)]
        if len({t.name for t in types} & {"date", "timestamp"}) == 2:
            names = [
                (f"_as_ts({c})", nl) if t == T.DATE else (c, nl)
                for (c, nl), t in zip(names, types, strict=False)
            ]
        (x, xn), (lo, lon), (hi, hin) = names

        def pair(a, an, op, b, bn):
            guards = [f"{c} is not None" for c, nl in ((a, an), (b, bn)) if nl]
            cmp = f"{a} {op} {b}"
            return " and ".join(guards + [cmp if want else f"not ({cmp})"])

        body = (
            f"({pair(x, xn, '>=', lo, lon)}) {'and' if want else 'or'} "
            f"({pair(x, xn, '<=', hi, hin)})"
        )
        return f"(({', '.join(pre)},) and ({body}))" if pre else f"({body})"

    def t_InList(self, node: n.InList, want):
        want = want != node.negated
        opts = node.options
        mixed_dates = {self.type(node.operand).name, str(self.type(opts))} & {
            "date",
            "timestamp",
            "list of date",
            "list of timestamp",
        }
        if (
            isinstance(opts, n.ListExpr)
            and all(isinstance(i, n.Literal) and i.value is not None for i in opts.items)
            and len(mixed_dates) < 2
        ):
            values = [i.value for i in opts.items]
            try:
                container = self.const(frozenset(values))
            except TypeError:
                container = self.const(tuple(values))
            x, null = self.v(node.operand)
            if not _is_simple(x):
                t = self.tmp()
                x, pre = t, f"({t} := {x})"
            else:
                pre = None
            test = f"{x} {'in' if want else 'not in'} {container}"
            guard = f"{x} is not None and " if null else ""
            code = f"{guard}{test}"
            if pre:
                code = f"({pre},) and ({code})"
            return f"({code})"
        x, _ = self.v(node.operand)
        o, _ = self.v(opts)
        return f"(_in3({x}, {o}) is {want})"

    def t_IsMissing(self, node: n.IsMissing, want):
        x, _ = self.v(node.operand)
        is_missing = want != node.negated
        return f"({x} is {'' if is_missing else 'not '}None)"

    def t_Name(self, node: n.Name, want):
        return f"({self.v(node)[0]} is {want})"


def _is_simple(code: str) -> bool:
    return (
        code.isidentifier()
        or code.lstrip("-").replace(".", "", 1).replace("e", "", 1).replace("_", "").isdigit()
        or (code[:1] in "'\"" and code[-1:] == code[:1])
    )


def _pair_node(node: n.Between, bound: n.Node, op: str) -> n.Compare:
    return n.Compare(node.id, node.span, (node.operand, bound), (op,), (bound.span,))


_CHECKS = {
    "integer": "{v}.__class__ is not int",
    "number": "(_c := {v}.__class__) is not int and (_c is not float or {v} != {v})",
    "duration": "(_c := {v}.__class__) is not int and (_c is not float or {v} != {v})",
    "boolean": "{v}.__class__ is not bool",
    "string": "{v}.__class__ is not str or not {v}",
    "date": "{v}.__class__ is not _date",
    "timestamp": "{v}.__class__ is not _datetime",
}


def _make_coercer(name: str, t: T.Type, one_of: tuple | None):
    convert = S.coercer(t)
    allowed = frozenset(one_of) if one_of else None

    def coerce_field(value):
        try:
            out = convert(value)
        except S.CoercionError as e:
            raise Bad(name, value, e.reason) from None
        if allowed is not None and out is not None and out not in allowed:
            shown = ", ".join(repr(a) for a in one_of)
            raise Bad(name, value, f"{value!r} is not one of {shown}")
        return out

    return coerce_field


def compile_program(program: Program) -> Compiled:
    em = _Emitter(program)
    ns: dict[str, Any] = {
        "_date": dt.date,
        "_datetime": dt.datetime,
        "Bad": Bad,
        "Conflict": Conflict,
        "_and3": S.and3,
        "_or3": S.or3,
        "_not3": S.not3,
        "_div": S.div,
        "_date_diff": S.date_diff,
        "_date_add": S.date_add,
        "_as_ts": S.as_ts,
        "_in3": S.in3,
        "_strtest": S.strtest,
        "_fmin": S.fmin,
        "_fmax": S.fmax,
        "_coalesce": S.coalesce,
        "_abs": S.fabs,
        "_len": S.length,
        "_round": S.round_half_up,
        "_days_since": S.days_since,
        "_UNSET": _UNSET,
    }
    lines: list[str] = []
    w = lines.append

    # Field reading + coercion, shared by every generated function.
    def load(indent: str, name: str, capture: bool = False):
        i = list(program.fields).index(name)
        info = program.fields[name]
        v = em.field_var[name]
        cname = f"C_{i}"
        ns[cname] = _make_coercer(name, info.type, info.one_of)
        check = _CHECKS.get(info.type.name) if not info.type.is_list and not info.one_of else None
        convert = f"if {check.format(v=v)}: {v} = {cname}({v})" if check else f"{v} = {cname}({v})"
        if capture:  # traced: a bad value is recorded, the caller decides whether it matters
            w(f"{indent}try:")
            w(f"{indent}    {v} = get({em.const(info.column)})")
            w(f"{indent}    {convert}")
            w(f"{indent}except Bad as e:")
            w(f"{indent}    {v} = None")
            w(f"{indent}    _rbad({name!r}, e)")
        else:
            w(f"{indent}{v} = get({em.const(info.column)})")
            w(f"{indent}{convert}")

    def let(indent: str, name: str, overridable=False):
        v = em.let_var[name]
        code, _ = em.v(program.lets[name].decl.expr)
        if overridable:
            w(f"{indent}{v} = _ov.get({name!r}, _UNSET)")
            w(f"{indent}if {v} is _UNSET: {v} = {code}")
            w(f"{indent}_rlet({name!r}, {v})")
        else:
            w(f"{indent}{v} = {code}")

    def bind_populations(indent: str):
        for k, part in enumerate(em.pop_partitioned):
            if not part:
                w(f"{indent}_V_{k} = _P[{k}].values(None)")

    rules = program.rules
    order = list(program.order)
    reads = [(list(r.fields), list(r.lets)) for r in program.rule_reads]
    rule_fields = [f for f, _ in reads]

    # ---- fast batch. A field is read (and coerced) just before the first rule, in evaluation
    # order, that needs it; a let is computed just before its first use. Under first/priority a
    # record decided by an early rule never touches the fields only later rules read.
    em.trace = False
    w("def _batch(records, start, _P, _today, _T, out, bad):")
    w("    append = out.append")
    bind_populations("    ")
    w("    for rec in (records if start == 0 else records[start:]):")
    w("        try:")
    w("            get = rec.get")
    loaded_f: set[str] = set()
    loaded_l: set[str] = set()

    def prepare(indent: str, ri: int):
        fs, ls = reads[ri]
        for name in fs:
            if name not in loaded_f:
                load(indent, name)
                loaded_f.add(name)
        for name in ls:
            if name not in loaded_l:
                let(indent, name)
                loaded_l.add(name)

    if program.hit.single:
        w("            while True:")
        for pos, ri in enumerate(order):
            prepare("                ", ri)
            w(f"                if {em.t(rules[ri].condition, True)}: append(_T[{pos}]); break")
        w("                append(_T[-1]); break")
    else:
        for ri in order:
            prepare("            ", ri)
        w("            m = 0")
        for pos, ri in enumerate(order):
            w(f"            if {em.t(rules[ri].condition, True)}: m |= {1 << pos}")
        if program.hit is HitPolicy.UNIQUE:
            w("            if m & (m - 1): raise Conflict(m)")
        w("            d = _T.get(m)")
        w("            if d is None: d = _T.make(m)")
        w("            append(d)")
    w("        except (Bad, Conflict) as e:")
    w("            bad(len(out), e, rec)")
    w("            append(None)")
    w("")

    # ---- validate="all": read and coerce every declared field, decide nothing
    w("def _validate(rec):")
    w("    get = rec.get")
    for name in program.fields:
        load("    ", name)
    w("    return True")
    w("")

    # ---- traced evaluation: every node's value goes to the observer. All fields are read; a
    # bad one is reported to `_rbad`, and explain.py applies the same rule as the fast path
    # (bad only if a rule evaluated before the decision reads it).
    em.trace = True
    w("def _trace(rec, _P, _today, _r, _rpop, _rlet, _rfield, _rbad, _ov):")
    w("    get = rec.get")
    bind_populations("    ")
    for name in program.fields:
        load("    ", name, capture=True)
        w(f"    _rfield({name!r}, {em.field_var[name]})")
    for name in program.lets:
        let("    ", name, overridable=True)
    w("    return (")
    for ri in range(len(rules)):
        code, _ = em.v(rules[ri].condition)
        w(f"        {code},")
    w("    )")
    w("")

    # ---- population inputs: the ranked value (and its group) of each population key
    em.trace = False
    w("def _popargs(rec, _today):")
    w("    get = rec.get")
    pop_nodes = program.population_nodes()
    pop_fields: list[str] = []
    pop_lets: list[str] = []
    for node in pop_nodes.values():
        fs, ls = program.reads(node).fields, program.reads(node).lets
        pop_fields += [f for f in fs if f not in pop_fields]
        pop_lets += [x for x in ls if x not in pop_lets]
    for name in program.fields:
        if name in pop_fields:
            load("    ", name)
    for name in program.lets:
        if name in pop_lets:
            let("    ", name)
    items = []
    for key in em.pop_keys:
        node = pop_nodes[key]
        x, _ = em.v(_pop_arg(node))
        by = _pop_by(node)
        items.append(f"({x}, {em.v(by)[0] if by is not None else 'None'})")
    w("    return (" + "".join(i + ", " for i in items) + ")")

    source = "\n".join(lines) + "\n"
    ns.update(em.consts)
    code = compile(source, f"<rulekit {program.path}>", "exec")
    exec(code, ns)  # noqa: S102 - source generated from the checked tree only
    return Compiled(
        source,
        ns["_batch"],
        ns["_trace"],
        ns["_popargs"],
        order,
        em.pop_keys,
        em.pop_partitioned,
        ns,
        ns["_validate"],
        rule_fields,
    )


class _Unset:
    def __repr__(self):
        return "UNSET"


_UNSET = _Unset()


def _pop_arg(node: n.Node) -> n.Node:
    return node.operand if isinstance(node, n.RankIn) else node.args[0]


def _pop_by(node: n.Node):
    return node.by
