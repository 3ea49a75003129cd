"""Lark tree → `rulekit.syntax.nodes`: one Transformer whose callbacks build the node for each
grammar rule, give every node a fresh id and a span, decode literals, normalise operator and
keyword spellings, and record diagnostics for what the grammar accepts but the language does
not (a bad literal, `let x: …` instead of `let x = …`)."""

from __future__ import annotations

import builtins
import datetime as dt
import re
from typing import Any, cast

from lark import Token, Transformer, Tree, v_args
from lark.tree import Meta

from rulekit.errors import Diagnostic
from rulekit.i18n import Msg
from rulekit.source import Source, Span
from rulekit.syntax import nodes as n
from rulekit.syntax.decision_nodes import DecisionNodes
from rulekit.syntax.keywords import ARITH_OPS, COMPARE_OPS, HIT_ZH
from rulekit.syntax.limits import balance, too_deep
from rulekit.syntax.literals import LiteralError, decode_date, decode_number, decode_string
from rulekit.syntax.output_nodes import ExpectWith, OutputNodes
from rulekit.syntax.picks import PICK_WORDS, PickItem, pick_condition

# What follows the `e` of a number in exponent notation (the lexer ends the number at the `e`).
_EXPONENT = re.compile(r"[+-]?[0-9_]*(?:\.[0-9_]*)?")

# A callback's children: nodes, tokens, None for an absent optional part, and the tuples that
# option callbacks (`en`, `unit`, `priority` …) return. Their shape is fixed by the grammar.
Children = list[Any]
# An option of a statement: ("unit", "天"), ("priority", 3), ("en", "…") …
Option = tuple[str, Any]


def _span(meta_or_token: Meta | Token) -> Span:
    start, end = meta_or_token.start_pos, meta_or_token.end_pos
    assert start is not None and end is not None  # the lexer gives every token its position
    return Span(start, end)


