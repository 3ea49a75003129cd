"""A file classified on DuckDB as a stream of Arrow record batches: the results of a large file
in bounded memory, never as Python objects (`Ruleset.classify_batches`).

Each batch holds, per input row in input order: the input's columns (with `columns="all"`; a
column named like a result column is replaced) or the 0-based row number `row` (with
`columns="results"`), then `<id>` (the label; a list under hit all) and `<id>_rule` (the
deciding rule). A bad row stays in the stream with no label and no rule under on_error "skip"
(as `rulekit run` writes it); under "fail" (the default) the stream stops with the RecordError
the other engines raise, before the batch that holds the bad row is handed out. A quarantine
file is `rulekit run`'s (files.run_file).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from rulekit.engines.duckdb_connection import QUOTING, EngineError, connect
from rulekit.engines.duckdb_population import PopulationOrPath, prepare
from rulekit.engines.duckdb_sources import file_source
from rulekit.engines.files import first_bad
from rulekit.engines.python import CompiledRuleset, as_date
from rulekit.errors import RecordError, RulekitError
from rulekit.model.reading import ReadOptions

if TYPE_CHECKING:
    import pyarrow as pa
    from duckdb import DuckDBPyConnection

    from rulekit.compile.sql.duckdb import DuckDBGenerator
    from rulekit.compile.sql.relation import Source

BATCH_ROWS = 100_000
_BAD_ROW = "rulekit: a bad row in the stream"


def classify_batches(
    ruleset: CompiledRuleset,
    path: str | os.PathLike[str],
    as_of: object = None,
    population: PopulationOrPath = None,
    on_error: str = "fail",
    validate: str = "needed",
    *,
    columns: str = "results",
    batch_rows: int = BATCH_ROWS,
    read: ReadOptions | None = None,
    con: DuckDBPyConnection | None = None,
) -> Iterator[pa.RecordBatch]:
    """Classify a CSV, TSV, JSON Lines or Parquet file on DuckDB; yield the results as Arrow
    record batches of at most `batch_rows` rows (see the module's docstring)."""
    if on_error not in ("fail", "skip"):
        raise RulekitError(
            f"a stream of batches takes on_error 'fail' or 'skip', not {on_error!r} (a "
            f"quarantine file is written by run_file / `rulekit run`)"
        )
    if columns not in ("results", "all"):
        raise RulekitError(f"columns must be 'results' or 'all', not {columns!r}")
    db = con or connect()
    source = file_source(db, path)
    gen = prepare(db, ruleset, source, as_date(as_of), population, validate)
    if read is not None:
        gen.read_options = read
    ident = QUOTING.identifier_sql
    flag, row = ident(gen.internal["flag"]), ident(gen.internal["row"])
    sql = gen.labelled_sql(source, passthrough=columns == "all", keep_bad=True, flag_bad=True)
    guard = (
        f"CASE WHEN {flag} IS NOT NULL THEN error({QUOTING.string_sql(_BAD_ROW)}) ELSE TRUE END"
        if on_error == "fail"
        else "TRUE"
    )
    head = (
        f"* EXCLUDE ({flag})"
        if columns == "all"
        else f"{row} AS {ident('row')}, * EXCLUDE ({row}, {flag})"
    )
    query = f"SELECT {head} FROM (\n{sql}\n) WHERE {guard}"
    if gen.needs_order() and columns == "results":  # populations reorder: sort outermost
        query += f" ORDER BY {ident('row')}"
    import duckdb

    try:  # a relation streams its batches (a DB-API result would copy every row first)
        reader = db.sql(query).to_arrow_reader(batch_rows)
    except duckdb.Error as e:
        if _BAD_ROW in str(e):
            raise _first_bad(db, gen, source, ruleset.id, os.fspath(path)) from None
        raise EngineError(f"DuckDB could not classify {path}: {str(e).splitlines()[0]}") from None
    return _batches(reader, db, gen, source, ruleset.id, os.fspath(path))


def _batches(
    reader: pa.RecordBatchReader,
    db: DuckDBPyConnection,
    gen: DuckDBGenerator,
    source: Source,
    ruleset_id: str,
    path: str,
) -> Iterator[pa.RecordBatch]:
    """The reader's batches; the guard's stop becomes the RecordError of the first bad row."""
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except Exception as e:  # the guard stopped the query: the Python engine's error
            if _BAD_ROW not in str(e):
                raise
            raise _first_bad(db, gen, source, ruleset_id, path) from None
        yield batch


def _first_bad(
    db: DuckDBPyConnection, gen: DuckDBGenerator, source: Source, ruleset_id: str, path: str
) -> RulekitError:
    """The error of the first bad row, as the other engines raise it."""
    bad = first_bad(db, gen, source, path)
    if bad is None:  # cannot happen: the guard saw a bad row
        return RulekitError(f"{path}: a bad row stopped the stream, but none was found again")
    error = RecordError(bad)
    error.ruleset = ruleset_id
    return error


__all__ = ["BATCH_ROWS", "classify_batches"]
