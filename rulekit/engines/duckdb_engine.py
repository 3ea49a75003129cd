"""Run compiled rulesets on DuckDB, the decisions coming back to Python: classify Python
records or a file into the same BatchResult the Python engine gives.

Three ways in, one query generator:

* `classify_records` — Python records (a list of mappings) become one Arrow table of the field
  columns (duckdb_sources.records_source), so the SQL coerces each value exactly as
  semantics.py would coerce that Python value.
* `classify_file` — CSV (every value as text, as Python's csv module gives it), JSON Lines
  (every value as one JSON value) and Parquet (typed) are read by DuckDB itself. The decisions
  come back to Python (a BatchResult).
* file to file (files.py's `run_file`, `rulekit run`) — the same query, but the rows are
  written by DuckDB straight to an output file with COPY: the data never passes through Python.

Results are in input order (a row number is taken when reading). Bad rows follow the on_error
policy of the Python engine: fail stops at the first one in input order; skip and quarantine
set them aside, and counts reconcile (rows in = labelled + unlabelled + rejected).

The connection, the sources and the populations live in duckdb_connection, duckdb_sources and
duckdb_population; their names are importable from here too.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from rulekit import io as rio
from rulekit.compile.pysource import Bad, _make_coercer
from rulekit.compile.sql.duckdb import DuckDBGenerator
from rulekit.compile.sql.generator import Source
from rulekit.engines.duckdb_connection import (
    FORMATS,
    QUOTING,
    EngineError,
    connect,
    fetch_int,
    file_format,
    is_path,
    peak_rss_mb,
    run_sql,
    temp_dir,
)
from rulekit.engines.duckdb_population import (
    date_list_columns,
    field_columns,
    freeze,
    population_values,
    prepare,
    register_frozen,
)
from rulekit.engines.duckdb_sources import file_source, records_source
from rulekit.engines.population import PopulationInput
from rulekit.engines.python import BatchResult, CompiledRuleset, Decision, MultiTable, as_date
from rulekit.engines.results import add_results
from rulekit.errors import BadRecord, RecordError
from rulekit.model.intake import read_rows
from rulekit.model.program import FieldInfo, HitPolicy
from rulekit.model.reading import ReadOptions

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

# the names this module had before it was split, for the modules and code that import them
_run = run_sql
_temp_dir = temp_dir
_prepare = prepare

__all__ = [
    "FORMATS",
    "QUOTING",
    "EngineError",
    "connect",
    "fetch_int",
    "file_format",
    "is_path",
    "peak_rss_mb",
    "run_sql",
    "temp_dir",
    "file_source",
    "records_source",
    "prepare",
    "freeze",
    "population_values",
    "register_frozen",
    "classify_records",
    "classify_file",
    "read_records",
]

# A query row of decisions_sql: (row, result, stage, field index). result is a position in
# the evaluation order (or None) under first/priority, the matched positions under all/unique.
DecisionRow = tuple[Any, ...]


def classify_records(
    ruleset: CompiledRuleset,
    records: Iterable[Mapping[str, Any]],
    as_of: object,
    population: PopulationInput = None,
    on_error: str = "fail",
    validate: str = "needed",
    con: DuckDBPyConnection | None = None,
    read: ReadOptions | None = None,
) -> BatchResult:
    """classify_many on DuckDB for Python records; the same BatchResult as the Python engine.
    read: how text values are read (model/reading.py), default the default policy."""
    records = records if isinstance(records, list) else list(records)
    today = as_date(as_of)
    con = con or connect()
    source = records_source(
        con, records, field_columns(ruleset), date_lists=date_list_columns(ruleset)
    )
    gen = prepare(con, ruleset, source, today, population, validate)
    if read is not None:
        gen.read_options = read
    rows = run_sql(con, gen.decisions_sql(source), "classify the records").fetchall()
    return _decode(ruleset, rows, len(records), today, on_error, records.__getitem__, read)


def classify_file(
    ruleset: CompiledRuleset,
    path: str | os.PathLike[str],
    as_of: object,
    population: PopulationInput = None,
    on_error: str = "fail",
    validate: str = "needed",
    con: DuckDBPyConnection | None = None,
    read: ReadOptions | None = None,
) -> BatchResult:
    """classify_many on DuckDB for a CSV, JSON Lines or Parquet file."""
    today = as_date(as_of)
    con = con or connect()
    source = file_source(con, path)
    gen = prepare(con, ruleset, source, today, population, validate)
    if read is not None:
        gen.read_options = read
    sql = gen.decisions_sql(source)
    if ruleset.hit.single and not ruleset.has_results:  # the common case: column-wise
        fast = _all_good(con, sql, ruleset, today, path)
        if fast is not None:
            return fast
    rows = run_sql(con, sql, f"classify {path}").fetchall()
    unique = ruleset.hit is HitPolicy.UNIQUE
    bad = [r[0] for r in rows if r[2] is not None or (unique and len(r[1]) > 1)]
    raw = _raw_rows(con, gen, source, bad, path) if bad else {}
    rel = gen.relation_sql(source.relation)
    total = fetch_int(con, f"SELECT count(*) FROM {rel}", f"count the rows of {path}")
    return _decode(ruleset, rows, total, today, on_error, raw.get, read)


def _all_good(
    con: DuckDBPyConnection,
    sql: str,
    ruleset: CompiledRuleset,
    today: dt.date,
    path: str | os.PathLike[str],
) -> BatchResult | None:
    """Under first/priority, the decisions of a file without a bad row, read as Arrow columns
    (one row per input row, in order: the deciding position, NULL for the default), not as
    one Python tuple per row; None when a row is bad (the caller decodes row by row)."""
    import duckdb

    try:
        table = con.sql(sql).to_arrow_table()
    except duckdb.Error as e:
        raise EngineError(f"DuckDB could not classify {path}: {str(e).splitlines()[0]}") from None
    if table.column(2).null_count != table.num_rows:
        return None
    single = cast(list[Decision], ruleset._table)
    positions = table.column(1).fill_null(-1).to_pylist()  # -1: the default decision
    decisions: list[Decision | None] = [single[p] for p in positions]
    return BatchResult(decisions, [], today, ruleset)


def _raw_rows(
    con: DuckDBPyConnection,
    gen: DuckDBGenerator,
    source: Source,
    indexes: list[int],
    path: str | os.PathLike[str],
) -> dict[int, dict[str, Any]]:
    """The rows at these positions as Python records (JSON values parsed), to word the
    reasons of bad rows as semantics.py does and to hand them back in BadRecord.record."""
    import pyarrow as pa

    ident = gen.identifier_sql
    con.register("rk_wanted", pa.table({"i": pa.array(sorted(set(indexes)), pa.int64())}))
    rel = gen.relation_sql(source.relation)
    taken = {c.lower() for c in source.columns or {}}
    number = "rk_row"
    while number.lower() in taken:  # never a column of the file
        number += "_"
    cur = run_sql(
        con,
        f"SELECT * FROM (SELECT {gen.row_number_sql()} AS {ident(number)}, * "
        f"FROM {rel}) WHERE {ident(number)} IN (SELECT i FROM rk_wanted)",
        f"read the rejected rows of {path}",
    )
    names = [d[0] for d in cur.description]
    if len(names) == 1 + len(source.columns or {}):  # the names rulekit.io reads
        names[1:] = list(source.columns or {})
    json_cols = {c for c, col in (source.columns or {}).items() if col.kind == "json"}
    out = {}
    for r in cur.fetchall():
        rec = dict(zip(names[1:], r[1:]))
        for c in json_cols & rec.keys():
            if rec[c] is not None:
                rec[c] = json.loads(rec[c])
        out[r[0]] = rec
    return out


def _decode(
    ruleset: CompiledRuleset,
    rows: list[DecisionRow],
    total: int,
    today: dt.date,
    on_error: str,
    record_at: Callable[[int], Mapping[str, Any] | None],
    read: ReadOptions | None = None,
) -> BatchResult:
    """Query rows (row, result, stage, field index) -> a BatchResult, as the Python engine
    builds it: the shared Decision objects of the ruleset, None for a set-aside row. The SQL
    decides which field of which row is bad; the reason is worded by semantics.py on the raw
    value."""
    fields = list(ruleset.program.fields.items())
    decisions: list[Decision | None] = [None] * total
    rejected: list[BadRecord] = []
    first_policy = ruleset.hit.single
    unique = ruleset.hit is HitPolicy.UNIQUE
    single = cast(list[Decision], ruleset._table)  # under first and priority
    multi = cast(MultiTable, ruleset._table)  # under all and unique
    stops: dict[int, BadRecord] = {}  # stage -> the first bad row the Python engine meets there

    def bad_value(i: int, index: int) -> BadRecord:
        rec = record_at(i)
        name, info = fields[index]
        value = rec.get(info.column) if rec is not None else None
        try:
            seen = value
            if read is not None and not read.values_default and isinstance(value, str):
                seen = read_rows([{"v": value}], {"v": FieldInfo("v", info.type, "v")}, read)
                seen = seen[0]["v"]
            _make_coercer(name, info.type, info.one_of)(seen)
            reason = f"{value!r} was rejected by the SQL engine"  # a disagreement: a bug
        except Bad as e:
            reason = e.reason
        return BadRecord(i, name, value, reason, rec)

    for i, result, stage, index, *_ in rows:
        if stage is not None:
            br = bad_value(i, index)
            stops.setdefault(stage, br)
            rejected.append(br)
            continue
        if first_policy:
            decisions[i] = single[-1] if result is None else single[result]
            continue
        mask = 0
        for pos in result:
            mask |= 1 << pos
        if unique and mask & (mask - 1):
            br = BadRecord(i, None, None, ruleset.conflict_reason(mask), record_at(i))
            stops.setdefault(3, br)
            rejected.append(br)
            continue
        d = multi.get(mask)
        decisions[i] = d if d is not None else multi.make(mask)
    if on_error == "fail" and stops:
        # the Python engine checks every field first (validate="all"), then the population's
        # arguments, then evaluates record by record: it stops at the first bad row it meets.
        raise RecordError(stops[min(stops)])
    rejected.sort(key=lambda b: b.index)
    if ruleset.has_results:  # the outputs and attributes after the four columns
        add_results(ruleset.program, decisions, rows)
    return BatchResult(decisions, rejected, today, ruleset)


# ---------------------------------------------------------------------- reading for Python


def read_records(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """A file's rows as Python records, read as `rulekit run` reads them (rulekit.io: CSV and
    TSV values as text, JSON values per line, Parquet through pyarrow, also .xlsx). For the
    Python engine when it is handed a path."""
    return rio.read_table(path).rows
