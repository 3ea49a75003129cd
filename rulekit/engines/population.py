"""Population statistics: the values a population function ranks a record against.

P = the non-missing values of an expression over every record of a run (or a frozen
population); N = |P|; less(x) = #{v < x}; greater(x) = #{v > x}. Ties always share a result.
Sorted values and exact prefix sums make every function O(log N) per record.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import math
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rulekit.errors import RulekitError

# A population value: a number (durations are numbers of days), a date or a timestamp; the
# values of one population are of one orderable type.
Value = Any


class Values:
    """The sorted non-missing values of one population group.

    `index()` adds a table value → (less, less + ties) for the values present: a batch ranked
    against itself looks each record's value up there instead of searching the sorted list
    (an exact answer either way: a value not in the table is searched)."""

    __slots__ = ("sorted", "_exact_suffix", "_den", "_at")

    def __init__(self, values: Iterable[Value]):
        self.sorted: list[Value] = sorted(v for v in values if v is not None)
        self._exact_suffix: list[int] | None = None
        self._den = 1
        self._at: dict[Value, tuple[int, int]] = {}

    def index(self) -> Values:
        """Build the table of each present value's (less, less + ties), once; returns self."""
        if self._at or not self.sorted:
            return self
        at: dict[Value, tuple[int, int]] = {}
        seq = self.sorted
        start = 0
        n = len(seq)
        for i in range(1, n + 1):
            if i == n or seq[i] != seq[start]:
                v = seq[start]
                if v == v:  # NaN equals nothing: searched (bisect) as before
                    at.setdefault(v, (start, i))
                start = i
        self._at = at
        return self

    def _bounds(self, x: Value) -> tuple[int, int]:
        found = self._at.get(x)
        if found is not None:
            return found
        return bisect.bisect_left(self.sorted, x), bisect.bisect_right(self.sorted, x)

    @property
    def n(self) -> int:
        return len(self.sorted)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_values, (self.sorted,))  # the sorted values; the sums are built again

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Values):
            return NotImplemented
        return self.sorted == other.sorted

    __hash__ = None  # type: ignore[assignment]

    def less(self, x: Value) -> int:
        found = self._at.get(x)
        return found[0] if found is not None else bisect.bisect_left(self.sorted, x)

    def greater(self, x: Value) -> int:
        found = self._at.get(x)
        le = found[1] if found is not None else bisect.bisect_right(self.sorted, x)
        return len(self.sorted) - le

    def percentile(self, x: Value) -> float | None:
        n = len(self.sorted)
        if n == 0:
            return None
        if n == 1:
            return 0
        return 100 * self.less(x) / (n - 1)

    def score(self, x: Value, k: int) -> int | None:
        n = len(self.sorted)
        if n == 0:
            return None
        found = self._at.get(x)
        less = found[0] if found is not None else bisect.bisect_left(self.sorted, x)
        s = 1 + (k * less) // n
        return k if s > k else s

    def in_top(self, x: Value, p: float) -> bool | None:
        n = len(self.sorted)
        return (n - self._bounds(x)[1]) < p * n if n else None

    def in_bottom(self, x: Value, p: float) -> bool | None:
        n = len(self.sorted)
        return self.less(x) < p * n if n else None

    def cumulative_share(self, x: Value) -> float | None:
        """Σ{v ≥ x} / Σ P, from exact integer sums, rounded once (so SQL and Python agree);
        missing when P holds ±infinity or Σ P is beyond the double range (no finite total)."""
        suffix = self._exact_suffix
        if suffix is None:
            suffix = self._build_sums()
        if not suffix:
            return None
        total = suffix[0]
        if total == 0:
            return None
        return suffix[self.less(x)] / total

    def _build_sums(self) -> list[int]:
        # Every float is an exact binary fraction: scale all to one denominator and add ints.
        ratios = exact_ratios(self.sorted)
        if ratios is None:
            self._exact_suffix = []
            return []
        den = max((d for _, d in ratios), default=1)
        suffix = [0] * (len(ratios) + 1)
        acc = 0
        for i in range(len(ratios) - 1, -1, -1):
            num, d = ratios[i]
            acc += num * (den // d)
            suffix[i] = acc
        if suffix and abs(suffix[0]) // den > _DOUBLE_MAX:  # the total is ±infinity
            suffix = []
        self._exact_suffix = suffix
        self._den = den
        return suffix


_DOUBLE_MAX = int(sys.float_info.max)


def exact_ratios(values: Iterable[Value]) -> list[tuple[int, int]] | None:
    """Each number as an exact fraction (numerator, denominator); None when one is ±infinity."""
    out = []
    for v in values:
        if isinstance(v, float):
            if not math.isfinite(v):
                return None
            out.append(v.as_integer_ratio())
        else:
            out.append((int(v), 1))
    return out


def _values(sorted_values: list[Value]) -> Values:
    """Values from values already sorted (unpickling)."""
    v = Values(())
    v.sorted = sorted_values
    return v


class Population:
    """Values of one ranked expression, optionally partitioned `by` a field."""

    __slots__ = ("key", "groups", "partitioned")

    def __init__(self, key: str, groups: dict[Any, Values], partitioned: bool):
        self.key = key
        self.groups = groups
        self.partitioned = partitioned

    @classmethod
    def build(cls, key: str, pairs: Iterable[tuple[Value, Any]], partitioned: bool) -> Population:
        """A population from (value, group) pairs; groups are ignored unless partitioned."""
        buckets: dict[Any, list[Value]] = {}
        for value, group in pairs:
            buckets.setdefault(group if partitioned else None, []).append(value)
        return cls(key, {g: Values(vs) for g, vs in buckets.items()}, partitioned)

    _EMPTY = Values(())

    def __reduce__(self) -> tuple[Any, ...]:
        return (Population, (self.key, self.groups, self.partitioned))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Population):
            return NotImplemented
        return (self.key, self.partitioned, self.groups) == (
            other.key,
            other.partitioned,
            other.groups,
        )

    __hash__ = None  # type: ignore[assignment]

    def values(self, group: Any = None) -> Values:
        return self.groups.get(group if self.partitioned else None, self._EMPTY)

    @property
    def size(self) -> int:
        return sum(v.n for v in self.groups.values())


