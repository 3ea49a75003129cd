"""Issue 12's must-show: the RFM segment table of a popular R package's vignette (first match,
R/F/M scores 1–5, ranges inclusive), as three score fields and as a ruleset that computes the
scores with score(…, 5): exactly the segments that can never be assigned, and the uncovered
score cells as exact boxes; every witness reproduces on the engine."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

import rulekit

from .test_analysis import replay

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "analysis"
FILES = ["rfm_scores.rules", "rfm_computed.rules"]

# The published table, independently of the rule files: segment → (R, F, M) inclusive ranges.
TABLE = [
    ("Champions", (4, 5), (4, 5), (4, 5)),
    ("Loyal Customers", (2, 5), (3, 5), (3, 5)),
    ("Potential Loyalist", (3, 5), (1, 3), (1, 3)),
    ("New Customers", (4, 5), (1, 1), (1, 1)),
    ("Promising", (3, 4), (1, 1), (1, 1)),
    ("Need Attention", (2, 3), (2, 3), (2, 3)),
    ("About To Sleep", (2, 3), (1, 2), (1, 2)),
    ("At Risk", (1, 2), (2, 5), (2, 5)),
    ("Can't Lose Them", (1, 1), (4, 5), (4, 5)),
    ("Hibernating", (1, 2), (1, 2), (1, 2)),
    ("Lost", (1, 2), (1, 2), (1, 2)),
]


def first_match(cell: tuple[int, int, int]) -> str | None:
    for name, *ranges in TABLE:
        if all(lo <= v <= hi for v, (lo, hi) in zip(cell, ranges, strict=True)):
            return name
    return None


CELLS = list(itertools.product(range(1, 6), repeat=3))
UNCOVERED = {c for c in CELLS if first_match(c) is None}
ASSIGNED = {first_match(c) for c in CELLS} - {None}
NEVER = [name for name, *_ in TABLE if name not in ASSIGNED]


@pytest.fixture(scope="module", params=FILES)
def analysed(request):
    rs = rulekit.load(FIXTURES / request.param)
    return rs, rs.analyze()


def test_the_independent_count(analysed):
    assert NEVER == ["New Customers", "Promising", "Can't Lose Them", "Lost"]
    assert len(UNCOVERED) == 36


def test_exactly_the_segments_that_can_never_be_assigned(analysed):
    rs, fa = analysed
    unreachable = [f for f in fa.findings if f.kind == "unreachable"]
    assert [rs.rules[f.rules[0]].name for f in unreachable] == NEVER
    covering = {
        rs.rules[f.rules[0]].name: [rs.rules[i].name for i in f.rules[1:]] for f in unreachable
    }
    assert covering == {
        "New Customers": ["Potential Loyalist"],
        "Promising": ["Potential Loyalist"],
        "Can't Lose Them": ["At Risk"],
        "Lost": ["Hibernating"],
    }
    assert not [f for f in fa.findings if f.kind == "contradiction"]
    unused = sorted(f.labels[0] for f in fa.findings if f.kind == "unused-label")
    assert unused == ["cant_lose_them", "lost", "new_customers", "promising"]


def box_cells(box: dict[str, list[int]]) -> set[tuple[int, int, int]]:
    (r0, r1), (f0, f1), (m0, m1) = box["r"], box["f"], box["m"]
    return set(itertools.product(range(r0, r1 + 1), range(f0, f1 + 1), range(m0, m1 + 1)))


def test_the_uncovered_cells_as_exact_disjoint_boxes(analysed):
    _, fa = analysed
    (gap,) = [f for f in fa.findings if f.kind == "gap" and f.region is not None]
    assert gap.region is not None and gap.region.complete
    assert (gap.region.cells, gap.region.total) == (36, 125)
    assert "36 of 125 cells" in gap.message
    boxes = [box_cells(b) for b in gap.boxes() or []]
    assert set().union(*boxes) == UNCOVERED
    assert sum(len(b) for b in boxes) == 36  # disjoint: the sizes add up to the union


def test_every_witness_reproduces(analysed):
    rs, fa = analysed
    shown = [f for f in fa.findings if f.witness is not None]
    assert fa.unverified == 0 and len(shown) >= 8
    for f in shown:
        decision = replay(rs, f)
        assert decision.label == (f.witness.explanation.decision.label)
        if f.kind == "unreachable":
            assert decision.rule is not None and decision.rule.name != rs.rules[f.rules[0]].name
        if f.kind == "gap":
            assert decision.label is None
