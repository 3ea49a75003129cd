"""Did-you-mean: the nearest known name to a misspelt one (ignoring case and `_`)."""

from __future__ import annotations

from collections.abc import Iterable


def _distance(a: str, b: str) -> int:
    """Levenshtein distance with adjacent transpositions counted as one edit."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _fold(name: str) -> str:
    return name.replace("_", "").casefold()


def nearest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `name`, if it is close enough to be a plausible typo."""
    folded = _fold(name)
    best, best_d = None, None
    for cand in candidates:
        d = _distance(folded, _fold(cand))
        limit = max(1, len(folded) // 3)
        if d <= limit and (best_d is None or d < best_d):
            best, best_d = cand, d
    return best
