"""What a DuckDB query reads: a file (CSV, TSV, JSON Lines, Parquet) described by DuckDB
itself, or Python records registered as one Arrow table.

Python records become one Arrow column per field column. A column whose values share one
Python type keeps it (text, int, float, bool, date, datetime); a column of mixed values is
written as (Python type, canonical text) pairs, and a column of lists as lists of such pairs,
so the SQL coerces each value exactly as semantics.py would coerce that Python value.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rulekit import io as rio
from rulekit.compile.sql.coercion import element_type, kind_of_type
from rulekit.compile.sql.generator import Column, Relation, Source
from rulekit.engines.duckdb_connection import QUOTING, EngineError, file_format, run_sql

if TYPE_CHECKING:
    import pyarrow as pa
    from duckdb import DuckDBPyConnection


def file_source(
    con: DuckDBPyConnection, path: str | os.PathLike[str], fmt: str | None = None
) -> Source:
    """A Source reading a file, with each column's kind found by DuckDB's DESCRIBE."""
    path = Path(path)
    if not path.exists():
        raise EngineError(f"{path}: no such file")
    fmt = fmt or file_format(path)
    gen = QUOTING
    header = None
    if fmt in ("csv", "tsv"):
        try:
            header = rio.header(path)
        except (rio.DataFileError, UnicodeDecodeError, OSError):
            pass  # DuckDB says what is wrong
        _check_names(header or [], path)
    if fmt == "json":
        keys = _json_keys(con, path)
        _check_names(keys, path)
        # without any key, DuckDB reads each object as one column `json`: not the data's
        hidden = () if keys else ("json",)
        rel = Relation(path=str(path), format="json", json_columns=tuple(keys), hidden=hidden)
        return Source(rel, {k: Column(k, "json") for k in keys})
    rel = Relation(path=str(path), format=fmt)
    rows = run_sql(
        con, f"DESCRIBE SELECT * FROM {gen.relation_sql(rel)}", f"read {path}"
    ).fetchall()
    names = [r[0] for r in rows]
    _check_names(names, path)
    # DuckDB renames a header name that repeats another without regard to case (`AMOUNT`
    # after `amount` is `AMOUNT_1`) and names blank ones itself: the columns keep the names
    # rulekit.io reads, read from DuckDB's column at the same place
    if header is not None and len(header) == len(names):
        names = header
    columns = {}
    for name, (duck_name, type_name, *_) in zip(names, rows, strict=True):
        kind = kind_of_type(type_name)
        element = kind_of_type(element_type(type_name)) if kind == "list" else None
        columns[name] = Column(duck_name, kind, element)
    return Source(rel, columns)


def _control(c: str) -> bool:
    """A control character or a line break (a name holding one cannot be read as it is)."""
    return c < " " or "\x7f" <= c <= "\x9f" or c in "\u2028\u2029"


def _check_names(names: list[str], path: Path) -> None:
    """A column name with a line break or another control character cannot be read by the
    DuckDB engine: say so, naming it (rulekit.io reads such a file for the Python engine)."""
    for name in names:
        if any(map(_control, name)):
            what = "a line break" if "\n" in name or "\r" in name else "a control character"
            raise EngineError(
                f"{path.name}: the column {name!r} has {what} in its name, which the DuckDB "
                f"engine cannot read from a file; rename the column, or read the file with "
                f"the Python engine"
            )


def _json_keys(con: DuckDBPyConnection, path: Path) -> list[str]:
    """Every top-level key of a JSON Lines file, in order of first appearance."""
    gen = QUOTING
    lit = gen.string_sql(str(path))
    fmt = "newline_delimited" if path.suffix.lower() in (".jsonl", ".ndjson") else "auto"
    keys = "json_keys(json)"
    sql = (
        f"SELECT k FROM (SELECT unnest({keys}) AS k, unnest(range(len({keys}))) AS p, "
        f"row_number() OVER () AS i FROM read_json_objects({lit}, format = '{fmt}')) "
        f"GROUP BY k ORDER BY min(i * 1000000 + p)"
    )
    return [r[0] for r in run_sql(con, sql, f"read {path}").fetchall()]


def records_source(
    con: DuckDBPyConnection,
    records: Sequence[Mapping[str, Any]],
    columns: list[str],
    name: str = "rk_records",
    date_lists: Collection[str] = (),
) -> Source:
    """Register Python records as an Arrow table of the given columns, plus a row index.
    date_lists: the columns of fields declared lists of dates or timestamps (in a column of
    mixed values, their lists' dates are written as ISO text, which they are coerced as)."""
    import pyarrow as pa

    arrays: dict[str, pa.Array[Any]] = {}
    kinds: dict[str, Column] = {}
    taken: set[str] = set()  # DuckDB compares names without case: `amount` is `AMOUNT`
    for col in dict.fromkeys(columns):
        values = [rec.get(col) for rec in records]
        array, kind = _arrow_column(values, col in date_lists)
        if array is not None:
            # a name with a line break or a NUL is registered under a plain one
            plain = "".join("_" if _control(c) else c for c in col)
            name = _unique_name(plain, taken)
            arrays[name] = array
            kinds[col] = (
                Column(name, "list", "tagged") if kind == "tagged list" else Column(name, kind)
            )
    index = _unique_name("rk_index", taken)
    arrays[index] = pa.array(range(len(records)), pa.int64())
    table = pa.table(arrays) if arrays else pa.table({index: pa.array([], pa.int64())})
    con.register(name, table)
    return Source(Relation(table=name), kinds, row_number=index)


def _unique_name(name: str, taken: set[str]) -> str:
    """This name, or one made from it, that differs from every taken one without regard to
    case (taken is kept lower case)."""
    candidate, i = name, 1
    while candidate.lower() in taken:
        i += 1
        candidate = f"{name}_{i}"
    taken.add(candidate.lower())
    return candidate


_INT64 = (-(2**63), 2**63 - 1)


def _arrow_column(values: list[Any], iso: bool = False) -> tuple[pa.Array[Any] | None, str]:
    """An Arrow array of these Python values and the kind the SQL coerces it as: a column of
    one Python type keeps it; a column of lists becomes lists of (Python type, canonical
    text) pairs ("tagged list"); a mixed column becomes such pairs ("tagged")."""
    import pyarrow as pa

    classes = {v.__class__ for v in values if v is not None}
    if not classes:
        return None, "absent"
    if len(classes) == 1:
        cls = next(iter(classes))
        if cls is str:
            return pa.array(values, pa.string()), "text"
        if cls is int and all(_INT64[0] <= v <= _INT64[1] for v in values if v is not None):
            return pa.array(values, pa.int64()), "int"
        if cls is float:
            return pa.array(values, pa.float64(), from_pandas=False), "float"
        if cls is bool:
            return pa.array(values, pa.bool_()), "bool"
        if cls is dt.date:
            return pa.array(values, pa.date32()), "date"
        if cls is dt.datetime and all(v.tzinfo is None for v in values if v is not None):
            return pa.array(values, pa.timestamp("us")), "timestamp"
    if classes <= {list, tuple}:
        # a column of lists: each item tagged with its Python type, so that a date or a
        # Decimal in a list is coerced as that Python value is (JSON has no such types)
        items = [_variant(x) for v in values if v is not None for x in v]
        offsets: list[int | None] = []
        at = 0
        for v in values:
            offsets.append(None if v is None else at)
            at += len(v) if v is not None else 0
        offsets.append(at)
        return pa.ListArray.from_arrays(
            pa.array(offsets, pa.int32()), _tagged_struct(items)
        ), "tagged list"
    return _tagged_struct([_variant(v, iso) for v in values]), "tagged"


def _tagged_struct(pairs: list[tuple[str, str | None]]) -> pa.StructArray:
    import pyarrow as pa

    return pa.StructArray.from_arrays(
        [
            pa.array([p[0] for p in pairs], pa.string()),
            pa.array([p[1] for p in pairs], pa.string()),
        ],
        names=["t", "v"],
    )


def _variant(value: Any, iso: bool = False) -> tuple[str, str | None]:
    """(Python type, canonical text) of one value, as coercion.Coercion.variant_parts reads
    them."""
    cls = value.__class__
    if value is None:
        return "null", None
    if cls is str:
        return "str", value
    if cls is bool:
        return "bool", "true" if value else "false"
    if cls is int:
        return "int", str(value)
    if cls is float:
        if math.isnan(value):
            return "nan", "nan"
        return ("float" if math.isfinite(value) else "inf"), repr(value)
    if isinstance(value, Decimal):
        if value.is_nan():
            return "nan", "nan"
        return ("decimal", str(value)) if value.is_finite() else ("other", repr(value))
    if cls is dt.date:
        return "date", value.isoformat()
    if cls is dt.datetime and value.tzinfo is None:
        return "datetime", value.isoformat(sep=" ")
    if isinstance(value, dict):
        return "dict", "{…}"  # shown so (semantics._show); no type reads it as a value
    if isinstance(value, (list, tuple)):
        try:
            items = list(value)
            return "list", json.dumps(items, ensure_ascii=False, default=_iso if iso else None)
        except (TypeError, ValueError):
            return "other", repr(value)
    return "other", repr(value)


def _iso(value: Any) -> Any:
    """A date or timestamp in a list of dates: its ISO text, which semantics.py coerces to
    the same value."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} in a list")
