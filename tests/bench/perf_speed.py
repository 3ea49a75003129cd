"""The rows of docs/performance.md's "Session 6" section (issue 15): the JSON Lines fast path,
the 10,000-rule compile and the Python engine's per-record and batch rows, each against its
hand-written reference in the same run.

    python tools/perf_table.py --speed          # measure and rewrite that section
"""

from __future__ import annotations

from collections.abc import Callable

import perf_compile
from perf_files import jsonl_file, jsonl_row
from perf_rows import Row, customers_files, python_rows


def compile_row() -> Row:
    """parse + check + compile of 10,000 generated rules (CPU seconds of a fresh process) vs
    the same rules written by hand in Python and compiled by Python."""
    got = perf_compile.measure(10_000)
    return Row(
        "`rulekit.compile` of 10,000 rules (parse + check + compile, CPU s)",
        got["compile_s"],
        "the same rules as a hand-written Python function, compiled by Python",
        got["hand_s"],
        bool(got["same"]),
        f"parse {got['parse_s']:.2f} s, check {got['check_s'] - got['parse_s']:.2f} s, "
        f"code {got['compile_s'] - got['check_s']:.2f} s; peak {got['peak_mb']:.0f} MB",
    )


def measurements() -> list[Callable[[], Row | list[Row]]]:
    parquet, _ = customers_files()
    return [lambda: jsonl_row(jsonl_file(parquet)), compile_row, python_rows]
