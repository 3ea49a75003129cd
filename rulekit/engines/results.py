"""Outputs and label attributes on decisions an SQL engine made (rulekit.model.outputs)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from rulekit.engines.python import Decision
from rulekit.model import datatypes as T
from rulekit.model.outputs import attributes_of, column_of
from rulekit.model.program import Program


def add_results(
    program: Program, decisions: list[Decision | None], rows: Sequence[Sequence[Any]]
) -> None:
    """Give each decided row's decision its outputs (the query's columns after the first
    four, in the order of `program.outputs`) and its label's attributes."""
    count = len(program.outputs)
    for row in rows:
        i = row[0]
        d = decisions[i]
        if d is None:
            continue
        values = tuple(row[4 : 4 + count])
        decisions[i] = replace(
            d,
            outputs=dict(zip(program.outputs, values, strict=True)),
            attributes=attributes_of(program, d.label),
        )


def result_columns(program: Program, decisions: Sequence[Decision | None]) -> dict[str, list[Any]]:
    """`run`'s columns `<ruleset id>_<name>`, one value per record (missing for a record set
    aside): the outputs, then the attributes. Where SQL gives a double (a number output, a
    number or duration attribute), so does this (`2.0`, not the Python engine's exact `2`):
    a run writes the same file on every engine."""
    out: dict[str, list[Any]] = {}
    for name, output in program.outputs.items():
        as_double = output.type == T.NUMBER
        out[column_of(program, name)] = [
            None if d is None else _cell(d.outputs.get(name), as_double) for d in decisions
        ]
    for name, attribute in program.attributes.items():
        as_double = attribute.type in DOUBLES
        out[column_of(program, name)] = [
            None if d is None else _cell(d.attributes.get(name), as_double) for d in decisions
        ]
    return out


DOUBLES = (T.NUMBER, T.DURATION)


def _cell(value: Any, as_double: bool) -> Any:
    if as_double and isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return float(value)
    return value
