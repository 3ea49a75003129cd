"""Shared parameters: named, typed constants (`param sleeping_after = 180d`).

A param is declared in a rule file or in a parameters file that rule files `use`; its value is a
literal (or a list of literals). The checker folds every use of a param into that literal before
typing (rulekit.check.params), so every engine, the SQL generator and the static analysis see a
constant. This module holds what later layers ask about the params of a checked program
(`ParamInfo`), and the reading of an override (`--param name=value`, `params={…}`) as a literal
of the param's type.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from rulekit.documents import ParamDocument, show_path
from rulekit.errors import RulekitError
from rulekit.i18n import Msg
from rulekit.model import datatypes as T
from rulekit.source import Source
from rulekit.suggest import nearest
from rulekit.syntax import nodes as n

# An override as the API takes it: rule-language literal text, or a Python value.
Override = str | int | float | Decimal | bool | dt.date | dt.timedelta | list[Any] | tuple[Any, ...]


class ParamError(RulekitError):
    """An override (`--param name=value`, `params={…}`) that names no param of the ruleset or
    whose value is not a literal of the param's type."""


@dataclass
class ParamInfo:
    """One param as a checked program sees it: declared where, its type, its value (the
    override's when overridden), and whether the program reads it."""

    name: str
    type: T.Type
    value_node: n.Node  # a Literal or a ListExpr of literals: what uses are folded into
    declared: n.ParamDecl
    source: Source  # the file that declares it
    overridden: bool = False
    used: bool = False

    @property
    def value(self) -> Any:
        return n.literal_value(self.value_node)

    @property
    def text(self) -> str:
        """The value as the rule language writes it (`180d`, `"vip"`, `[1, 2]`)."""
        return literal_text(self.value_node)

    @property
    def declared_text(self) -> str:
        return literal_text(self.declared.value)

    @property
    def display(self) -> n.Text:
        return self.declared.display

    @property
    def where(self) -> str:
        """file:line:column of the declaration's name."""
        line, col = self.source.line_col(self.declared.name_span.start)
        return f"{self.source.path}:{line}:{col}"

    @property
    def shown_where(self) -> str:
        """`where`, with the path as the user would type it (documents.show_path)."""
        line, col = self.source.line_col(self.declared.name_span.start)
        return f"{show_path(self.source.path)}:{line}:{col}"

    def to_dict(self) -> ParamDocument:
        """The param as the run summary and `explain --format json` record it."""
        return {
            "name": self.name,
            "display": self.display.zh,
            "display_en": self.display.en,
            "type": str(self.type),
            "value": self.text,
            "declared_value": self.declared_text,
            "overridden": self.overridden,
            "declared_at": self.shown_where,
        }


def literal_text(node: n.Node) -> str:
    if isinstance(node, n.ListExpr):
        return "[" + ", ".join(literal_text(i) for i in node.items) + "]"
    if isinstance(node, n.Literal):
        return node.text
    return "?"


def type_of_value(node: n.Node) -> T.Type | None:
    """The type of a param's value; None when it is not a literal (or a list of literals of one
    type)."""
    if isinstance(node, n.Literal):
        if node.kind in ("missing", "error"):
            return None
        return T.literal_type(node.kind, node.value)
    if isinstance(node, n.ListExpr):
        element: T.Type | None = None
        for item in node.items:
            t = type_of_value(item)
            if t is None or t.is_list:
                return None
            element = t if element is None else T.unify(element, t)
            if element is None:
                return None
        return T.list_of(element or T.STRING)
    return None


def accepts(declared: T.Type, given: T.Type) -> bool:
    """An override of a `declared` param may have type `given`: the same type, any number for a
    number, a date or timestamp for either, a list of such for a list."""
    if declared.is_list and given.is_list:
        assert declared.element is not None and given.element is not None
        return accepts(declared.element, given.element)
    if declared.is_list or given.is_list:
        return False
    return T.unify(declared, given) is not None


