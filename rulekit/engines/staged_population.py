"""Staged populations on the Python engine: the populations of a program whose ranked values
(or filters) themselves rank, built stage by stage (rulekit.model.stages).

Stage 0 reads every field any population reads: a record with a bad one is left out of every
population, as in an unstaged program (and as the SQL's valid rows). Each later stage computes
its ranked values for the records kept, against the populations of the stages before it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rulekit.compile.pyruntime import Bad
from rulekit.compile.pysource import Compiled
from rulekit.engines.population import Population

# reject(index, error, record): a record with a bad value in a field a population reads
Reject = Callable[[int, Bad, Any], None]


def build_staged(
    c: Compiled, records: Sequence[Any], today: Any, reject: Reject
) -> list[Population]:
    """The populations of every key, stage by stage; unbuilt ones are empty until their stage."""
    pops = [Population(key, {}, part) for key, part in zip(c.pop_keys, c.pop_partitioned)]
    kept: list[Any] = []
    rows: list[Sequence[tuple[Any, Any]]] = []
    popargs = c.popargs
    for i, rec in enumerate(records):
        try:
            rows.append(popargs(rec, today))
        except Bad as e:
            reject(i, e, rec)
            continue
        kept.append(rec)
    for s, ks in enumerate(c.pop_stages):
        if s > 0:
            stage_args = c.pop_stage_args[s - 1]
            rows = [stage_args(rec, today, pops) for rec in kept]
        for j, k in enumerate(ks):
            pop = Population.build(c.pop_keys[k], [row[j] for row in rows], c.pop_partitioned[k])
            for values in pop.groups.values():  # the records will be ranked against them
                values.index()
            pops[k] = pop
    return pops
