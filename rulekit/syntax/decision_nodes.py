"""Lark tree → nodes for named decisions: `decision NAME … when PARENT is LABEL` and an
example's `expect NAME = LABEL, …` (a part of transform.ToNodes)."""

from __future__ import annotations

from typing import Any

from lark import Token
from lark.tree import Meta
from lark.visitors import v_args

from rulekit.errors import Diagnostic
from rulekit.i18n import Msg
from rulekit.source import Span
from rulekit.syntax import nodes as n
from rulekit.syntax.literals import decode_string

Children = list[Any]


def _span(meta_or_token: Meta | Token) -> Span:
    start, end = meta_or_token.start_pos, meta_or_token.end_pos
    assert start is not None and end is not None
    return Span(start, end)


class DecisionNodes:
    """The callbacks; ToNodes gives `_id` and `_error`."""

    diagnostics: list[Diagnostic]

    def _id(self) -> int:
        raise NotImplementedError

    def _error(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        raise NotImplementedError

    @v_args(meta=True)
    def decision(self, meta: Meta, children: Children) -> n.DecisionDecl:
        name, display, en, *rest = children
        rest = [c for c in rest if c is not None]
        parent, label = (rest[0], rest[1]) if len(rest) == 2 else (None, None)
        text = n.Text(decode_string(str(display)) if display else None, en[1] if en else None)
        return n.DecisionDecl(
            self._id(),
            _span(meta),
            str(name),
            _span(name),
            text,
            str(parent) if parent is not None else None,
            _span(parent) if parent is not None else None,
            str(label) if label is not None else None,
            _span(label) if label is not None else None,
        )

    @v_args(meta=True)
    def decision_expect(self, meta: Meta, children: Children) -> n.DecisionExpect:
        name, op, (labels, _) = children
        if str(op) not in ("=", "＝", "=="):
            self._error(
                "syntax-error",
                Msg("write `{name} = LABEL` in an expect", name=str(name)),
                _span(op),
                hint=Msg("use `=`"),
            )
        return n.DecisionExpect(str(name), _span(meta), labels)

    @v_args(meta=True)
    def expect_decisions(self, meta: Meta, children: Children) -> tuple[Any, Span]:
        return ([c for c in children if c is not None], _span(meta))
