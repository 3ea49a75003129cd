"""What a generated query reads: a relation (a table, or a file the dialect's reader opens) and
what is known of its columns — each column's *kind* of values, which decides how coercion.py
turns it into the declared type. Also the DuckDB type name → kind table the engines use to
describe a relation they inspected."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """A source column and the kind of values it holds, which decides how it is coerced.

    kind: text (strings, as CSV gives them), int, float, decimal, bool, date, timestamp,
    interval, list, json (one JSON value per row, as JSON Lines give them), pyjson (JSON written
    by rulekit for a column of mixed Python values), typed (unknown: trust the declared type),
    absent (no such column: every value is missing), other (cannot be coerced).
    """

    name: str
    kind: str
    element: str | None = None  # for kind list: the kind of its items


@dataclass(frozen=True)
class Relation:
    """What the query reads: a table or view, or a file read by the dialect's reader."""

    table: str | None = None
    path: str | None = None
    format: str | None = None  # csv | json | parquet
    json_columns: tuple[str, ...] = ()  # for json: the columns to read, each as one JSON value
    # columns the reader adds that are not the data's (left out of the rows passed through)
    hidden: tuple[str, ...] = ()


@dataclass
class Source:
    """A relation and what is known of its columns.

    columns None means the schema is unknown: each field's column is assumed to hold its
    declared type already (the query a data engineer pastes into a warehouse).
    """

    relation: Relation
    columns: dict[str, Column] | None = None
    row_number: str | None = None  # a column that already numbers the rows from 0, if any

    def column(self, name: str) -> Column:
        if self.columns is None:
            return Column(name, "typed")
        return self.columns.get(name) or Column(name, "absent")


# DuckDB type names -> value kinds (see Column).
KIND_OF_TYPE = {
    "VARCHAR": "text",
    "BOOLEAN": "bool",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_S": "timestamp",
    "DOUBLE": "float",
    "FLOAT": "float",
    "JSON": "json",
    "INTERVAL": "interval",
    "TINYINT": "int",
    "SMALLINT": "int",
    "INTEGER": "int",
    "BIGINT": "int",
    "UTINYINT": "int",
    "USMALLINT": "int",
    "UINTEGER": "int",
    "UBIGINT": "bigint",
    "HUGEINT": "bigint",
    "UHUGEINT": "bigint",
}


def kind_of_type(type_name: str) -> str:
    """The kind of values a column of this DuckDB type holds."""
    t = type_name.upper()
    if t.startswith("DECIMAL"):
        return "decimal"
    if t.endswith("[]") or t.startswith("LIST"):
        return "list"
    return KIND_OF_TYPE.get(t, "other")


def element_type(type_name: str) -> str:
    """The element type of a DuckDB list type (VARCHAR when not a list)."""
    return type_name[:-2] if type_name.endswith("[]") else "VARCHAR"
