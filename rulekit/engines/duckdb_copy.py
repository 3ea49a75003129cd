"""COPY a query to a file on DuckDB: the cells as rulekit.io writes them, atomically, a UTF-8
BOM when asked, and in bounded memory when the rows come from the single-threaded CSV reader.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from rulekit.compile.sql.generator import Source
from rulekit.engines.duckdb_connection import QUOTING, file_format
from rulekit.engines.duckdb_connection import run_sql as _run
from rulekit.io import atomic_path

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

BOM = b"\xef\xbb\xbf"
_Q = QUOTING


def copy_options(fmt: str) -> str:
    if fmt == "csv":
        return "(FORMAT csv, HEADER true)"
    if fmt == "tsv":
        return "(FORMAT csv, HEADER true, DELIMITER '\t')"
    if fmt == "parquet":
        return "(FORMAT parquet)"
    return "(FORMAT json)"


def _cells(con: DuckDBPyConnection, sql: str, fmt: str) -> str:
    """The query with its cells as rulekit.io writes them in a text format."""
    if fmt == "parquet":
        return sql
    ident = _Q.identifier_sql
    rel = con.sql(sql)
    replace = []
    for name, type_ in zip(rel.columns, rel.types, strict=True):
        t = str(type_).upper()
        c = ident(name)
        if t == "JSON" and fmt != "json":
            replace.append(f"json_extract_string({c}, '$') AS {c}")
        elif t.endswith("[]") and fmt != "json":
            replace.append(f"CAST(to_json({c}) AS VARCHAR) AS {c}")
        elif t.startswith("TIMESTAMP") and "TIME ZONE" not in t:
            # as Python's isoformat(): microseconds, six digits, only when there are some
            replace.append(
                f"CASE WHEN epoch_us({c}) % 1000000 = 0 THEN strftime({c}, "
                f"'%Y-%m-%dT%H:%M:%S') ELSE strftime({c}, '%Y-%m-%dT%H:%M:%S.%f') "
                f"END AS {c}"
            )
    if not replace:
        return sql
    return f"SELECT * REPLACE ({', '.join(replace)})\nFROM (\n{sql}\n)"


@contextlib.contextmanager
def streaming(con: DuckDBPyConnection, source: Source) -> Iterator[None]:
    """Bounded memory for a COPY whose rows come from the single-threaded CSV reader (the only
    one that reads quoted line breaks with null padding): DuckDB would keep every row of its one
    batch in memory to preserve the insertion order, so that order is not asked for; one thread
    reads and writes the rows, so they stay in input order (an ORDER BY still sorts)."""
    if source.relation.format not in ("csv", "tsv"):
        yield
        return
    _run(con, "SET preserve_insertion_order = false", "set up the copy")
    try:
        yield
    finally:
        _run(con, "SET preserve_insertion_order = true", "set up the copy")


def copy_to(con: DuckDBPyConnection, sql: str, path: Path, what: str, bom: bool = False) -> int:
    """COPY a query's rows to `path` (format by its extension) atomically; rows written."""
    fmt = file_format(path)
    sql = _cells(con, sql, fmt)
    with atomic_path(Path(path)) as tmp:
        body = tmp.with_name(tmp.name + ".body") if bom and fmt in ("csv", "tsv") else tmp
        written: int = _run(
            con, f"COPY ({sql}) TO {_Q.string_sql(str(body))} {copy_options(fmt)}", what
        ).fetchall()[0][0]
        if body != tmp:
            with open(tmp, "wb") as out, open(body, "rb") as src:
                out.write(BOM)
                shutil.copyfileobj(src, out, 1 << 20)
            body.unlink()
    return written


__all__ = ["BOM", "copy_options", "copy_to", "streaming"]
