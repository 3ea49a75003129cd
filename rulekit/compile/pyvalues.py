"""Python expressions for checked nodes in *value context*: code that evaluates a node to its
three-valued value (None = unknown/missing), and tells whether that value can be None.

Names become generated identifiers (f_0 for fields, l_3 for lets, t_7 for temporaries); a
constant becomes `repr()` text only when `safe_repr` accepts it, else a `K_n` namespace entry.
In trace mode every node's value is also reported to the observer `_r(node_id, value)`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

from rulekit.model import datatypes as T
from rulekit.model.decimals import decimal_operands, exact_pair
from rulekit.model.program import Program
from rulekit.syntax import nodes as n

# Normalised comparison → Python operator.
OPS = {"=": "==", "!=": "!=", ">": ">", ">=": ">=", "<": "<", "<=": "<="}

# Generated code for one value: (Python expression, whether it can be None).
Code = tuple[str, bool]


def safe_repr(value: Any) -> bool:
    """Whether `repr(value)` is Python source that evaluates back to the value."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return True
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    return False


def is_simple(code: str) -> bool:
    """Code that is a name or a plain literal: cheap to repeat, needs no temporary."""
    return (
        code.isidentifier()
        or code.lstrip("-").replace(".", "", 1).replace("e", "", 1).replace("_", "").isdigit()
        or (code[:1] in "'\"" and code[-1:] == code[:1])
    )


_DECIMAL_OPS = {"+": "_dadd", "-": "_dsub", "*": "_dmul"}


def written(node: n.Node) -> Any:
    """The value of a literal the checker requires to be written in the rule (the share of
    `top 10%`, the number of scores)."""
    assert isinstance(node, n.Literal)
    return node.value


def _pair_node(node: n.Between, bound: n.Node, op: str) -> n.Compare:
    return n.Compare(node.id, node.span, (node.operand, bound), (op,), (bound.span,))


