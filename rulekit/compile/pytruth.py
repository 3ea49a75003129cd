"""Python conditions for checked nodes in *truth context*, the fast path of `_batch`.

For a condition C and a wanted truth value, the emitted code is true exactly when C has that
value under SQL's three-valued logic, so Kleene logic needs no unknown value at all:
T(a and b) = T(a) and T(b); F(a and b) = F(a) or F(b); T(not a) = F(a);
T(x > y) = x, y not missing and x > y. A node without a truth-context form (and every node in
trace mode) falls back to its value: `(value is want)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rulekit.compile.pyvalues import OPS, ValueEmitter, is_simple, written
from rulekit.model import datatypes as T
from rulekit.model.decimals import exact_pair
from rulekit.syntax import nodes as n


class Emitter(ValueEmitter):
    """Emits value-context and truth-context code for one checked program."""

    def t(self, node: n.Node, want: bool) -> str:
        """Code true exactly when node's value is `want` (True or False)."""
        method: Callable[[n.Node, bool], str] | None = getattr(
            self, "t_" + type(node).__name__, None
        )
        if method is None or self.trace:
            code, _ = self.v(node)
            return self.identity(code, str(want))
        return method(node, want)

    def t_And(self, node: n.And, want: bool) -> str:
        a, b = self.t(node.left, want), self.t(node.right, want)
        return f"({a} {'and' if want else 'or'} {b})"

    def t_Or(self, node: n.Or, want: bool) -> str:
        a, b = self.t(node.left, want), self.t(node.right, want)
        return f"({a} {'or' if want else 'and'} {b})"

    def t_Not(self, node: n.Not, want: bool) -> str:
        return self.t(node.operand, not want)

    def _t_pairs(self, operands: Sequence[n.Node], ops: Sequence[str], want: bool) -> str:
        # Evaluate every non-trivial operand once, up front, then test each pair.
        pre: list[str] = []
        names: list[str] = []
        nullable: list[bool] = []
        for operand in operands:
            code, null = self.v(operand)
            if not is_simple(code):
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
            left, op, right = self._exact_names(operands, names, i, op)
            cmp = f"{left} {OPS[op]} {right}"
            tests.append(" and ".join(guards + [cmp if want else f"not ({cmp})"]))
        body = f" {'and' if want else 'or'} ".join(f"({t})" for t in tests)
        return f"(({', '.join(pre)},) and ({body}))" if pre else f"({body})"

    def _exact_names(
        self, operands: Sequence[n.Node], names: list[str], i: int, op: str
    ) -> tuple[str, str, str]:
        """The codes and operator of pair i (operands i and i + 1, their codes `names`) with a
        number literal no double holds exactly compared exactly (decimals.exact_pair)."""
        a, b = operands[i], operands[i + 1]
        left, op, right = exact_pair(a, op, b)
        if left is a and right is b:
            return names[i], op, names[i + 1]
        code = {id(a): names[i], id(b): names[i + 1]}
        return (
            code.get(id(left)) or self.v(left)[0],
            op,
            code.get(id(right)) or self.v(right)[0],
        )

    def t_Compare(self, node: n.Compare, want: bool) -> str:
        return self._t_pairs(node.operands, node.ops, want)

    def t_Between(self, node: n.Between, want: bool) -> str:
        if node.negated:
            want = not want
        pre: list[str] = []
        names: list[tuple[str, bool]] = []
        for operand in (node.operand, node.low, node.high):
            code, null = self.v(operand)
            if not is_simple(code):
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
        nodes = [node.operand, node.low, node.high]

        def pair(a: str, an: bool, op: str, b: str, bn: bool, bound: int) -> str:
            guards = [f"{c} is not None" for c, nl in ((a, an), (b, bn)) if nl]
            left, op, right = self._exact_names([nodes[0], nodes[bound]], [a, b], 0, op)
            cmp = f"{left} {OPS[op]} {right}"
            return " and ".join(guards + [cmp if want else f"not ({cmp})"])

        body = (
            f"({pair(x, xn, '>=', lo, lon, 1)}) {'and' if want else 'or'} "
            f"({pair(x, xn, '<=', hi, hin, 2)})"
        )
        return f"(({', '.join(pre)},) and ({body}))" if pre else f"({body})"

    def t_InList(self, node: n.InList, want: bool) -> str:
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
            values = [written(i) for i in opts.items]
            try:
                container = self.const(frozenset(values))
            except TypeError:
                container = self.const(tuple(values))
            x, null = self.v(node.operand)
            pre: str | None
            if not is_simple(x):
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

    def t_IsMissing(self, node: n.IsMissing, want: bool) -> str:
        x, _ = self.v(node.operand)
        is_missing = want != node.negated
        return self.identity(x, f"{'' if is_missing else 'not '}None")

    def t_Name(self, node: n.Name, want: bool) -> str:
        return self.identity(self.v(node)[0], str(want))
