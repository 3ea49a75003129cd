"""Population functions (percentile, score, cumulative_share, rank … in), by LANGUAGE.md §5.

A live population is computed with window functions over the valid rows: each population key
gets an argument column, and each population node a column of its value (`population_steps`,
which layout.py levels with the lets). cumulative_share adds exact sums: every value × 2^K as a
128-bit integer, divided once by arithmetic.py's exact_div_sql, as population.py does in Python.
A frozen population reads less(x), greater(x), N and the sums from its frozen tables, joined by
ASOF joins on the sorted distinct values (`frozen_joins`; see duckdb_engine.register_frozen).
"""

from __future__ import annotations

from typing import cast

from rulekit.compile.sql.base import Step
from rulekit.compile.sql.expressions import P_MUL, Expressions
from rulekit.model import datatypes as T
from rulekit.syntax import nodes as n


class Populations(Expressions):
    """The columns and window SQL of population functions."""

    def _pop_parts(self, key: str) -> tuple[str, str | None]:
        """(argument column, partition column or None) of a population key."""
        node = self.pop_nodes[key]
        by = node.by
        part = self.identifier_sql(self.field_col[by.name]) if by is not None else None
        return self.identifier_sql(self.arg_col[key]), part

    def _pop_arg(self, key: str) -> n.Node:
        node = self.pop_nodes[key]
        return node.operand if isinstance(node, n.RankIn) else node.args[0]

    def _window(self, key: str, order: str | None = None, frame: str = "") -> str:
        x, part = self._pop_parts(key)
        clauses = []
        if part:
            clauses.append(f"PARTITION BY {part}")
        if order:
            clauses.append(f"ORDER BY {x} {order} NULLS LAST")
        if frame:
            clauses.append(frame)
        return f"OVER ({' '.join(clauses)})"

    def _stats(self, key: str) -> dict[str, str]:
        """less, greater, n, Σ{v < x} and Σ of the population, as SQL for the current row."""
        x, _ = self._pop_parts(key)
        if self.frozen:
            cols = self.frozen_col[key]
            return {k: self.identifier_sql(v) for k, v in cols.items()}
        upto = "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
        stats = {
            "less": f"(rank() {self._window(key, 'ASC')} - 1)",
            "greater": f"(rank() {self._window(key, 'DESC')} - 1)",
            "n": f"count({x}) {self._window(key)}",
            "at_least": f"sum({x}) {self._window(key, 'DESC', upto)}",
            "total": f"sum({x}) {self._window(key)}",
        }
        if key in self.scaled_col:
            scaled = self.identifier_sql(self.scaled_col[key])
            stats["exact_at_least"] = f"sum({scaled}) {self._window(key, 'DESC', upto)}"
            stats["exact_total"] = f"sum({scaled}) {self._window(key)}"
        return stats

    def population_sql(self, node: n.Node) -> str:
        """A population function of the current row, by LANGUAGE.md §5's definitions: P = the
        non-missing values; ties share (rank); missing values never count (count(x), NULLS
        LAST); a missing x gives missing."""
        key = self.p.population_keys[node.id]
        x, _ = self._pop_parts(key)
        s = self._stats(key)
        missing = f"{x} IS NULL" if not self.frozen else f"{x} IS NULL OR {s['n']} = 0"
        if isinstance(node, n.RankIn):
            p = self.sql(node.fraction, P_MUL)
            counted = s["greater"] if node.top else s["less"]
            return f"CASE WHEN {missing} THEN NULL ELSE {counted} < {p} * {s['n']} END"
        node = cast(n.Call, node)
        f = node.func
        if f == "percentile":
            return (
                f"CASE WHEN {missing} THEN NULL WHEN {s['n']} = 1 THEN 0 "
                f"ELSE 100 * {s['less']} / ({s['n']} - 1) END"
            )
        if f == "score":
            k = cast(n.Literal, node.args[1]).value
            bucket = self.int_div_sql(f"({k} * {s['less']})", s["n"])
            return (
                f"CASE WHEN {missing} THEN NULL "
                f"ELSE {self.least_sql([str(k), f'1 + {bucket}'])} END"
            )
        if f == "cumulative_share":
            exact_total: str | None
            exact_at_least: str | None
            if self.frozen:
                ident = self.identifier_sql
                cols = self.frozen_col[key]
                at_least = f"({s['total']} - {s['below']})"
                exact_total = ident(cols["total"] + "_exact")
                exact_at_least = f"({exact_total} - {ident(cols['below'] + '_exact')})"
            else:
                at_least = s["at_least"]
                exact_total, exact_at_least = s.get("exact_total"), s.get("exact_at_least")
            total = self.cast_sql(s["total"], "DOUBLE")
            approx = (
                f"CASE WHEN {s['total']} = 0 OR NOT {self.is_finite_sql(total)} THEN NULL "
                f"ELSE {self.cast_sql(at_least, 'DOUBLE')} / "
                f"{self.cast_sql(s['total'], 'DOUBLE')} END"
            )
            if exact_total is None or exact_at_least is None or not self.EXACT_DIVISION:
                return f"CASE WHEN {x} IS NULL THEN NULL ELSE {approx} END"
            exact = (
                f"CASE WHEN {exact_total} = 0 THEN NULL "
                f"ELSE {self.exact_div_sql(exact_at_least, exact_total)} END"
            )
            # ±infinity in P: no finite total, missing (population.Values.cumulative_share)
            return (
                f"CASE WHEN {x} IS NULL OR NOT {self.is_finite_sql(total)} THEN NULL "
                f"WHEN {exact_total} IS NOT NULL THEN {exact} ELSE {approx} END"
            )
        return self.unsupported(f"the population function {f}")

    # ------------------------------------------------------------------ the steps
    def population_steps(self) -> dict[str, Step]:
        """The computed columns of the populations, by column name: each key's argument, the
        exact sum terms of a cumulative_share, then each population node's value (its SQL is
        written when its level is, see layout.py)."""
        steps: dict[str, Step] = {}
        for key in self.pop_keys:
            arg = self._pop_arg(key)
            among = self.pop_nodes[key].among
            value, reads = self.sql(arg), self._reads(arg)
            if among is not None:  # a filter: outside it (false or unknown) the value is NULL
                value = f"CASE WHEN {self.sql(among)} THEN {value} END"
                reads |= self._reads(among)
            steps[self.arg_col[key]] = Step(
                self.arg_col[key],
                value,
                reads,
                "arg",
                self.pop_nodes[key],
                f"population of {key.split('|')[0]}",
            )
        for key, scaled in self.scaled_col.items():
            steps.update(self._exact_sum_steps(key, scaled))
        for node_id, key in self.p.population_keys.items():
            col = self.pop_col[node_id]
            node = self.p.node(node_id)
            deps = {self.arg_col[key]}
            if key in self.scaled_col and not self.frozen:
                deps.add(self.scaled_col[key])
            steps[col] = Step(col, "", deps, "pop", node, self.p.source.snippet(node.span))
        return steps

    def _exact_sum_steps(self, key: str, scaled: str) -> dict[str, Step]:
        """Exact sums for cumulative_share: every value × 2^K is a whole number, K from the
        smallest magnitude in its group; too wide a range falls back to double sums."""
        x, _ = self._pop_parts(key)
        k_col, big_col = self.scale_col[key]
        if self.type_of(self._pop_arg(key)) == T.INTEGER:
            terms = self.cast_sql(x, "HUGEINT")
            return {
                scaled: Step(scaled, terms, {self.arg_col[key]}, "scale", None, "exact sum terms")
            }
        lowest = (
            f"min(CASE WHEN {x} <> 0 AND {self.is_finite_sql(x)} THEN "
            f"CAST(floor(log2(abs({x}))) AS INTEGER) END)"
        )
        k, big = self.identifier_sql(k_col), self.identifier_sql(big_col)
        return {
            k_col: Step(
                k_col,
                f"greatest(0, 53 - {lowest} {self._window(key)})",
                {self.arg_col[key]},
                "scale",
                None,
                "binary digits to scale by",
            ),
            big_col: Step(
                big_col,
                f"sum(abs({x})) {self._window(key)}",
                {self.arg_col[key]},
                "scale",
                None,
                "size of the sums",
            ),
            scaled: Step(
                scaled,
                f"CASE WHEN {k} <= 900 AND {big} * pow(2.0, {k}) < pow(2.0, 125) THEN "
                f"{self.cast_sql(f'{x} * pow(2.0, {k})', 'HUGEINT')} END",
                {k_col, big_col},
                "scale",
                None,
                "exact sum terms",
            ),
        }

    # ------------------------------------------------------------------ frozen populations
    def frozen_joins(self, ctes: list[tuple[str, str]], prev: str, node: n.Node) -> str:
        """Frozen population: less(x), greater(x), N and sums from the frozen tables, by ASOF
        joins on the sorted distinct values (see duckdb_engine.register_frozen)."""
        key = self.p.population_keys[node.id]
        if key in self._frozen_done:
            return prev
        self._frozen_done.add(key)
        k = self.pop_key_index[key]
        cols = self.frozen_col[key]
        ident = self.identifier_sql
        x, part = self._pop_parts(key)
        # the tables duckdb_population registers: always under the dialect's own prefix
        fixed = type(self).PREFIX
        values, groups = f"{fixed}frozen_{k}_values", f"{fixed}frozen_{k}_groups"
        eq = [(part, ident("g"))] if part else []
        # less(x) = #{v < x}: the count up to the largest value below x; likewise the sum.
        name = f"{self.PREFIX}frozen_{k}_below"
        ctes.append(
            (
                name,
                self.asof_join_sql(
                    ident(prev),
                    ident(values),
                    eq,
                    x,
                    ">",
                    ident("v"),
                    [
                        (f"COALESCE(b.{ident('le')}, 0)", cols["less"]),
                        (f"COALESCE(b.{ident('sum_le')}, 0)", cols["below"]),
                        (f"COALESCE(b.{ident('sum_le_exact')}, 0)", cols["below"] + "_exact"),
                    ],
                ),
            )
        )
        # #{v <= x}, for greater(x) = N - #{v <= x}
        upto = cols["greater"] + "_upto"
        prev, name = name, f"{self.PREFIX}frozen_{k}_upto"
        ctes.append(
            (
                name,
                self.asof_join_sql(
                    ident(prev),
                    ident(values),
                    eq,
                    x,
                    ">=",
                    ident("v"),
                    [(f"COALESCE(b.{ident('le')}, 0)", upto)],
                ),
            )
        )
        g = ident("g")
        on = f"a.{part} IS NOT DISTINCT FROM b.{g}" if part else "TRUE"
        prev, name = name, f"{self.PREFIX}frozen_{k}_size"
        ctes.append(
            (
                name,
                f"SELECT a.*, COALESCE(b.{ident('n')}, 0) AS {ident(cols['n'])}, "
                f"COALESCE(b.{ident('total')}, 0) AS {ident(cols['total'])}, "
                f"CASE WHEN b.{ident('g')} IS NULL AND b.{ident('n')} IS NULL THEN 0 "
                f"ELSE b.{ident('total_exact')} END AS {ident(cols['total'] + '_exact')}, "
                f"COALESCE(b.{ident('n')}, 0) - a.{ident(upto)} AS {ident(cols['greater'])}"
                f"\nFROM {ident(prev)} AS a LEFT JOIN {ident(groups)} AS b ON {on}",
            )
        )
        return name
