"""Run compiled rulesets on Spark: a Spark DataFrame in, a Spark DataFrame out.

The checked program is compiled to Spark SQL by the generator's Spark dialect
(compile/sql/spark.py) and run on a temporary view of the caller's DataFrame: no Python UDF,
no row leaves Spark. Each column is read by its Spark type as the DuckDB engine reads a file's
columns (strings are coerced as text, exactly as semantics.py coerces them; numbers, booleans,
dates and timestamps as typed values; NaN is missing).

Rows are numbered by `monotonically_increasing_id()` (increasing in input order, not
consecutive): Spark has no order-free row_number() and a window ordered over all rows would
sort them in one task. A row's position (for "row N" in an error) is counted only when one is
reported. The result DataFrame is lazy and has no particular order.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rulekit.compile.sql.relation import Column, Relation, Source
from rulekit.compile.sql.spark import SparkGenerator
from rulekit.engines.population import FrozenPopulation
from rulekit.engines.python import CompiledRuleset, as_date
from rulekit.engines.spark_population import register_frozen
from rulekit.engines.spark_session import SparkError, check_session, require_pyspark
from rulekit.errors import BadRecord, RecordError, RulekitError
from rulekit.model.outputs import result_columns

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

ON_ERROR = ("fail", "skip", "quarantine")
LABELS = ("id", "name", "both")
ROW = "rk_spark_row"  # the row number column added to the input (never passed through)

# Spark type names (DataType.typeName()) -> value kinds (see relation.Column)
_KINDS = {
    "string": "text",
    "varchar": "text",
    "char": "text",
    "boolean": "bool",
    "byte": "int",
    "short": "int",
    "integer": "int",
    "long": "int",
    "float": "float",
    "double": "float",
    "decimal": "decimal",
    "date": "date",
    "timestamp": "timestamp",
    "timestamp_ntz": "timestamp",
}


def column_kind(data_type: Any) -> Column:
    """The kind of values a Spark column of this type holds (name filled in by the caller)."""
    name = data_type.typeName()
    if name == "array":
        element = _KINDS.get(data_type.elementType.typeName(), "other")
        return Column("", "list", element)
    return Column("", _KINDS.get(name, "other"))


def frame_source(df: DataFrame, view: str) -> Source:
    """A Source reading a temporary view of df, with each column's kind."""
    columns = {
        f.name: Column(f.name, *_kind_parts(column_kind(f.dataType)))
        for f in df.schema.fields
        if f.name != ROW
    }
    return Source(Relation(table=view, hidden=(ROW,)), columns, row_number=ROW)


def _kind_parts(col: Column) -> tuple[str, str | None]:
    return col.kind, col.element


def classify_frame(
    df: DataFrame,
    rulesets: CompiledRuleset | Sequence[CompiledRuleset],
    *,
    as_of: object = None,
    population: object = None,
    on_error: str = "fail",
    labels: str = "id",
) -> DataFrame:
    """df with, per ruleset, `<id>` (the label), `<id>_rule` (the deciding rule), with
    labels="both" `<id>_name`, and `<id>_rejected_field` / `<id>_rejected_reason` for a row set
    aside as bad (no label). on_error="fail" raises RecordError for the first bad row (one
    Spark job checks); "skip" and "quarantine" keep bad rows with their reason."""
    require_pyspark()
    if on_error not in ON_ERROR:
        raise RulekitError(f"on_error must be one of {', '.join(ON_ERROR)}, not {on_error!r}")
    if labels not in LABELS:
        raise RulekitError(f"labels must be one of {', '.join(LABELS)}, not {labels!r}")
    from pyspark.sql import functions as F

    todo = [rulesets] if isinstance(rulesets, CompiledRuleset) else list(rulesets)
    if not todo:
        raise RulekitError("classify_frame needs at least one ruleset")
    today = as_date(as_of)
    spark = df.sparkSession
    check_session(spark)
    numbered = df.withColumn(ROW, F.monotonically_increasing_id())
    out: DataFrame | None = None
    for rs in todo:
        # each ruleset reads the input itself (a chain of queries grows one plan too deep for
        # Spark's analyser); the results meet on the row number
        frozen = frozen_for(rs, population, today)
        result = classify_one(numbered, rs, today, labels, frozen)
        if on_error == "fail":
            _fail_on_first_bad(result, numbered, rs)
        result = result.drop(_stage(rs, result))
        if out is None:
            out = result
            continue
        added = [c for c in result.columns if c not in numbered.columns or c == ROW]
        kept = [c for c in out.columns if c == ROW or c not in added]
        out = out.select(*kept).join(result.select(*added), ROW)
    assert out is not None, "at least one ruleset"
    return out.drop(ROW)


def _stage(rs: CompiledRuleset, result: DataFrame) -> str:
    return next(c for c in result.columns if c.endswith("stage") and c.startswith("rk"))


