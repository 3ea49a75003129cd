"""Outputs and label attributes on decisions an SQL engine made (rulekit.model.outputs)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from rulekit.engines.python import Decision
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
    aside): the outputs, then the attributes."""
    out: dict[str, list[Any]] = {}
    for name in program.outputs:
        out[column_of(program, name)] = [
            None if d is None else d.outputs.get(name) for d in decisions
        ]
    for name in program.attributes:
        out[column_of(program, name)] = [
            None if d is None else d.attributes.get(name) for d in decisions
        ]
    return out
