"""One local SparkSession for the whole test run, and turning test records into DataFrames.

The session: local[2], UI off, one shuffle partition, UTC, ANSI on, a small driver. It is made
once (functools.cache) and shared by every Spark test, the conformance suite's included. Without
pyspark or Java the Spark tests skip and `skip_reason()` says why (the terminal summary prints
it; CI installs Java, so there they always run).
"""

from __future__ import annotations

import functools
import importlib.util
from typing import Any

from rulekit.engines.spark_session import java_available


def skip_reason() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return 'pyspark is not installed (pip install "rulekit-engine[spark]")'
    if not java_available():
        return "Java is not installed (the Spark tests need Java 17 or 21)"
    return None


@functools.cache
def get_session() -> Any:
    import logging

    from pyspark.sql import SparkSession

    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("rulekit-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.driver.memory", "512m")
        .config("spark.sql.adaptive.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def frame(spark: Any, records: list[dict[str, Any]], extra: dict[str, list[Any]] | None = None):
    """A DataFrame of Python records: each column typed by its values (str, int, float, bool;
    a column with no value is a string column), as a typed table would hold them."""
    from pyspark.sql import types as T

    columns = list(dict.fromkeys(k for r in records for k in r))
    fields = []
    for c in columns:
        kinds = {type(r[c]) for r in records if r.get(c) is not None}
        if kinds == {bool}:
            t: Any = T.BooleanType()
        elif kinds == {int} and all(
            -(2**63) <= r[c] < 2**63 for r in records if r.get(c) is not None
        ):
            t = T.LongType()
        elif kinds and kinds <= {int, float} and float in kinds:
            t = T.DoubleType()
        else:
            t = T.StringType()
        fields.append(T.StructField(c, t, True))
    names = [f.name for f in fields]

    def cell(f: Any, v: Any) -> Any:
        if v is None:
            return None
        if isinstance(f.dataType, T.StringType) and not isinstance(v, str):
            return str(v)
        if isinstance(f.dataType, T.DoubleType):
            return float(v)
        return v

    rows = [[cell(f, r.get(n)) for f, n in zip(fields, names)] for r in records]
    for name, values in (extra or {}).items():
        fields.append(T.StructField(name, T.LongType(), False))
        for row, v in zip(rows, values):
            row.append(v)
    return spark.createDataFrame(rows, T.StructType(fields))


CASE_ROW = "zz_case_row"  # the record's index within its case (an input column)


def classify_cases(cases: list[dict[str, Any]], as_of: Any, batch: int = 40) -> dict[str, Any]:
    """Each conformance case classified on Spark (on_error="skip"), many cases per Spark job:
    the results of a batch are brought back by one union. Per case name: per record, a
    (label, labels, rule) triple, or ("BAD", (reason, field)); or the error text when the case
    could not run. A case gives its rule text ("rules") or a compiled ruleset ("ruleset")."""
    import json

    from pyspark.sql import functions as F

    import rulekit
    import rulekit.spark

    spark = get_session()
    out: dict[str, Any] = {}
    for start in range(0, len(cases), batch):
        parts, names = [], []
        for case in cases[start : start + batch]:
            try:
                rs = case.get("ruleset") or rulekit.compile(case["rules"], "case.rules")
                n = len(case["records"])
                df = frame(spark, case["records"], {CASE_ROW: list(range(n))})
                res = rulekit.spark.classify_frame(df, rs, as_of=as_of, on_error="skip")
                label, rule = F.col(f"`{rs.id}`"), F.col(f"`{rs.id}_rule`")
                parts.append(
                    res.select(
                        F.lit(len(names)).alias("c"),
                        F.col(CASE_ROW).alias("i"),
                        F.to_json(F.array(label)).alias("label"),
                        F.to_json(F.array(rule)).alias("rule"),
                        F.col(f"`{rs.id}_rejected_field`").alias("field"),
                        F.col(f"`{rs.id}_rejected_reason`").alias("reason"),
                    )
                )
                names.append((case["name"], n))
            except Exception as e:  # noqa: BLE001 - reported per case by the test
                out[case["name"]] = f"{type(e).__name__}: {e}"
        if not parts:
            continue
        union = parts[0]
        for p in parts[1:]:
            union = union.unionByName(p)
        results: dict[int, list[Any]] = {c: [None] * n for c, (_, n) in enumerate(names)}
        for r in union.collect():
            if r["reason"] is not None:
                results[r["c"]][r["i"]] = ("BAD", (r["reason"], r["field"]))
                continue
            label, rule = json.loads(r["label"])[0], json.loads(r["rule"])[0]
            if isinstance(label, list):
                out_rule = rule[0] if rule else None
                results[r["c"]][r["i"]] = (label[0] if label else None, tuple(label), out_rule)
            else:
                labels = () if label is None else (label,)
                results[r["c"]][r["i"]] = (label, labels, rule)
        for c, (name, _) in enumerate(names):
            out[name] = results[c]
    return out
