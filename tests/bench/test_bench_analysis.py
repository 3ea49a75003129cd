"""Static-analysis benchmark (issue 12): the analysis of the largest shipped ruleset, and of a
generated 1,000-rule score-cell table (hit first, three scores 1–10). The reference, measured in
the same run, is what a developer would write by hand for the score table: every one of the
1,000 cells checked against every rule in plain Python (which rules decide a cell, which cells
no rule covers). The analysis must find the same never-deciding rules and uncovered cells; the
ratio is printed.

Run: python -m pytest tests/bench/test_bench_analysis.py --benchmark-only -s
(RULEKIT_BENCH_RULES=N changes the size of the generated table; default 1,000.)
"""

from __future__ import annotations

import itertools
import os
import random
import time
from pathlib import Path

import pytest

import rulekit

ROOT = Path(__file__).resolve().parent.parent.parent
RULES = int(os.environ.get("RULEKIT_BENCH_RULES", "1000"))
FIELDS = "abc"
VALUES = range(1, 11)


def generated(n: int, seed: int = 12) -> tuple[str, list[list[tuple[int, int]]]]:
    rnd = random.Random(seed)
    lines = ['ruleset generated "generated"', "  hit first"]
    for f in FIELDS:
        lines.append(f'field {f} : integer "{f}" one of [{", ".join(map(str, VALUES))}]')
    boxes = []
    for i in range(n):
        box = []
        for _ in FIELDS:
            lo = rnd.randint(1, 10)
            box.append((lo, min(10, lo + rnd.randint(0, 3))))
        boxes.append(box)
        cond = " and ".join(f"{f} between {lo} and {hi}" for f, (lo, hi) in zip(FIELDS, box))
        lines.append(f'rule "r{i}" if {cond} then l{i % 20}')
    return "\n".join(lines) + "\n", boxes


def handwritten(boxes: list[list[tuple[int, int]]]) -> tuple[set[int], set[tuple[int, ...]]]:
    """Rules that decide no cell, and the cells no rule matches, by brute force."""
    deciding: set[int] = set()
    uncovered: set[tuple[int, ...]] = set()
    for cell in itertools.product(VALUES, repeat=len(FIELDS)):
        for i, box in enumerate(boxes):
            if all(lo <= v <= hi for v, (lo, hi) in zip(cell, box)):
                deciding.add(i)
                break
        else:
            uncovered.add(cell)
    return set(range(len(boxes))) - deciding, uncovered


@pytest.fixture(scope="module")
def table():
    text, boxes = generated(RULES)
    return rulekit.compile(text, "generated.rules"), boxes


def test_generated_table(benchmark, table):
    rs, boxes = table
    start = time.perf_counter()
    never, uncovered = handwritten(boxes)
    reference = time.perf_counter() - start
    fa = benchmark.pedantic(rs.analyze, rounds=1, iterations=1)
    found = {f.rules[0] for f in fa.findings if f.kind in ("unreachable", "contradiction")}
    assert found == never
    (gap,) = [f for f in fa.findings if f.kind == "gap" and f.region is not None] or [None]
    cells = set()
    for box in (gap.boxes() if gap else None) or []:
        cells |= set(itertools.product(*(range(box[f][0], box[f][1] + 1) for f in FIELDS)))
    assert cells == uncovered
    ratio = benchmark.stats.stats.min / reference
    benchmark.extra_info.update(reference_s=reference, ratio_vs_handwritten=round(ratio, 1))
    print(
        f"\nanalysis of {RULES:,} rules: {benchmark.stats.stats.min:.1f}s "
        f"({len(never)} never decide, {len(uncovered)} uncovered cells, "
        f"{sum(f.kind == 'partially-shadowed' for f in fa.findings)} partly shadowed); "
        f"brute force over the cells {reference:.3f}s → ratio {ratio:,.0f}× (the analysis also "
        "proves, finds witnesses and runs them on the engine)"
    )


def test_largest_shipped_ruleset(benchmark):
    path = max((ROOT / "rulesets").glob("*.rules"), key=lambda p: len(rulekit.load(p).rules))
    rs = rulekit.load(path)
    start = time.perf_counter()
    rs.test()  # reference: running the file's own examples once on the engine
    reference = time.perf_counter() - start
    fa = benchmark.pedantic(rs.analyze, rounds=3, iterations=1)
    assert fa.unknown == []
    ratio = benchmark.stats.stats.min / reference
    benchmark.extra_info.update(reference_s=reference, ratio_vs_examples=round(ratio, 1))
    print(
        f"\nanalysis of {path.name} ({len(rs.rules)} rules): {benchmark.stats.stats.min:.2f}s; "
        f"its examples run in {reference:.3f}s → ratio {ratio:.0f}×"
    )
