"""Arrow tables on DuckDB: classify the rows of an Arrow table where they are, the results
coming back as Arrow columns (what `rulekit.classify_frame` does for pandas, polars, Arrow and
DuckDB tables).

The table's field columns are registered with DuckDB as they are (no copy, no Python values):
the same generator and population handling as `classify_many(path, engine="duckdb")` runs over
them (duckdb_population.prepare, files.first_bad, the generator's labelled and rejected
queries). Two normalisations happen on the way, in Arrow:

* a timestamp with a time zone is taken in UTC, its zone dropped (rulekit's timestamps have no
  time zone; the same instant on every machine);
* a column the caller built from Python values of mixed types comes as `tagged` (see
  duckdb_sources), and is coerced as semantics.py coerces each Python value.

The result is one Arrow table of the result columns, one row per input row, in input order:
per ruleset `<id>` (the label; its display name with labels="name") and `<id>_rule`, with
labels="both" also `<id>_display` (as `rulekit sql --display` names it), and with
on_error="skip" `<id>_rejected_field` and `<id>_rejected_reason` (the quarantine file's
`rejected_field` and `rejected_reason`): a set-aside row has no label and no rule.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rulekit.compile.sql.duckdb import DuckDBGenerator
from rulekit.compile.sql.generator import Column, Relation, Source
from rulekit.compile.sql.relation import element_type, kind_of_type
from rulekit.engines.duckdb_connection import connect, run_sql
from rulekit.engines.duckdb_population import PopulationOrPath, population_values, prepare
from rulekit.engines.files import first_bad
from rulekit.engines.population import FrozenPopulation
from rulekit.engines.python import CompiledRuleset, as_date
from rulekit.errors import BadRecord, RecordError, RulekitError
from rulekit.model.outputs import column_of
from rulekit.model.outputs import result_names as outputs_and_attributes

if TYPE_CHECKING:
    import pyarrow as pa
    from duckdb import DuckDBPyConnection, DuckDBPyRelation

FRAME_ON_ERROR = ("fail", "skip")
LABELS = ("id", "name", "both")


def check_options(on_error: str, labels: str) -> None:
    """on_error and labels as classify_frame takes them; a clear error otherwise."""
    if on_error not in FRAME_ON_ERROR:
        raise RulekitError(
            f"on_error must be 'fail' or 'skip' for a frame, not {on_error!r} (with 'skip' the "
            f"rows set aside stay in the result, with <id>_rejected_field and "
            f"<id>_rejected_reason saying why)"
        )
    if labels not in LABELS:
        raise RulekitError(f"labels must be 'id', 'name' or 'both', not {labels!r}")


def result_names(ruleset: CompiledRuleset, on_error: str = "fail", labels: str = "id") -> list[str]:
    """The columns classify_table adds for one ruleset, in order."""
    rid = ruleset.id
    names = [rid, rid + "_rule"] + ([rid + "_display"] if labels == "both" else [])
    names += [column_of(ruleset.program, x) for x in outputs_and_attributes(ruleset.program)]
    if on_error == "skip":
        names += [rid + "_rejected_field", rid + "_rejected_reason"]
    return names


def replaced_columns(
    rulesets: Sequence[CompiledRuleset], columns: Collection[str], on_error: str, labels: str
) -> list[str]:
    """The input columns a result column replaces, each with the warning `rulekit run` gives."""
    taken = set(columns)
    out = []
    for rs in rulesets:
        for name in result_names(rs, on_error, labels):
            if name in taken and name not in out:
                out.append(name)
                warnings.warn(
                    f"the input already has a column {name!r}; the output replaces it",
                    UserWarning,
                    stacklevel=4,
                )
    return out


def classify_table(
    rulesets: Sequence[CompiledRuleset],
    table: pa.Table,
    *,
    as_of: object = None,
    population: PopulationOrPath = None,
    on_error: str = "fail",
    labels: str = "id",
    kinds: Mapping[str, Column] | None = None,
    populations: Sequence[PopulationOrPath] | None = None,
    con: DuckDBPyConnection | None = None,
) -> pa.Table:
    """The result columns of these rulesets over an Arrow table (see the module docstring).

    kinds: columns whose kind the caller knows (a `tagged` column of mixed Python values);
    the others are described by DuckDB. populations: one per ruleset (instead of
    `population`, the same for all). A bad row under on_error="fail" raises the
    RecordError the Python engine raises, with the ruleset's id in `.ruleset`."""
    import pyarrow as pa

    check_options(on_error, labels)
    ids = [rs.id for rs in rulesets]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise RulekitError(
            f"two rulesets have the id {twice[0]!r}: their result columns would have the same "
            f"names; classify with one of them at a time"
        )
    today = as_date(as_of)
    con = con or connect()
    source, names = register_table(con, table, _columns_read(rulesets), kinds or {})
    columns: dict[str, pa.Array[Any] | pa.ChunkedArray[Any]] = {}
    for i, rs in enumerate(rulesets):
        ranked = populations[i] if populations is not None else population
        gen = prepare(con, rs, source, today, ranked)
        gen.display = labels != "id"
        got = _results(con, rs, gen, source, on_error, names)
        for name in result_names(rs, on_error, labels):
            key = rs.id + "_display" if labels == "name" and name == rs.id else name
            columns[name] = got.column(key)
    if not columns:
        return pa.table({})
    return pa.table(columns)


