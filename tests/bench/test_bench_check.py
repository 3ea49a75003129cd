"""Check and compile time of generated rule files (issue 11, item 7: linear cost).

1,000 and 10,000 rules, with the fields declared and without (then every name is inferred and
compared for typos), each measured in the same run; the printed ratio 10k / 1k is about 10 when
the cost is linear (100 would be quadratic). The reference is parsing alone, the floor of any
check. Run: python -m pytest tests/bench/test_bench_check.py --benchmark-only -s
"""

from __future__ import annotations

import pytest

import rulekit
from rulekit.syntax.parser import parse

WORDS = ["amount", "spend", "visits", "orders", "refund", "basket", "tenure", "recency"]
VOCABULARY = 500  # distinct field names


def _letters(i: int) -> str:
    s, i = "", i + 26 * 26
    while i:
        s, i = chr(97 + i % 26) + s, i // 26
    return s


def rules(n: int, declared: bool) -> str:
    names = [f"{WORDS[i % len(WORDS)]}_{_letters(i)}" for i in range(VOCABULARY)]
    lines = ['ruleset big "大"', "hit first", "default none_matched"]
    if declared:
        lines += [f"field {x} : number" for x in names]
    for i in range(n):
        a, b = names[i % VOCABULARY], names[(i * 7 + 3) % VOCABULARY]
        lines.append(f'rule "r{i}" if {a} > {i % 1000} and {b} <= {i % 97} then l{i % 50}')
    return "\n".join(lines) + "\n"


SECONDS: dict[tuple[str, int, bool], float] = {}


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "undeclared"])
@pytest.mark.parametrize("n", [1_000, 10_000])
@pytest.mark.parametrize("step", ["parse", "check", "compile"])
def test_check_scaling(benchmark, step: str, n: int, declared: bool) -> None:
    text = rules(n, declared)
    work = {"parse": parse, "check": rulekit.check_text, "compile": rulekit.compile}[step]
    benchmark.pedantic(work, args=(text,), rounds=1, iterations=1, warmup_rounds=0)
    SECONDS[(step, n, declared)] = benchmark.stats.stats.min
    small = SECONDS.get((step, 1_000, declared))
    if n == 10_000 and small:
        ratio = benchmark.stats.stats.min / small
        kind = "declared" if declared else "undeclared"
        print(f"\n{step} {kind}: 10,000 rules / 1,000 rules = {ratio:.1f} (linear: 10)")
    parsed = SECONDS.get(("parse", n, declared))
    if step != "parse" and parsed:
        print(f"\n{step} of {n:,} rules: {benchmark.stats.stats.min / parsed:.2f} × parse alone")
