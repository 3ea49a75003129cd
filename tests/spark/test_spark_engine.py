"""The Spark engine against the Python engine: every shipped ruleset on the bundled customers,
the printed Spark SQL run as printed, NaN, time zones, ANSI mode, a result column named like an
input column, and bad values (skip, quarantine, fail)."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from pathlib import Path

import pytest

import rulekit
import rulekit.spark
from rulekit import io as rio
from rulekit.engines import sql_for
from rulekit.errors import RecordError
from rulekit.rulesets import shipped_index
from tests.spark.support import frame

ROOT = Path(__file__).resolve().parents[2]
CUSTOMERS = ROOT / "examples" / "data" / "customers.csv"
AS_OF = dt.date(2024, 6, 30)


def shipped() -> list[rulekit.Ruleset]:
    seen: dict[str, rulekit.Ruleset] = {}
    for ref in sorted(shipped_index()):
        rs = rulekit.load(ref)
        seen.setdefault(rs.id, rs)
    return list(seen.values())


def read_csv(spark):
    return spark.read.options(header=True, escape='"', multiLine=True).csv(str(CUSTOMERS))


def expected(rs, records):
    result = rs.classify_many(records, as_of=AS_OF, on_error="skip")
    out = []
    for d in result.decisions:
        if d is None:
            out.append((None, None))
        elif rs.hit.name == "ALL":
            # no label is missing (NULL), as in the output files, not an empty list
            out.append((list(d.labels) or None, [r.name for r in d.rules] if d.rules else None))
        else:
            out.append((d.label, d.rule.name if d.rule else None))
    return out


# A few rulesets covering every construct class, read from the CSV as text: a population with
# a filter (abc_analysis: `among`, top p, shared params), hit all, a result named like a field,
# highest, field defaults, shared params with percentiles; RULEKIT_SPARK_FULL=1 runs every
# shipped one. (rfm, the costliest plan on text columns, runs in test_spark_cli on a Parquet
# file with a text column, and in the frozen-population tests.)
QUICK = {
    "abc_analysis",
    "interest_level",
    "wealth_advisor_buying_signals",
    "need_price_quality_service",
    "decoration_funnel",
    "avg_order_value_tier",
}
FULL = os.environ.get("RULEKIT_SPARK_FULL") == "1"


def test_every_shipped_ruleset_matches_python(spark):
    """Shipped rulesets on the bundled customers (CSV: every value text), several rulesets per
    Spark job: 0 label and 0 rule mismatches against the Python engine."""
    from pyspark.sql import functions as F

    records = rio.read_table(CUSTOMERS).rows
    df = read_csv(spark).cache()
    all_rs = [rs for rs in shipped() if FULL or rs.id in QUICK]
    mismatches: dict[str, int] = {}
    for start in range(0, len(all_rs), 12):
        batch = all_rs[start : start + 12]
        parts = []
        for rs in batch:
            out = rulekit.spark.classify_frame(df, rs, as_of=AS_OF, on_error="skip")
            parts.append(
                out.select(
                    F.lit(rs.id).alias("rs"),
                    "customer_id",
                    F.to_json(F.array(F.col(f"`{rs.id}`"))).alias("label"),
                    F.to_json(F.array(F.col(f"`{rs.id}_rule`"))).alias("rule"),
                )
            )
        union = parts[0]
        for p in parts[1:]:
            union = union.unionByName(p)
        got: dict[tuple[str, str], tuple] = {
            (r["rs"], r["customer_id"]): (json.loads(r["label"])[0], json.loads(r["rule"])[0])
            for r in union.collect()
        }
        for rs in batch:
            want = expected(rs, records)
            bad = sum(
                1
                for rec, w in zip(records, want)
                if got[(rs.id, rec["customer_id"])] != (w[0], w[1])
            )
            if bad:
                mismatches[rs.id] = bad
    assert len(all_rs) >= (60 if FULL else len(QUICK))
    assert mismatches == {}


def test_several_rulesets_in_one_frame(spark):
    records = rio.read_table(CUSTOMERS).rows[:50]
    df = frame(spark, records)
    rfm, life = rulekit.load("abc_analysis"), rulekit.load("lifecycle")
    out = rulekit.spark.classify_frame(df, [rfm, life], as_of=AS_OF).collect()
    got = {r["customer_id"]: (r[rfm.id], r[life.id]) for r in out}
    want_rfm = rfm.classify_many(records, as_of=AS_OF, on_error="skip").decisions
    want_life = life.classify_many(records, as_of=AS_OF, on_error="skip").decisions
    for rec, a, b in zip(records, want_rfm, want_life):
        assert got[rec["customer_id"]] == (a and a.label, b and b.label)


def test_printed_sql_runs_as_printed(spark):
    """`rulekit sql --dialect spark` for every shipped ruleset: Spark parses and analyses it
    as printed; a few also run, on a table of the declared types, and match Python."""
    df = read_csv(spark)
    records = rio.read_table(CUSTOMERS).rows[:300]
    spark.createDataFrame(df.limit(300).collect(), df.schema).createOrReplaceTempView("raw")
    for rs in [rs for rs in shipped() if FULL or rs.id in QUICK]:
        sql = sql_for(rs, dialect="spark", as_of="2024-06-30", table="customers")
        assert "unsupported" not in sql
        typed = ", ".join(
            f"try_cast(`{info.column}` AS {spark_type(info.type)}) AS `{info.column}`"
            for info in rs.program.fields.values()
        )
        spark.sql(f"SELECT {typed} FROM raw").createOrReplaceTempView("customers")
        result = spark.sql(sql)
        assert result.columns.count(rs.id) == 1  # interest_level: the input column replaced
        if rs.id in ("abc_analysis", "interest_level") or FULL and rs.id == "rfm":
            got = [(r[rs.id], r[rs.id + "_rule"]) for r in result.collect()]
            typed_records = [
                {k: v for k, v in r.asDict().items()} for r in spark.table("customers").collect()
            ]
            assert got == [tuple(x) for x in expected(rs, typed_records)], rs.id
    del records


def spark_type(t) -> str:
    from rulekit.compile.sql.spark import SparkGenerator

    return SparkGenerator.TYPES.get(t.name, "STRING") if t.element is None else "STRING"


def test_nan_is_missing(spark):
    rs = rulekit.compile(
        'ruleset t\nhit first\nfield x : number\nrule "big" if x > 5 then big\n'
        'rule "gap" if x is missing then gap\n',
        "t.rules",
    )
    df = frame(spark, [{"x": float("nan")}, {"x": 7.0}, {"x": None}])
    got = [r["t"] for r in rulekit.spark.classify_frame(df, rs).orderBy("x").collect()]
    py = [d.label for d in rs.classify_many([{"x": math.nan}, {"x": 7.0}, {"x": None}])]
    assert sorted(got, key=str) == sorted(py, key=str) == ["big", "gap", "gap"]


def test_session_settings_are_checked(spark):
    rs = rulekit.load("rfm")
    for key, value in [
        ("spark.sql.session.timeZone", "Asia/Shanghai"),
        ("spark.sql.ansi.enabled", "false"),
        ("spark.sql.parser.escapedStringLiterals", "true"),
    ]:
        other = spark.newSession()
        other.conf.set(key, value)
        df = other.createDataFrame([("1",)], "monetary string")
        with pytest.raises(rulekit.spark.SparkError, match=key.replace(".", r"\.")):
            rulekit.spark.classify_frame(df, rs)


def test_timestamps_are_time_zone_free(spark):
    rs = rulekit.compile(
        "ruleset t\nhit first\nfield seen : timestamp\n"
        'rule "late" if seen >= 2024-06-30 then late\n',
        "t.rules",
    )
    records = [{"seen": "2024-06-29 23:30:00"}, {"seen": "2024-06-30T00:30:00"}]
    got = rulekit.spark.classify_frame(frame(spark, records), rs, as_of=AS_OF).collect()
    py = rs.classify_many(records, as_of=AS_OF).decisions
    assert [r["t"] for r in sorted(got, key=lambda r: r["seen"])] == [d.label for d in py]


def test_wide_integers_do_not_overflow(spark):
    rs = rulekit.compile(
        'ruleset t\nhit first\nfield x : integer\nrule "huge" if x * x > 0 then huge\n',
        "t.rules",
    )
    records = [{"x": 3_000_000_000}, {"x": 0}]
    got = rulekit.spark.classify_frame(frame(spark, records), rs).orderBy("x").collect()
    py = rs.classify_many(records).decisions
    assert [r["t"] for r in got] == [py[1].label, py[0].label] == [None, "huge"]


def test_bad_values_skip_quarantine_fail(spark):
    rs = rulekit.compile(
        'ruleset t\nhit first\nfield n : number\nfield k : integer\nrule "big" if n > 5 then big\n',
        "t.rules",
    )
    records = [{"n": "7", "k": "1"}, {"n": "abc", "k": "2"}, {"n": "3", "k": "x"}]
    df = frame(spark, records, {"i": [0, 1, 2]})
    py = rs.classify_many(records, on_error="skip")
    want = {b.index: (b.field, b.reason) for b in py.rejected}
    for mode in ("skip", "quarantine"):
        rows = rulekit.spark.classify_frame(df, rs, on_error=mode).orderBy("i").collect()
        got = {
            r["i"]: (r["t_rejected_field"], r["t_rejected_reason"])
            for r in rows
            if r["t_rejected_reason"] is not None
        }
        assert got == want
        assert [r["t"] for r in rows] == ["big", None, None]
    with pytest.raises(RecordError) as err:
        rulekit.spark.classify_frame(df, rs, on_error="fail")
    with pytest.raises(RecordError) as py_err:
        rs.classify_many(records, on_error="fail")
    assert (err.value.bad.index, err.value.bad.reason) == (
        py_err.value.bad.index,
        py_err.value.bad.reason,
    )