def freeze_table(
    ruleset: CompiledRuleset,
    table: pa.Table,
    as_of: object = None,
    kinds: Mapping[str, Column] | None = None,
    con: DuckDBPyConnection | None = None,
) -> FrozenPopulation:
    """Ruleset.freeze over an Arrow table, computed by DuckDB."""
    today = as_date(as_of)
    con = con or connect()
    source, _ = register_table(
        con, table, _columns_read([ruleset]), kinds or {}, name="rk_frame_population"
    )
    gen = DuckDBGenerator(ruleset.program, as_of=today)
    return population_values(con, gen, source, table.num_rows, today)


def _columns_read(rulesets: Sequence[CompiledRuleset]) -> list[str]:
    return list(dict.fromkeys(f.column for rs in rulesets for f in rs.program.fields.values()))


def _results(
    con: DuckDBPyConnection,
    rs: CompiledRuleset,
    gen: DuckDBGenerator,
    source: Source,
    on_error: str,
    names: Mapping[str, str],
) -> pa.Table:
    """One ruleset's result columns, one row per input row, in order: the labelled query with
    the bad rows kept (no label) and flagged — one pass when no row is bad. A bad row then
    stops the run (fail: the row the Python engine stops at) or gets its reason (skip)."""
    import pyarrow as pa

    ident = gen.identifier_sql
    N = gen.internal
    row, flag = N["row"], N["flag"]
    sql = gen.labelled_sql(source, passthrough=False, keep_bad=True, flag_bad=True)
    got = arrow_sql(con, sql, f"classify the frame with {rs.id}")
    any_bad = got.column(flag).null_count < got.num_rows
    got = got.drop_columns([flag])
    if any_bad and on_error == "fail":
        bad = first_bad(con, gen, source, "the frame")
        if bad is not None:
            error = RecordError(_named(bad, names))
            error.ruleset = rs.id
            raise error
    if on_error == "fail":
        return got
    field, reason = rs.id + "_rejected_field", rs.id + "_rejected_reason"
    rejected = gen.rejected_sql(source, passthrough=False) if any_bad else None
    if rejected is None:
        n = got.num_rows
        return got.append_column(field, pa.nulls(n, pa.string())).append_column(
            reason, pa.nulls(n, pa.string())
        )
    # the first reason of each row, as the Python engine keeps it (the earliest stage)
    con.register("rk_frame_results", got)
    joined = (
        f"SELECT res.* EXCLUDE ({ident(row)}), rej.{ident(N['field'])} AS {ident(field)}, "
        f"rej.{ident(N['reason'])} AS {ident(reason)}\n"
        f"FROM rk_frame_results AS res LEFT JOIN (SELECT * FROM (\n{rejected}\n) "
        f"QUALIFY row_number() OVER (PARTITION BY {ident(row)} ORDER BY {ident(N['stage'])}) "
        f"= 1) AS rej ON res.{ident(row)} = rej.{ident(row)}\nORDER BY res.{ident(row)}"
    )
    out = arrow_sql(con, joined, f"set aside the bad rows of the frame for {rs.id}")
    con.unregister("rk_frame_results")
    return out