class FrozenPopulation:
    """Populations computed once from a data set and reused, exactly, for later records.

    `rs.freeze(records)` builds one; `.save(path)` writes JSON; `FrozenPopulation.load(path)`.
    """

    FORMAT = "rulekit-population/1"

    def __init__(
        self,
        ruleset: str,
        populations: dict[str, Population],
        records: int,
        as_of: str | None = None,
    ):
        self.ruleset = ruleset
        self.populations = populations
        self.records = records
        self.as_of = as_of

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FrozenPopulation):
            return NotImplemented
        return (self.ruleset, self.records, self.as_of, self.populations) == (
            other.ruleset,
            other.records,
            other.as_of,
            other.populations,
        )

    __hash__ = None  # type: ignore[assignment]

    def save(self, path: str | Path) -> None:
        data = {
            "format": self.FORMAT,
            "ruleset": self.ruleset,
            "records": self.records,
            "as_of": self.as_of,
            "populations": {
                key: {
                    "partitioned": p.partitioned,
                    "groups": [[_encode_group(g), v.sorted] for g, v in p.groups.items()],
                }
                for key, p in self.populations.items()
            },
        }
        tmp = Path(str(path) + ".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: str | Path) -> FrozenPopulation:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != cls.FORMAT:
            raise RulekitError(
                f"{path}: not a rulekit population file (format "
                f"{data.get('format')!r}); create one with rulekit freeze"
            )
        pops = {}
        for key, p in data["populations"].items():
            groups = {}
            for g, values in p["groups"]:
                v = Values(())
                v.sorted = values
                groups[_decode_group(g)] = v
            pops[key] = Population(key, groups, p["partitioned"])
        return cls(data["ruleset"], pops, data["records"], data.get("as_of"))


# A group key is the `by` field's coerced value: JSON keeps texts, whole numbers, numbers,
# booleans and null as they are; a date, a timestamp or a list is written as a one-key object
# ({"date": "2024-06-30"}, {"timestamp": "2024-06-30T08:00:00.000001"}, {"list": [...]}) so
# that it loads back as the same Python value (a date is not equal to a timestamp, and a list
# group is a tuple) and a loaded population ranks a record exactly as the live one.


def _encode_group(g: Any) -> Any:
    if isinstance(g, dt.datetime):
        return {"timestamp": g.isoformat()}
    if isinstance(g, dt.date):
        return {"date": g.isoformat()}
    if isinstance(g, (tuple, list)):
        return {"list": [_encode_group(x) for x in g]}
    return g


def _decode_group(g: Any) -> Any:
    if isinstance(g, dict) and len(g) == 1:
        ((tag, text),) = g.items()
        if tag == "timestamp":
            return dt.datetime.fromisoformat(text)
        if tag == "date":
            return dt.date.fromisoformat(text)
        if tag == "list":
            return tuple(_decode_group(x) for x in text)
    if isinstance(g, list):  # a list group written before lists were tagged
        return tuple(_decode_group(x) for x in g)
    return g


# What a run ranks against: None (the batch itself), a frozen population, or other records
# (their population is built, as by freeze).
PopulationInput = FrozenPopulation | Iterable[Mapping[str, Any]] | None
