"""Expressions: one `<node>_sql` method per expression node class, sqlglot-style.

Every node class has one `<node>_sql` method (`literal_sql`, `compare_sql`, …) returning its
SQL and that SQL's precedence, found through a table built once per generator class
(`_build_dispatch` over `_EXPRESSION_NODES`), so a test can assert that every dialect handles
every node. `sql(node, min_prec)` writes only the parentheses needed.

The meaning of every construct is semantics.py's, translated: SQL's NULL is the missing value,
and SQL's AND/OR/NOT already are Kleene logic. Where SQL differs from Python, the difference is
written out: division by zero → NULLIF; LEAST/GREATEST ignore NULLs → explicit NULL checks;
x IN () → false (unknown for a missing x); date arithmetic → arithmetic.py's checked shifts. A
population function reads its column, computed by populations.py in an earlier step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, cast

from rulekit.compile.sql.arithmetic import Arithmetic
from rulekit.model import datatypes as T
from rulekit.model.decimals import decimal_operands, exact_pair
from rulekit.syntax import nodes as n

# Operator precedence in generated SQL, loosest first, to write only the parentheses needed.
P_OR, P_AND, P_NOT, P_CMP, P_ADD, P_MUL, P_NEG, P_ATOM = range(1, 9)

_CMP = {"=": "=", "!=": "<>", ">": ">", ">=": ">=", "<": "<", "<=": "<="}

NodeSQL = Callable[[Any, Any], tuple[str, int]]  # (generator, node) -> (sql, precedence)


class Expressions(Arithmetic):
    """The `<node>_sql` methods."""

    _dispatch: ClassVar[dict[type[n.Node], NodeSQL]] = {}

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls._dispatch = _build_dispatch(cls)

    def sql(self, node: n.Node, min_prec: int = 0) -> str:
        text, prec = self._dispatch[type(node)](self, node)
        return f"({text})" if prec < min_prec else text

    def literal_sql(self, node: n.Literal) -> tuple[str, int]:
        return self.value_sql(node.value, node.kind), P_ATOM

    def today_sql(self, node: n.Today | None) -> tuple[str, int]:
        return (self.date_literal_sql(self.as_of) if self.as_of else "current_date"), P_ATOM

    def name_sql(self, node: n.Name) -> tuple[str, int]:
        if node.name in self.let_col:
            return self.identifier_sql(self.let_col[node.name]), P_ATOM
        return self.identifier_sql(self.field_col[node.name]), P_ATOM

    def listexpr_sql(self, node: n.ListExpr) -> tuple[str, int]:
        return self.list_sql([self.sql(i) for i in node.items]), P_ATOM

    def neg_sql(self, node: n.Neg) -> tuple[str, int]:
        return f"-{self._wide(node.operand, P_NEG + 1)}", P_NEG

    def _wide(self, node: n.Node, prec: int) -> str:
        """An operand of whole-number arithmetic, in the dialect's wide integer type (once:
        an integer result of + - * and abs is wide already)."""
        if self.type_of(node) != T.INTEGER or self._is_wide(node):
            return self.sql(node, prec)
        return self.cast_sql(self.sql(node), self.WIDE_INTEGER)

    def _is_wide(self, node: n.Node) -> bool:
        if self.type_of(node) != T.INTEGER:
            return False
        if isinstance(node, n.Neg):
            return True
        if isinstance(node, n.Binary):
            return node.op in ("+", "-", "*")
        return isinstance(node, n.Call) and node.func == "abs"

    def binary_sql(self, node: n.Binary) -> tuple[str, int]:
        ta, tb = self.type_of(node.left), self.type_of(node.right)
        dates = ("date", "timestamp")
        decimal = decimal_operands(ta, tb)
        whole = (ta == T.INTEGER, tb == T.INTEGER)
        if decimal and node.op == "/":
            return self.decimal_div_sql(self.sql(node.left), self.sql(node.right), whole), P_ATOM
        if decimal:
            left, right = self.sql(node.left), self.sql(node.right)
            return self.decimal_arith_sql(node.op, left, right, whole), P_ATOM
        if node.op == "/":
            a = self._as_double(node.left, P_MUL)
            b = self.sql(node.right)
            return f"{a} / NULLIF({b}, 0)", P_MUL
        if ta.name in dates and tb.name in dates:
            if T.TIMESTAMP in (ta, tb):
                return self.timestamp_diff_days_sql(
                    self._as_ts(node.left), self._as_ts(node.right)
                ), P_ATOM
            return self.date_diff_days_sql(self.sql(node.left), self.sql(node.right)), P_ATOM
        if ta.name in dates or tb.name in dates:
            d, days = (node.left, node.right) if ta.name in dates else (node.right, node.left)
            days_sql = self.sql(days, P_NEG + 1)
            if node.op == "-":
                days_sql = f"-{days_sql}"
            if self.type_of(d) == T.TIMESTAMP:
                return self.timestamp_add_days_sql(self.sql(d, P_ADD + 1), days_sql), P_ATOM
            return self.date_add_days_sql(self.sql(d, P_ADD + 1), days_sql), P_ATOM
        prec = P_ADD if node.op in "+-" else P_MUL
        if ta == T.INTEGER and tb == T.INTEGER:  # whole numbers: never an overflow
            return f"{self._wide(node.left, prec)} {node.op} {self.sql(node.right, prec + 1)}", prec
        return f"{self.sql(node.left, prec)} {node.op} {self.sql(node.right, prec + 1)}", prec

    def _as_double(self, node: n.Node, prec: int) -> str:
        # integer / integer is a number (true division), whatever the dialect's `/` does.
        if self.type_of(node) == T.INTEGER:
            return self.cast_sql(self.sql(node), "DOUBLE")
        return self.sql(node, prec)

    def _as_ts(self, node: n.Node) -> str:
        if self.type_of(node) == T.DATE:
            return self.cast_sql(self.sql(node), "TIMESTAMP")
        return self.sql(node, P_ATOM)

    def _cmp_pair(self, a: n.Node, op: str, b: n.Node) -> str:
        a, op, b = exact_pair(a, op, b)  # a literal no double holds, compared exactly
        ta, tb = self.type_of(a), self.type_of(b)
        if {ta.name, tb.name} == {"date", "timestamp"}:
            left, right = self._as_ts(a), self._as_ts(b)
        else:
            left, right = self.sql(a, P_ADD), self.sql(b, P_ADD)
        return f"{left} {_CMP[op]} {right}"

    def compare_sql(self, node: n.Compare) -> tuple[str, int]:
        pairs = [
            self._cmp_pair(node.operands[i], op, node.operands[i + 1])
            for i, op in enumerate(node.ops)
        ]
        if len(pairs) == 1:
            return pairs[0], P_CMP
        return " AND ".join(pairs), P_AND

    def between_sql(self, node: n.Between) -> tuple[str, int]:
        types = {self.type_of(x).name for x in (node.operand, node.low, node.high)}
        conv = self._as_ts if types >= {"date", "timestamp"} else (lambda x: self.sql(x, P_ADD))
        low, high = (
            exact_pair(node.operand, ">=", node.low),
            exact_pair(node.operand, "<=", node.high),
        )
        if low[2] is not node.low or high[2] is not node.high:  # an inexact literal bound
            both = f"{self._cmp_pair(*low)} AND {self._cmp_pair(*high)}"
            return (f"NOT ({both})", P_NOT) if node.negated else (both, P_AND)
        text = (
            f"{conv(node.operand)} {'NOT ' if node.negated else ''}BETWEEN "
            f"{conv(node.low)} AND {conv(node.high)}"
        )
        return text, P_CMP

    def inlist_sql(self, node: n.InList) -> tuple[str, int]:
        x = self.sql(node.operand, P_ADD)
        opts = node.options
        if isinstance(opts, n.ListExpr):
            if not opts.items:
                # x IN () is not SQL; semantics.in3 gives false, or unknown for a missing x.
                return (
                    f"CASE WHEN {x} IS NULL THEN NULL ELSE {'TRUE' if node.negated else 'FALSE'} END",
                    P_ATOM,
                )
            items = ", ".join(self.sql(i) for i in opts.items)
            return f"{x} {'NOT ' if node.negated else ''}IN ({items})", P_CMP
        # A list-valued expression: SQL IN's meaning, written out (found; else unknown if the
        # list holds a NULL; else false).
        lst = self.sql(opts, P_ATOM)
        found = self.list_contains_sql(lst, x)
        test = (
            f"CASE WHEN {x} IS NULL OR {lst} IS NULL THEN NULL WHEN {found} THEN TRUE "
            f"WHEN {self.list_has_null_sql(lst)} THEN NULL ELSE FALSE END"
        )
        return (f"NOT ({test})", P_NOT) if node.negated else (test, P_ATOM)

    def ismissing_sql(self, node: n.IsMissing) -> tuple[str, int]:
        return f"{self.sql(node.operand, P_ADD)} IS {'NOT ' if node.negated else ''}NULL", P_CMP

    def stringtest_sql(self, node: n.StringTest) -> tuple[str, int]:
        test = self.string_test_sql(node.op, self.sql(node.operand), self.sql(node.pattern))
        return (f"NOT {test}", P_NOT) if node.negated else (test, P_ATOM)

    def and_sql(self, node: n.And) -> tuple[str, int]:
        return f"{self.sql(node.left, P_AND)} AND {self.sql(node.right, P_AND)}", P_AND

    def or_sql(self, node: n.Or) -> tuple[str, int]:
        return f"{self.sql(node.left, P_OR)} OR {self.sql(node.right, P_OR)}", P_OR

    def not_sql(self, node: n.Not) -> tuple[str, int]:
        return f"NOT {self.sql(node.operand, P_NOT)}", P_NOT

    def call_sql(self, node: n.Call) -> tuple[str, int]:
        f = node.func
        if f in n.POPULATION_FUNCTIONS:
            return self.identifier_sql(self.pop_col[node.id]), P_ATOM
        if f == "abs":
            return f"abs({self._wide(node.args[0], P_ATOM)})", P_ATOM
        args = [self.sql(a) for a in node.args]
        if f in ("min", "max"):
            if len(args) == 1:
                return args[0], P_ATOM
            # LEAST/GREATEST skip NULLs; semantics.fmin/fmax give missing for a missing argument.
            mixed = {self.type_of(a).name for a in node.args} >= {"date", "timestamp"}
            if mixed:
                args = [self._as_ts(a) for a in node.args]
            nulls = " OR ".join(f"{a} IS NULL" for a in args)
            return (
                f"CASE WHEN {nulls} THEN NULL ELSE {self.least_sql(args, greatest=f == 'max')} END"
            ), P_ATOM
        if f == "coalesce":
            if {self.type_of(a).name for a in node.args} >= {"date", "timestamp"}:
                args = [self._as_ts(a) for a in node.args]
            return f"COALESCE({', '.join(args)})", P_ATOM
        if f == "round":
            digits = cast(n.Literal, node.args[1]).value if len(node.args) == 2 else 0
            return self.round_sql(args[0], digits, self.type_of(node.args[0]) == T.INTEGER), P_ATOM
        if f == "len":
            if self.type_of(node.args[0]).is_list:
                return self.list_length_sql(args[0]), P_ATOM
            return self.string_length_sql(args[0]), P_ATOM
        if f == "days_since":
            today = self.today_sql(None)[0]
            if self.type_of(node.args[0]) == T.TIMESTAMP:
                return self.timestamp_diff_days_sql(
                    self.cast_sql(today, "TIMESTAMP"), args[0]
                ), P_ATOM
            return self.date_diff_days_sql(today, args[0]), P_ATOM
        return self.unsupported(f"the function {f}"), P_ATOM

    def conditional_sql(self, node: n.Conditional) -> tuple[str, int]:
        # SQL's CASE is the meaning: a NULL (unknown) condition takes the ELSE branch
        ts = self.type_of(node) == T.TIMESTAMP
        a, b = (self._as_ts(x) if ts else self.sql(x) for x in (node.then, node.otherwise))
        return f"CASE WHEN {self.sql(node.condition)} THEN {a} ELSE {b} END", P_ATOM

    def rankin_sql(self, node: n.RankIn) -> tuple[str, int]:
        return self.identifier_sql(self.pop_col[node.id]), P_ATOM

    def _reads(self, expr: n.Node) -> set[str]:
        """The computed columns (lets, population functions) an expression's SQL refers to
        directly: the steps it must come after."""
        deps = set()
        for sub in n.walk(expr):
            if isinstance(sub, n.Name) and sub.name in self.let_col:
                deps.add(self.let_col[sub.name])
            elif sub.id in self.pop_col:
                deps.add(self.pop_col[sub.id])
        return deps


def _build_dispatch(cls: type) -> dict[type[n.Node], NodeSQL]:
    """node class -> its `<node>_sql` method, built once per generator class (sqlglot-style)."""
    table: dict[type[n.Node], NodeSQL] = {}
    for node_cls in _EXPRESSION_NODES:
        method = getattr(cls, f"{node_cls.__name__.lower()}_sql", None)
        if method is not None:
            table[node_cls] = method
    return table


_EXPRESSION_NODES = (
    n.Literal,
    n.Today,
    n.Name,
    n.ListExpr,
    n.Neg,
    n.Binary,
    n.Compare,
    n.Between,
    n.InList,
    n.IsMissing,
    n.StringTest,
    n.Call,
    n.RankIn,
    n.And,
    n.Or,
    n.Not,
    n.Conditional,
)

Expressions._dispatch = _build_dispatch(Expressions)