def arrow_sql(con: DuckDBPyConnection, sql: str, what: str) -> pa.Table:
    """A query's rows as an Arrow table (no copy through Python values); DuckDB's error as
    run_sql words it."""
    import duckdb

    try:
        return relation_arrow(con.sql(sql))
    except duckdb.Error:
        run_sql(con, sql, what)  # raises the EngineError saying what failed
        raise


def relation_arrow(rel: DuckDBPyRelation) -> pa.Table:
    """A DuckDB relation's rows as an Arrow table (the method's name changed across
    versions)."""
    fetch = getattr(rel, "to_arrow_table", None) or rel.fetch_arrow_table
    table: pa.Table = fetch()
    return table


def _named(bad: BadRecord, names: Mapping[str, str]) -> BadRecord:
    """A bad row's record with the frame's column names (the registered ones may differ)."""
    back = {registered: original for original, registered in names.items()}
    record = bad.record if isinstance(bad.record, dict) else {}
    raw = {back[k]: v for k, v in record.items() if k in back}
    return BadRecord(bad.index, bad.field, bad.value, bad.reason, raw)


# ---------------------------------------------------------------------- registering


def register_table(
    con: DuckDBPyConnection,
    table: pa.Table,
    wanted: Sequence[str],
    kinds: Mapping[str, Column],
    name: str = "rk_frame",
) -> tuple[Source, dict[str, str]]:
    """Register the wanted columns of the table (those it has) with DuckDB, zero-copy, with a
    row index; returns the Source the generator reads and the registered name of each column
    (a name DuckDB cannot tell from another, or one with a control character, is changed)."""
    import pyarrow as pa

    arrays: dict[str, Any] = {}
    names: dict[str, str] = {}
    taken: set[str] = set()
    present = set(table.column_names)
    for col in wanted:
        if col not in present:
            continue
        if table.column_names.count(col) > 1:
            raise RulekitError(
                f"the frame has two columns named {col!r}; rename one (a ruleset reads it)"
            )
        plain = "".join("_" if c < " " or "\x7f" <= c <= "\x9f" else c for c in col)
        registered = _unique(plain, taken)
        arrays[registered] = _normalized(table.column(col))
        names[col] = registered
    index = _unique("rk_index", taken)
    arrays[index] = _row_index(table.num_rows)
    con.register(name, pa.table(arrays))
    described = run_sql(
        con, f"DESCRIBE SELECT * FROM {name}", "read the frame's columns"
    ).fetchall()
    types = {r[0]: r[1] for r in described}
    columns: dict[str, Column] = {}
    for col, registered in names.items():
        known = kinds.get(col)
        if known is not None:
            columns[col] = Column(registered, known.kind, known.element)
            continue
        type_name = types[registered]
        kind = kind_of_type(type_name)
        element = kind_of_type(element_type(type_name)) if kind == "list" else None
        columns[col] = Column(registered, kind, element)
    return Source(Relation(table=name), columns, row_number=index), names


def _unique(name: str, taken: set[str]) -> str:
    candidate, i = name, 1
    while candidate.lower() in taken:  # DuckDB compares names without case
        i += 1
        candidate = f"{name}_{i}"
    taken.add(candidate.lower())
    return candidate


def _normalized(column: pa.ChunkedArray[Any]) -> pa.ChunkedArray[Any]:
    """A timestamp with a time zone as the UTC time without one (Arrow keeps the UTC instant:
    the cast only drops the zone)."""
    import pyarrow as pa

    t = column.type
    if pa.types.is_timestamp(t) and t.tz is not None:
        return column.cast(pa.timestamp(t.unit))
    if pa.types.is_dictionary(t) and pa.types.is_timestamp(t.value_type):
        return _normalized(column.cast(t.value_type))
    return column


def _row_index(n: int) -> pa.Array[Any]:
    import pyarrow as pa

    try:
        import numpy as np
    except ImportError:  # pragma: no cover - pyarrow's wheels bring numpy
        return pa.array(range(n), pa.int64())
    return pa.array(np.arange(n, dtype=np.int64))


__all__ = [
    "FRAME_ON_ERROR",
    "LABELS",
    "check_options",
    "classify_table",
    "freeze_table",
    "register_table",
    "replaced_columns",
    "result_names",
]