class ToNodes(DecisionNodes, OutputNodes, Transformer[Token, n.File]):
    """Lark tree → nodes. Callbacks record diagnostics instead of raising (Lark would wrap them)."""

    def __init__(self, source: Source, diagnostics: list[Diagnostic]):
        super().__init__()
        self.source = source
        self.diagnostics = diagnostics
        self._next_id = 0

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    def transform(self, tree: Tree[Token]) -> n.File:
        """Regroup long runs of `and` / `or` and leave out (with a `too-deeply-nested`
        diagnostic) every statement nested deeper than the limit, before the recursive
        transformation (see `syntax.limits`)."""
        balance(tree)
        kept = []
        for statement in tree.children:
            problem = too_deep(statement, self.source) if isinstance(statement, Tree) else None
            if problem is None:
                kept.append(statement)
            else:
                self.diagnostics.append(problem)
        tree.children = kept
        return super().transform(tree)

    def _error(
        self, code: str, message: str, span: Span, hint: str | None = None, label: str = ""
    ) -> None:
        self.diagnostics.append(
            Diagnostic(code, message, self.source, span, hint=hint, label=label)
        )

    # ---- literals
    def _literal(self, tok: Token) -> n.Literal:
        """A NUMBER, DATE, STRING, TRUE or FALSE token as a literal node."""
        span = _span(tok)
        kind = tok.type
        value: Any
        try:
            if kind == "NUMBER":
                value, lkind = decode_number(str(tok))
            elif kind == "DATE":
                value = decode_date(str(tok))
                lkind = "timestamp" if isinstance(value, dt.datetime) else "date"
            elif kind == "STRING":
                value, lkind = decode_string(str(tok)), "string"
            elif kind == "TRUE":
                value, lkind = True, "boolean"
            else:
                value, lkind = False, "boolean"
        except LiteralError as e:
            if e.code == "exponent-notation":  # the caret under the whole `1e400`, `2.5E-3`
                exponent = _EXPONENT.match(self.source.text, span.end)
                span = Span(span.start, exponent.end() if exponent else span.end)
            self._error(e.code, e.message, span, e.hint)
            value, lkind = 0, "error"
        return n.Literal(self._id(), span, value, lkind, str(tok))

    @v_args(meta=True)
    def literal(self, meta: Meta, children: Children) -> n.Literal | n.Today:
        tok: Token = children[0]
        if tok.type in ("NUMBER", "DATE", "STRING", "TRUE", "FALSE"):
            return self._literal(tok)
        return n.Today(self._id(), _span(tok))

    @v_args(meta=True)
    def name(self, meta: Meta, children: Children) -> n.Name:
        return n.Name(self._id(), _span(meta), str(children[0]))

    @v_args(meta=True)
    def list(self, meta: Meta, children: Children) -> n.ListExpr:
        return n.ListExpr(self._id(), _span(meta), tuple(c for c in children if c is not None))

    @v_args(meta=True)
    def neg(self, meta: Meta, children: Children) -> n.Neg:
        return n.Neg(self._id(), _span(meta), children[1])

    @v_args(meta=True)
    def binop(self, meta: Meta, children: Children) -> n.Binary:
        left, op, right = children
        return n.Binary(
            self._id(), _span(meta), ARITH_OPS.get(str(op), str(op)), left, right, _span(op)
        )

    @v_args(meta=True)
    def compare(self, meta: Meta, children: Children) -> n.Compare:
        operands = tuple(children[0::2])
        ops = children[1::2]
        return n.Compare(
            self._id(),
            _span(meta),
            operands,
            tuple(COMPARE_OPS.get(str(o), str(o)) for o in ops),
            tuple(_span(o) for o in ops),
        )

    @v_args(meta=True)
    def between(self, meta: Meta, children: Children) -> n.Between:
        operand, low, high = children
        return n.Between(self._id(), _span(meta), operand, low, high, False)

    @v_args(meta=True)
    def not_between(self, meta: Meta, children: Children) -> n.Between:
        operand, low, high = children
        return n.Between(self._id(), _span(meta), operand, low, high, True)

    @v_args(meta=True)
    def in_(self, meta: Meta, children: Children) -> n.InList:
        return n.InList(self._id(), _span(meta), children[0], children[1], False)

    @v_args(meta=True)
    def not_in(self, meta: Meta, children: Children) -> n.InList:
        return n.InList(self._id(), _span(meta), children[0], children[1], True)

    @v_args(meta=True)
    def rank_in(self, meta: Meta, children: Children) -> n.RankIn:
        operand, which, fraction, among, by = children
        top = which.type == "TOP"
        return n.RankIn(self._id(), _span(meta), operand, top, fraction, by, among)

    @v_args(meta=True)
    def by(self, meta: Meta, children: Children) -> n.Name:
        return n.Name(self._id(), _span(children[0]), str(children[0]))

    @v_args(meta=True)
    def is_missing(self, meta: Meta, children: Children) -> n.IsMissing:
        return n.IsMissing(self._id(), _span(meta), children[0], False)

    @v_args(meta=True)
    def is_not_missing(self, meta: Meta, children: Children) -> n.IsMissing:
        return n.IsMissing(self._id(), _span(meta), children[0], True)

    def _strtest(self, meta: Meta, children: Children, op: str, negated: bool) -> n.StringTest:
        operand, *rest = children
        pattern = rest[-1]
        return n.StringTest(self._id(), _span(meta), op, operand, pattern, negated)

    @v_args(meta=True)
    def strtest(self, meta: Meta, children: Children) -> n.StringTest:
        return self._strtest(meta, children, "contains", False)

    @v_args(meta=True)
    def not_strtest(self, meta: Meta, children: Children) -> n.StringTest:
        return self._strtest(meta, children, "contains", True)

    @v_args(meta=True)
    def starts_with(self, meta: Meta, children: Children) -> n.StringTest:
        return self._strtest(meta, children, "starts_with", False)

    @v_args(meta=True)
    def not_starts_with(self, meta: Meta, children: Children) -> n.StringTest:
        return self._strtest(meta, children, "starts_with", True)

    @v_args(meta=True)
    def ends_with(self, meta: Meta, children: Children) -> n.StringTest:
        return self._strtest(meta, children, "ends_with", False)

    @v_args(meta=True)
    def not_ends_with(self, meta: Meta, children: Children) -> n.StringTest:
        return self._strtest(meta, children, "ends_with", True)

    @v_args(meta=True)
    def call(self, meta: Meta, children: Children) -> n.Call:
        name_tok, args = children
        arg_nodes, among, by = args if args is not None else ((), None, None)
        return n.Call(
            self._id(), _span(meta), str(name_tok).lower(), arg_nodes, by, _span(name_tok), among
        )

    def args(self, children: Children) -> tuple[tuple[n.Node, ...], n.Node | None, n.Name | None]:
        among, by = children[-2], children[-1]
        return tuple(children[:-2]), among, by

    def among(self, children: Children) -> n.Node:
        return cast(n.Node, children[0])

    @v_args(meta=True)
    def and_(self, meta: Meta, children: Children) -> n.And:
        return n.And(self._id(), _span(meta), children[0], children[1])

    @v_args(meta=True)
    def or_(self, meta: Meta, children: Children) -> n.Or:
        return n.Or(self._id(), _span(meta), children[0], children[1])

    @v_args(meta=True)
    def not_(self, meta: Meta, children: Children) -> n.Not:
        return n.Not(self._id(), _span(meta), children[0])

    # ---- statements
    def en(self, children: Children) -> Option:
        return ("en", decode_string(str(children[0])))

    def text(self, children: Children) -> n.Text:
        zh = en = None
        for c in children:
            if isinstance(c, tuple):
                en = c[1]
            elif c is not None:
                zh = decode_string(str(c))
        return n.Text(zh, en)

    @v_args(meta=True)
    def header(self, meta: Meta, children: Children) -> n.Meta:
        name, display, en = children
        text = n.Text(decode_string(str(display)) if display else None, en[1] if en else None)
        return n.Meta(self._id(), _span(meta), "ruleset", (str(name), text), _span(name))

    @v_args(meta=True)
    def meta(self, meta: Meta, children: Children) -> n.Meta:
        key_tok, value = children
        key = {"DESCRIPTION": "description", "SOURCE": "source", "VERSION": "version"}[key_tok.type]
        if key == "version":
            try:
                value = decode_number(str(value))[0]
            except LiteralError as e:
                self._error(e.code, e.message, _span(value), e.hint)
        return n.Meta(self._id(), _span(meta), key, value, _span(meta))

    @v_args(meta=True)
    def alias(self, meta: Meta, children: Children) -> n.Meta:
        return n.Meta(
            self._id(), _span(meta), "alias", tuple(str(c) for c in children), _span(meta)
        )

    @v_args(meta=True)
    def hit(self, meta: Meta, children: Children) -> n.Meta:
        word = str(children[0])
        return n.Meta(
            self._id(), _span(meta), "hit", HIT_ZH.get(word, word.lower()), _span(children[0])
        )

    @v_args(meta=True)
    def default(self, meta: Meta, children: Children) -> n.Meta:
        return n.Meta(self._id(), _span(meta), "default", str(children[0]), _span(children[0]))

    def simple_type(self, children: Children) -> tuple[str, bool, Span]:
        return (str(children[0]), False, _span(children[0]))

    def list_type(self, children: Children) -> tuple[str, bool, Span]:
        return (str(children[0]), True, _span(children[0]))

    def unit(self, children: Children) -> Option:
        return ("unit", decode_string(str(children[0])))

    def column(self, children: Children) -> Option:
        tok = children[0]
        return ("column", decode_string(str(tok)) if tok.type == "STRING" else str(tok))

    def one_of(self, children: Children) -> Option:
        return ("one_of", children[0])

    def field_default(self, children: Children) -> Option:
        return ("default", children[0])

    @v_args(meta=True)
    def field(self, meta: Meta, children: Children) -> n.FieldDecl | builtins.list[n.Node]:
        name, (type_name, list_of, type_span), display, *opts = children
        o = dict(opts)
        value = o.get("default")
        if isinstance(value, Token):
            # `default vip` after a field is the ruleset's default label (a statement), as
            # before field defaults existed: a field's default is a value, never a bare name.
            fd = self._field(meta, name, type_name, list_of, type_span, display, o, None)
            label = n.Meta(self._id(), _span(value), "default", str(value), _span(value))
            return [fd, label]
        return self._field(meta, name, type_name, list_of, type_span, display, o, value)

    def _field(
        self,
        meta: Meta,
        name: Token,
        type_name: str,
        list_of: bool,
        type_span: Span,
        display: Token | None,
        o: dict[str, Any],
        default: n.Node | None,
    ) -> n.FieldDecl:
        return n.FieldDecl(
            self._id(),
            _span(meta),
            str(name),
            _span(name),
            type_name,
            list_of,
            type_span,
            n.Text(decode_string(str(display)) if display else None, o.get("en")),
            o.get("unit"),
            o.get("column"),
            o.get("one_of"),
            default,
        )

    @v_args(meta=True)
    def let(self, meta: Meta, children: Children) -> n.LetDecl:
        name, eq, expr, display, en = children
        if str(eq) not in ("=", "＝"):
            self._error(
                "syntax-error",
                Msg(
                    "a let is written `let {name} = …`, not with `{eq}`", name=str(name), eq=str(eq)
                ),
                _span(eq),
                hint=Msg("use `=`"),
            )
        text = n.Text(decode_string(str(display)) if display else None, en[1] if en else None)
        return n.LetDecl(self._id(), _span(meta), str(name), _span(name), expr, text)

    def label_description(self, children: Children) -> Option:
        return ("description", children[1])

    def label_strategy(self, children: Children) -> Option:
        return ("strategy", children[1])

    @v_args(meta=True)
    def label(self, meta: Meta, children: Children) -> n.LabelDecl:
        name, display, *opts = children
        zh = decode_string(str(display)) if display else None
        en = None
        desc, strat = n.Text(), n.Text()
        attributes: tuple[n.Attribute, ...] = ()
        for key, value in opts:
            if key == "en":
                en = value
            elif key == "description":
                desc = n.Text(value.zh or desc.zh, value.en or desc.en)
            elif key == "attributes":
                attributes += value
            else:
                strat = n.Text(value.zh or strat.zh, value.en or strat.en)
        return n.LabelDecl(
            self._id(), _span(meta), str(name), _span(name), n.Text(zh, en), desc, strat, attributes
        )

    def rule_name(self, children: Children) -> str:
        return decode_string(str(children[0]))

    def priority(self, children: Children) -> Option:
        return ("priority", children[0])

    def because(self, children: Children) -> Option:
        return ("because", children[0])

    def signed_number(self, children: Children) -> int | float:
        minus, number = children
        value: int | float
        try:
            value = decode_number(str(number))[0]
        except LiteralError as e:
            self._error(e.code, e.message, _span(number), e.hint)
            value = 0
        return -value if minus else value

    @v_args(meta=True)
    def rule(self, meta: Meta, children: Children) -> n.Rule:
        name, cond, label, *opts = children
        o = dict(opts)
        line = self.source.line_col(meta.start_pos)[0]
        return n.Rule(
            self._id(),
            _span(meta),
            name if name is not None else f"line {line}",
            name is not None,
            cond,
            str(label),
            _span(label),
            o.get("priority", 0),
            o.get("because", n.Text()),
            line,
        )

    # ---- examples
    @v_args(meta=True)
    def neg_number(self, meta: Meta, children: Children) -> n.Literal:
        lit = self._literal(children[1])
        value = -lit.value if isinstance(lit.value, (int, float)) else lit.value
        return n.Literal(self._id(), _span(meta), value, lit.kind, "-" + lit.text)

    @v_args(meta=True)
    def missing_value(self, meta: Meta, children: Children) -> n.Literal:
        return n.Literal(self._id(), _span(meta), None, "missing", "missing")

    @v_args(meta=True)
    def given(self, meta: Meta, children: Children) -> n.Given:
        name, eq, value = children
        if str(eq) not in ("=", "＝"):
            self._error(
                "syntax-error",
                Msg("an example gives a value with `=`, not `{eq}`", eq=str(eq)),
                _span(eq),
                hint=Msg("write `{name} = …`", name=str(name)),
            )
        return n.Given(self._id(), _span(meta), str(name), _span(name), None, value)

    def as_of(self, children: Children) -> dt.date | None:
        tok = children[-1]
        if tok.type == "NAME":
            self._error(
                "syntax-error",
                Msg("`as of` needs a date, not `{token}`", token=str(tok)),
                _span(tok),
                hint=Msg("write a date such as `as of 2024-06-30`"),
            )
            return None
        try:
            return decode_date(str(tok))
        except LiteralError as e:
            self._error(e.code, e.message, _span(tok), e.hint)
            return None

    @v_args(meta=True)
    def expect_label(self, meta: Meta, children: Children) -> tuple[tuple[str, ...], Span]:
        return ((str(children[0]),), _span(meta))

    @v_args(meta=True)
    def expect_none(self, meta: Meta, children: Children) -> tuple[None, Span]:
        return (None, _span(meta))

    @v_args(meta=True)
    def expect_labels(self, meta: Meta, children: Children) -> tuple[tuple[str, ...], Span]:
        return (tuple(str(c) for c in children if c is not None), _span(meta))

    @v_args(meta=True)
    def example(self, meta: Meta, children: Children) -> n.Example:
        name = decode_string(str(children[0]))
        givens = [c for c in children[1:] if isinstance(c, n.Given)]
        as_of = next(
            (
                c
                for c in children[1:]
                if isinstance(c, (dt.date, type(None))) and not isinstance(c, tuple)
            ),
            None,
        )
        with_: tuple[n.Given, ...] = ()
        if isinstance(children[-1], ExpectWith):
            with_ = children[-1].given
        expect, expect_span = next(c for c in reversed(children) if isinstance(c, tuple))
        line = self.source.line_col(meta.start_pos)[0]
        if isinstance(expect, list):  # `expect channel = end_user, …` (named decisions)
            return n.Example(
                self._id(),
                _span(meta),
                name,
                tuple(givens),
                as_of,
                (),
                expect_span,
                line,
                tuple(expect),
                False,
                expect_with=with_,
            )
        return n.Example(
            self._id(),
            _span(meta),
            name,
            tuple(givens),
            as_of,
            expect,
            expect_span,
            line,
            expect_with=with_,
        )

    # ---- shared parameters
    @v_args(meta=True)
    def param(self, meta: Meta, children: Children) -> n.ParamDecl:
        name, eq, value, display, en = children
        if str(eq) not in ("=", "＝"):
            self._error(
                "syntax-error",
                Msg(
                    "a param is written `param {name} = …`, not with `{eq}`",
                    name=str(name),
                    eq=str(eq),
                ),
                _span(eq),
                hint=Msg("use `=`"),
            )
        text = n.Text(decode_string(str(display)) if display else None, en[1] if en else None)
        return n.ParamDecl(self._id(), _span(meta), str(name), _span(name), value, text)

    @v_args(meta=True)
    def use(self, meta: Meta, children: Children) -> n.UseDecl:
        return n.UseDecl(
            self._id(), _span(meta), decode_string(str(children[0])), _span(children[0])
        )

    def start(self, children: Children) -> n.File:
        statements: builtins.list[n.Node] = []
        for c in children:
            statements.extend(c if isinstance(c, list) else [c])
        return n.File(statements)

    # ---- conditional values and argmax rules
    @v_args(meta=True)
    def conditional(self, meta: Meta, children: Children) -> n.Conditional:
        cond, then, otherwise = children
        return n.Conditional(self._id(), _span(meta), cond, then, otherwise)

    @v_args(meta=True)
    def pick_item(self, meta: Meta, children: Children) -> PickItem:
        label, value = children
        return PickItem(str(label), _span(label), value)

    @v_args(meta=True)
    def pick(self, meta: Meta, children: Children) -> tuple[bool, builtins.list[PickItem], Span]:
        word, *items = children
        highest = PICK_WORDS.get(str(word).lower())
        if highest is None:
            self._error(
                "syntax-error",
                Msg("`{word}(…)` is not a way to pick a label", word=str(word)),
                _span(word),
                hint=Msg("write `highest(a: x, b: y)` or `lowest(a: x, b: y)`"),
            )
            highest = True
        return highest, items, _span(meta)

    @v_args(meta=True)
    def pick_rule(self, meta: Meta, children: Children) -> builtins.list[n.Node]:
        name, cond, (highest, items, pick_span), *opts = children
        o = dict(opts)
        line = self.source.line_col(meta.start_pos)[0]
        base = name if name is not None else f"line {line}"
        rules: builtins.list[n.Node] = []
        for i, item in enumerate(items):
            test = pick_condition(self._id, highest, items, i, item.label_span)
            rules.append(
                n.Rule(
                    self._id(),
                    _span(meta),
                    f"{base}: {item.label}",
                    name is not None,
                    # its text: the written condition, `then highest(…)`
                    n.And(self._id(), Span(cond.span.start, pick_span.end), cond, test),
                    item.label,
                    item.label_span,
                    o.get("priority", 0),
                    o.get("because", n.Text()),
                    line,
                    test,
                )
            )
        return rules
