"""Finding one row of a big file with DuckDB, for `rulekit explain --data FILE --id X`: the row
is found by a query (the file is never read into Python), and is returned exactly as
`rulekit.io.read_table` would give it — the same values, the same record index, the same
`where` text — so that the explanation is the one the Python reading gives.

Only what can be guaranteed identical takes this path: CSV and TSV files in UTF-8 whose rows
are one line each (checked by counting the file's line breaks against the rows DuckDB read),
and Parquet files (the row itself is then read by pyarrow, as rulekit.io reads Parquet), with
an id column of text or whole numbers. Anything else — another format, a GB18030 file, a quoted
line break, a DuckDB error — returns None, and the caller reads the file in Python as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rulekit import io as rio

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

# The id column types matched in SQL (their text is the same in DuckDB and in rulekit.io).
_ID_TYPES = ("VARCHAR", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT",
             "UINTEGER", "USMALLINT", "UTINYINT")  # fmt: skip


@dataclass
class FoundRow:
    """The rows of a file with one id, found by DuckDB; `where` as rulekit.io.Table says it."""

    path: Path
    format: str
    columns: list[str]
    rows: int  # rows in the file
    indexes: list[int]  # record indexes (0-based) of the rows with the id, in file order
    row: dict[str, Any]  # the first of them, as rulekit.io reads it
    line_offset: int | None  # CSV: a row's first line is its index + this; None: no lines

    def where(self, index: int) -> str:
        row = f"{self.path.name} row {index + 1}"
        if self.line_offset is None:
            return row
        return f"{row} (line {index + self.line_offset})"


def find_row(path: str | Path, ident: str, id_column: str | None = None) -> FoundRow | None:
    """The rows whose id column (`id_column`, else the first of rulekit.cli's usual names, else
    the first column) holds `ident`, compared as rulekit.io's text of the cell, stripped.
    None when this file cannot be searched here exactly (see the module's docstring); an
    unknown column or an id no row has gives a FoundRow with no indexes."""
    path = Path(path)
    want = ident.strip()
    fmt = rio.FORMATS.get(path.suffix.lower())
    if not want or fmt not in ("csv", "tsv", "parquet") or not path.is_file():
        return None
    try:
        if fmt == "parquet":
            return _find_parquet(_connect(), path, want, id_column)
        return _find_csv(path, fmt, want, id_column)
    except Exception:  # noqa: BLE001 - any doubt: the Python reading decides (and words errors)
        return None


def _connect() -> DuckDBPyConnection:
    """A DuckDB connection of its own: the SQL compiler is not needed to find a row, and not
    imported (rulekit.engines.duckdb_connection imports it)."""
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    con.execute("SET preserve_insertion_order = true")
    return con


def _ident(name: str) -> str:
    """A quoted SQL identifier (as the DuckDB generator's identifier_sql quotes it)."""
    return '"' + name.replace('"', '""') + '"'


def _text(value: str) -> str:
    """A SQL string literal (as the DuckDB generator's string_sql writes it)."""
    return "'" + value.replace("'", "''") + "'"


def default_id_column(columns: list[str]) -> str:
    """The id column rulekit explain uses when none is named (as rulekit.cli.inputs)."""
    for name in ("customer_id", "id", "客户编号", "客户ID", "客户id", "客户号", "编号", "ID"):
        if name in columns:
            return name
    return columns[0] if columns else "id"


def _match_sql(column: str) -> str:
    """Rows that may hold the id: their text contains it (`_is_id` decides, in Python)."""
    return f"contains(CAST({_ident(column)} AS VARCHAR), $want)"


def _is_id(value: Any, want: str) -> bool:
    """The id match of rulekit explain: the cell's text as rulekit.io gives it, stripped."""
    return rio.cell_text(None if value == "" else value).strip() == want


def _id_type_ok(con: DuckDBPyConnection, relation: str, column: str) -> bool:
    rows = con.execute(f"DESCRIBE SELECT {_ident(column)} FROM {relation}")
    return str(rows.fetchall()[0][1]) in _ID_TYPES


def _find_parquet(
    con: DuckDBPyConnection, path: Path, want: str, id_column: str | None
) -> FoundRow | None:
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path)
    columns = list(meta.schema_arrow.names)
    if len(set(columns)) != len(columns) or any(not c.strip() for c in columns):
        return None  # rulekit.io words this file's problem
    column = id_column or default_id_column(columns)
    total = meta.metadata.num_rows
    found = FoundRow(path, "parquet", columns, total, [], {}, None)
    if column not in columns:
        return found
    relation = f"read_parquet({_text(str(path))}, file_row_number = true)"
    if not _id_type_ok(con, relation, column):
        return None
    hits = con.execute(
        f"SELECT file_row_number, {_ident(column)} FROM {relation} "
        f"WHERE {_match_sql(column)} ORDER BY file_row_number",
        {"want": want},
    ).fetchall()
    found.indexes = [int(r[0]) for r in hits if _is_id(r[1], want)]
    if found.indexes:
        found.row = _parquet_row(meta, found.indexes[0])
    return found


def _parquet_row(meta: Any, index: int) -> dict[str, Any]:
    """Row `index` of a Parquet file, read by pyarrow as rulekit.io reads the whole file."""
    start = 0
    for group in range(meta.num_row_groups):
        size = meta.metadata.row_group(group).num_rows
        if index < start + size:
            row: dict[str, Any] = meta.read_row_group(group).slice(index - start, 1).to_pylist()[0]
            return row
        start += size
    raise IndexError(index)


def _find_csv(path: Path, fmt: str, want: str, id_column: str | None) -> FoundRow | None:
    columns = rio.header(path)  # as rulekit.io names them (raises for a bad header)
    data = path.read_bytes()
    try:
        if not data.isascii():
            data.decode("utf-8")
    except UnicodeDecodeError:
        return None  # GB18030 and friends: rulekit.io decodes them
    if not rio.own_delimiter(path):
        return None  # a semicolon (or other) CSV: rulekit.io reads it
    column = id_column or default_id_column(columns)
    if _one_line_per_row(data):
        return _find_plain_csv(path, fmt, data, columns, column, want)
    con = _connect()  # a quoted file: DuckDB reads it
    breaks = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    found = FoundRow(path, fmt, columns, 0, [], {}, 2)
    delim = _text("\t" if fmt == "tsv" else ",")
    relation = (
        f"read_csv({_text(str(path))}, header = true, all_varchar = true, "
        f"delim = {delim}, quote = '\"', escape = '\"', null_padding = true)"
    )
    described = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    if len(described) != len(columns):
        return None
    names = [str(r[0]) for r in described]  # DuckDB's names, at rulekit.io's places
    if column not in columns:
        found.rows = int(con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0])
        return found if found.rows + 1 == breaks else None
    duck_id = names[columns.index(column)]
    cols = ", ".join(_ident(n) for n in names)
    rows = con.execute(
        f"SELECT rk_i, rk_total, {cols} FROM (SELECT row_number() OVER () - 1 AS rk_i, "
        f"count(*) OVER () AS rk_total, * FROM {relation}) WHERE {_match_sql(duck_id)} "
        "ORDER BY rk_i",
        {"want": want},
    ).fetchall()
    if rows:
        total = int(rows[0][1])
    else:
        total = int(con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0])
    if total + 1 != breaks:  # a blank line, or a line break inside a quoted value
        return None
    found.rows = total
    at = 2 + columns.index(column)
    rows = [r for r in rows if _is_id(r[at], want)]
    found.indexes = [int(r[0]) for r in rows]
    if rows:
        # an empty cell is missing (None), as rulekit.io reads it
        values = rows[0][2:]
        found.row = {c: (None if v == "" else v) for c, v in zip(columns, values, strict=True)}
    return found


