"""Did-you-mean: the nearest known name to a misspelt one (ignoring case and `_`), and the
catalog of field names the shipped rulesets use."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import OSA


def _distance(a: str, b: str, limit: int | None = None) -> int:
    """Levenshtein distance with adjacent transpositions counted as one edit (the optimal string
    alignment distance, computed by rapidfuzz). With `limit`, a distance above it is returned as
    `limit + 1` (and found sooner)."""
    return int(OSA.distance(a, b, score_cutoff=limit))


def _fold(name: str) -> str:
    return name.replace("_", "").casefold()


def _limit(folded: str) -> int:
    """How many edits a name of this (folded) length may be away and still look like a typo."""
    return max(1, len(folded) // 3)


def _best(folded: str, candidates: Iterable[tuple[str, str]]) -> str | None:
    """The first (name, folded name) pair closest to `folded`, within the typo limit."""
    limit = _limit(folded)
    best, best_d = None, limit + 1
    for cand, cand_folded in candidates:
        if abs(len(cand_folded) - len(folded)) >= best_d:
            continue  # the distance is at least the difference in length
        d = _distance(folded, cand_folded, best_d - 1)
        if d < best_d:
            best, best_d = cand, d
    return best


def closest(name: str, candidates: Iterable[tuple[str, str]]) -> str | None:
    """Of (name, folded name) pairs (see `NameIndex.candidates`), the first closest to `name`,
    if close enough to be a plausible typo."""
    return _best(_fold(name), candidates)


def nearest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `name`, if it is close enough to be a plausible typo."""
    return _best(_fold(name), ((c, _fold(c)) for c in candidates))


# How many names of each length a did-you-mean query of a `NameIndex` compares with.
CANDIDATES_PER_LENGTH = 48


class NameIndex:
    """Names kept for did-you-mean in buckets by (folded) length, in the order added.

    A query compares with the names whose length is within the typo limit, and with at most
    `CANDIDATES_PER_LENGTH` of each length (the first added, the most likely meant): checking a
    file with many names stays linear in their number instead of comparing every pair."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._buckets: dict[int, list[tuple[int, str, str]]] = {}
        self._count = 0
        for name in names:
            self.add(name)

    def add(self, name: str) -> None:
        folded = _fold(name)
        self._buckets.setdefault(len(folded), []).append((self._count, name, folded))
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def candidates(
        self,
        name: str,
        until: Callable[[str], bool] | None = None,
        skip: Callable[[str], bool] | None = None,
    ) -> list[tuple[str, str]]:
        """(name, folded) of the names a query for `name` compares with, in the order added:
        per length, the first ones up to the name for which `until` holds, leaving out those
        for which `skip` holds (at most twice the number compared are looked at)."""
        folded = _fold(name)
        limit = _limit(folded)
        picked: list[tuple[int, str, str]] = []
        for length in range(len(folded) - limit, len(folded) + limit + 1):
            taken = 0
            for looked, entry in enumerate(self._buckets.get(length, ())):
                if taken >= CANDIDATES_PER_LENGTH or looked >= 2 * CANDIDATES_PER_LENGTH:
                    break
                if until is not None and until(entry[1]):
                    break
                if skip is not None and skip(entry[1]):
                    continue
                picked.append(entry)
                taken += 1
        picked.sort()
        return [(cand, cand_folded) for _, cand, cand_folded in picked]

    def nearest(
        self,
        name: str,
        until: Callable[[str], bool] | None = None,
        skip: Callable[[str], bool] | None = None,
    ) -> str | None:
        """The closest name, if close enough to be a plausible typo (see `candidates`)."""
        return _best(_fold(name), self.candidates(name, until, skip))


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
