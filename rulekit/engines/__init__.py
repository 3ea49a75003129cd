"""Engines beyond the Python evaluator, and the choice between them.

`classify_with_engine` is what `Ruleset.classify_many(engine=...)` calls for any engine other
than "python". engine="duckdb" runs the ruleset as one SQL query on DuckDB; engine="auto" uses
DuckDB for files (CSV, JSON Lines, Parquet) and the Python evaluator for records already in
Python — unless the ruleset ranks records (population functions) and the batch is large, where
DuckDB's window functions win (measured: docs/performance.md). Every engine gives the same
BatchResult: the same decisions, the same rejected rows, the same counts.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rulekit.errors import RulekitError

if TYPE_CHECKING:
    from rulekit.engines.duckdb_population import PopulationOrPath
    from rulekit.engines.files import RunSummary
    from rulekit.engines.population import FrozenPopulation
    from rulekit.engines.python import BatchResult, CompiledRuleset
    from rulekit.model.reading import ReadOptions

Records = Iterable[Mapping[str, Any]]
StrPath = str | os.PathLike[str]

ENGINES = ("python", "duckdb", "auto")
# Under engine="auto", records in Python stay on the Python evaluator: turning them into Arrow
# for DuckDB and the decisions back costs more than DuckDB saves (4-8x slower measured for the
# nine-rule benchmark at 20k-200k records). A ruleset with population functions is the
# exception: from this many records DuckDB's window functions rank faster than Python (2-3x at
# 20k-200k records of the three-score RFM benchmark). See docs/performance.md.
AUTO_MIN_ROWS = 20_000


def choose_engine(records: Records | StrPath, engine: str, ranked: bool = False) -> str:
    """The engine that will run: "python" or "duckdb". `ranked`: the ruleset has population
    functions."""
    if engine not in ENGINES:
        raise RulekitError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if engine != "auto":
        return engine
    if isinstance(records, (str, os.PathLike)):  # DuckDB reads CSV, TSV, JSON Lines and
        from rulekit.engines.duckdb_connection import FORMATS  # Parquet; rulekit.io the rest

        return "duckdb" if Path(records).suffix.lower() in FORMATS else "python"
    try:
        size = len(records)  # type: ignore[arg-type]  # a stream has no len: TypeError below
    except TypeError:
        return "python"  # a stream of unknown length: evaluate as it comes
    return "duckdb" if ranked and size >= AUTO_MIN_ROWS else "python"


def classify_with_engine(
    ruleset: CompiledRuleset,
    records: Records | StrPath,
    as_of: object = None,
    population: PopulationOrPath = None,
    on_error: str = "fail",
    engine: str = "duckdb",
    validate: str = "needed",
    read: ReadOptions | None = None,
) -> BatchResult:
    """Classify records (or a file path) with the chosen engine; returns a BatchResult.
    read: how text values are read (model/reading.py; None: the default policy)."""
    from rulekit.engines import duckdb_engine
    from rulekit.engines.python import ON_ERROR

    if on_error not in ON_ERROR:
        raise RulekitError(f"on_error must be one of {', '.join(ON_ERROR)}, not {on_error!r}")
    chosen = choose_engine(records, engine, bool(ruleset.compiled.pop_keys))
    if chosen == "python":
        if duckdb_engine.is_path(records):
            records = duckdb_engine.read_records(records)
        if duckdb_engine.is_path(population):
            population = duckdb_engine.read_records(population)
        if read is not None and not read.values_default:
            from rulekit.model.intake import read_rows

            records = read_rows(records, ruleset.fields, read)
        return ruleset.run_python(records, as_of, population, on_error, validate)
    if duckdb_engine.is_path(population):
        population = duckdb_engine.freeze(ruleset, population, as_of)
    if ruleset.named:  # named decisions: each its own query, combined (engines/decisions.py)
        from rulekit.engines.decisions import unnamed, with_named

        if not duckdb_engine.is_path(records) and not isinstance(records, list):
            records = list(records)
        main = classify_with_engine(
            unnamed(ruleset), records, as_of, population, "skip", engine, validate, read
        )
        main.ruleset = ruleset
        named: BatchResult = with_named(
            ruleset,
            main,
            records,
            lambda sub, rows: classify_with_engine(
                sub, rows, as_of, population, "skip", engine, validate, read
            ),
            on_error,
        )
        return named
    if duckdb_engine.is_path(records):
        return duckdb_engine.classify_file(
            ruleset, records, as_of, population, on_error, validate, read=read
        )
    return duckdb_engine.classify_records(
        ruleset, records, as_of, population, on_error, validate, read=read
    )


def run_file(
    ruleset: CompiledRuleset, input_path: StrPath, output_path: StrPath, **options: Any
) -> RunSummary:
    """Classify a file into a file on DuckDB without holding the rows in Python; see
    files.run_files. Returns a RunSummary."""
    from rulekit.engines.files import run_file as _run_file

    return _run_file(ruleset, input_path, output_path, **options)


def run_files(
    rulesets: Sequence[CompiledRuleset],
    input_path: StrPath,
    output_path: StrPath,
    **options: Any,
) -> list[RunSummary]:
    """Classify a file into a file with several rulesets on DuckDB; see files.run_files.
    Returns a RunSummary per ruleset."""
    from rulekit.engines.files import run_files as _run_files

    return _run_files(rulesets, input_path, output_path, **options)


def freeze(
    ruleset: CompiledRuleset, data: Records | StrPath, as_of: object = None, engine: str = "duckdb"
) -> FrozenPopulation:
    """A FrozenPopulation from records or a file, computed by the chosen engine."""
    from rulekit.engines import duckdb_engine

    if choose_engine(data, engine, ranked=True) == "python":
        if duckdb_engine.is_path(data):
            data = duckdb_engine.read_records(data)
        return ruleset.freeze(data, as_of)
    return duckdb_engine.freeze(ruleset, data, as_of)


def sql_for(
    ruleset: CompiledRuleset,
    dialect: str = "duckdb",
    as_of: dt.date | str | None = None,
    table: str | None = None,
    input_path: StrPath | None = None,
    frozen: bool = False,
) -> str:
    """The query a ruleset compiles to, for a table (columns of the declared types) or a file
    (read and validated as `run` reads it). as_of: a date or an ISO date text; None leaves
    the query's current_date."""
    from rulekit.compile.sql import Relation, Source, generator_for
    from rulekit.engines.python import as_date

    if as_of is not None:
        as_of = as_date(as_of)

    gen = generator_for(dialect)(ruleset.program, as_of=as_of, frozen=frozen)
    if input_path is not None:
        from rulekit.engines.duckdb_connection import connect
        from rulekit.engines.duckdb_sources import file_source

        source = file_source(connect(), input_path)
    else:
        source = Source(Relation(table=table or "customers"))
    sql: str = gen.labelled_sql(source, passthrough=True)
    return sql


__all__ = [
    "ENGINES",
    "AUTO_MIN_ROWS",
    "choose_engine",
    "classify_with_engine",
    "run_file",
    "run_files",
    "freeze",
    "sql_for",
]