def _one_line_per_row(data: bytes) -> bool:
    """Whether every line after the header is one row: no quotes (so no quoted line break), no
    blank line, and no line break but \n and \r\n."""
    if b'"' in data or b"\n\n" in data or b"\n\r\n" in data or data.startswith((b"\n", b"\r")):
        return False
    return b"\r" not in data or data.count(b"\r") == data.count(b"\r\n")


def _find_plain_csv(
    path: Path, fmt: str, data: bytes, columns: list[str], column: str, want: str
) -> FoundRow:
    """A CSV of one line per row, searched as bytes: each line holding the id's bytes is read
    with the csv module, as rulekit.io reads it (row index = line - 2, the header is line 1)."""
    import csv

    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    found = FoundRow(path, fmt, columns, max(0, lines - 1), [], {}, 2)
    if column not in columns:
        return found
    at = columns.index(column)
    delimiter = "\t" if fmt == "tsv" else ","
    needle = want.encode("utf-8")
    header_end = data.find(b"\n")
    pos = data.find(needle, header_end + 1) if header_end >= 0 else -1
    while pos >= 0:
        start = data.rfind(b"\n", 0, pos) + 1
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end
        text = data[start:end].decode("utf-8")
        values = next(csv.reader([text], delimiter=delimiter), [])
        if at < len(values) and _is_id(values[at], want):
            index = data.count(b"\n", 0, start) - 1
            found.indexes.append(index)
            if len(found.indexes) == 1:
                if len(values) > len(columns) and any(v.strip() for v in values[len(columns) :]):
                    raise ValueError("a row longer than the header: rulekit.io words it")
                values = values[: len(columns)]
                found.row = {
                    c: v if v != "" else None for c, v in zip(columns, values, strict=False)
                }
        pos = data.find(needle, end + 1)
    return found


__all__ = ["FoundRow", "default_id_column", "find_row"]
