"""Did-you-mean: the nearest known name to a misspelt one (ignoring case and `_`), and the
catalog of field names the shipped rulesets use."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path


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


_FIELD_DECL = re.compile(
    r"^[ \t\u3000]*(?:field|字段)\s+([^\W\d]\w*)", re.IGNORECASE | re.MULTILINE
)


@lru_cache(maxsize=1)
def catalog_fields() -> frozenset[str]:
    """The field names the shipped rulesets declare (the catalog's names), read without
    compiling: `monetary`, `frequency`, `recency_days` … Empty when the rulesets are absent."""
    here = Path(__file__).resolve().parent
    names: set[str] = set()
    for folder in (here / "rulesets", here.parent / "rulesets"):
        if folder.is_dir():
            for path in sorted(folder.glob("*.rules")):
                try:
                    names.update(_FIELD_DECL.findall(path.read_text(encoding="utf-8")))
                except (OSError, UnicodeDecodeError):
                    continue
            break
    return frozenset(names)
