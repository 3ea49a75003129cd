"""Frozen populations on Spark: a FrozenPopulation's thresholds as small constant tables.

A run ranked against a frozen population never recomputes it from the rows: per population
key k the frozen values become two temporary views (the generator's `frozen_joins` merges them
with the distinct values of the rows, compile/sql/spark.py):

* `values(g, v, le, share)`: each distinct frozen value v of group g, le = #{w <= v}, and share
  = the exact cumulative_share of a value just above v (Σ{w > v} / Σ, rounded once, as
  population.Values computes it; NULL where P holds ±infinity or Σ overflows);
* `groups(g, n, share)`: each group's size and the share of a value at or below its smallest
  (1.0, or NULL as above).

The tables are built in Python from the sorted values the FrozenPopulation holds (the same
object `Ruleset.freeze`, `rulekit freeze` and the DuckDB engine use), so every engine ranks
against the same numbers.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rulekit.compile.sql.spark import SparkGenerator
from rulekit.engines.duckdb_population import _INT64, _NO_GROUP, _group_form
from rulekit.engines.population import _DOUBLE_MAX, FrozenPopulation, exact_ratios
from rulekit.errors import RulekitError
from rulekit.model import datatypes as T
from rulekit.syntax import nodes as n

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import SparkSession


def register_frozen(spark: SparkSession, gen: SparkGenerator, frozen: FrozenPopulation) -> None:
    """Register the tables of every population key of gen's program as temporary views with
    names of their own (two runs in one session never share one) and tell gen their names."""
    views: dict[int, tuple[str, str]] = {}
    tag = uuid.uuid4().hex[:12]
    for k, key in enumerate(gen.pop_keys):
        pop = frozen.populations.get(key)
        if pop is None:
            raise RulekitError(
                f"the frozen population (from ruleset {frozen.ruleset!r}) has no values for "
                f"{key.split('|')[0]!r}; freeze it from this ruleset ({gen.p.id!r})"
            )
        values_t, groups_t = frozen_tables(gen, key, pop.groups)
        names = (f"rk_frozen_{tag}_{k}_values", f"rk_frozen_{tag}_{k}_groups")
        for name, table in zip(names, (values_t, groups_t)):
            spark.createDataFrame(table).createOrReplaceTempView(name)
        views[k] = names
    gen.frozen_views = views


def frozen_tables(
    gen: SparkGenerator, key: str, groups: dict[Any, Any]
) -> tuple[pa.Table, pa.Table]:
    """The (values, groups) Arrow tables of one population key (see the module docstring)."""
    import pyarrow as pa

    program = gen.p
    node = gen.pop_nodes[key]
    arg = node.operand if isinstance(node, n.RankIn) else node.args[0]
    by = node.by
    integer = program.types[arg.id] == T.INTEGER
    group_value, group_type = _group_form(program.fields[by.name].type if by else None)
    gs: list[Any] = []
    vs: list[Any] = []
    les: list[int] = []
    shares: list[float | None] = []
    g_keys: list[Any] = []
    ns: list[int] = []
    firsts: list[float | None] = []
    for g, values in groups.items():
        g = group_value(g)
        if g is _NO_GROUP:
            continue
        seq = values.sorted
        ratios = exact_ratios(seq)
        den = max((d for _, d in ratios), default=1) if ratios is not None else 1
        wholes = [num * (den // d) for num, d in ratios] if ratios is not None else []
        total = sum(wholes)
        exact = ratios is not None and total != 0 and abs(total) // den <= _DOUBLE_MAX
        acc = 0
        for i, v in enumerate(seq):
            acc += wholes[i] if exact else 0
            if i + 1 == len(seq) or seq[i + 1] != v:
                gs.append(g)
                vs.append(v)
                les.append(i + 1)
                shares.append((total - acc) / total if exact else None)
        g_keys.append(g)
        ns.append(len(seq))
        firsts.append(1.0 if exact and seq else None)
    v_array: pa.Array[Any]
    if integer and all(_INT64[0] <= v <= _INT64[1] for v in vs):
        v_array = pa.array([int(v) for v in vs], pa.int64())
    elif integer:  # whole numbers beyond 64 bits: exact up to 38 digits
        v_array = pa.array([Decimal(int(v)) for v in vs], pa.decimal128(38, 0))
    else:
        v_array = pa.array([float(v) for v in vs], pa.float64())
    values_t = pa.table(
        {
            "g": pa.array(gs, group_type or pa.string()),
            "v": v_array,
            "le": pa.array(les, pa.int64()),
            "share": pa.array(shares, pa.float64()),
        }
    )
    groups_t = pa.table(
        {
            "g": pa.array(g_keys, group_type or pa.string()),
            "n": pa.array(ns, pa.int64()),
            "share": pa.array(firsts, pa.float64()),
        }
    )
    return values_t, groups_t