class ValueEmitter:
    """Emits value-context code for the expressions of one checked program."""

    _HELPERS = {
        "min": "_fmin",
        "max": "_fmax",
        "coalesce": "_coalesce",
        "abs": "_abs",
        "len": "_len",
        "round": "_round",
    }

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
        if safe_repr(value):
            return repr(value)
        name = f"K_{len(self.consts)}"
        self.consts[name] = value
        return name

    def identity(self, code: str, rhs: str) -> str:
        """`(code is rhs)`; code that may fold to a constant is bound to a temporary first, so
        Python never warns about `is` with a literal (`IF 5 is missing …`)."""
        if not code.isidentifier():
            code = f"({self.tmp()} := {code})"
        return f"({code} is {rhs})"

    def obs(self, node: n.Node, code: str) -> str:
        return f"_r({node.id}, {code})" if self.trace else code

    def type(self, node: n.Node) -> T.Type:
        return self.p.type_of(node)

    # ---- values
    def v(self, node: n.Node) -> Code:
        method: Callable[[n.Node], Code] = getattr(self, "v_" + type(node).__name__)
        code, nullable = method(node)
        return self.obs(node, code), nullable

    def v_Literal(self, node: n.Literal) -> Code:
        return self.const(node.value), node.value is None

    def v_Today(self, node: n.Today) -> Code:
        return "_today", False

    def v_Name(self, node: n.Name) -> Code:
        if node.name in self.let_var:
            return self.let_var[node.name], True
        return self.field_var[node.name], True

    def v_ListExpr(self, node: n.ListExpr) -> Code:
        if all(isinstance(i, n.Literal) for i in node.items):
            return self.const(tuple(written(i) for i in node.items)), False
        return "(" + "".join(self.v(i)[0] + ", " for i in node.items) + ")", False

    def v_Neg(self, node: n.Neg) -> Code:
        code, nullable = self.v(node.operand)
        if not nullable:
            return f"(-{code})", False
        t = self.tmp()
        return f"(None if ({t} := {code}) is None else -{t})", True

    def _null_guard(self, parts: Sequence[Code], body: Callable[[list[str]], str]) -> Code:
        """Evaluate parts once; None if any nullable part is None, else body(names)."""
        names: list[str] = []
        guards: list[str] = []
        assigns: list[str] = []
        for code, nullable in parts:
            if nullable or not is_simple(code):
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

    def v_Binary(self, node: n.Binary) -> Code:
        ta, tb = self.type(node.left), self.type(node.right)
        a, b = self.v(node.left), self.v(node.right)
        op = node.op
        decimal = decimal_operands(ta, tb)
        if op == "/":
            return f"{'_ddiv' if decimal else '_div'}({a[0]}, {b[0]})", True
        if ta in (T.DATE, T.TIMESTAMP) and tb in (T.DATE, T.TIMESTAMP):
            return f"_date_diff({a[0]}, {b[0]})", True
        if ta in (T.DATE, T.TIMESTAMP):
            sign = "1" if op == "+" else "-1"
            return f"_date_add({a[0]}, {b[0]}, {sign})", True
        if tb in (T.DATE, T.TIMESTAMP):
            return f"_date_add({b[0]}, {a[0]}, 1)", True
        if decimal:  # exact decimal arithmetic (model/decimals.py)
            helper = _DECIMAL_OPS[op]
            code, _ = self._null_guard([a, b], lambda x: f"{helper}({x[0]}, {x[1]})")
            return code, True  # ∞ − ∞ is missing
        return self._null_guard([a, b], lambda x: f"{x[0]} {op} {x[1]}")

    def _cmp_operands(self, a_node: n.Node, b_node: n.Node) -> tuple[Code, Code]:
        a, b = self.v(a_node), self.v(b_node)
        ta, tb = self.type(a_node), self.type(b_node)
        if {ta.name, tb.name} == {"date", "timestamp"}:
            a = (f"_as_ts({a[0]})", a[1]) if ta == T.DATE else a
            b = (f"_as_ts({b[0]})", b[1]) if tb == T.DATE else b
        return a, b

    def v_Compare(self, node: n.Compare) -> Code:
        pairs: list[Code] = []
        for i, op in enumerate(node.ops):
            left, op, right = exact_pair(node.operands[i], op, node.operands[i + 1])
            a, b = self._cmp_operands(left, right)

            def body(x: list[str], op: str = op) -> str:
                return f"{x[0]} {OPS[op]} {x[1]}"

            pairs.append(self._null_guard([a, b], body))
        if len(pairs) == 1:
            return pairs[0]
        # one flat call, however long the chain (`1 < a < b < … `): no nesting to grow
        return f"_and3n({', '.join(pc for pc, _ in pairs)})", any(p[1] for p in pairs)

    def v_Between(self, node: n.Between) -> Code:
        lo = self.v_Compare(_pair_node(node, node.low, ">="))
        hi = self.v_Compare(_pair_node(node, node.high, "<="))
        code = f"_and3({lo[0]}, {hi[0]})"
        return (f"_not3({code})" if node.negated else code), True

    def v_InList(self, node: n.InList) -> Code:
        x, _ = self.v(node.operand)
        opts, _ = self.v(node.options)
        code = f"_in3({x}, {opts})"
        return (f"_not3({code})" if node.negated else code), True

    def v_IsMissing(self, node: n.IsMissing) -> Code:
        x, _ = self.v(node.operand)
        return self.identity(x, f"{'not ' if node.negated else ''}None"), False

    def v_StringTest(self, node: n.StringTest) -> Code:
        s, _ = self.v(node.operand)
        pat, _ = self.v(node.pattern)
        code = f"_strtest({node.op!r}, {s}, {pat})"
        return (f"_not3({code})" if node.negated else code), True

    def v_And(self, node: n.And) -> Code:
        return f"_and3({self.v(node.left)[0]}, {self.v(node.right)[0]})", True

    def v_Or(self, node: n.Or) -> Code:
        return f"_or3({self.v(node.left)[0]}, {self.v(node.right)[0]})", True

    def v_Not(self, node: n.Not) -> Code:
        return f"_not3({self.v(node.operand)[0]})", True

    def v_Call(self, node: n.Call) -> Code:
        if node.func in n.POPULATION_FUNCTIONS:
            return self._population(
                node,
                node.args[0],
                node.by,
                node.func,
                written(node.args[1]) if node.func == "score" else None,
            )
        args = [self.v(a)[0] for a in node.args]
        if node.func == "days_since":
            return f"_days_since(_today, {args[0]})", True
        if node.func == "coalesce":
            return f"_coalesce({', '.join(args)})", True
        return f"{self._HELPERS[node.func]}({', '.join(args)})", True

    def v_Conditional(self, node: n.Conditional) -> Code:
        # `if C then A else B`: only a true C takes A; a false or unknown C takes B (Python's
        # conditional evaluates only the branch taken, as SQL's CASE)
        c, _ = self.v(node.condition)
        branches = []
        for branch in (node.then, node.otherwise):
            code, null = self.v(branch)
            if self.type(node) == T.TIMESTAMP and self.type(branch) == T.DATE:
                code = f"_as_ts({code})"
            branches.append((code, null))
        (a, an), (b, bn) = branches
        return f"({a} if {self.identity(c, 'True')} else {b})", an or bn

    def v_RankIn(self, node: n.RankIn) -> Code:
        return self._population(
            node,
            node.operand,
            node.by,
            "in_top" if node.top else "in_bottom",
            written(node.fraction),
        )

    def _population(
        self, node: n.Node, arg: n.Node, by: n.Name | None, method: str, extra: Any
    ) -> Code:
        k = self.pop_index[self.p.population_keys[node.id]]
        x, _ = self.v(arg)
        group = self.v(by)[0] if by is not None else "None"
        values = f"_P[{k}].values({group})" if self.pop_partitioned[k] else f"_V_{k}"
        extra_arg = f", {extra!r}" if extra is not None else ""
        t = self.tmp()
        among = getattr(node, "among", None)
        # a population filter: outside it (false or unknown) the value is missing
        outside = f"{self.v(among)[0]} is not True or " if among is not None else ""
        if self.trace:
            if among is not None:  # traced: the value and the filter both observed
                return (
                    f"(None if (({t} := {x}) is None) | ({self.v(among)[0]} is not True) else "
                    f"_rpop({node.id}, {values}, {values}.{method}({t}{extra_arg})))"
                ), True
            return (
                f"(None if ({t} := {x}) is None else "
                f"_rpop({node.id}, {values}, {values}.{method}({t}{extra_arg})))"
            ), True
        return (
            f"(None if {outside}({t} := {x}) is None else {values}.{method}({t}{extra_arg}))"
        ), True
