"""Populations on DuckDB: freezing one (the values DuckDB computes, as the same
FrozenPopulation the Python engine builds), registering a frozen one as the tables the query
joins, and the generator of a run with its population resolved (live, frozen, or frozen from
another batch of records first, as the Python engine does).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rulekit.compile.sql.duckdb import DuckDBGenerator
from rulekit.compile.sql.generator import Source
from rulekit.engines.duckdb_connection import connect, fetch_int, is_path, run_sql
from rulekit.engines.duckdb_sources import file_source, records_source
from rulekit.engines.population import (
    FrozenPopulation,
    Population,
    PopulationInput,
    Values,
    exact_ratios,
)
from rulekit.engines.python import CompiledRuleset, as_date
from rulekit.errors import RulekitError
from rulekit.model import datatypes as T
from rulekit.syntax import nodes as n

if TYPE_CHECKING:
    import pyarrow as pa
    from duckdb import DuckDBPyConnection

# What a DuckDB run ranks against: also a file of records, which DuckDB freezes.
PopulationOrPath = PopulationInput | str | os.PathLike[str]


def field_columns(ruleset: CompiledRuleset) -> list[str]:
    """The input columns of the ruleset's fields, in declaration order."""
    return [f.column for f in ruleset.program.fields.values()]


def date_list_columns(ruleset: CompiledRuleset) -> list[str]:
    """The input columns of the fields declared lists of dates or timestamps."""
    return [
        f.column
        for f in ruleset.program.fields.values()
        if f.type.element is not None and f.type.element.name in ("date", "timestamp")
    ]


def prepare(
    con: DuckDBPyConnection,
    ruleset: CompiledRuleset,
    source: Source,
    as_of: dt.date,
    population: PopulationOrPath,
    validate: str = "needed",
    *,
    compact_text: bool = False,
) -> DuckDBGenerator:
    """A generator for this run, with the population resolved: live, frozen, or built from
    another batch of records (which is frozen first, as the Python engine does)."""
    program = ruleset.program
    if population is None or not ruleset.compiled.pop_keys:
        return DuckDBGenerator(program, as_of=as_of, validate=validate, compact_text=compact_text)
    if not isinstance(population, FrozenPopulation):
        population = freeze(ruleset, population, as_of)
    gen = DuckDBGenerator(
        program, as_of=as_of, frozen=True, validate=validate, compact_text=compact_text
    )
    register_frozen(con, gen, population)
    return gen


def freeze(
    ruleset: CompiledRuleset,
    data: str | os.PathLike[str] | Iterable[Mapping[str, Any]],
    as_of: object = None,
    con: DuckDBPyConnection | None = None,
) -> FrozenPopulation:
    """Ruleset.freeze on DuckDB: from records or a file."""
    today = as_date(as_of)
    con = con or connect()
    if is_path(data):
        source = file_source(con, data)
        total = fetch_int(
            con,
            f"SELECT count(*) FROM "
            f"{DuckDBGenerator(ruleset.program).relation_sql(source.relation)}",
            f"count the rows of {data}",
        )
    else:
        records = data if isinstance(data, list) else list(data)
        source = records_source(
            con,
            records,
            field_columns(ruleset),
            name="rk_population_records",
            date_lists=date_list_columns(ruleset),
        )
        total = len(records)
    gen = DuckDBGenerator(ruleset.program, as_of=today)
    return population_values(con, gen, source, total, today)


def population_values(
    con: DuckDBPyConnection, gen: DuckDBGenerator, source: Source, records: int, as_of: dt.date
) -> FrozenPopulation:
    """The population of every ranked expression, computed by DuckDB, as the same object
    Ruleset.freeze builds: sorted non-missing values per key and group."""
    pops = {}
    for key in gen.pop_keys:
        rows = run_sql(
            con, gen.population_values_sql(source, key), "freeze the population"
        ).fetchall()
        partitioned = key.split("|", 1)[1] != ""
        groups = {}
        for g, values in rows:
            v = Values(())
            v.sorted = list(values)
            groups[_group_key(g) if partitioned else None] = v
        pops[key] = Population(key, groups, partitioned)
    return FrozenPopulation(gen.p.id, pops, records, str(as_of))


