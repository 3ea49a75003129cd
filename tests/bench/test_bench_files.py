"""The Files section of docs/performance.md as benchmarks (tests/bench/perf_files.py): JSON
Lines against a hand-written DuckDB script, `classify_many(path)` against its generated SQL run
directly, `classify_batches(path)` against a hand-written query streamed as Arrow; labels
checked identical, the ratio printed. Skipped in the default run:

    python -m pytest tests/bench/test_bench_files.py --benchmark-only -s
    RULEKIT_BENCH_ROWS=10000000 python -m pytest tests/bench/test_bench_files.py --benchmark-only -s

(CSV and Parquet → file are test_bench_speed.py's rows.) `python tools/perf_table.py --files`
runs all of them and writes docs/performance.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/bench is not a package
import perf_files  # noqa: E402
import perf_rows  # noqa: E402
from test_bench_speed import _record  # noqa: E402


@pytest.fixture(scope="module")
def files():
    return perf_rows.customers_files()


def test_run_jsonl_to_parquet(benchmark, files):
    _record(benchmark, lambda: perf_files.jsonl_row(perf_files.jsonl_file(files[0])))


@pytest.mark.parametrize("kind", [0, 1], ids=["parquet", "csv"])
def test_classify_many_path_vs_generated_sql(benchmark, files, kind):
    _record(benchmark, lambda: perf_files.classify_generated_row(files[kind]))


def test_classify_batches(benchmark, files):
    _record(benchmark, lambda: perf_files.batches_row(files[0]))
