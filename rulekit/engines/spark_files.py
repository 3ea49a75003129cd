"""File to file on Spark (`rulekit run … --engine spark`): read CSV, Parquet or JSON Lines (a
file or a directory of part files), classify with spark_engine, write Parquet or CSV.

CSV is read as text (every value coerced as rulekit coerces text; quotes doubled as in
Python's csv module, quoted line breaks allowed), Parquet typed, JSON Lines with Spark's
inferred types. The output keeps the input columns in input order and adds `<id>` and
`<id>_rule` per ruleset. A path ending in `/` (or an existing directory) is written as Spark
writes: a directory of part files; any other path as one file, in input order. With
on_error="quarantine" the bad rows go to `<out>.rejected.<ext>` (rejected_row, 1-based;
rejected_ruleset, rejected_field, rejected_reason, then the input columns).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rulekit.engines.population import FrozenPopulation
from rulekit.engines.python import CompiledRuleset
from rulekit.engines.spark_engine import (
    ROW,
    ROW_BITS,
    ROW_MASK,
    _quoted,
    classify_one,
    frozen_for,
    partition_starts,
)
from rulekit.engines.spark_session import SparkError, check_session
from rulekit.errors import RulekitError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

READ_FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "json", ".json": "json"}
WRITE_FORMATS = {".csv": "csv", ".parquet": "parquet"}


@dataclass
class SparkSummary:
    """What a Spark run did, per ruleset: label -> count, and the set-aside rows."""

    rows: int
    labels: dict[str, dict[str | None, int]] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)
    rejected_path: str | None = None
    columns: list[str] = field(default_factory=list)  # the input's


def input_format(path: str | os.PathLike[str]) -> str:
    """Spark's reader for a file, or for a directory by the part files in it."""
    p = Path(path)
    suffix = p.suffix.lower()
    if p.is_dir() and suffix not in READ_FORMATS:
        found = {f.suffix.lower() for f in p.rglob("*") if f.is_file() and f.suffix}
        suffix = next((s for s in READ_FORMATS if s in found), suffix)
    if suffix not in READ_FORMATS:
        raise RulekitError(
            f"{path}: the Spark engine reads .csv, .parquet and .jsonl files (or directories "
            "of them)\n  hint: convert the file, or use --engine duckdb"
        )
    return READ_FORMATS[suffix]


def read(spark: SparkSession, path: str | os.PathLike[str]) -> DataFrame:
    """A file or directory as a DataFrame (CSV as text)."""
    fmt = input_format(path)
    reader = spark.read
    if fmt == "csv":
        reader = reader.options(header=True, escape='"', multiLine=True, inferSchema=False)
    return reader.format(fmt).load(str(path))


