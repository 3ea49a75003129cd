"""Lark tree → nodes for outputs and label attributes (a part of `transform.ToNodes`):
`output NAME = EXPR`, a label's `with name = value, …` and an example's `expect … with …`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lark import Token, v_args
from lark.tree import Meta

from rulekit.i18n import Msg
from rulekit.source import Span
from rulekit.syntax import nodes as n
from rulekit.syntax.literals import decode_string

Children = list[Any]


@dataclass(frozen=True)
class ExpectWith:
    """An example's `with name = value, …` (outputs and attributes it checks)."""

    given: tuple[n.Given, ...]


def _span(meta_or_token: Meta | Token) -> Span:
    start, end = meta_or_token.start_pos, meta_or_token.end_pos
    assert start is not None and end is not None  # the lexer gives every token its position
    return Span(start, end)


class OutputNodes:
    """The transformer callbacks of outputs and attributes."""

    def _id(self) -> int:
        raise NotImplementedError

    def _error(
        self, code: str, message: str, span: Span, hint: str | None = None, label: str = ""
    ) -> None:
        raise NotImplementedError

    @v_args(meta=True)
    def output(self, meta: Meta, children: Children) -> n.OutputDecl:
        name, eq, expr, display, en = children
        if str(eq) not in ("=", "＝"):
            self._error(
                "syntax-error",
                Msg(
                    "an output is written `output {name} = …`, not with `{eq}`",
                    name=str(name),
                    eq=str(eq),
                ),
                _span(eq),
                hint=Msg("use `=`"),
            )
        text = n.Text(decode_string(str(display)) if display else None, en[1] if en else None)
        return n.OutputDecl(self._id(), _span(meta), str(name), _span(name), expr, text)

    @v_args(meta=True)
    def attribute(self, meta: Meta, children: Children) -> n.Attribute:
        name, eq, value = children
        if str(eq) not in ("=", "＝"):
            self._error(
                "syntax-error",
                Msg("a label attribute is given with `=`, not `{eq}`", eq=str(eq)),
                _span(eq),
                hint=Msg("write `{name} = …`", name=str(name)),
            )
        return n.Attribute(self._id(), _span(meta), str(name), _span(name), value)

    def label_attributes(self, children: Children) -> tuple[str, Any]:
        return ("attributes", tuple(children))

    def expect_with(self, children: Children) -> ExpectWith:
        return ExpectWith(tuple(children))
