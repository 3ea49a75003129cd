"""Typing of the conditional value `if COND then A else B` and of field defaults
(`field is_member : boolean default false`), with their diagnostics."""

from __future__ import annotations

from typing import Any

from rulekit.check.base import CheckerBase
from rulekit.check.report import a, type_word
from rulekit.i18n import Msg
from rulekit.model import datatypes as T
from rulekit.model.semantics import CoercionError, coerce
from rulekit.syntax import nodes as n


class ConditionalChecker(CheckerBase):
    """Types conditional values and checks field defaults."""

    def conditional(self, node: n.Conditional, expected: T.Type | None) -> T.Type:
        """COND must be true/false; A and B must have one common type, which is the result."""
        self.condition(node.condition)
        ta = self.expr(node.then, expected)
        hint_t = ta if ta not in (T.UNKNOWN, T.ERROR) else expected
        tb = self.expr(node.otherwise, hint_t)
        if ta == T.UNKNOWN and tb not in (T.UNKNOWN, T.ERROR):
            ta = self.bind(node.then, tb) or ta
        if T.ERROR in (ta, tb):
            return T.ERROR
        if T.UNKNOWN in (ta, tb):
            return tb if ta == T.UNKNOWN else ta
        common = T.unify(ta, tb)
        if common is None or common == T.NULL:
            self.error(
                "type-mismatch",
                Msg(
                    "the two branches of `if … then … else …` give {type} and {other}",
                    type=a(ta),
                    other=a(tb),
                ),
                node.otherwise.span,
                label=Msg("{type}, not {other}", type=type_word(tb), other=type_word(ta)),
                hint=Msg(
                    "both branches must give {type}, e.g. `… else {example}`",
                    type=a(ta),
                    example=T.example_of(ta),
                ),
            )
            return T.ERROR
        return common

    def field_default(self, decl: n.FieldDecl, t: T.Type) -> None:
        """A field's default is a written value of the field's type."""
        node = decl.default
        if node is None or t == T.ERROR:
            return
        value = _written_value(node)
        vt = self.expr(node, t)
        ok = value is not _NOT_WRITTEN and value is not None
        if ok and (vt == T.ERROR or T.unify(vt, t) is None):
            ok = False
        if ok:
            try:
                coerce(value, t)
            except CoercionError:
                ok = False
        if not ok:
            self.error(
                "bad-declaration",
                Msg(
                    "the default {value} of field `{name}` is not {type}",
                    value=self.snippet(node),
                    name=decl.name,
                    type=a(t),
                ),
                node.span,
                hint=Msg("write a value such as `default {example}`", example=T.example_of(t)),
            )


_NOT_WRITTEN = object()


def _written_value(node: n.Node) -> Any:
    """The value of a written default (a literal, a negative number, a list of them)."""
    if isinstance(node, n.Literal):
        return node.value
    if isinstance(node, n.Today):
        return _NOT_WRITTEN  # the default is a fixed value: `today` changes with the run
    if isinstance(node, n.ListExpr):
        items = [_written_value(i) for i in node.items]
        return _NOT_WRITTEN if any(i is _NOT_WRITTEN for i in items) else tuple(items)
    return _NOT_WRITTEN
