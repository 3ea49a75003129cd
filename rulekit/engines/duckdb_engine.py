"""Run compiled rulesets on DuckDB: read records, tables and files, classify, set bad rows
aside, stream big results to a file, and freeze populations.

Three ways in, one query generator:

* `classify_records` — Python records (a list of mappings) become one Arrow table of the field
  columns. A column whose values share one Python type keeps it (text, int, float, bool, date,
  datetime); a column of mixed values is written as JSON with rulekit's tags for the types JSON
  lacks, so the SQL coerces each value exactly as semantics.py would coerce that Python value.
* `classify_file` — CSV (every value as text, as Python's csv module gives it), JSON Lines
  (every value as one JSON value) and Parquet (typed) are read by DuckDB itself. The decisions
  come back to Python (a BatchResult).
* file to file (files.py's `run_file`, `rulekit run`) — the same query, but the rows are
  written by DuckDB straight to an output file with COPY: the data never passes through Python.

Results are in input order (a row number is taken when reading). Bad rows follow the on_error
policy of runtime.py: fail stops at the first one in input order; skip and quarantine set them
aside, and counts reconcile (rows in = labelled + unlabelled + rejected).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import resource
import tempfile
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from rulekit.compile.sql.coercion import element_type, kind_of_type
from rulekit.compile.sql.duckdb import DuckDBGenerator
from rulekit.compile.sql.generator import Column, Relation, Source
from rulekit.engines.population import FrozenPopulation, Population, Values
from rulekit.errors import BadRecord, RecordError, RulekitError
from rulekit.model import datatypes as T
from rulekit.model.program import HitPolicy

FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "json",
    ".ndjson": "json",
    ".json": "json",
}


# A generator without a program: its quoting and file readers only.
QUOTING = DuckDBGenerator.__new__(DuckDBGenerator)


class EngineError(RulekitError):
    """DuckDB could not run a query or read a file; the message says which and why."""


def _duckdb():
    try:
        import duckdb
    except ImportError:  # pragma: no cover - duckdb is a dependency
        raise EngineError(
            "the duckdb engine needs the duckdb package: pip install duckdb"
        ) from None
    return duckdb


_SHARED = None


def connect(
    memory_limit: str | None = None, threads: int | None = None, temp_directory: str | None = None
):
    """A DuckDB connection that keeps insertion order and may spill to disk.

    Without settings, a cursor on one in-memory database shared by the process (opening a
    database costs ~15 ms; a cursor almost nothing, and what it registers stays its own)."""
    global _SHARED
    if memory_limit is None and threads is None and temp_directory is None:
        if _SHARED is None:
            _SHARED = _open(None, None, None)
        return _SHARED.cursor()
    return _open(memory_limit, threads, temp_directory)


def _open(memory_limit, threads, temp_directory):
    con = _duckdb().connect(":memory:")
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = false")  # rulekit draws its own
    if memory_limit:
        con.execute(f"SET memory_limit = '{_setting(memory_limit)}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute(f"SET temp_directory = '{_setting(temp_directory or _temp_dir())}'")
    return con


def _setting(value: str) -> str:
    return str(value).replace("'", "''")


def _temp_dir() -> str:
    path = Path(tempfile.gettempdir()) / "rulekit-duckdb"
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


def file_format(path: str | Path) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise EngineError(
            f"{path}: unknown file type {Path(path).suffix!r}; rulekit reads "
            ".csv, .jsonl (.ndjson, .json) and .parquet files"
        )
    return fmt


def is_path(records: Any) -> bool:
    return isinstance(records, (str, os.PathLike))


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB. On Linux, VmHWM: getrusage's
    ru_maxrss survives fork and exec, so a child started by a big process reports its parent's
    peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(con, sql: str, what: str):
    try:
        return con.execute(sql)
    except _duckdb().Error as e:
        lines = str(e).split("\n")
        # the first line, and for a CSV error what was expected (not DuckDB's option hints)
        details = [x for x in lines[1:] if x.startswith(("Expected Number", "Original Line"))]
        message = "; ".join([lines[0], *details])
        raise EngineError(f"DuckDB could not {what}: {message}") from None


# ---------------------------------------------------------------------- sources


def file_source(con, path: str | Path, fmt: str | None = None) -> Source:
    """A Source reading a file, with each column's kind found by DuckDB's DESCRIBE."""
    path = Path(path)
    if not path.exists():
        raise EngineError(f"{path}: no such file")
    fmt = fmt or file_format(path)
    gen = QUOTING
    if fmt == "json":
        keys = _json_keys(con, path)
        rel = Relation(path=str(path), format="json", json_columns=tuple(keys))
        return Source(rel, {k: Column(k, "json") for k in keys})
    rel = Relation(path=str(path), format=fmt)
    rows = _run(con, f"DESCRIBE SELECT * FROM {gen.relation_sql(rel)}", f"read {path}").fetchall()
    columns = {}
    for name, type_name, *_ in rows:
        kind = kind_of_type(type_name)
        element = kind_of_type(element_type(type_name)) if kind == "list" else None
        columns[name] = Column(name, kind, element)
    return Source(rel, columns)


def _json_keys(con, path: Path) -> list[str]:
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
    return [r[0] for r in _run(con, sql, f"read {path}").fetchall()]


def records_source(
    con, records: Sequence[Mapping], columns: list[str], name: str = "rk_records"
) -> Source:
    """Register Python records as an Arrow table of the given columns, plus a row index."""
    import pyarrow as pa

    arrays, kinds = {}, {}
    for col in dict.fromkeys(columns):
        values = [rec.get(col) for rec in records]
        array, kind = _arrow_column(values)
        if array is not None:
            arrays[col] = array
            kinds[col] = (
                Column(col, "list", "tagged") if kind == "tagged list" else Column(col, kind)
            )
    index = "rk_index"
    while index in arrays:
        index += "_"
    arrays[index] = pa.array(range(len(records)), pa.int64())
    table = pa.table(arrays) if arrays else pa.table({index: pa.array([], pa.int64())})
    con.register(name, table)
    return Source(Relation(table=name), kinds, row_number=index)


_INT64 = (-(2**63), 2**63 - 1)


def _arrow_column(values: list) -> tuple[Any, str]:
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
        offsets, at = [], 0
        for v in values:
            offsets.append(None if v is None else at)
            at += len(v) if v is not None else 0
        offsets.append(at)
        return pa.ListArray.from_arrays(
            pa.array(offsets, pa.int32()), _tagged_struct(items)
        ), "tagged list"
    return _tagged_struct([_variant(v) for v in values]), "tagged"


def _tagged_struct(pairs: list[tuple[str, str | None]]):
    import pyarrow as pa

    return pa.StructArray.from_arrays(
        [
            pa.array([p[0] for p in pairs], pa.string()),
            pa.array([p[1] for p in pairs], pa.string()),
        ],
        names=["t", "v"],
    )


def _variant(value: Any) -> tuple[str, str | None]:
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
    if isinstance(value, (list, tuple)):
        try:
            return "list", json.dumps(list(value), ensure_ascii=False)
        except (TypeError, ValueError):
            return "other", repr(value)
    return "other", repr(value)


# ---------------------------------------------------------------------- frozen populations


def register_frozen(con, gen: DuckDBGenerator, frozen: FrozenPopulation) -> None:
    """Register a frozen population's sorted values as the tables the generator joins: per key
    k, rk_frozen_k_values(g, v, le, sum_le) over distinct values (le = #values <= v) and
    rk_frozen_k_groups(g, n, total)."""
    import pyarrow as pa

    program = gen.p
    for k, key in enumerate(gen.pop_keys):
        pop = frozen.populations.get(key)
        if pop is None:
            raise RulekitError(
                f"the frozen population (from ruleset {frozen.ruleset!r}) has no values for "
                f"{key.split('|')[0]!r}; freeze it from this ruleset ({program.id!r})"
            )
        node = gen.pop_nodes[key]
        arg = node.operand if hasattr(node, "operand") else node.args[0]
        v_type = "BIGINT" if program.types[arg.id] == T.INTEGER else "DOUBLE"
        by = node.by
        by_type = program.fields[by.name].type if by is not None else None
        g_type = gen.sql_type(by_type) if by_type is not None else "VARCHAR"
        group_value, group_type = _group_form(by_type)
        gs, vs, les, sums, exact, groups, ns, totals, exact_totals = ([] for _ in range(9))
        for g, values in pop.groups.items():
            g = group_value(g)
            if g is _NO_GROUP:
                continue
            seq = values.sorted
            # exact sums as population.Values builds them: every value over one denominator
            ratios = [(v.as_integer_ratio() if isinstance(v, float) else (int(v), 1)) for v in seq]
            den = max((d for _, d in ratios), default=1)
            acc = count = whole = 0
            for i, v in enumerate(seq):
                acc += v
                count += 1
                whole += ratios[i][0] * (den // ratios[i][1])
                if i + 1 == len(seq) or seq[i + 1] != v:
                    gs.append(g)
                    vs.append(v)
                    les.append(count)
                    sums.append(acc)
                    exact.append(whole)
            groups.append(g)
            ns.append(len(seq))
            totals.append(acc)
            exact_totals.append(whole)
        fits = all(abs(w) < 10**37 for w in exact_totals + exact)

        def decimals(xs, fits=fits):  # exact integers up to 38 digits; else none (doubles)
            return pa.array([Decimal(w) if fits else None for w in xs], pa.decimal128(38, 0))

        values_t = pa.table(
            {
                "g": pa.array(gs, group_type),
                "v": pa.array([float(v) for v in vs], pa.float64()),
                "le": pa.array(les, pa.int64()),
                "sum_le": pa.array([float(s) for s in sums], pa.float64()),
                "sum_le_exact": decimals(exact),
            }
        )
        groups_t = pa.table(
            {
                "g": pa.array(groups, group_type),
                "n": pa.array(ns, pa.int64()),
                "total": pa.array([float(t) for t in totals], pa.float64()),
                "total_exact": decimals(exact_totals),
            }
        )
        con.register(f"rk_frozen_arrow_{k}_values", values_t)
        con.register(f"rk_frozen_arrow_{k}_groups", groups_t)
        ident = gen.identifier_sql
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {ident(f'rk_frozen_{k}_values')} AS SELECT "
            f"CAST(g AS {g_type}) AS g, CAST(v AS {v_type}) AS v, le, sum_le, "
            f"CAST(sum_le_exact AS HUGEINT) AS sum_le_exact "
            f"FROM rk_frozen_arrow_{k}_values"
        )
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {ident(f'rk_frozen_{k}_groups')} AS SELECT "
            f"CAST(g AS {g_type}) AS g, n, total, CAST(total_exact AS HUGEINT) AS "
            f"total_exact FROM rk_frozen_arrow_{k}_groups"
        )


def _plain(g):
    return g if g is None or isinstance(g, (str, int, float, bool)) else str(g)


_NO_GROUP = object()


def _group_form(by_type: T.Type | None):
    """How a frozen population's group keys are registered for the view to cast to the `by`
    field's SQL type: (Python key -> Arrow value, Arrow type or None to infer). A scalar group
    as the value of the field's type that Python finds equal to it (1.0 for an integer 1; a
    text '1' equals no integer, so it is left out, as Python matches no record to it); a list
    group (a tuple: semantics.py coerces a list to a tuple) as an Arrow list of the element's
    type, so that it is cast as a list, not parsed from text; a missing group stays missing
    and an empty list an empty list."""
    import pyarrow as pa

    if by_type is None:
        return _plain, None
    name = by_type.element.name if by_type.is_list else by_type.name
    arrow = {
        "integer": pa.int64(),
        "number": pa.float64(),
        "duration": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us"),
    }.get(name, pa.string())  # a string, or an element of unknown type as text

    def element(x):
        # the value of the element type equal to x in Python (1 == 1.0 == True), or _NO_GROUP
        if x is None:
            return None
        if name == "integer":
            if isinstance(x, float) and x.is_integer() or isinstance(x, bool):
                x = int(x)
            return x if isinstance(x, int) and -(2**63) <= x < 2**63 else _NO_GROUP
        if name in ("number", "duration"):
            if isinstance(x, float):
                return x if x == x else _NO_GROUP  # NaN equals nothing
            ok = isinstance(x, int) and abs(x) < 2**1024 and float(x) == x
            return float(x) if ok else _NO_GROUP
        if name == "boolean":
            return bool(x) if isinstance(x, (int, float)) and x in (0, 1) else _NO_GROUP
        if name == "date":
            return x if x.__class__ is dt.date else _NO_GROUP
        if name == "timestamp":
            return x if isinstance(x, dt.datetime) and x.tzinfo is None else _NO_GROUP
        if name == "string":
            return x if isinstance(x, str) else _NO_GROUP
        return _plain(x)

    def value(g):
        # A group no value of the `by` field can equal (from a population frozen with another
        # type) has no records in Python either: it is left out, never an error.
        if g is None:
            return None
        if not isinstance(g, (tuple, list)):
            return _NO_GROUP
        out = [element(x) for x in g]
        return _NO_GROUP if any(x is _NO_GROUP for x in out) else out

    if not by_type.is_list:  # a scalar group: the value of the field's type equal to it
        return element, arrow
    return value, pa.list_(arrow)


def _group_key(g):
    """A group as runtime.py keys it: the `by` field's coerced value, where a list is a tuple
    (DuckDB gives a list group as a Python list)."""
    return tuple(g) if isinstance(g, list) else g


def population_values(
    con, gen: DuckDBGenerator, source: Source, records: int, as_of: dt.date
) -> FrozenPopulation:
    """The population of every ranked expression, computed by DuckDB, as the same object
    Ruleset.freeze builds: sorted non-missing values per key and group."""
    pops = {}
    for key in gen.pop_keys:
        rows = _run(con, gen.population_values_sql(source, key), "freeze the population").fetchall()
        partitioned = key.split("|", 1)[1] != ""
        groups = {}
        for g, values in rows:
            v = Values(())
            v.sorted = list(values)
            groups[_group_key(g) if partitioned else None] = v
        pops[key] = Population(key, groups, partitioned)
    return FrozenPopulation(gen.p.id, pops, records, str(as_of))


# ---------------------------------------------------------------------- classification


def _prepare(
    con, ruleset, source: Source, as_of: dt.date, population, validate: str = "needed", **options
) -> DuckDBGenerator:
    """A generator for this run, with the population resolved: live, frozen, or built from
    another batch of records (which is frozen first, as runtime.py does)."""
    program = ruleset.program
    if population is None or not ruleset.compiled.pop_keys:
        return DuckDBGenerator(program, as_of=as_of, validate=validate, **options)
    if not isinstance(population, FrozenPopulation):
        population = freeze(ruleset, population, as_of)
    gen = DuckDBGenerator(program, as_of=as_of, frozen=True, validate=validate, **options)
    register_frozen(con, gen, population)
    return gen


def _columns(ruleset) -> list[str]:
    return [f.column for f in ruleset.program.fields.values()]


def classify_records(
    ruleset, records, as_of, population=None, on_error="fail", validate="needed", con=None
):
    """classify_many on DuckDB for Python records; the same BatchResult as the Python engine."""
    from rulekit.engines.python import as_date

    records = records if isinstance(records, list) else list(records)
    today = as_date(as_of)
    con = con or connect()
    source = records_source(con, records, _columns(ruleset))
    gen = _prepare(con, ruleset, source, today, population, validate)
    rows = _run(con, gen.decisions_sql(source), "classify the records").fetchall()
    return _decode(ruleset, rows, len(records), today, on_error, lambda i: records[i])


def classify_file(
    ruleset, path, as_of, population=None, on_error="fail", validate="needed", con=None
):
    """classify_many on DuckDB for a CSV, JSON Lines or Parquet file."""
    from rulekit.engines.python import as_date

    today = as_date(as_of)
    con = con or connect()
    source = file_source(con, path)
    gen = _prepare(con, ruleset, source, today, population, validate)
    rows = _run(con, gen.decisions_sql(source), f"classify {path}").fetchall()
    unique = ruleset.hit is HitPolicy.UNIQUE
    bad = [r[0] for r in rows if r[2] is not None or (unique and len(r[1]) > 1)]
    raw = _raw_rows(con, gen, source, bad, path) if bad else {}
    rel = gen.relation_sql(source.relation)
    total = _run(con, f"SELECT count(*) FROM {rel}", f"count the rows of {path}").fetchall()[0][0]
    return _decode(ruleset, rows, total, today, on_error, raw.get)


def _raw_rows(con, gen, source: Source, indexes: list[int], path) -> dict[int, dict]:
    """The rows at these positions as Python records (JSON values parsed), to word the
    reasons of bad rows as semantics.py does and to hand them back in BadRecord.record."""
    import pyarrow as pa

    ident = gen.identifier_sql
    con.register("rk_wanted", pa.table({"i": pa.array(sorted(set(indexes)), pa.int64())}))
    rel = gen.relation_sql(source.relation)
    cur = _run(
        con,
        f"SELECT * FROM (SELECT {gen.row_number_sql()} AS {ident('rk_row')}, * "
        f"FROM {rel}) WHERE {ident('rk_row')} IN (SELECT i FROM rk_wanted)",
        f"read the rejected rows of {path}",
    )
    names = [d[0] for d in cur.description]
    json_cols = {c for c, col in (source.columns or {}).items() if col.kind == "json"}
    out = {}
    for r in cur.fetchall():
        rec = dict(zip(names[1:], r[1:]))
        for c in json_cols & rec.keys():
            if rec[c] is not None:
                rec[c] = json.loads(rec[c])
        out[r[0]] = rec
    return out


def _decode(ruleset, rows, total: int, today, on_error, record_at):
    """Query rows (row, result, stage, field index) -> a BatchResult, as runtime.py builds it:
    the shared Decision objects of the ruleset, None for a set-aside row. The SQL decides which
    field of which row is bad; the reason is worded by semantics.py on the raw value."""
    from rulekit.compile.pysource import Bad, _make_coercer
    from rulekit.engines.python import BatchResult

    fields = list(ruleset.program.fields.items())
    decisions: list = [None] * total
    rejected: list[BadRecord] = []
    table = ruleset._table
    first_policy = ruleset.hit.single
    stops: dict[int, BadRecord] = {}  # stage -> the first bad row runtime.py meets there

    def bad_value(i, index) -> BadRecord:
        rec = record_at(i)
        name, info = fields[index]
        value = rec.get(info.column) if rec is not None else None
        try:
            _make_coercer(name, info.type, info.one_of)(value)
            reason = f"{value!r} was rejected by the SQL engine"  # a disagreement: a bug
        except Bad as e:
            reason = e.reason
        return BadRecord(i, name, value, reason, rec)

    for i, result, stage, index in rows:
        if stage is not None:
            br = bad_value(i, index)
            stops.setdefault(stage, br)
            rejected.append(br)
            continue
        if first_policy:
            decisions[i] = table[-1] if result is None else table[result]
            continue
        mask = 0
        for pos in result:
            mask |= 1 << pos
        if ruleset.hit is HitPolicy.UNIQUE and mask & (mask - 1):
            br = BadRecord(i, None, None, ruleset.conflict_reason(mask), record_at(i))
            stops.setdefault(3, br)
            rejected.append(br)
            continue
        d = table.get(mask)
        decisions[i] = d if d is not None else table.make(mask)
    if on_error == "fail" and stops:
        # runtime.py checks every field first (validate="all"), then the population's
        # arguments, then evaluates record by record: it stops at the first bad row it meets.
        raise RecordError(stops[min(stops)])
    rejected.sort(key=lambda b: b.index)
    return BatchResult(decisions, rejected, today, ruleset)


def freeze(ruleset, data, as_of=None, con=None) -> FrozenPopulation:
    """Ruleset.freeze on DuckDB: from records or a file."""
    from rulekit.engines.python import as_date

    today = as_date(as_of)
    con = con or connect()
    if is_path(data):
        source = file_source(con, data)
        total = _run(
            con,
            f"SELECT count(*) FROM "
            f"{DuckDBGenerator(ruleset.program).relation_sql(source.relation)}",
            f"count the rows of {data}",
        ).fetchall()[0][0]
    else:
        data = data if isinstance(data, list) else list(data)
        source = records_source(con, data, _columns(ruleset), name="rk_population_records")
        total = len(data)
    gen = DuckDBGenerator(ruleset.program, as_of=today)
    return population_values(con, gen, source, total, today)


# ---------------------------------------------------------------------- reading for Python


def read_records(path: str | Path) -> list[dict]:
    """A file's rows as Python records, read as `rulekit run` reads them (rulekit.io: CSV and
    TSV values as text, JSON values per line, Parquet through pyarrow, also .xlsx). For the
    Python engine when it is handed a path."""
    try:
        from rulekit import io as rio
    except ImportError:  # pragma: no cover - io.py ships with the CLI
        rio = None
    if rio is not None:
        return rio.read_table(path).rows
    path = Path(path)
    fmt = file_format(path)
    if fmt == "csv":
        with path.open(newline="", encoding="utf-8-sig") as f:
            return [dict(row) for row in csv.DictReader(f)]
    if fmt == "json":
        with path.open(encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()
