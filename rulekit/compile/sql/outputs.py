"""Outputs and label attributes in SQL (rulekit.model.outputs): the result columns
`<ruleset id>_<name>` of labelled_sql and the extra columns of decisions_sql.

An output is its let's column, missing when a field it reads holds a bad value (as
compile/pyoutputs.py); an attribute is a CASE over the deciding position (under hit all and
unique, the first matching position: the first label), the default label's value when no rule
matched.
"""

from __future__ import annotations

from typing import Any

from rulekit.model import datatypes as T
from rulekit.model.outputs import result_columns


def output_value_sql(g: Any, name: str) -> str:
    """An output's value in a SELECT over the decided rows."""
    p = g.p
    ident = g.identifier_sql
    col = ident(g.let_col[name])
    if p.outputs[name].type == T.INTEGER:  # whole-number arithmetic is 128-bit: back to 64
        col = g.try_cast_sql(col, g.sql_type(T.INTEGER))
    bad = [
        f"{ident(g.err_col[f])} IS NULL"
        for f in p.reads(p.lets[name].decl.expr).fields
        if f in g.err_col
    ]
    return f"CASE WHEN {' AND '.join(bad)} THEN {col} END" if bad else col


def attribute_value_sql(g: Any, name: str) -> str:
    """An attribute's value in a SELECT over the decided rows."""
    p = g.p
    info = p.attributes[name]
    ident = g.identifier_sql
    type_sql = g.sql_type(info.type)

    def const(label: str | None) -> str:
        value = info.values.get(label) if label is not None else None
        return str(g.cast_sql(g.value_sql(value), type_sql))

    labels = [g.rules[ri].label for ri in g.order]
    whens = " ".join(
        f"WHEN {pos} THEN {const(label)}"
        for pos, label in enumerate(labels)
        if info.values.get(label) is not None
    )
    other = const(p.default)
    if p.hit.single:
        pos = ident(g.internal["pos"])
        return f"CASE {pos} {whens} ELSE {other} END" if whens else other
    m = ident(g.internal["matches"])
    first = g.list_element_sql(m, "0")
    inner = f"CASE {first} {whens} END" if whens else g.cast_sql("NULL", type_sql)
    return f"CASE WHEN {g.list_length_sql(m)} = 0 THEN {other} ELSE {inner} END"


def result_column_names(g: Any) -> list[str]:
    """The run columns: `<id>_<name>` per output, then per attribute."""
    return result_columns(g.p)


def result_values_sql(g: Any) -> list[str]:
    p = g.p
    return [output_value_sql(g, name) for name in p.outputs] + [
        attribute_value_sql(g, name) for name in p.attributes
    ]


def with_results(g: Any, ctes: list[tuple[str, str]], union: str, decided: str) -> str:
    """decisions_sql with the outputs and attributes after (row, result, stage, field)."""
    ident = g.identifier_sql
    row = ident(g.internal["row"])
    d = ident(decided)
    values = [f"{v} AS {ident(f'rk_out_{i}')}" for i, v in enumerate(result_values_sql(g))]
    final = (
        "SELECT u.*, "
        + ", ".join(values)
        + f"\nFROM (\n{union}\n) AS u\nLEFT JOIN {d} ON u.{row} = {d}.{row}\nORDER BY u.{row}"
    )
    result: str = g._with(ctes, final)
    return result
