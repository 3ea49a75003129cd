"""Frozen populations on Spark: later rows ranked against a population frozen from an earlier
batch (saved to a file and loaded) give the same labels on Spark as on the Python engine and
DuckDB — score, percentile, top/bottom, cumulative_share (exact, to the last digit), `by`
groups (one the frozen file lacks), `among` filters and staged populations; values between,
below and above the frozen ones, ties and missing values included."""

from __future__ import annotations

import datetime as dt
import os

import rulekit
import rulekit.spark
from rulekit.engines.population import FrozenPopulation
from tests.spark.support import frame
from tests.test_population_stages import FIELDS, STAGED, _records

AS_OF = dt.date(2024, 6, 30)
FULL = os.environ.get("RULEKIT_SPARK_FULL") == "1"

MIXED = (
    FIELDS
    + """hit all
let s = score(monetary, 5)
let sr = score(recency, 3 by region)
let p = percentile(frequency)
let t = monetary in top 20% among frequency > 0 by region
let b = monetary in bottom 30% among (frequency > 0 and member)
let c = cumulative_share(monetary among frequency >= 1)
if s = 1 then s1
if s = 3 then s3
if s = 5 then s5
if sr = 1 then sr1
if sr = 3 then sr3
if sr is missing then sr_missing
if p < 25 then p_low
if p >= 75 then p_high
if p is missing then p_missing
if t then top
if t is missing then top_missing
if b then bottom
if c <= 0.5 then head
if c > 0.5 then tail
if c is missing then c_missing
"""
)


def _later(count: int, seed: int) -> list[dict]:
    """Records with values the frozen batch lacks: between, below and above its values, and a
    region it has no rows of."""
    rows = _records(count, seed)
    extra = [
        {"recency": 0.5, "frequency": 9, "monetary": 25, "region": "c", "member": True},
        {"recency": 100, "frequency": -1, "monetary": 5, "region": "a", "member": True},
        {"recency": 4, "frequency": 3, "monetary": 1000, "region": "b", "member": False},
        {"recency": None, "frequency": None, "monetary": None, "region": None, "member": None},
    ]
    return rows + extra


def spark_labels(spark, rs, records, population):
    df = frame(spark, records, {"i": list(range(len(records)))})
    out = rulekit.spark.classify_frame(df, rs, as_of=AS_OF, population=population)
    rows = out.select("i", rs.id).orderBy("i").collect()
    return [sorted(r[rs.id] or []) for r in rows]


def test_frozen_file_ranks_alike_on_spark_python_and_duckdb(spark, tmp_path):
    batch, later = _records(150, 11), _later(60, 12)
    # staged populations take Spark minutes to plan: RULEKIT_SPARK_FULL=1
    todo = [("mixed", MIXED)] + ([("staged", STAGED)] if FULL else [])
    for name, text in todo:
        rs = rulekit.compile(text, f"{name}.rules")
        path = tmp_path / f"{name}.population.json"
        rs.freeze(batch, AS_OF).save(path)
        frozen = FrozenPopulation.load(path)
        want = [
            [
                sorted(d.labels)
                for d in rs.classify_many(later, as_of=AS_OF, engine=e, population=frozen)
            ]
            for e in ("python", "duckdb")
        ]
        assert want[0] == want[1], name
        got = spark_labels(spark, rs, later, frozen)
        assert got == want[0], name
        # ranked against the frozen batch, not against the later rows themselves
        live = [sorted(d.labels) for d in rs.classify_many(later, as_of=AS_OF)]
        assert live != got, name


def test_frozen_cumulative_share_is_exact(spark):
    """The share of each later value, to the last digit: a rule comparing it with the Python
    engine's exact share (a double sum would miss some of them by one unit in the last place)."""
    batch = [{"m": v} for v in (0.1, 0.2, 0.3, 0.1, 1e-9, 7.7, 1 / 3, 2 / 3, 1e6 + 0.1)]
    later = [{"m": v} for v in (0.1, 0.15, 0.3, 2.0, 1e7, -1.0, 1 / 3)]
    rs = rulekit.compile(
        "field m : number\nlet c = cumulative_share(m)\nif c > 0 then x", "s.rules"
    )
    frozen = rs.freeze(batch, AS_OF)
    values = next(iter(frozen.populations.values())).values(None)
    shares = [values.cumulative_share(r["m"]) for r in later]
    rules = "\n".join(f'rule "r{i}" if c = {s!r} then is_{i}' for i, s in enumerate(shares))
    exact = rulekit.compile(
        f"field m : number\nhit all\nlet c = cumulative_share(m)\n{rules}\n", "e.rules"
    )
    got = spark_labels(spark, exact, later, frozen)
    py = [sorted(d.labels) for d in exact.classify_many(later, as_of=AS_OF, population=frozen)]
    assert got == py
    assert all(f"is_{i}" in labels for i, labels in enumerate(got))


def test_rfm_ranked_against_a_frozen_population_of_other_customers(spark):
    from tests.test_pickle import customers

    rs = rulekit.load("rfm")
    records = customers(400, seed=3)
    frozen = rs.freeze(records[:300], as_of=AS_OF)
    later = records[300:]
    df = frame(spark, later, {"i": list(range(len(later)))})
    out = rulekit.spark.classify_frame(df, rs, as_of=AS_OF, population=frozen)
    got = [(r[rs.id], r[rs.id + "_rule"]) for r in out.orderBy("i").collect()]
    want = rs.classify_many(later, as_of=AS_OF, population=frozen, engine="duckdb")
    assert got == [(d.label, d.rule.name if d.rule else None) for d in want]
    assert want.labels == rs.classify_many(later, as_of=AS_OF, population=frozen).labels
