"""Typing of expressions: literals, names, lists, arithmetic, comparisons, membership, text tests
and logic, with the type-mismatch diagnostics they raise.

Every expression's type is recorded in the side table `types` (node id -> type). Function calls
and population tests are typed by `calls.CallChecker`; this part dispatches to it.
"""

from __future__ import annotations

from rulekit.check.base import CheckerBase, inferable
from rulekit.check.report import a, type_word
from rulekit.i18n import Msg
from rulekit.model import datatypes as T
from rulekit.source import Span
from rulekit.syntax import nodes as n


class ExpressionChecker(CheckerBase):
    """Types expressions and reports what does not fit."""

    def condition(self, node: n.Node) -> None:
        """Type a rule condition: it must be true/false."""
        t = self.expr(node, T.BOOLEAN)
        if t not in (T.BOOLEAN, T.ERROR, T.UNKNOWN):
            self.error(
                "not-a-condition",
                Msg("this condition is {type}, not true/false", type=a(t)),
                node.span,
                hint=Msg(
                    "compare it, e.g. `{expression} > {example}`",
                    expression=self.snippet(node),
                    example=T.example_of(t),
                )
                if t.orderable
                else None,
            )

    def expr(self, node: n.Node, expected: T.Type | None = None) -> T.Type:
        t = self._type(node, expected)
        self.types[node.id] = t
        return t

    def _type(self, node: n.Node, expected: T.Type | None) -> T.Type:
        if isinstance(node, n.Literal):
            return T.literal_type(node.kind, node.value)
        if isinstance(node, n.Today):
            return T.DATE
        if isinstance(node, n.Name):
            return self._name(node, expected)
        if isinstance(node, n.ListExpr):
            return self._list(node, expected)
        if isinstance(node, n.Neg):
            return self._neg(node, expected)
        if isinstance(node, n.Binary):
            return self._binary(node)
        if isinstance(node, n.Compare):
            return self._compare(node)
        if isinstance(node, n.Between):
            return self._between(node)
        if isinstance(node, n.InList):
            return self._in_list(node)
        if isinstance(node, n.IsMissing):
            self.expr(node.operand)
            return T.BOOLEAN
        if isinstance(node, n.StringTest):
            return self._string_test(node)
        if isinstance(node, (n.And, n.Or, n.Not)):
            for part in n.children(node):
                self.condition(part)
            return T.BOOLEAN
        if isinstance(node, n.Call):
            return self.call(node)
        if isinstance(node, n.RankIn):
            return self.rank_in(node)
        if isinstance(node, n.Conditional):
            return self.conditional(node, expected)
        raise TypeError(f"not an expression node: {type(node).__name__}")

    # ---------------------------------------------------------------- names
    def _name(self, node: n.Name, expected: T.Type | None) -> T.Type:
        name = node.name
        if name in self._visible_lets:
            self.lets[name].used = True
            return self.lets[name].type
        if name in self.fields:
            self.fields[name].used = True
            return self.fields[name].type
        if name in self.broken["field"] or name in self.broken["let"]:
            return T.ERROR  # its declaration did not parse: already reported
        if name in self.let_names:
            self.error(
                "unknown-field",
                Msg("`{name}` is used before its `let`", name=name),
                node.span,
                hint=Msg("move `let {name} = …` above its first use", name=name),
            )
            return T.ERROR
        if self.declared_fields:
            guess = self.names_index().nearest(name, skip=self._not_visible)
            if expected == T.STRING or (expected is not None and expected.element == T.STRING):
                # `城市 = 北京`: compared with a text, a bare word is most likely a text whose
                # quotes are missing.
                quote = Msg('to compare with the text, quote it: "{name}"', name=name)
                self.error(
                    "unknown-field" if guess else "unquoted-text",
                    Msg("`{name}` is not a field", name=name),
                    node.span,
                    hint=Msg("did you mean `{guess}`? or, {quote}", guess=guess, quote=quote)
                    if guess
                    else quote,
                )
                return T.ERROR
            self.error(
                "unknown-field",
                Msg("unknown field `{name}`", name=name),
                node.span,
                hint=Msg("did you mean `{guess}`?", guess=guess)
                if guess
                else Msg('declare it: field {name} : number "显示名"', name=name),
            )
            return T.ERROR
        current = self.inferred.get(name, T.UNKNOWN)
        if (
            current == T.UNKNOWN
            and expected is not None
            and expected not in (T.UNKNOWN, T.ERROR, T.NULL)
        ):
            self.inferred[name] = inferable(expected)
            self.inferred_at[name] = node.span
            return self.inferred[name]
        self.inferred.setdefault(name, current)
        return current

    # ---------------------------------------------------------------- values
    def _list(self, node: n.ListExpr, expected: T.Type | None) -> T.Type:
        el: T.Type | None = expected.element if expected and expected.is_list else None
        for item in node.items:
            it = self.expr(item, el)
            if it in (T.ERROR, T.UNKNOWN):
                continue
            if el is None or el == T.UNKNOWN:
                el = it
                continue
            common = T.unify(el, it)
            if common is None:
                self.error(
                    "type-mismatch",
                    Msg(
                        "a list mixes {type} and {other} values",
                        type=type_word(el),
                        other=type_word(it),
                    ),
                    item.span,
                    hint=Msg("a list holds values of one type"),
                )
                return T.ERROR
            el = common
        return T.list_of(el or T.UNKNOWN)

    def _neg(self, node: n.Neg, expected: T.Type | None) -> T.Type:
        t = self.expr(node.operand, expected)
        if t.numeric or t in (T.DURATION, T.ERROR, T.UNKNOWN):
            return t
        self.error(
            "type-mismatch",
            Msg("cannot negate {type}", type=a(t)),
            node.span,
            hint=Msg("`-` applies to numbers and durations"),
        )
        return T.ERROR

    def _binary(self, node: n.Binary) -> T.Type:
        ta = self.expr(node.left, None)
        hint_t = ta if ta not in (T.UNKNOWN, T.ERROR) else None
        if node.op in ("*", "/") and ta == T.DURATION:
            hint_t = None if node.op == "/" else T.NUMBER
        tb = self.expr(node.right, hint_t)
        if ta == T.UNKNOWN and tb not in (T.UNKNOWN, T.ERROR):
            ta = self.bind(node.left, tb) or ta
        if T.ERROR in (ta, tb) or T.UNKNOWN in (ta, tb):
            return T.ERROR if T.ERROR in (ta, tb) else T.UNKNOWN
        result = T.arithmetic(node.op, ta, tb)
        if result is None:
            self._mismatch(
                node.op_span,
                Msg(
                    "cannot compute {type} {op} {other}",
                    type=type_word(ta),
                    op=node.op,
                    other=type_word(tb),
                ),
                node.left,
                node.right,
                ta,
                tb,
                Msg("{type} {op} {other}", type=type_word(ta), op=node.op, other=type_word(tb)),
            )
            return T.ERROR
        return result

    # ---------------------------------------------------------------- tests
    def _compare(self, node: n.Compare) -> T.Type:
        types: list[T.Type] = []
        for i, operand in enumerate(node.operands):
            prev = types[-1] if types and types[-1] not in (T.UNKNOWN, T.ERROR) else None
            t = self.expr(operand, prev)
            if i > 0 and types[-1] == T.UNKNOWN and t not in (T.UNKNOWN, T.ERROR):
                types[-1] = self.bind(node.operands[i - 1], t) or types[-1]
            types.append(t)
        for i, op in enumerate(node.ops):
            ta, tb = types[i], types[i + 1]
            if T.ERROR in (ta, tb) or T.UNKNOWN in (ta, tb):
                continue
            if not T.comparable(ta, tb, op):
                self._mismatch(
                    node.op_spans[i],
                    Msg("cannot order {type} with {other}", type=a(ta), other=a(tb))
                    if T.unify(ta, tb) and op not in ("=", "!=")
                    else Msg("cannot compare {type} with {other}", type=a(ta), other=a(tb)),
                    node.operands[i],
                    node.operands[i + 1],
                    ta,
                    tb,
                    Msg("{type} {op} {other}", type=type_word(ta), op=op, other=type_word(tb)),
                )
        return T.BOOLEAN

    def _between(self, node: n.Between) -> T.Type:
        t = self.expr(node.operand)
        for bound in (node.low, node.high):
            tb = self.expr(bound, t if t not in (T.UNKNOWN, T.ERROR) else None)
            if t == T.UNKNOWN and tb not in (T.UNKNOWN, T.ERROR):
                t = self.bind(node.operand, tb) or t
            if T.ERROR in (t, tb) or T.UNKNOWN in (t, tb):
                continue
            if not T.comparable(t, tb, "<"):
                self._mismatch(
                    bound.span,
                    Msg(
                        "`between` needs bounds of the same type: {type} between {other}",
                        type=type_word(t),
                        other=type_word(tb),
                    ),
                    node.operand,
                    bound,
                    t,
                    tb,
                    type_word(tb),
                )
        return T.BOOLEAN

    def _in_list(self, node: n.InList) -> T.Type:
        t = self.expr(node.operand)
        lt = self.expr(node.options, T.list_of(t) if t not in (T.UNKNOWN, T.ERROR) else None)
        if lt in (T.ERROR, T.UNKNOWN):
            return T.BOOLEAN
        element = lt.element
        if element is None:  # not a list
            self.error(
                "type-mismatch",
                Msg("`in` needs a list, not {type}", type=a(lt)),
                node.options.span,
                hint=Msg('write a list such as ["north", "south"]'),
            )
            return T.BOOLEAN
        if t == T.UNKNOWN and element != T.UNKNOWN:
            t = self.bind(node.operand, element) or t
        if (
            t not in (T.UNKNOWN, T.ERROR)
            and element != T.UNKNOWN
            and not T.comparable(t, element, "=")
        ):
            self._mismatch(
                node.options.span,
                Msg("cannot look for {type} in {other}", type=a(t), other=a(lt)),
                node.operand,
                node.options,
                t,
                lt,
                Msg("{type} in {other}", type=type_word(t), other=type_word(lt)),
            )
        return T.BOOLEAN

    def _string_test(self, node: n.StringTest) -> T.Type:
        for part in (node.operand, node.pattern):
            t = self.expr(part, T.STRING)
            if t == T.UNKNOWN:
                self.bind(part, T.STRING)
            elif t not in (T.STRING, T.ERROR):
                word = node.op.replace("_", " ")
                if isinstance(part, n.Name) and part.name in self.inferred_at:
                    self._mismatch(
                        part.span,
                        "",
                        part,
                        part,
                        t,
                        T.STRING,
                        Msg("{type}, not text", type=type_word(t)),
                    )
                    continue
                self.error(
                    "type-mismatch",
                    Msg("`{word}` works on text, not on a {type}", word=word, type=type_word(t)),
                    part.span,
                    hint=Msg("compare numbers with `>`, `=` …"),
                )
        return T.BOOLEAN

    # ---------------------------------------------------------------- mismatches
    def _mismatch(
        self,
        span: Span,
        message: str,
        left: n.Node,
        right: n.Node,
        ta: T.Type,
        tb: T.Type,
        label: str,
    ) -> None:
        """Report two types that do not go together, with the most helpful hint: a field whose
        earlier use implied another type, a number that should be a duration, a field of
        another type."""
        conflict = next(
            (x for x in (left, right) if isinstance(x, n.Name) and x.name in self.inferred_at), None
        )
        if conflict is not None:
            line = self.source.line_col(self.inferred_at[conflict.name].start)[0]
            self.error(
                "conflicting-use",
                Msg(
                    "`{name}` is used as {type} (line {line}) and differently here",
                    name=conflict.name,
                    type=a(self.inferred[conflict.name]),
                    line=line,
                ),
                span,
                label=label,
                hint=Msg(
                    "declare the field: field {name} : {type}",
                    name=conflict.name,
                    type=self.inferred[conflict.name],
                ),
            )
            return
        hint = None
        for name_node, lit_node, name_t, lit_t in ((left, right, ta, tb), (right, left, tb, ta)):
            if isinstance(lit_node, n.Literal) and name_t == T.DURATION and lit_t.numeric:
                hint = Msg(
                    "{name} is a duration: write `{number}d` for {number} days",
                    name=self.snippet(name_node),
                    number=lit_node.text,
                )
            elif (
                isinstance(name_node, n.Name)
                and name_node.name in self.fields
                and lit_t not in (T.ERROR, T.UNKNOWN)
            ):
                f = self.fields[name_node.name]
                unit = f" ({f.unit})" if f.unit else ""
                alt = self.first_field_of(lit_t)
                hint = (
                    Msg(
                        "{name} is {type}{unit}; did you mean {other}?",
                        name=f.name,
                        type=a(f.type),
                        unit=unit,
                        other=alt,
                    )
                    if alt is not None
                    else Msg("{name} is {type}{unit}", name=f.name, type=a(f.type), unit=unit)
                )
            if hint:
                break
        if hint is None and (ta == T.DURATION or tb == T.DURATION):
            hint = Msg("durations are written like 180d, 6mo, 1y")
        self.error("type-mismatch", message, span, hint=hint, label=label)