def _as_text(value: Override) -> str:
    """A Python value as rule-language literal text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        seconds = Decimal(value.days * 86400 + value.seconds)
        return f"{seconds / 86400}d" if seconds % 86400 == 0 else f"{int(seconds)}s"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_quoted(v) for v in value) + "]"
    return str(value)


def _quoted(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return _as_text(value)


def override_node(info: ParamInfo, value: Override, at: n.Node) -> n.Node:
    """The override `value` of param `info` as a literal node with the id and span of `at` (the
    declared value it replaces). Raises ParamError naming the param and its type."""
    from rulekit.syntax.parser import parse

    expected = info.type
    if isinstance(value, str) and expected == T.STRING and value[:1] not in ('"', "'", "“", "「"):
        # a text param takes the text as it is: `--param segment=vip`
        return n.Literal(at.id, at.span, value, "string", _quoted(value))
    if isinstance(value, (list, tuple)) and expected.is_list and expected.element == T.STRING:
        value = list(value)
    text = _as_text(value)
    node: n.Node | None = None
    if "\n" not in text and "\r" not in text:
        file, _, diagnostics = parse(f"param x = {text}")
        decl = file.statements[0] if len(file.statements) == 1 else None
        if not diagnostics and isinstance(decl, n.ParamDecl):
            node = decl.value
    given = type_of_value(node) if node is not None else None
    if node is None or given is None or not accepts(expected, given):
        element = expected.element
        example = "[" + T.example_of(element) + "]" if element else T.example_of(expected)
        raise ParamError(
            Msg(
                "param `{name}`: {value} is not {type}; write a value such as {example} "
                "(the param is declared at {where} as {declared})",
                name=info.name,
                value=repr(value) if not isinstance(value, str) else "`" + value + "`",
                type=Msg("a value of type {type}", type=str(expected)),
                example=example,
                where=info.where,
                declared=info.declared_text,
            )
        )
    return respan(node, at)


def respan(node: n.Node, at: n.Node) -> n.Node:
    """A param's value node with the id and span of `at` (the node it stands for: the declared
    value it overrides, or a use it is folded into); list items get fresh ids made from it."""
    if isinstance(node, n.ListExpr):
        base = at.id * 1000 + 1_000_000_000  # fresh ids for the items, far from any file's
        items = tuple(replace(i, id=base + k, span=at.span) for k, i in enumerate(node.items))
        return n.ListExpr(at.id, at.span, items)
    return replace(node, id=at.id, span=at.span)


def unknown_params(names: Mapping[str, object], known: Mapping[str, object], what: str) -> None:
    """Raise ParamError for the first override name that is not a param of `what`."""
    for name in names:
        if name not in known:
            guess = nearest(name, list(known))
            raise ParamError(
                Msg(
                    "unknown param `{name}` for {what}{guess}; its params are {params}",
                    name=name,
                    what=what,
                    guess=Msg(" (did you mean `{guess}`?)", guess=guess) if guess else "",
                    params=", ".join(known) if known else Msg("none"),
                )
            )


def shown_params(params: Mapping[str, ParamInfo]) -> list[ParamDocument]:
    """The params a program reads or that were overridden, as documents (declaration order)."""
    return [p.to_dict() for p in params.values() if p.used or p.overridden]


def expression_text(text: str, node: n.Node, params: Mapping[str, ParamInfo]) -> str:
    """The source text of an expression with every use of a param written as its value
    (`recency > dormant_days` → `recency > 180d`): what the expression means, for comparing
    two versions of a ruleset (`rulekit diff`)."""
    if not params:
        return text[node.span.start : node.span.end]
    replaced: list[tuple[int, int, str]] = []
    stack = [node]
    while stack:
        sub = stack.pop()
        if isinstance(sub, (n.Literal, n.ListExpr)):
            info = params.get(text[sub.span.start : sub.span.end])
            if info is not None:  # a folded use: its span is the param's name
                replaced.append((sub.span.start, sub.span.end, literal_text(sub)))
                continue
        stack.extend(n.children(sub))
    out, pos = [], node.span.start
    for start, end, value in sorted(replaced):
        out += [text[pos:start], value]
        pos = end
    out.append(text[pos : node.span.end])
    return "".join(out)
