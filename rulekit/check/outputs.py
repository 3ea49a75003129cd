"""Checking outputs and label attributes (rulekit.model.outputs).

An `output NAME = EXPR` is checked as a let of the same name (so it is typed, its names
resolved and suggested like any let's, and later statements may read it); this module turns
the outputs into those lets, then checks what is particular to them: no name given twice (as
an output, a let, a field or an attribute), no result column that would replace another column
of `run`'s output, attributes that are constants with one type per name, and the `with …` of
examples.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rulekit.check.report import Report, a, did_you_mean
from rulekit.i18n import Msg
from rulekit.model import datatypes as T
from rulekit.model.outputs import AttributeInfo, OutputInfo, collides, reserved_columns
from rulekit.model.semantics import CoercionError, coerce
from rulekit.source import Span
from rulekit.suggest import nearest
from rulekit.syntax import nodes as n
from rulekit.syntax.nodes import literal_value

if TYPE_CHECKING:
    from rulekit.check.base import CheckerBase
    from rulekit.model.program import Program


def as_lets(statements: Sequence[n.Node]) -> list[n.LetDecl]:
    """The lets and outputs in file order, each output as the let it also is."""
    out: list[n.LetDecl] = []
    for s in statements:
        if isinstance(s, n.LetDecl):
            out.append(s)
        elif isinstance(s, n.OutputDecl):
            out.append(n.LetDecl(s.id, s.span, s.name, s.name_span, s.expr, s.display))
    return out


def declare_outputs(checker: CheckerBase, ruleset_id: str) -> dict[str, OutputInfo]:
    """The outputs, after the lets were checked: each marked used, its column checked."""
    decls = [s for s in checker.file.statements if isinstance(s, n.OutputDecl)]
    out: dict[str, OutputInfo] = {}
    reserved = reserved_columns(ruleset_id, (f.column for f in checker.fields.values()))
    for d in decls:
        let = checker.lets.get(d.name)
        if let is None or let.decl.id != d.id:  # a duplicate, reported as the let's
            continue
        let.used = True
        out[d.name] = OutputInfo(d.name, d, let.type)
        check_column(checker.report, ruleset_id, d.name, d.name_span, reserved)
    return out


def check_column(
    report: Report, ruleset_id: str, name: str, span: Span, reserved: set[str]
) -> None:
    """A result column `<id>_<name>` must not be named like one of `reserved`."""
    column = f"{ruleset_id}_{name}"
    if collides(column, reserved):
        report.error(
            "column-collision",
            Msg(
                "`{name}` would be written as column `{column}`, which is already a column of "
                "the output",
                name=name,
                column=column,
            ),
            span,
            hint=Msg("give it another name, such as `{name}_value`", name=name),
        )


def declare_attributes(
    checker: CheckerBase, ruleset_id: str, outputs: dict[str, OutputInfo]
) -> dict[str, AttributeInfo]:
    """The labels' attributes: constants, one type per name, one column each."""
    out: dict[str, AttributeInfo] = {}
    reserved = reserved_columns(ruleset_id, (f.column for f in checker.fields.values()))
    report = checker.report
    decls = [s for s in checker.file.statements if isinstance(s, n.LabelDecl)]
    for decl in decls:
        seen: dict[str, n.Attribute] = {}
        for attr in decl.attributes:
            if attr.name in seen:
                report.error(
                    "duplicate-name",
                    Msg(
                        "label `{label}` gives attribute `{name}` twice",
                        label=decl.name,
                        name=attr.name,
                    ),
                    attr.name_span,
                    hint=Msg("keep one of them"),
                )
                continue
            seen[attr.name] = attr
            t = _attribute_type(checker, decl, attr)
            if t is None:
                continue
            if attr.name in outputs:
                report.error(
                    "duplicate-name",
                    Msg("`{name}` is already an output", name=attr.name),
                    attr.name_span,
                    hint=Msg("give the attribute another name"),
                )
                continue
            info = out.get(attr.name)
            if info is None:
                check_column(report, ruleset_id, attr.name, attr.name_span, reserved)
                info = out[attr.name] = AttributeInfo(attr.name, t)
            elif t != T.NULL:
                joined = _joined(info.type, t)
                if joined is None:
                    first = next(iter(info.nodes.values()))
                    report.error(
                        "conflicting-attribute",
                        Msg(
                            "attribute `{name}` is {type} here but {first} on label `{label}`",
                            name=attr.name,
                            type=a(t),
                            first=a(info.type),
                            label=next(iter(info.nodes)),
                        ),
                        attr.value.span,
                        hint=Msg(
                            "give `{name}` values of one type on every label (first given at "
                            "line {line})",
                            name=attr.name,
                            line=checker.source.line_col(first.span.start)[0],
                        ),
                    )
                    continue
                info.type = joined
            info.values[decl.name] = literal_value(attr.value)
            info.nodes[decl.name] = attr
    for info in out.values():  # an integer beside a number is a number
        if info.type == T.NULL:
            info.type = T.STRING
        info.values = {k: _coerced(v, info.type) for k, v in info.values.items()}
    return out


def _joined(a: T.Type, b: T.Type) -> T.Type | None:
    """One attribute's type over its labels: the same type; an integer beside a number is a
    number; `missing` goes with any."""
    if a == b or b == T.NULL:
        return a
    if a == T.NULL:
        return b
    if {a, b} == {T.INTEGER, T.NUMBER}:
        return T.NUMBER
    return None


def _coerced(value: object, t: T.Type) -> object:
    try:
        return coerce(value, t)
    except CoercionError:
        return value


def _attribute_type(checker: CheckerBase, decl: n.LabelDecl, attr: n.Attribute) -> T.Type | None:
    """The type of an attribute's constant, or None (reported) when it is not one."""
    if isinstance(attr.value, n.Literal):
        return checker.expr(attr.value)
    checker.report.error(
        "bad-attribute",
        Msg(
            "attribute `{name}` of label `{label}` is not a single constant",
            name=attr.name,
            label=decl.name,
        ),
        attr.value.span,
        hint=Msg("give a number, a percentage, a duration, a date, a text, or yes/no"),
    )
    return None


def check_example_results(program: Program, ex: n.Example, report: Report) -> None:
    """An example's `with name = value`: each an output or an attribute, its value of its type."""
    names = [*program.outputs, *program.attributes]
    for g in ex.expect_with:
        target: OutputInfo | AttributeInfo | None = program.outputs.get(
            g.name
        ) or program.attributes.get(g.name)
        if target is None:
            report.error(
                "bad-example",
                Msg(
                    "example `{example}` checks `{name}`, which is neither an output nor a label "
                    "attribute",
                    example=ex.name,
                    name=g.name,
                ),
                g.name_span,
                hint=Msg(
                    "{guess}outputs and attributes are {names}",
                    guess=did_you_mean(nearest(g.name, names)),
                    names=names,
                )
                if names
                else Msg("declare it with `output {name} = …`", name=g.name),
            )
            continue
        check_given_value(report, g, target.type)


def check_given_value(report: Report, g: n.Given, type_: T.Type) -> None:
    """An example's `name = value` (given, or checked after `expect … with`): a `bad-example`
    error when the value cannot be read as the name's type."""
    try:
        coerce(literal_value(g.value_node), type_)
    except CoercionError as e:
        report.error(
            "bad-example",
            Msg("`{name}` is {type}: {reason}", name=g.name, type=a(type_), reason=e.reason),
            g.value_node.span if g.value_node is not None else g.name_span,
            hint=Msg("write a value such as {example}", example=T.example_of(type_)),
        )
