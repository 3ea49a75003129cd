"""Spark engine benchmark (issue 16): Spark local mode vs the DuckDB engine on the same file.
Skipped in the default run; run it with

    RULEKIT_BENCH_ROWS=10000000 python -m pytest tests/bench/test_bench_spark.py --benchmark-only -s

(RULEKIT_BENCH_ROWS defaults to 200,000.) Data: seeded customers as Parquet (bench_data.py).
Each engine runs `rulekit run RULES --data customers.parquet --out out.parquet --engine E` in a
child process: wall seconds and the peak RSS of the whole process tree (the driver's JVM
included), sampled from /proc. The ratio Spark / DuckDB is printed, never asserted; the two
output files are compared (labels and rules identical). Rows go into docs/performance.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))  # tests/bench is not a package
import bench_data  # noqa: E402

ROWS = int(os.environ.get("RULEKIT_BENCH_ROWS", "200000"))
RULES = [HERE / "lifecycle9.rules", HERE / "rfm3.rules"]


def _tree_rss_kb(pid: int) -> int:
    """RSS of a process and all its descendants, in kB (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        p = int(entry.name)
        children.setdefault(int(fields.get("PPid", "0").strip()), []).append(p)
        rss[p] = int(fields.get("VmRSS", "0 kB").split()[0] or 0)
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def run_measured(args: list[str]) -> tuple[float, float]:
    """(seconds, peak MB) of a command, the peak over its process tree."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(0.2)
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr.read().decode() if proc.stderr else ""
    return seconds, peak / 1024


@pytest.mark.benchmark(group="spark")
@pytest.mark.parametrize("rules", RULES, ids=lambda p: p.stem)
def test_spark_vs_duckdb(benchmark, rules, tmp_path):
    pytest.importorskip("pyspark")
    src = bench_data.customers(tmp_path / "customers.parquet", ROWS)
    results = {}

    def both() -> None:
        for engine in ("duckdb", "spark"):
            out = tmp_path / f"{engine}.parquet"
            cmd = [sys.executable, "-m", "rulekit", "run", str(rules), "--data", str(src)]
            cmd += ["--out", str(out), "--engine", engine, "--as-of", str(bench_data.AS_OF), "-q"]
            results[engine] = run_measured(cmd)

    benchmark.pedantic(both, rounds=1, iterations=1)
    import pyarrow.parquet as pq

    rs_id = pq.read_table(tmp_path / "duckdb.parquet").column_names[-2]
    a = pq.read_table(tmp_path / "duckdb.parquet", columns=[rs_id, rs_id + "_rule"])
    b = pq.read_table(tmp_path / "spark.parquet", columns=[rs_id, rs_id + "_rule"])
    assert a.to_pylist() == b.to_pylist()
    (ds, dm), (ss, sm) = results["duckdb"], results["spark"]
    print(
        f"\n| {ROWS:,} | {rules.stem} | DuckDB | {ds:.1f} s | {dm:.0f} MB |"
        f"\n| {ROWS:,} | {rules.stem} | Spark local | {ss:.1f} s | {sm:.0f} MB |"
        f"\nSpark / DuckDB: {ss / ds:.2f}× the time, {sm / dm:.2f}× the memory"
    )
