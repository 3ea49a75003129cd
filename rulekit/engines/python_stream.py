"""Populations built from records given a chunk at a time, for the Python engine over a file
streamed in bounded memory (`rulekit run --engine python`): the same populations, and the same
bad records, as `CompiledRuleset.populations` over all the records at once.

Only what the populations need is kept per record: the ranked values and groups (a tuple
per record), or, for staged populations (a population ranking values that themselves rank),
the record's population columns alone. Memory grows with the rows by those few values, not
by the rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rulekit.engines.population import FrozenPopulation, Population
from rulekit.engines.python import OnBad, Record

if TYPE_CHECKING:
    from rulekit.engines.python import CompiledRuleset


class PopulationBuilder:
    """`add` the records in order, a chunk at a time (`start`: the index of the chunk's first
    record); `frozen()` gives the populations over all of them. `on_bad(index, error, record)`
    is called for a record with a bad value a population reads (the record given is the one
    added; under staged populations, its population columns alone)."""

    def __init__(self, ruleset: CompiledRuleset, today: dt.date, on_bad: OnBad):
        self.ruleset = ruleset
        self.today = today
        self.on_bad = on_bad
        self.staged = bool(ruleset.compiled.pop_stages)
        self.rows: list[Sequence[tuple[Any, Any]]] = []  # per record: (value, group) per key
        self.thin: list[dict[str, Any]] = []  # staged: per record, its population columns
        self.count = 0

    def add(self, records: Sequence[Record], start: int) -> None:
        from rulekit.compile.pyruntime import Bad

        self.count += len(records)
        if self.staged:
            columns = self.ruleset._pop_columns
            self.thin.extend({c: rec[c] for c in columns if c in rec} for rec in records)
            return
        popargs = self.ruleset.compiled.popargs
        today = self.today
        append = self.rows.append
        for i, rec in enumerate(records, start):
            try:
                append(popargs(rec, today))
            except Bad as e:
                self.on_bad(i, e, rec)

    def build(self) -> list[Population]:
        c = self.ruleset.compiled
        if self.staged:
            from rulekit.engines.staged_population import build_staged

            on_bad = self.on_bad

            def reject(i: int, e: Any, rec: Any) -> None:
                on_bad(i, e, rec)

            return build_staged(c, self.thin, self.today, reject)
        rows = self.rows
        pops = [
            Population.build(key, [row[k] for row in rows], c.pop_partitioned[k])
            for k, key in enumerate(c.pop_keys)
        ]
        for pop in pops:  # the records will be ranked against them: look values up
            for values in pop.groups.values():
                values.index()
        return pops

    def frozen(self) -> FrozenPopulation:
        """The populations over every record added, to classify the chunks against."""
        self.ruleset.population_builds += 1
        pops = self.build()
        self.rows, self.thin = [], []
        return FrozenPopulation(
            self.ruleset.id,
            dict(zip(self.ruleset.compiled.pop_keys, pops, strict=True)),
            self.count,
            self.today.isoformat(),
        )
