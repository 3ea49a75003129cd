"""DuckDB engine benchmarks (issue 5). Skipped in the default run; run them with

    python -m pytest tests/bench/test_bench_duckdb.py --benchmark-only -s

Data: seeded Parquet files (bench_data.py) written once per session to a temporary directory:
1,000,000 customers, 10,000,000 customers, 10,000,000 transactions.

Measured, each ratio in the same run (alternating rounds, best of each), never asserted:
1. lifecycle9 (tests/bench/lifecycle9.rules) on 1M customers, file to file (Parquet → Parquet):
   rulekit's run_file vs a hand-written DuckDB CASE WHEN query writing the same columns: the
   label and the deciding rule (what `rulekit run` writes), and the label only
   (run_file(rule_column=False)). Throughput in rows/s.
2. RFM with three score() population functions (tests/bench/rfm3.rules, a fixed workload) on
   the same rows vs a hand-written window query, both writing the label only.
3. profile on 10M transactions: rows/s and peak memory (in a child process).
4. lifecycle9 on 10M customers, file to file: peak memory (in a child process).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

import rulekit
from rulekit.engines import run_file

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))  # tests/bench is not a package
import bench_data  # noqa: E402

ROOT = HERE.parent.parent
AS_OF = bench_data.AS_OF
M = 1_000_000
BIG = 10_000_000
LIFECYCLE = HERE / "lifecycle9.rules"
RFM3 = HERE / "rfm3.rules"

CONDITIONS = [
    ("frequency = 0", "prospect", "未购买"),
    ("recency_days > 365", "churned", "一年未购"),
    ("recency_days > 180", "sleeping", "半年未购"),
    ("tenure_days <= 30", "new", "新客"),
    ("monetary >= 50000 AND frequency >= 20", "vip", "贵宾"),
    ("frequency >= 12 AND recency_days <= 30", "loyal", "忠诚"),
    ("avg_order_value < 50 AND returns > 3", "bargain_hunter", "淘便宜"),
    ("region = 'overseas' AND monetary >= 10000", "key_overseas", "海外重点"),
    ("is_member AND frequency >= 5", "active_member", "活跃会员"),
]


def handwritten_lifecycle(src: Path, with_rule: bool) -> str:
    """What a data engineer writes by hand: one CASE (and one for the rule name)."""
    label = (
        "CASE "
        + " ".join(f"WHEN {c} THEN '{lab}'" for c, lab, _ in CONDITIONS)
        + " ELSE 'regular' END AS lifecycle9"
    )
    rule = (
        ", CASE "
        + " ".join(f"WHEN {c} THEN '{r}'" for c, _, r in CONDITIONS)
        + " END AS lifecycle9_rule"
        if with_rule
        else ""
    )
    return f"SELECT *, {label}{rule} FROM read_parquet('{src}')"


def handwritten_rfm(src: Path) -> str:
    """RFM by hand: three quintile scores (ties share, missing values out), eight segments."""

    def score(x):
        return (
            f"CASE WHEN {x} IS NULL THEN NULL ELSE least(5, 1 + (5 * (rank() OVER "
            f"(ORDER BY {x} NULLS LAST) - 1)) // count({x}) OVER ()) END"
        )

    segments = [
        ("r >= 3 AND f >= 3 AND m >= 3", "important_value"),
        ("r >= 3 AND f < 3 AND m >= 3", "important_development"),
        ("r < 3 AND f >= 3 AND m >= 3", "important_retention"),
        ("r < 3 AND f < 3 AND m >= 3", "important_winback"),
        ("r >= 3 AND f >= 3 AND m < 3", "general_value"),
        ("r >= 3 AND f < 3 AND m < 3", "general_development"),
        ("r < 3 AND f >= 3 AND m < 3", "general_retention"),
        ("r < 3 AND f < 3 AND m < 3", "general_winback"),
    ]
    case = "CASE " + " ".join(f"WHEN {c} THEN '{lab}'" for c, lab in segments) + " END"
    return (
        f"SELECT * EXCLUDE (r, f, m, i), {case} AS rfm3 FROM (SELECT *, "
        f"{score('-recency_days')} AS r, {score('frequency')} AS f, "
        f"{score('monetary')} AS m, row_number() OVER () AS i "
        f"FROM read_parquet('{src}')) ORDER BY i"
    )


@pytest.fixture(scope="session")
def data(tmp_path_factory):
    base = tmp_path_factory.mktemp("rulekit-bench")
    started = time.perf_counter()
    files = {
        "customers_1m": bench_data.customers(base / "customers_1m.parquet", M),
        "customers_10m": bench_data.customers(base / "customers_10m.parquet", BIG),
        "transactions_10m": bench_data.transactions(
            base / "transactions_10m.parquet", BIG, customers_count=M
        ),
        "dir": base,
    }
    print(f"\nbench data in {base} ({time.perf_counter() - started:.1f} s)")
    return files


def _copy(con, query: str, out: Path) -> float:
    started = time.perf_counter()
    con.execute(f"COPY ({query}) TO '{out}' (FORMAT parquet)")
    return time.perf_counter() - started


def _compare(benchmark, rs, src, out_dir, variants: dict, rounds: int = 5):
    """Alternate rulekit and the hand-written queries, variant by variant (name → (run_file
    options, the hand query writing the same columns)); best of each; record the ratios."""
    import duckdb

    con = duckdb.connect()
    rk_times = {k: [] for k in variants}
    hand_times = {k: [] for k in variants}
    summary = None
    for _ in range(rounds):
        for name, (options, query) in variants.items():
            started = time.perf_counter()
            summary = run_file(rs, src, out_dir / "rulekit.parquet", as_of=AS_OF, **options)
            rk_times[name].append(time.perf_counter() - started)
            hand_times[name].append(_copy(con, query, out_dir / f"hand_{name}.parquet"))
    info = {"rows": summary.rows_in}
    for name in variants:
        best, hand = min(rk_times[name]), min(hand_times[name])
        info[f"{name}_rulekit_s"] = round(best, 4)
        info[f"{name}_rulekit_rows_per_s"] = round(summary.rows_in / best)
        info[f"{name}_hand_s"] = round(hand, 4)
        info[f"{name}_ratio"] = round(best / hand, 3)
    benchmark.extra_info.update(info)
    print("\n" + json.dumps(info, indent=1))
    # the benchmark's own timing: rulekit, file to file, the first variant
    options = next(iter(variants.values()))[0]
    benchmark.pedantic(
        run_file,
        args=(rs, src, out_dir / "rulekit.parquet"),
        kwargs={"as_of": AS_OF, **options},
        rounds=3,
        iterations=1,
    )
    return info


def test_lifecycle9_1m_vs_handwritten(benchmark, data):
    rs = rulekit.load(LIFECYCLE)
    src = data["customers_1m"]
    _compare(
        benchmark,
        rs,
        src,
        data["dir"],
        {
            "label_and_rule": ({}, handwritten_lifecycle(src, with_rule=True)),
            "label_only": ({"rule_column": False}, handwritten_lifecycle(src, with_rule=False)),
        },
    )


def test_rfm_1m_vs_handwritten_windows(benchmark, data):
    rs = rulekit.load(RFM3)
    src = data["customers_1m"]
    _compare(
        benchmark,
        rs,
        src,
        data["dir"],
        {"label_only": ({"rule_column": False}, handwritten_rfm(src))},
        rounds=3,
    )


def _child(code: str) -> dict:
    """Run code in a fresh Python that prints one JSON line. Its peak RSS is its own VmHWM
    (getrusage's ru_maxrss would carry this process's peak across fork and exec)."""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_profile_10m_transactions(benchmark, data):
    src, out = data["transactions_10m"], data["dir"] / "profile.parquet"
    code = f"""