def frozen_for(rs: CompiledRuleset, population: object, today: dt.date) -> FrozenPopulation | None:
    """The frozen population a ruleset ranks against: None (live), a FrozenPopulation, or
    records (frozen first, as the other engines do)."""
    if population is None or not rs.program.population_keys:
        return None
    if isinstance(population, FrozenPopulation):
        return population
    if isinstance(population, (list, tuple)):
        from rulekit.engines.duckdb_population import freeze

        return freeze(rs, population, today)
    raise SparkError(
        f"population must be a FrozenPopulation (rulekit freeze, Ruleset.freeze) or a list "
        f"of records on the Spark engine, not {type(population).__name__}\n"
        "  hint: FrozenPopulation.load(path) reads a population file"
    )


def generator(
    rs: CompiledRuleset, today: dt.date, frozen: FrozenPopulation | None = None
) -> SparkGenerator:
    return SparkGenerator(rs.program, as_of=today, frozen=frozen is not None)


def classify_one(
    numbered: DataFrame,
    rs: CompiledRuleset,
    today: dt.date,
    labels: str,
    frozen: FrozenPopulation | None = None,
) -> DataFrame:
    """One ruleset over a DataFrame numbered in column ROW; the frame_sql result (with the
    row number and the internal stage column). frozen: rank against these thresholds (two
    small constant tables per population, spark_population) instead of the rows."""
    from pyspark.sql import functions as F

    view = f"rk_view_{uuid.uuid4().hex}"
    # Only the columns the ruleset reads go through the query, the others packed in one struct
    # column: a wide table's every column carried through each step of the query makes Spark's
    # planner work per column and per step (minutes and the heap for a few hundred columns).
    read = {f.column for f in rs.program.fields.values() if f.column}
    others = [c for c in numbered.columns if c != ROW and c not in read]
    narrow = numbered.select(
        *[F.col(_quoted(c)) for c in numbered.columns if c == ROW or c in read],
        *([F.struct(*[F.col(_quoted(c)) for c in others]).alias(REST)] if others else []),
    )
    narrow.createOrReplaceTempView(view)
    gen = generator(rs, today, frozen)
    if frozen is not None:
        register_frozen(numbered.sparkSession, gen, frozen)
    source = frame_source(narrow, view)
    sql = gen.frame_sql(source, labels)
    if gen.unsupported_messages:
        raise SparkError(
            f"ruleset {rs.id} cannot run on Spark: " + "; ".join(gen.unsupported_messages)
        )
    result: DataFrame = numbered.sparkSession.sql(sql)
    row = gen.internal["row"]
    if row != ROW:
        result = result.withColumnRenamed(row, ROW)
    if not others:
        return result
    # the input's columns in their order (a result column named like one replaces it), then
    # the results
    made = [c for c in result.columns if c not in numbered.columns or c == ROW]
    made += [c for c in result.columns if c in numbered.columns and c != ROW and c in _names(rs)]
    made = [c for c in result.columns if c in made]
    kept = [
        F.col(_quoted(c)) if c in read else F.col(REST).getField(c).alias(c)
        for c in numbered.columns
        if c != ROW and c not in made
    ]
    return result.select(*kept, *[F.col(_quoted(c)) for c in made if c != REST])


# monotonically_increasing_id(): the partition index in the upper 31 bits, the row's position
# within its partition in the lower 33
ROW_BITS, ROW_MASK = 33, (1 << 33) - 1


def partition_starts(numbered: DataFrame) -> dict[int, int]:
    """Per partition index: how many rows the partitions before it hold (one Spark job), so
    that a row's 0-based position is starts[id >> ROW_BITS] + (id & ROW_MASK)."""
    from pyspark.sql import functions as F

    counts = sorted(
        (r["p"], r["count"])
        for r in numbered.groupBy(F.shiftright(F.col(ROW), ROW_BITS).alias("p")).count().collect()
    )
    starts, total = {}, 0
    for p, count in counts:
        starts[p] = total
        total += count
    return starts


REST = "rk_spark_rest"  # the input columns a ruleset does not read, packed in one struct


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _names(rs: CompiledRuleset) -> set[str]:
    """The result columns of a ruleset (a column of the input with one of these names is
    replaced)."""
    rid = rs.id
    named = {rid, rid + "_rule", rid + "_name", rid + "_rejected_field", rid + "_rejected_reason"}
    return named | set(result_columns(rs.program))


def _fail_on_first_bad(result: DataFrame, numbered: DataFrame, rs: CompiledRuleset) -> None:
    """Raise RecordError for the first bad row the Python engine would meet: the lowest stage
    (validate, population argument, evaluation), then input order."""
    from pyspark.sql import functions as F

    stage = _stage(rs, result)
    first = result.where(F.col(stage).isNotNull()).orderBy(stage, ROW).limit(1).collect()
    if not first:
        return
    row = first[0].asDict()
    position = partition_starts(numbered)[row[ROW] >> ROW_BITS] + (row[ROW] & ROW_MASK)
    field = row[rs.id + "_rejected_field"]
    record = {c: row[c] for c in numbered.columns if c != ROW and c in row}
    column = rs.program.fields[field].column if field in rs.program.fields else field
    value = record.get(column) if column else None
    raise RecordError(BadRecord(position, field, value, row[rs.id + "_rejected_reason"], record))