def run_spark(
    spark: SparkSession,
    rulesets: Sequence[CompiledRuleset],
    data: str | os.PathLike[str],
    out: str | None,
    as_of: dt.date,
    on_error: str = "fail",
    population: FrozenPopulation | None = None,
) -> tuple[SparkSummary, DataFrame]:
    """Classify a file into a file (or, without out, into the DataFrame returned); with a
    frozen population, rank against its thresholds instead of the file's rows."""
    from pyspark.sql import functions as F

    from rulekit.engines.spark_engine import _fail_on_first_bad, _stage
    from rulekit.model.outputs import result_columns

    check_session(spark)
    df = read(spark, data)
    numbered = df.withColumn(ROW, F.monotonically_increasing_id())
    summary = SparkSummary(rows=0, columns=list(df.columns))
    result: DataFrame | None = None
    rejected_parts = []
    for rs in rulesets:
        one = classify_one(numbered, rs, as_of, "id", frozen_for(rs, population, as_of))
        if on_error == "fail":
            _fail_on_first_bad(one, numbered, rs)
        stage = _stage(rs, one)
        one = one.cache() if len(rulesets) == 1 else one
        counts = (
            one.groupBy(
                F.col(f"`{rs.id}`").cast("string").alias("l"), F.col(stage).isNotNull().alias("bad")
            )
            .count()
            .collect()
        )
        summary.labels[rs.id] = {r["l"]: r["count"] for r in counts if not r["bad"]}
        summary.rejected[rs.id] = sum(r["count"] for r in counts if r["bad"])
        summary.rows = sum(r["count"] for r in counts)
        if summary.rejected[rs.id]:
            rejected_parts.append(
                one.where(F.col(stage).isNotNull()).select(
                    F.col(ROW),
                    F.lit(rs.id).alias("rejected_ruleset"),
                    F.col(f"`{rs.id}_rejected_field`").alias("rejected_field"),
                    F.col(f"`{rs.id}_rejected_reason`").alias("rejected_reason"),
                )
            )
        added = [ROW, rs.id, rs.id + "_rule", *result_columns(rs.program)]
        if result is None:  # the first ruleset's result holds the input columns already
            inputs = [c for c in one.columns if c in df.columns and c not in added]
            result = one.select(*[F.col(_quoted(c)) for c in inputs], *added)
            continue
        kept = [c for c in result.columns if c not in added or c == ROW]
        result = result.select(*kept).join(one.select(*added), ROW)
    assert result is not None, "at least one ruleset"
    ordered = result.orderBy(ROW)
    if out is not None:
        write(ordered.drop(ROW), out)
        if rejected_parts and on_error == "quarantine":
            bad = rejected_parts[0]
            for p in rejected_parts[1:]:
                bad = bad.unionByName(p)
            bad = bad.join(numbered, ROW)
            target = rejected_path(out)
            write(_with_positions(bad, numbered).drop(ROW), target)
            summary.rejected_path = target
    return summary, ordered.drop(ROW)


def _with_positions(bad: DataFrame, numbered: DataFrame) -> DataFrame:
    """rejected_row, 1-based, for the (few) bad rows: the count of rows numbered before."""
    from pyspark.sql import functions as F

    ids = sorted({r[ROW] for r in bad.select(ROW).collect()})
    spark = bad.sparkSession
    before = partition_starts(numbered)
    positions = [(i, before[i >> ROW_BITS] + (i & ROW_MASK) + 1) for i in ids]
    table = spark.createDataFrame(positions, f"{ROW} long, rejected_row long")
    joined = bad.join(F.broadcast(table), ROW)
    first = ["rejected_row", "rejected_ruleset", "rejected_field", "rejected_reason"]
    return joined.select(*first, *[c for c in joined.columns if c not in first]).orderBy(ROW)


def rejected_path(out: str) -> str:
    p = Path(out.rstrip("/"))
    return str(p.with_name(f"{p.stem}.rejected{p.suffix}"))


def write(df: DataFrame, out: str) -> None:
    """Parquet or CSV: a directory of part files for a path ending in / or an existing
    directory, else one file (its rows in order)."""
    target = Path(out.rstrip("/"))
    suffix = target.suffix.lower()
    if suffix not in WRITE_FORMATS:
        raise RulekitError(
            f"{out}: the Spark engine writes .parquet and .csv\n  hint: name the output "
            "file.parquet or file.csv"
        )
    fmt = WRITE_FORMATS[suffix]
    options = {"header": "true", "escape": '"'} if fmt == "csv" else {}
    if out.endswith("/") or target.is_dir():
        df.write.mode("overwrite").options(**options).format(fmt).save(str(target))
        return
    tmp = Path(tempfile.mkdtemp(prefix="rulekit-spark-", dir=target.parent))
    try:
        df.coalesce(1).write.mode("overwrite").options(**options).format(fmt).save(str(tmp / "o"))
        parts = sorted((tmp / "o").glob(f"part-*{suffix}*"))
        if len(parts) != 1:
            raise SparkError(f"Spark wrote {len(parts)} part files for {out}, expected one")
        shutil.move(str(parts[0]), str(target))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