import json, time
from rulekit.backends.duckdb_engine import peak_rss_mb
from rulekit.backends.profile import build_profile
t = time.perf_counter()
r = build_profile({str(src)!r}, "customer_id", "order_date", "amount", order="order_id",
                  as_of={AS_OF!r}, window="365d", out={str(out)!r}, memory_limit="1GB")
s = time.perf_counter() - t
print(json.dumps({{"rows": r.rows_in, "customers": r.customers, "after_as_of": r.after_as_of,
                  "seconds": round(s, 3), "rows_per_s": round(r.rows_in / s),
                  "peak_rss_mb": round(peak_rss_mb(), 1)}}))
"""
    info = _child(code)
    benchmark.extra_info.update(info)
    print("\n" + json.dumps(info, indent=1))
    from rulekit.engines.profile import build_profile

    benchmark.pedantic(
        build_profile,
        args=(src, "customer_id", "order_date", "amount"),
        kwargs={"order": "order_id", "as_of": AS_OF, "window": "365d", "out": out},
        rounds=1,
        iterations=1,
    )


def test_run_10m_rows_peak_memory(benchmark, data):
    src, out = data["customers_10m"], data["dir"] / "labelled_10m.parquet"
    code = f"""
import json, time
import rulekit
from rulekit.backends import run_file
from rulekit.backends.duckdb_engine import peak_rss_mb
rs = rulekit.load({str(LIFECYCLE)!r})
t = time.perf_counter()
s = run_file(rs, {str(src)!r}, {str(out)!r}, as_of={AS_OF!r}, memory_limit="1GB")
e = time.perf_counter() - t
print(json.dumps({{"rows": s.rows_in, "seconds": round(e, 3), "rows_per_s": round(s.rows_in / e),
                  "peak_rss_mb": round(peak_rss_mb(), 1)}}))
"""
    info = _child(code)
    rfm = _child(code.replace(str(LIFECYCLE), str(RFM3)))
    info.update({f"rfm_{k}": v for k, v in rfm.items()})
    benchmark.extra_info.update(info)
    print("\n" + json.dumps(info, indent=1))
    rs = rulekit.load(LIFECYCLE)
    benchmark.pedantic(
        run_file,
        args=(rs, src, out),
        kwargs={"as_of": AS_OF, "memory_limit": "1GB"},
        rounds=1,
        iterations=1,
    )
