"""classify_frame benchmarks (issue 16). Skipped in the default run; run them with

    python -m pytest tests/bench/test_bench_frames.py --benchmark-only -s

Size: RULEKIT_BENCH_FRAME_ROWS rows (default 100,000; the issue's must-show is 1,000,000:
RULEKIT_BENCH_FRAME_ROWS=1000000). Data: bench_data.customers (seeded), read into an Arrow
table and a pandas frame once.

Measured, each ratio in the same run (alternating rounds, best of each), never asserted:
1. lifecycle9 (label and deciding rule) with classify_frame on a pandas frame and on an Arrow
   table vs the same hand-written DuckDB CASE query over the frame registered with DuckDB,
   its two result columns fetched as Arrow and joined to the frame (the same work, by hand);
2. RFM with three score() population functions (rfm3) likewise vs a hand-written window query;
3. a 4-process pool (fork) classifying Python records with a pickled ruleset vs one process
   (RULEKIT_BENCH_POOL_ROWS records, default 100,000): the same labels, and the times.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

import pytest

import rulekit

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))  # tests/bench is not a package
import bench_data  # noqa: E402
from test_bench_duckdb import CONDITIONS  # noqa: E402

pd = pytest.importorskip("pandas")

AS_OF = bench_data.AS_OF
ROWS = int(os.environ.get("RULEKIT_BENCH_FRAME_ROWS", "100000"))
POOL_ROWS = int(os.environ.get("RULEKIT_BENCH_POOL_ROWS", "100000"))
LIFECYCLE = HERE / "lifecycle9.rules"
RFM3 = HERE / "rfm3.rules"


@pytest.fixture(scope="module")
def frames(tmp_path_factory):
    import pyarrow.parquet as pq

    path = bench_data.customers(tmp_path_factory.mktemp("frames") / "customers.parquet", ROWS)
    table = pq.read_table(path)
    return {"arrow": table, "pandas": table.to_pandas()}


def lifecycle_sql(name: str) -> str:
    label = (
        "CASE "
        + " ".join(f"WHEN {c} THEN '{lab}'" for c, lab, _ in CONDITIONS)
        + " ELSE 'regular' END AS lifecycle9"
    )
    rule = "CASE " + " ".join(f"WHEN {c} THEN '{r}'" for c, _, r in CONDITIONS)
    return f"SELECT {label}, {rule} END AS lifecycle9_rule FROM {name}"


def rfm_sql(name: str) -> str:
    def score(x: str) -> str:
        return (
            f"CASE WHEN {x} IS NULL THEN NULL ELSE least(5, 1 + (5 * (rank() OVER "
            f"(ORDER BY {x} NULLS LAST) - 1)) // count({x}) OVER ()) END"
        )

    segments = [
        ("r >= 3 AND f >= 3 AND m >= 3", "important_value", "R高 F高 M高"),
        ("r >= 3 AND f < 3 AND m >= 3", "important_development", "R高 F低 M高"),
        ("r < 3 AND f >= 3 AND m >= 3", "important_retention", "R低 F高 M高"),
        ("r < 3 AND f < 3 AND m >= 3", "important_winback", "R低 F低 M高"),
        ("r >= 3 AND f >= 3 AND m < 3", "general_value", "R高 F高 M低"),
        ("r >= 3 AND f < 3 AND m < 3", "general_development", "R高 F低 M低"),
        ("r < 3 AND f >= 3 AND m < 3", "general_retention", "R低 F高 M低"),
        ("r < 3 AND f < 3 AND m < 3", "general_winback", "R低 F低 M低"),
    ]
    label = "CASE " + " ".join(f"WHEN {c} THEN '{lab}'" for c, lab, _ in segments) + " END"
    rule = "CASE " + " ".join(f"WHEN {c} THEN '{r}'" for c, _, r in segments) + " END"
    return (
        f"SELECT {label} AS rfm3, {rule} AS rfm3_rule FROM (SELECT "
        f"{score('-recency_days')} AS r, {score('frequency')} AS f, "
        f"{score('monetary')} AS m, row_number() OVER () AS i FROM {name}) ORDER BY i"
    )


def by_hand(con, frame, sql_of) -> object:
    """The hand-written twin of classify_frame: register, query, results joined back."""
    import pyarrow as pa

    con.register("frame", frame)
    got = con.sql(sql_of("frame")).to_arrow_table()
    if isinstance(frame, pa.Table):
        for name, column in zip(got.column_names, got.columns, strict=True):
            frame = frame.append_column(name, column)
        return frame
    added = got.to_pandas(types_mapper=lambda t: pd.StringDtype() if t == pa.string() else None)
    added.index = frame.index
    return pd.concat([frame, added], axis=1)


def _compare(benchmark, rs, frame, sql_of, rounds: int = 3) -> dict:
    import duckdb

    con = duckdb.connect()  # opened once, as rulekit's shared connection is
    con.execute("SET preserve_insertion_order = true")
    rk, hand = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        out = rs.classify_frame(frame, as_of=AS_OF)
        rk.append(time.perf_counter() - started)
        started = time.perf_counter()
        ref = by_hand(con, frame, sql_of)
        hand.append(time.perf_counter() - started)
    col = rs.id
    if isinstance(out, pd.DataFrame):
        same = out[col].astype(object).tolist() == ref[col].astype(object).tolist()
        same = same and out[col + "_rule"].equals(ref[col + "_rule"])
    else:
        same = out.select([col, col + "_rule"]).equals(ref.select([col, col + "_rule"]))
    info = {
        "rows": ROWS,
        "frame": type(frame).__module__.split(".")[0],
        "rulekit_s": round(min(rk), 4),
        "hand_s": round(min(hand), 4),
        "ratio": round(min(rk) / min(hand), 3),
        "rows_per_s": round(ROWS / min(rk)),
        "identical": same,
    }
    benchmark.extra_info.update(info)
    print("\n" + json.dumps(info))
    benchmark.pedantic(
        rs.classify_frame, args=(frame,), kwargs={"as_of": AS_OF}, rounds=1, iterations=1
    )
    return info


@pytest.mark.parametrize("kind", ["pandas", "arrow"])
def test_lifecycle9_frame_vs_handwritten(benchmark, frames, kind):
    _compare(benchmark, rulekit.load(LIFECYCLE), frames[kind], lifecycle_sql)


@pytest.mark.parametrize("kind", ["pandas", "arrow"])
def test_rfm3_frame_vs_handwritten_windows(benchmark, frames, kind):
    _compare(benchmark, rulekit.load(RFM3), frames[kind], rfm_sql)


_SHARED: dict = {}  # what forked workers inherit: the records and the frozen population


def _labels(task):
    rs, start, stop = task  # the ruleset pickled with every task; the rows by position
    records, population = _SHARED["records"], _SHARED["population"]
    return rs.classify_many(records[start:stop], as_of=AS_OF, population=population).labels


@pytest.mark.parametrize("rules", [LIFECYCLE, RFM3], ids=["lifecycle9", "rfm3"])
def test_pool_of_four_vs_one_process(benchmark, frames, rules):
    """Python records classified by 4 processes (fork: they inherit the records and, for
    rfm3, the population frozen from all of them), the pickled ruleset sent with each of 16
    tasks, vs one process."""
    rs = rulekit.load(rules)
    table = frames["arrow"]
    records = table.slice(0, POOL_ROWS).to_pylist()
    while len(records) < POOL_ROWS:  # more records than rows: repeat them
        records += records[: POOL_ROWS - len(records)]
    population = rs.freeze(records, as_of=AS_OF) if rs.compiled.pop_keys else None
    started = time.perf_counter()
    one = rs.classify_many(records, as_of=AS_OF, population=population).labels
    single = time.perf_counter() - started
    _SHARED.update(records=records, population=population)
    size = -(-len(records) // 16)
    tasks = [(rs, i, i + size) for i in range(0, len(records), size)]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(4) as pool:
        pooled = [label for part in pool.map(_labels, tasks) for label in part]
    four = time.perf_counter() - started
    _SHARED.clear()
    info = {
        "ruleset": rs.id,
        "records": len(records),
        "one_process_s": round(single, 3),
        "four_processes_s": round(four, 3),
        "identical": pooled == one,
    }
    benchmark.extra_info.update(info)
    print("\n" + json.dumps(info))
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    assert pooled == one  # the must-show: the same labels (not a timing)
