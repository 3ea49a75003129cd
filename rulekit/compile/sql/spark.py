"""The Spark SQL dialect: a table of overrides over the generator, nothing more.

Spark quotes names with backticks and escapes strings with backslashes, sorts NULLs first by
default (`nulls_are_small`; the generator writes NULLS LAST anyway), writes lambdas `x -> …`,
arrays with `array(…)` and 0-based `[i]`, integer division with `div`, and has no ASOF join (a
frozen population's thresholds are merged with the distinct values by a window, see
`frozen_joins`). Spark's `round` already rounds half up on the
decimal form of a double (it goes through BigDecimal), which is semantics.round_half_up.

Runs as printed (on Spark 4, ANSI mode on, `spark.sql.parser.escapedStringLiterals` false; see
rulekit.engines.spark_session for the settings verified): rows are numbered with
`monotonically_increasing_id()` (increasing in input order, not consecutive: Spark rejects
`row_number() OVER ()`, and a window ordered over all rows would sort them in one task); a
result column named like an input column replaces it (`* EXCEPT (…)`); NaN read from a column
is missing, as in rulekit (`isnan` gives NULL on read).
"""

from __future__ import annotations

from rulekit.compile.sql.arithmetic import MUL_DECIMAL
from rulekit.compile.sql.base import indent
from rulekit.compile.sql.generator import Generator
from rulekit.compile.sql.outputs import result_column_names, result_values_sql
from rulekit.compile.sql.rawvalues import _DIGITS_FROM, _DIGITS_TO
from rulekit.compile.sql.relation import Source
from rulekit.model.outputs import has_results
from rulekit.model.program import HitPolicy
from rulekit.syntax import nodes as n

# DuckDB type names the shared modules write -> Spark's
_SPARK_TYPES = {"VARCHAR": "STRING", "HUGEINT": "DECIMAL(38, 0)"}
_NON_ASCII = r"[^\x00-\x7F]"
_SPACE_ENDS = r"^[\s\u3000\u00a0]+|[\s\u3000\u00a0]+$"


