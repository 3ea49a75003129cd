"""The 10,000-rule compile (issue 15, item 7: goal ≤ 1 s and ≤ 200 MB): parse, check and
compile of a generated ruleset in a fresh process (tests/bench/perf_compile.py), against the
same rules written by hand as a Python function and compiled by Python in the same process.
CPU seconds, since the machine is shared. Skipped in the default run:

    python -m pytest tests/bench/test_bench_compile.py --benchmark-only -s
    RULEKIT_BENCH_RULES=1000 python -m pytest tests/bench/test_bench_compile.py --benchmark-only -s
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # tests/bench is not a package
import perf_compile  # noqa: E402

RULES = int(os.environ.get("RULEKIT_BENCH_RULES", "10000"))


def test_compile_ten_thousand_rules(benchmark):
    got = benchmark.pedantic(perf_compile.measure, args=(RULES,), rounds=1, iterations=1)
    assert got["same"], "labels differ from the hand-written function's"
    ratio = got["compile_s"] / got["hand_s"]
    benchmark.extra_info.update(got, ratio_vs_handwritten=round(ratio, 2))
    print(
        f"\n{RULES:,} rules (CPU s): grammar {got['grammar_s']:.2f} (once per process), "
        f"parse {got['parse_s']:.2f}, parse+check {got['check_s']:.2f}, "
        f"parse+check+compile {got['compile_s']:.2f} (goal 1 s), peak {got['peak_mb']:.0f} MB "
        f"(goal 200 MB); the hand-written Python compiled by Python: {got['hand_s']:.2f} "
        f"→ {ratio:.1f}×"
    )
