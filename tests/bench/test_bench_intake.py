"""Data-intake benchmarks (issue 13 item 6): peak memory and time of `rulekit run` file to file on
DuckDB against the same job written by hand in DuckDB, each in a fresh child process (its peak
RSS is its own VmHWM), in the same run. Skipped in the default run; run them with

    python -m pytest tests/bench/test_bench_intake.py --benchmark-only -s

The data is generated in a temporary directory, never committed: the bundled example customers
(examples/data/customers.csv, 2,000 rows × 197 columns) repeated. Default sizes are small (200k
wide rows, 1M narrow rows); RULEKIT_BENCH_INTAKE=big measures the sizes of the issue: 2M wide
rows (1,000 repeats, 1.6 GB) and 10M narrow rows; RULEKIT_BENCH_INTAKE=smoke checks the harness
on 10k and 50k rows. Each prints a row of docs/performance.md
("## Data intake"): rows, rulekit's time and peak RSS, the hand-written query's, the ratios.
Nothing is asserted but the labels, which must be the hand-written query's on every row.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
CUSTOMERS = ROOT / "examples" / "data" / "customers.csv"
SIZE = os.environ.get("RULEKIT_BENCH_INTAKE", "")  # big, or smoke (a quick check of the harness)
WIDE_REPEATS = {"big": 1000, "smoke": 5}.get(SIZE, 100)
NARROW_REPEATS = {"big": 5000, "smoke": 25}.get(SIZE, 500)
NARROW = "customer_id, orders_count, recency_days, tenure_days, frequency"

# lifecycle (rulesets/lifecycle_active_sleeping.rules) as a data engineer writes it by hand
HAND_LABEL = (
    "CASE WHEN orders_count >= 1 AND recency_days > 180 THEN 'sleeping' "
    "WHEN orders_count >= 1 AND (tenure_days <= 90 OR orders_count = 1) THEN 'new' "
    "WHEN recency_days <= 90 AND frequency >= 4 THEN 'active' "
    "WHEN orders_count >= 2 THEN 'old' END"
)

CHILD_RULEKIT = """
import json, sys, time
from rulekit.cli import main
start = time.perf_counter()
code = main(sys.argv[1:])
seconds = time.perf_counter() - start
peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]
print(json.dumps({"code": code, "seconds": seconds, "peak_mb": int(peak) / 1024}))
"""

CHILD_HAND = """
import json, sys, time
import duckdb
src, out, label, limit = sys.argv[1:5]
start = time.perf_counter()
con = duckdb.connect()
if limit:
    con.execute(f"SET memory_limit = '{limit}'")
con.execute(
    f"COPY (SELECT *, {label} AS lifecycle_active_sleeping FROM read_csv('{src}')) "
    f"TO '{out}' (HEADER)"
)
seconds = time.perf_counter() - start
peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]
print(json.dumps({"code": 0, "seconds": seconds, "peak_mb": int(peak) / 1024}))
"""


def _child(code: str, *args: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    import duckdb

    work = tmp_path_factory.mktemp("intake")
    wide, narrow = work / "wide.csv", work / "narrow.csv"
    con = duckdb.connect()
    src = f"read_csv('{CUSTOMERS}', all_varchar = true)"
    con.execute(f"COPY (SELECT c.* FROM {src} c, range({WIDE_REPEATS})) TO '{wide}' (HEADER)")
    con.execute(
        f"COPY (SELECT {NARROW} FROM {src} c, range({NARROW_REPEATS})) TO '{narrow}' (HEADER)"
    )
    return work, {"wide": (wide, 2000 * WIDE_REPEATS), "narrow": (narrow, 2000 * NARROW_REPEATS)}


def _same_labels(ours: Path, hand: Path) -> None:
    import duckdb

    con = duckdb.connect()
    differ = con.execute(
        f"SELECT count(*) FROM read_csv('{ours}', all_varchar = true) POSITIONAL JOIN "
        f"(SELECT lifecycle_active_sleeping AS h FROM read_csv('{hand}', all_varchar = true)) "
        "WHERE lifecycle_active_sleeping IS DISTINCT FROM h"
    ).fetchone()
    assert differ is not None and differ[0] == 0


@pytest.mark.parametrize("shape", ["wide", "narrow"])
@pytest.mark.parametrize("on_error", ["skip", "quarantine"])
def test_run_csv_to_csv_vs_handwritten_duckdb(benchmark, files, shape, on_error):
    work, shapes = files
    src, rows = shapes[shape]
    ours, hand = work / f"ours_{shape}_{on_error}.csv", work / f"hand_{shape}.csv"
    limit = "400MB"

    def both() -> tuple[dict[str, float], dict[str, float]]:
        a = _child(
            CHILD_RULEKIT, "run", "lifecycle", "--data", str(src), "--out", str(ours),
            "--as-of", "2024-06-30", "--engine", "duckdb", "--on-error", on_error, "-q",
            "--memory-limit", limit,
        )  # fmt: skip
        b = _child(CHILD_HAND, str(src), str(hand), HAND_LABEL, limit)
        return a, b

    a, b = benchmark.pedantic(both, rounds=1, iterations=1)
    assert a["code"] == 0
    _same_labels(ours, hand)
    print(
        f"\n| `rulekit run lifecycle` CSV → CSV, {rows:,} rows × "
        f"{'197' if shape == 'wide' else '5'} columns, --on-error {on_error} | "
        f"{a['seconds']:.1f} s, {a['peak_mb']:,.0f} MB | {b['seconds']:.1f} s, "
        f"{b['peak_mb']:,.0f} MB | {a['seconds'] / b['seconds']:.2f}× time, "
        f"{a['peak_mb'] / b['peak_mb']:.2f}× memory |"
    )
