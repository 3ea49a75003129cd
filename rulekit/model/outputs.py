"""Outputs and label attributes: the named values a decision carries beyond its label.

`output r_score = score(recency, 5)` is computed for every record (labelled or not); it is also
a let of the same name, so rules, lets and later outputs may read it. `label vip "…" with
discount = 10%` gives the label constants; a label without one of them has it missing. Under
`hit all` a record's attributes are its first label's. `run` writes both as columns
`<ruleset id>_<name>` (outputs first, in file order, then attributes in order of first use).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from rulekit.documents import json_value
from rulekit.model import datatypes as T
from rulekit.syntax import nodes as n

# the suffixes of the columns `run` (and the frames, Spark) add after `<ruleset id>`
RESERVED_SUFFIXES = (
    "rule",
    "rules",
    "display",
    "name",
    "label",
    "labels",
    "rejected_field",
    "rejected_reason",
    "row",
    "stage",
    "field",
    "value",
    "reason",
)


@dataclass
class OutputInfo:
    name: str
    decl: n.OutputDecl
    type: T.Type


@dataclass
class AttributeInfo:
    """One attribute name: its type and its value per label that gives it."""

    name: str
    type: T.Type
    values: dict[str, Any] = field(default_factory=dict)  # label → value (None: missing)
    nodes: dict[str, n.Attribute] = field(default_factory=dict)  # label → where it is given


class Program(Protocol):
    """What these functions read of a `rulekit.model.program.Program`."""

    id: str
    outputs: dict[str, OutputInfo]
    attributes: dict[str, AttributeInfo]


def reserved_columns(ruleset_id: str, field_columns: Iterable[str]) -> set[str]:
    """The columns an output or attribute column must not be named like: `<id>` and the
    result columns after it, and the fields' input columns."""
    return {ruleset_id, *(f"{ruleset_id}_{s}" for s in RESERVED_SUFFIXES), *field_columns}


def collides(column: str, reserved: set[str]) -> bool:
    """Whether a result column would replace another (compared case-insensitively: SQL
    engines and spreadsheets fold case)."""
    low = column.lower()
    return any(low == r.lower() for r in reserved)


def column_of(program: Program, name: str) -> str:
    return f"{program.id}_{name}"


def result_names(program: Program) -> list[str]:
    """The outputs, then the attributes: the order of their columns and dict keys."""
    return [*program.outputs, *program.attributes]


def result_columns(program: Program) -> list[str]:
    """`run`'s columns for them, `<ruleset id>_<name>`, in the order of result_names."""
    return [column_of(program, name) for name in result_names(program)]


def attributes_of(program: Program, label: str | None) -> dict[str, Any]:
    """The attributes a record with this (first) label gets: missing where it has none."""
    return {name: a.values.get(label) if label else None for name, a in program.attributes.items()}


def has_results(program: Program) -> bool:
    return bool(program.outputs or program.attributes)


def extra_columns(
    program: Program, outputs: Mapping[str, Any], attrs: Mapping[str, Any]
) -> dict[str, Any]:
    """The run columns of one decision: `<id>_<name>` → value."""
    out = {column_of(program, k): v for k, v in outputs.items()}
    out.update((column_of(program, k), v) for k, v in attrs.items())
    return out


def results_document(
    outputs: Mapping[str, Any], attributes: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """`outputs` and `attributes` as documents hold them (dates as ISO text)."""
    return (
        {k: json_value(v) for k, v in outputs.items()},
        {k: json_value(v) for k, v in attributes.items()},
    )