def _group_key(g: Any) -> Any:
    """A group as the Python engine keys it: the `by` field's coerced value, where a list is a
    tuple (DuckDB gives a list group as a Python list)."""
    return tuple(g) if isinstance(g, list) else g


# ---------------------------------------------------------------------- registering


def register_frozen(
    con: DuckDBPyConnection, gen: DuckDBGenerator, frozen: FrozenPopulation
) -> None:
    """Register a frozen population's sorted values as the tables the generator joins: per key
    k, rk_frozen_k_values(g, v, le, sum_le) over distinct values (le = #values <= v) and
    rk_frozen_k_groups(g, n, total)."""
    import pyarrow as pa

    program = gen.p
    for k, key in enumerate(gen.pop_keys):
        pop = frozen.populations.get(key)
        if pop is None:
            raise RulekitError(
                f"the frozen population (from ruleset {frozen.ruleset!r}) has no values for "
                f"{key.split('|')[0]!r}; freeze it from this ruleset ({program.id!r})"
            )
        node = gen.pop_nodes[key]
        if isinstance(node, n.RankIn):
            arg, by = node.operand, node.by
        else:  # a population function: its first argument is ranked
            arg, by = node.args[0], node.by
        v_type = "BIGINT" if program.types[arg.id] == T.INTEGER else "DOUBLE"
        by_type = program.fields[by.name].type if by is not None else None
        g_type = gen.sql_type(by_type) if by_type is not None else "VARCHAR"
        group_value, group_type = _group_form(by_type)
        gs: list[Any] = []
        vs: list[float] = []
        les: list[int] = []
        sums: list[float] = []
        exact: list[int | None] = []
        groups: list[Any] = []
        ns: list[int] = []
        totals: list[float] = []
        exact_totals: list[int | None] = []
        for g, values in pop.groups.items():
            g = group_value(g)
            if g is _NO_GROUP:
                continue
            seq = values.sorted
            # exact sums as population.Values builds them: every value over one denominator
            exact_seq = exact_ratios(seq)
            ratios = exact_seq or [(0, 1)] * len(seq)  # ±infinity: no exact sums (None)
            den = max((d for _, d in ratios), default=1)
            acc: float = 0
            count = whole = 0
            for i, v in enumerate(seq):
                acc += v
                count += 1
                whole += ratios[i][0] * (den // ratios[i][1])
                if i + 1 == len(seq) or seq[i + 1] != v:
                    gs.append(g)
                    vs.append(v)
                    les.append(count)
                    sums.append(acc)
                    exact.append(whole if exact_seq is not None else None)
            groups.append(g)
            ns.append(len(seq))
            totals.append(acc)
            exact_totals.append(whole if exact_seq is not None else None)
        fits = all(abs(w) < 10**37 for w in exact_totals + exact if w is not None)

        def decimals(xs: list[int | None], fits: bool = fits) -> pa.Array[Any]:
            # exact integers up to 38 digits; else none (the query uses the doubles)
            return pa.array(
                [Decimal(w) if fits and w is not None else None for w in xs],
                pa.decimal128(38, 0),
            )

        if v_type == "BIGINT" and not all(_INT64[0] <= v <= _INT64[1] for v in vs):
            v_type = "HUGEINT"  # whole numbers beyond 64 bits (exact up to 38 digits)
        v_array: pa.Array[Any]
        if v_type == "BIGINT":  # whole numbers stay exact (a double rounds 2**63 - 1 up)
            v_array = pa.array([int(v) for v in vs], pa.int64())
        elif v_type == "HUGEINT":
            v_array = pa.array([Decimal(int(v)) for v in vs], pa.decimal128(38, 0))
        else:
            v_array = pa.array([float(v) for v in vs], pa.float64())
        values_t = pa.table(
            {
                "g": pa.array(gs, group_type),
                "v": v_array,
                "le": pa.array(les, pa.int64()),
                "sum_le": pa.array([float(s) for s in sums], pa.float64()),
                "sum_le_exact": decimals(exact),
            }
        )
        groups_t = pa.table(
            {
                "g": pa.array(groups, group_type),
                "n": pa.array(ns, pa.int64()),
                "total": pa.array([float(t) for t in totals], pa.float64()),
                "total_exact": decimals(exact_totals),
            }
        )
        con.register(f"rk_frozen_arrow_{k}_values", values_t)
        con.register(f"rk_frozen_arrow_{k}_groups", groups_t)
        ident = gen.identifier_sql
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {ident(f'rk_frozen_{k}_values')} AS SELECT "
            f"CAST(g AS {g_type}) AS g, CAST(v AS {v_type}) AS v, le, sum_le, "
            f"CAST(sum_le_exact AS HUGEINT) AS sum_le_exact "
            f"FROM rk_frozen_arrow_{k}_values"
        )
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {ident(f'rk_frozen_{k}_groups')} AS SELECT "
            f"CAST(g AS {g_type}) AS g, n, total, CAST(total_exact AS HUGEINT) AS "
            f"total_exact FROM rk_frozen_arrow_{k}_groups"
        )


