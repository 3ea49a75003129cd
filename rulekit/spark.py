"""rulekit on Spark: classify a Spark DataFrame with rulesets, the rows staying in Spark.

    import rulekit, rulekit.spark
    out = rulekit.spark.classify_frame(df, rulekit.load("rfm"), as_of="2024-06-30")

`classify_frame` returns a Spark DataFrame: df's columns, then per ruleset `<id>` (the label),
`<id>_rule` (the deciding rule), and `<id>_rejected_field` / `<id>_rejected_reason` for a row set
aside as bad. The session must keep rulekit's meaning (ANSI mode on, UTC, …): `check_session`
says which setting to change; `session()` makes a local one with them. See docs/spark.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rulekit.engines.python import CompiledRuleset
from rulekit.engines.spark_engine import classify_frame as _classify_frame
from rulekit.engines.spark_session import (
    REQUIRED,
    SparkError,
    check_session,
    java_available,
    local_session,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "REQUIRED",
    "SparkError",
    "check_session",
    "classify_frame",
    "java_available",
    "session",
]


def classify_frame(
    df: DataFrame,
    rulesets: CompiledRuleset | Sequence[CompiledRuleset],
    *,
    as_of: object = None,
    population: object = None,
    on_error: str = "fail",
    labels: str = "id",
) -> DataFrame:
    """Classify a Spark DataFrame; see the module docstring and docs/spark.md."""
    return _classify_frame(
        df, rulesets, as_of=as_of, population=population, on_error=on_error, labels=labels
    )


def session(master: str | None = None, remote: str | None = None) -> SparkSession:
    """A Spark session with rulekit's settings (local[*] unless master or remote is given)."""
    return local_session(master, remote)
