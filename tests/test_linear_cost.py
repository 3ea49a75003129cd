"""Checking costs linear time in the size of the file (issue 11, item 7): not timed, counted.

Did-you-mean compares names by edit distance. Comparing every name with every other is
quadratic; these tests count the edit-distance computations for a file of n distinct names and
for one of 4n, and require about 4 times as many, not 16. Timings are in
tests/bench/test_bench_check.py.
"""

from __future__ import annotations

import gc

import pytest

import rulekit
from rulekit import suggest

WORDS = ["amount", "spend", "visits", "orders", "refund", "basket", "tenure", "recency"]


def _letters(i: int) -> str:
    s, i = "", i + 26 * 26
    while i:
        s, i = chr(97 + i % 26) + s, i // 26
    return s


def _names(k: int) -> list[str]:
    """Distinct names that differ in letters (names that differ only in digits are not
    compared: `q1`/`q2` are meant to differ)."""
    return [f"{WORDS[i % len(WORDS)]}_{_letters(i)}" for i in range(k)]


def undeclared(k: int) -> str:
    names = _names(k)
    rules = [f'rule "r{i}" if {x} > {i} then l{i % 7}' for i, x in enumerate(names)]
    return "\n".join(rules) + "\n"


def declared_with_unknown_names(k: int) -> str:
    """Declared fields and labels, and as many rules using names nobody declared."""
    names = _names(2 * k)
    lines = [f"field {x} : number" for x in names[:k]]
    lines += [f"label l{i}" for i in range(k)]
    lines += [f'rule "r{i}" if {x}x > 1 then l{i}z' for i, x in enumerate(names[k:])]
    return "\n".join(lines) + "\n"


def _distances(monkeypatch: pytest.MonkeyPatch, text: str) -> int:
    calls = 0
    real = suggest._distance

    def counting(a: str, b: str, limit: int | None = None) -> int:
        nonlocal calls
        calls += 1
        return real(a, b, limit)

    monkeypatch.setattr(suggest, "_distance", counting)
    rulekit.check_text(text)
    monkeypatch.setattr(suggest, "_distance", real)
    return calls


@pytest.mark.parametrize("make", [undeclared, declared_with_unknown_names])
def test_did_you_mean_comparisons_grow_linearly(monkeypatch: pytest.MonkeyPatch, make) -> None:
    # A small bound on the names compared per length, so that small files already reach it.
    monkeypatch.setattr(suggest, "CANDIDATES_PER_LENGTH", 4)
    small = _distances(monkeypatch, make(100))
    large = _distances(monkeypatch, make(400))
    assert small > 0  # the names are compared: the typo check is on
    assert large <= 5 * small, (small, large)  # quadratic would be about 16 times


def test_typos_are_still_found_among_many_names() -> None:
    """The index does not lose the typo: `amount_bab` among 300 names, misspelt once."""
    names = _names(300)
    rules = [f'rule "r{i}" if {x} > {i} then a' for i, x in enumerate(names)]
    rules += [f'rule "s{i}" if {names[1]} > {i} then b' for i in range(3)]
    rules.append('rule "typo" if spend_bba > 1 then c')  # spend_bab with two letters swapped
    program = rulekit.check_text("\n".join(rules) + "\n")
    typos = [d for d in program.diagnostics if d.code == "possible-typo"]
    assert any("`spend_bba`" in d.message and "`spend_bab`" in d.message for d in typos)


def test_garbage_collector_is_restored_after_check() -> None:
    assert gc.isenabled()
    rulekit.check_text("if x > 1 then a\n")
    assert gc.isenabled()
    gc.disable()
    try:
        rulekit.check_text("if x > 1 then a\n")
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()