_INT64 = (-(2**63), 2**63 - 1)


def _plain(g: Any) -> Any:
    return g if g is None or isinstance(g, (str, int, float, bool)) else str(g)


_NO_GROUP = object()


def _group_form(by_type: T.Type | None) -> tuple[Callable[[Any], Any], pa.DataType | None]:
    """How a frozen population's group keys are registered for the view to cast to the `by`
    field's SQL type: (Python key -> Arrow value, Arrow type or None to infer). A scalar group
    as the value of the field's type that Python finds equal to it (1.0 for an integer 1; a
    text '1' equals no integer, so it is left out, as Python matches no record to it); a list
    group (a tuple: semantics.py coerces a list to a tuple) as an Arrow list of the element's
    type, so that it is cast as a list, not parsed from text; a missing group stays missing
    and an empty list an empty list."""
    import pyarrow as pa

    if by_type is None:
        return _plain, None
    name = by_type.element.name if by_type.element is not None else by_type.name
    types: dict[str, pa.DataType] = {
        "integer": pa.int64(),
        "number": pa.float64(),
        "duration": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us"),
    }
    arrow = types.get(name, pa.string())  # a string, or an element of unknown type as text

    def element(x: Any) -> Any:
        # the value of the element type equal to x in Python (1 == 1.0 == True), or _NO_GROUP
        if x is None:
            return None
        if name == "integer":
            if isinstance(x, float) and x.is_integer() or isinstance(x, bool):
                x = int(x)
            return x if isinstance(x, int) and -(2**63) <= x < 2**63 else _NO_GROUP
        if name in ("number", "duration"):
            if isinstance(x, float):
                return x if x == x else _NO_GROUP  # NaN equals nothing
            ok = isinstance(x, int) and abs(x) < 2**1024 and float(x) == x
            return float(x) if ok else _NO_GROUP
        if name == "boolean":
            return bool(x) if isinstance(x, (int, float)) and x in (0, 1) else _NO_GROUP
        if name == "date":
            return x if x.__class__ is dt.date else _NO_GROUP
        if name == "timestamp":
            return x if isinstance(x, dt.datetime) and x.tzinfo is None else _NO_GROUP
        if name == "string":
            return x if isinstance(x, str) else _NO_GROUP
        return _plain(x)

    def value(g: Any) -> Any:
        # A group no value of the `by` field can equal (from a population frozen with another
        # type) has no records in Python either: it is left out, never an error.
        if g is None:
            return None
        if not isinstance(g, (tuple, list)):
            return _NO_GROUP
        out = [element(x) for x in g]
        return _NO_GROUP if any(x is _NO_GROUP for x in out) else out

    if by_type.element is None:  # a scalar group: the value of the field's type equal to it
        return element, arrow
    return value, pa.list_(arrow)