class SparkGenerator(Generator):
    DIALECT = "spark"
    IDENTIFIER_QUOTE = "`"
    NULL_ORDERING = "nulls_are_small"
    TYPES = {**Generator.TYPES, "string": "STRING"}
    TRY_CAST = "TRY_CAST"
    EXACT_DIVISION = False  # no 128-bit integers: cumulative_share divides double sums
    WIDE_INTEGER = "DECIMAL(38, 0)"

    def quote_string_sql(self, text: str) -> str:
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def try_cast_sql(self, expr: str, type_sql: str) -> str:
        return super().try_cast_sql(expr, _SPARK_TYPES.get(type_sql, type_sql))

    def list_type_sql(self, element: str) -> str:
        return f"ARRAY<{element}>"

    def integral_sql(self, x: str) -> str:
        return f"{x} % 1 = 0"  # Spark's trunc truncates dates

    def remove_all_sql(self, text: str, pattern: str) -> str:
        # Spark's regexp_replace replaces every match; its 4th argument is a position
        return f"regexp_replace({text}, {self.string_sql(pattern)}, '')"

    def strptime_sql(self, text: str, fmt: str) -> str:
        """--date-format (strftime directives) as Spark's datetime pattern."""
        return f"try_to_timestamp({text}, {self.string_sql(_java_pattern(fmt))})"

    def list_sql(self, items: list[str]) -> str:
        return f"array({', '.join(items)})"

    def list_filter_sql(self, lst: str, var: str, cond: str) -> str:
        return f"filter({lst}, {self.lambda_sql([var], cond)})"

    def list_transform_sql(self, lst: str, var: str, body: str) -> str:
        return f"transform({lst}, {self.lambda_sql([var], body)})"

    def list_element_sql(self, lst: str, index0: str) -> str:
        return f"element_at({lst}, {index0} + 1)"

    def let_sql(self, value: str, var: str, body: str) -> str:
        # Spark's [i] counts from 0 (DuckDB's from 1): the one element of the list
        return f"element_at({self.list_transform_sql(self.list_sql([value]), var, body)}, 1)"

    def list_length_sql(self, lst: str) -> str:
        return f"size({lst})"

    def list_contains_sql(self, lst: str, x: str) -> str:
        return f"array_contains({lst}, {x})"

    def list_has_null_sql(self, lst: str) -> str:
        return f"exists({lst}, v -> v IS NULL)"

    def list_distinct_ordered_sql(self, lst: str) -> str:
        return f"array_distinct({lst})"  # Spark keeps first occurrences in order

    def list_join_sql(self, lst: str, sep: str) -> str:
        return f"array_join({lst}, {self.string_sql(sep)})"

    def string_length_sql(self, s: str) -> str:
        return f"char_length({s})"

    def string_test_sql(self, op: str, s: str, p: str) -> str:
        func = {"contains": "contains", "starts_with": "startswith", "ends_with": "endswith"}[op]
        return f"{func}({s}, {p})"

    def int_div_sql(self, a: str, b: str) -> str:
        return f"{a} div {b}"

    def double_sql(self, value: float) -> str:
        return f"CAST({self.string_sql(repr(value))} AS DOUBLE)"

    def date_diff_days_sql(self, a: str, b: str) -> str:
        return f"datediff({a}, {b})"

    def timestamp_diff_days_sql(self, a: str, b: str) -> str:
        return f"(CAST(unix_micros({a}) - unix_micros({b}) AS DOUBLE) / 1000000.0 / 86400.0)"

    def move_date_sql(self, d: str, days: str) -> str:
        # CAST(double AS INT) drops the fraction toward zero
        return f"date_add({d}, {self.cast_sql(days, 'INT')})"

    def epoch_micros_sql(self, ts: str) -> str:
        return f"unix_micros({ts})"

    def from_epoch_micros_sql(self, micros: str) -> str:
        return f"timestamp_micros({micros})"

    def round_sql(self, x: str, digits: int, integer: bool) -> str:
        return f"round(CAST({x} AS DOUBLE), {digits})"

    def pack_row_sql(self, alias: str) -> str:
        return "struct(*)"

    def row_number_sql(self) -> str:
        # increasing in input order; the engine numbers rows 0, 1, 2 … itself (spark_engine)
        return "monotonically_increasing_id()"

    def star_sql(self, struct: str | None, exclude: list[str] | None = None) -> str:
        star = f"{struct}.*" if struct else "*"
        if exclude:
            return f"{star} EXCEPT ({', '.join(map(self.identifier_sql, exclude))})"
        return star

    def ascii_digits_sql(self, s: str) -> str:
        return (
            f"CASE WHEN {s} RLIKE {self.string_sql(_NON_ASCII)} THEN "
            f"translate({s}, {self.string_sql(_DIGITS_FROM)}, {self.string_sql(_DIGITS_TO)})"
            f" ELSE {s} END"
        )

    def micros_of_second_sql(self, ts: str) -> str:
        return f"(unix_micros({ts}) % 1000000 + 1000000) % 1000000"

    def regex_full_match_sql(self, s: str, pattern: str) -> str:
        return f"({s} RLIKE {self.string_sql('^(?:' + pattern + ')$')})"

    def strip_sql(self, s: str) -> str:
        return f"regexp_replace({s}, {self.string_sql(_SPACE_ENDS)}, '')"

    def is_finite_sql(self, x: str) -> str:
        return f"(NOT isnan({x}) AND abs({x}) != double('Infinity'))"  # Spark has no isfinite

    def is_whole_sql(self, x: str) -> str:
        return f"(NOT isnan({x}) AND abs({x}) != double('Infinity') AND {x} = floor({x}))"

    # ------------------------------------------------------------------ exact decimals
    _exact_product = False  # set while decimal_arith_sql writes a ×

    def decimal_arith_sql(self, op: str, a: str, b: str, whole: tuple[bool, bool]) -> str:
        """As the generator's, but × inside its window as Spark's DECIMAL gives it exactly:
        Spark types DECIMAL(19, 9) × DECIMAL(19, 9) as DECIMAL(38, 17) (its precision-loss
        rule drops the 18th decimal: 1e-9 × 8.221002828 came out wrong), so cast_sql writes
        the product of the operands' units (DECIMAL(19, 0), whole numbers) into an exact
        DECIMAL(38, 0), whose text with `E-18` is read as a DOUBLE (one correctly rounded
        conversion, as the decimal's own)."""
        if op != "*":
            return super().decimal_arith_sql(op, a, b, whole)
        self._exact_product = True
        try:
            return super().decimal_arith_sql(op, a, b, whole)
        finally:
            self._exact_product = False

    def cast_sql(self, expr: str, type_sql: str) -> str:
        end = f" AS {MUL_DECIMAL})"
        if self._exact_product and type_sql == "DOUBLE" and expr.endswith(end):
            da, sep, db = expr.partition(end + " * ")
            if sep and da.startswith("TRY_CAST(") and db.startswith("TRY_CAST("):
                ua, ub = (f"CAST({d} * 1000000000 AS DECIMAL(19, 0))" for d in (da + end, db))
                return f"CAST(concat(CAST({ua} * {ub} AS STRING), 'E-18') AS DOUBLE)"
        return super().cast_sql(expr, _SPARK_TYPES.get(type_sql, type_sql))

    # ------------------------------------------------------------------ populations that scale
    def population_joins(self, ctes: list[tuple[str, str]], prev: str, node: object) -> str:
        """A live population without a sort of every row in one task: the distinct values of
        the argument and their counts and sums by a grouped aggregation (parallel), cumulative
        counts over that small table (a window over the distinct values, per `by` group), joined
        back on the value. less(x) = #{v < x}, greater(x) = #{v > x}, n, Σ{v < x}, Σ: the
        frozen population's columns, so population_sql reads them as it reads a frozen one's."""
        assert isinstance(node, n.Node)
        key = self.p.population_keys[node.id]
        if key in self._frozen_done:
            return prev
        self._frozen_done.add(key)
        ident = self.identifier_sql
        k = self.pop_key_index[key]
        cols = self.frozen_col[key]
        x, part = self._pop_parts(key)
        # counted from the step that computed the argument, not from the previous join: a chain
        # of joins each counting its predecessor would hold 2^k copies of the whole plan
        bases: dict[str, str] = self.__dict__.setdefault("_pop_base", {})
        base = bases.get(prev, prev)
        g, v, c, sx = ident("g"), ident("v"), ident("c"), ident("s")
        group = f"{part} AS {g}, " if part else ""
        counts, cum = f"{self.PREFIX}pop_{k}_counts", f"{self.PREFIX}pop_{k}_cumulative"
        ctes.append(
            (
                counts,
                f"SELECT {group}{x} AS {v}, count(*) AS {c}, sum(CAST({x} AS DOUBLE)) AS {sx}\n"
                f"FROM {ident(base)}\nWHERE {x} IS NOT NULL\nGROUP BY {group[: -len(f' AS {g}, ')] + ', ' if part else ''}{x}",
            )
        )
        by = f"PARTITION BY {g} " if part else ""
        before = f"OVER ({by}ORDER BY {v} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
        every = f"OVER ({by.strip()})"
        ctes.append(
            (
                cum,
                f"SELECT {g + ', ' if part else ''}{v}, {c}, "
                f"COALESCE(sum({c}) {before}, 0) AS {ident(cols['less'])}, "
                f"sum({c}) {every} AS {ident(cols['n'])}, "
                f"COALESCE(sum({sx}) {before}, 0) AS {ident(cols['below'])}, "
                f"sum({sx}) {every} AS {ident(cols['total'])}\nFROM {ident(counts)}",
            )
        )
        on = f"a.{x} = b.{v}" + (f" AND a.{part} <=> b.{g}" if part else "")
        name = f"{self.PREFIX}pop_{k}_joined"
        bases[name] = base
        ctes.append(
            (
                name,
                f"SELECT a.*, b.{ident(cols['less'])}, b.{ident(cols['n'])}, "
                f"b.{ident(cols['n'])} - b.{ident(cols['less'])} - b.{c} AS "
                f"{ident(cols['greater'])}, b.{ident(cols['below'])}, b.{ident(cols['total'])}\n"
                f"FROM {ident(prev)} AS a LEFT JOIN {ident(cum)} AS b ON {on}",
            )
        )
        return name

    def frozen_joins(self, ctes: list[tuple[str, str]], prev: str, node: n.Node) -> str:
        """A frozen population: its thresholds read from two constant tables, never recomputed
        from the rows (Spark has no ASOF join). Per key k, `rk_frozen_k_values(g, v, le, share)`
        holds each distinct frozen value v with le = #{w <= v} and share = the exact
        cumulative_share of a value just above v; `rk_frozen_k_groups(g, n, share)` each group's
        size and the share of a value at or below its smallest (rulekit.engines.spark_population
        builds both). The distinct values of the argument (a grouped aggregation) are merged
        with the frozen values, sorted per group (a window over distinct values, never over
        every row), which gives less(x) = #{w < x} and #{w <= x}; joined back on the value."""
        key = self.p.population_keys[node.id]
        if key in self._frozen_done:
            return prev
        self._frozen_done.add(key)
        ident = self.identifier_sql
        k = self.pop_key_index[key]
        cols = self.frozen_col[key]
        x, part = self._pop_parts(key)
        bases: dict[str, str] = self.__dict__.setdefault("_pop_base", {})
        base = bases.get(prev, prev)
        values, groups = self.frozen_views.get(k, self.frozen_view_names(k))
        g, v, s, le, sh = ident("g"), ident("v"), ident("s"), ident("le"), ident("share")
        by = self.p.fields[self.pop_nodes[key].by.name].type if part else None  # type: ignore[union-attr]
        g_of = f"CAST({g} AS {self.sql_type(by)}) AS {g}, " if by is not None else ""
        keys, merged = f"{self.PREFIX}pop_{k}_keys", f"{self.PREFIX}pop_{k}_frozen"
        ctes.append(
            (
                keys,
                f"SELECT DISTINCT {part + f' AS {g}, ' if part else ''}{x} AS {v}\n"
                f"FROM {ident(base)}\nWHERE {x} IS NOT NULL",
            )
        )
        window = f"PARTITION BY {g} ORDER BY {v}, {s}" if part else f"ORDER BY {v}, {s}"
        before = f"OVER ({window} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
        less = f"COALESCE(last({le}, true) {before}, 0)"
        upto = (
            f"CASE WHEN lead({s}) OVER ({window}) = 1 AND lead({v}) OVER ({window}) = {v} "
            f"THEN lead({le}) OVER ({window}) ELSE {less} END"
        )
        ctes.append(
            (
                merged,
                f"SELECT * FROM (\n  SELECT {g + ', ' if part else ''}{v}, {s}, {less} AS "
                f"{le}, {upto} AS {ident('upto')}, last({sh}, true) {before} AS {sh}\n"
                f"  FROM (\n    SELECT {g + ', ' if part else ''}{v}, 0 AS {s}, "
                f"CAST(NULL AS BIGINT) AS {le}, CAST(NULL AS DOUBLE) AS {sh} FROM {ident(keys)}\n"
                f"    UNION ALL\n    SELECT {g_of}{v}, 1 AS {s}, {le}, {sh} FROM {ident(values)}"
                f"\n  )\n)\nWHERE {s} = 0",
            )
        )
        on = f"a.{x} = b.{v}" + (f" AND a.{part} <=> b.{g}" if part else "")
        group_on = f"a.{part} <=> CAST(c.{g} AS {self.sql_type(by)})" if by is not None else "TRUE"
        name = f"{self.PREFIX}pop_{k}_joined"
        bases[name] = base
        ctes.append(
            (
                name,
                f"SELECT a.*, COALESCE(b.{le}, 0) AS {ident(cols['less'])}, "
                f"COALESCE(c.{ident('n')}, 0) AS {ident(cols['n'])}, "
                f"COALESCE(c.{ident('n')}, 0) - COALESCE(b.{ident('upto')}, 0) AS "
                f"{ident(cols['greater'])}, CASE WHEN c.{ident('n')} > 0 THEN "
                f"COALESCE(b.{sh}, c.{sh}) END AS {ident(self.share_col(key))}\n"
                f"FROM {ident(prev)} AS a LEFT JOIN {ident(merged)} AS b ON {on}\n"
                f"LEFT JOIN {ident(groups)} AS c ON {group_on}",
            )
        )
        return name

    frozen_views: dict[int, tuple[str, str]] = {}  # the engine's table names, by key index

    def frozen_view_names(self, k: int) -> tuple[str, str]:
        """The tables of frozen population k, as `rulekit sql --frozen-population` names them."""
        fixed = type(self).PREFIX
        return f"{fixed}frozen_{k}_values", f"{fixed}frozen_{k}_groups"

    def share_col(self, key: str) -> str:
        """The column of a frozen population's exact cumulative_share (the `below` column's
        name: a frozen population on Spark needs no partial sums)."""
        return self.frozen_col[key]["below"]

    def population_sql(self, node: n.Node) -> str:
        if self.frozen and isinstance(node, n.Call) and node.func == "cumulative_share":
            key = self.p.population_keys[node.id]
            x, _ = self._pop_parts(key)
            return f"CASE WHEN {x} IS NULL THEN NULL ELSE {self.identifier_sql(self.share_col(key))} END"
        return super().population_sql(node)

    def _stats(self, key: str) -> dict[str, str]:
        stats = super()._stats(key) if self.frozen else {}
        if not self.frozen:
            cols = {k: self.identifier_sql(v) for k, v in self.frozen_col[key].items()}
            stats = dict(cols, at_least=f"({cols['total']} - {cols['below']})")
        return stats

    # ------------------------------------------------------------------ frames (spark_engine)
    def frame_sql(self, source: Source, labels: str = "id") -> str:
        """Every input row, in no particular order, with its input columns (a result column
        named like one replaces it), the label and the deciding rule, and for a set-aside row
        no label, `<id>_rejected_field` and `<id>_rejected_reason` (the quarantine file's
        words), and the internal `stage` column (1 validate, 2 population argument, 3
        evaluation or a unique conflict; NULL for a good row) and the row number.

        labels: "id" puts label ids in `<id>`, "name" their display names, "both" the ids in
        `<id>` and the display names in `<id>_name`."""
        self.display = labels != "id"
        ctes, last = self._ctes(source, passthrough=True, reasons=True)
        ident = self.identifier_sql
        N = self.internal
        rid = self.p.id
        bad = bool(self.err_col) or self.p.hit is HitPolicy.UNIQUE
        good = self._good_row_sql() if bad else None
        values = self._result_values()
        if labels == "name":
            values = [values[2], values[1]]
        names = [rid, rid + "_rule"] + ([rid + "_name"] if labels == "both" else [])
        results = [
            f"{v if good is None else f'CASE WHEN {good} THEN {v} END'} AS {ident(name)}"
            for v, name in zip(values, names)
        ]
        outputs = result_column_names(self) if has_results(self.p) else []
        results += [  # outputs and label attributes (compile/sql/outputs.py)
            f"{v if good is None else f'CASE WHEN {good} THEN {v} END'} AS {ident(name)}"
            for v, name in zip(result_values_sql(self), outputs, strict=True)
        ]
        index = self._bad_index_sql() if self.err_col else "CAST(NULL AS INTEGER)"
        conflict = self._conflict_sql() if self.p.hit is HitPolicy.UNIQUE else "FALSE"
        is_bad = f"({index} IS NOT NULL)" if self.err_col else "FALSE"
        stage = "3"
        if self.has_all_bad:
            stage = f"CASE WHEN {ident(N['all_bad'])} IS NOT NULL THEN 1 ELSE 3 END"
        reason = self._field_case(index, self.why_col)
        if conflict != "FALSE":
            reason = (
                f"COALESCE({reason}, CASE WHEN {conflict} THEN {self._conflict_reason_sql()} END)"
            )
        rejected = [
            f"{self._field_name_case(index)} AS {ident(rid + '_rejected_field')}",
            f"CASE WHEN {is_bad} OR {conflict} THEN {reason} END AS "
            f"{ident(rid + '_rejected_reason')}",
            f"CASE WHEN {is_bad} OR {conflict} THEN {stage} END AS {ident(N['stage'])}",
            f"{ident(N['row'])}",
        ]
        known = source.columns or {}
        replaced = [
            c
            for c in known
            if c in {*names, *outputs, rid + "_rejected_field", rid + "_rejected_reason"}
        ]
        head = [self.star_sql(ident(N["raw"]), replaced + list(source.relation.hidden))]
        final = "SELECT\n" + indent(",\n".join(head + results + rejected)) + f"\nFROM {ident(last)}"
        if self.has_pop_bad:  # rows with a bad population argument never reach the decision
            pop_index = ident(N["pop_bad"])
            pop_stage = "2"
            if self.has_all_bad:
                pop_index = f"COALESCE({ident(N['all_bad'])}, {pop_index})"
                pop_stage = f"CASE WHEN {ident(N['all_bad'])} IS NOT NULL THEN 1 ELSE 2 END"
            back = [f"NULL AS {ident(name)}" for name in names]  # a label, or hit all's list
            back += [f"NULL AS {ident(name)}" for name in outputs] + [
                f"{self._field_name_case(pop_index)} AS {ident(rid + '_rejected_field')}",
                f"{self._field_case(pop_index, self.why_col)} AS {ident(rid + '_rejected_reason')}",
                f"{pop_stage} AS {ident(N['stage'])}",
                f"{ident(N['row'])}",
            ]
            final += (
                "\nUNION ALL\nSELECT\n"
                + indent(",\n".join(head + back))
                + f"\nFROM {ident(self.checked)}\nWHERE {ident(N['pop_bad'])} IS NOT NULL"
            )
        return self._with(ctes, final)


_STRFTIME = {"Y": "yyyy", "y": "yy", "m": "MM", "d": "dd", "H": "HH", "M": "mm", "S": "ss"}
_STRFTIME.update({"b": "MMM", "B": "MMMM", "f": "SSSSSS", "%": "%"})


def _java_pattern(fmt: str) -> str:
    """A strftime format (`%d/%m/%Y`) as a Java datetime pattern (`dd/MM/yyyy`); other text is
    quoted, so it stays literal."""
    out, i = [], 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt) and fmt[i + 1] in _STRFTIME:
            out.append(_STRFTIME[fmt[i + 1]])
            i += 2
        else:
            ch = fmt[i]
            out.append(ch if not ch.isalpha() else f"'{ch}'")
            i += 1
    return "".join(out)
