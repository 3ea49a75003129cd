"""Issue 15's table as benchmarks: every row against its hand-written reference, measured side
by side in the same run (tests/bench/perf_rows.py), labels checked identical, the ratio printed
and kept in the benchmark's extra_info. Skipped in the default run:

    python -m pytest tests/bench/test_bench_speed.py --benchmark-only -s
    RULEKIT_BENCH_ROWS=10000000 python -m pytest tests/bench/test_bench_speed.py --benchmark-only -s

tools/perf_table.py runs the same rows and writes docs/performance.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/bench is not a package
import perf_rows  # noqa: E402


@pytest.fixture(scope="module")
def files():
    return perf_rows.customers_files()


def _record(benchmark, measure):
    rows = benchmark.pedantic(measure, rounds=1, iterations=1)
    rows = rows if isinstance(rows, list) else [rows]
    for row in rows:
        print(f"\n{row.what}: {perf_rows.seconds(row.rulekit_s)} vs {row.reference} "
              f"{perf_rows.seconds(row.reference_s)} → {row.ratio:.2f}× {row.note}")  # fmt: skip
        benchmark.extra_info[row.what] = {
            "rulekit_s": row.rulekit_s,
            "reference_s": row.reference_s,
            "ratio": round(row.ratio, 3),
        }
        assert row.same, f"{row.what}: labels differ from the reference"


def test_run_csv_to_parquet(benchmark, files):
    _record(benchmark, lambda: perf_rows.run_file_row(files[1], ".parquet"))


def test_run_csv_to_csv(benchmark, files):
    _record(benchmark, lambda: perf_rows.run_file_row(files[1], ".csv"))


def test_run_parquet_to_parquet(benchmark, files):
    _record(benchmark, lambda: perf_rows.run_file_row(files[0], ".parquet"))


def test_classify_many_path_duckdb(benchmark, files):
    _record(benchmark, lambda: perf_rows.classify_path_row(files[0]))


def test_python_engine_classify(benchmark):
    _record(benchmark, perf_rows.python_rows)


def test_rfm_python_engine(benchmark):
    _record(benchmark, perf_rows.rfm_python_row)


def test_compile_10000_rules(benchmark):
    _record(benchmark, perf_rows.compile_row)


def test_startup(benchmark):
    _record(benchmark, perf_rows.startup_rows)


def test_explain_data_file(benchmark, files):
    _record(benchmark, lambda: perf_rows.explain_file_rows(*files))


def test_explain_batch_cached(benchmark):
    _record(benchmark, perf_rows.explain_batch_row)
