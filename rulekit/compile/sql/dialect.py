"""The dialect table: every fact and spelling a SQL dialect may override, in DuckDB's spelling.

A dialect (duckdb.py, spark.py) is a subclass of the generator that overrides class attributes
(its facts: quote characters, type names, default NULL ordering, whether it has 128-bit integers)
and the methods here whose SQL it spells differently (lists, lambdas, dates, regular
expressions, JSON, file readers). Nothing here knows the program being compiled: these are the
words of the language, which the other modules of the generator put together.

Quoting happens in exactly two places: `identifier_sql` for names and `string_sql` for text.
Rule text never reaches the query any other way: numbers are formatted from their values, dates
from `date` objects, names and strings go through those two methods. A construct a dialect
cannot express goes to `unsupported(msg)`, which records it instead of crashing.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, ClassVar

from rulekit.compile.sql.relation import Relation
from rulekit.model import datatypes as T


class Dialect:
    """The dialect table, with DuckDB's spellings (the ANSI-ish default)."""

    DIALECT = "ansi"
    IDENTIFIER_QUOTE = '"'
    STRING_QUOTE = "'"
    # Where NULLs sort by default for ASC; we always write NULLS LAST explicitly, so ranks never
    # depend on it, but a dialect states its fact (DuckDB: nulls_are_last; Spark: nulls_are_small).
    NULL_ORDERING = "nulls_are_last"
    TYPES: ClassVar[dict[str, str]] = {
        "integer": "BIGINT",
        "number": "DOUBLE",
        "duration": "DOUBLE",
        "boolean": "BOOLEAN",
        "string": "VARCHAR",
        "date": "DATE",
        "timestamp": "TIMESTAMP",
    }
    TRY_CAST = "TRY_CAST"
    INT_DIV = "//"
    LABEL_SEPARATOR = "、"  # joins the display names of several labels, as runtime.py does
    PREFIX = "rk_"
    EXACT_DIVISION = True  # the dialect has 128-bit integers, bit shifts and nextafter
    # whole-number arithmetic (+ - * unary minus, abs) is done in this type: Python's ints
    # do not overflow where BIGINT's would (50000 * 50000 as INTEGER, 2**62 + 2**62)
    WIDE_INTEGER = "HUGEINT"

    unsupported_messages: list[str]

    # ------------------------------------------------------------------ quoting: the one place
    def identifier_sql(self, name: str) -> str:
        """A quoted identifier. Every name in a generated query is written by this method."""
        q = self.IDENTIFIER_QUOTE
        return q + name.replace(q, q + q) + q

    def string_sql(self, text: str) -> str:
        """A quoted string literal. Every text in a generated query is written by this method.

        The query's text is indented line by line and its items carry `  -- ` comments: a
        line break is written as chr(n) and `  -- ` is cut in two, so that a literal reads
        back exactly whatever layout surrounds it."""
        if "\n" not in text and "\r" not in text and "  -- " not in text:
            return self.quote_string_sql(text)
        parts, run = [], ""
        for c in text:
            if c in "\n\r":
                if run:
                    parts.append(self.quote_string_sql(run))
                run = ""
                parts.append(f"chr({ord(c)})")
                continue
            if c == "-" and run.endswith("  -"):
                parts.append(self.quote_string_sql(run))
                run = ""
            run += c
        if run:
            parts.append(self.quote_string_sql(run))
        return "(" + " || ".join(parts) + ")"

    def quote_string_sql(self, text: str) -> str:
        """The text quoted as one literal, as it is."""
        q = self.STRING_QUOTE
        return q + text.replace(q, q + q) + q

    def unsupported(self, message: str) -> str:
        """Record a construct this dialect cannot express; the query says so in a comment."""
        self.unsupported_messages.append(message)
        return f"NULL /* unsupported in {self.DIALECT}: {message.replace('*/', '* /')} */"

    # ------------------------------------------------------------------ types and constants
    def sql_type(self, t: T.Type) -> str:
        if t.element is not None:  # a list
            return self.list_type_sql(self.sql_type(t.element))
        return self.TYPES.get(t.name, "VARCHAR")

    def list_type_sql(self, element: str) -> str:
        return f"{element}[]"

    def cast_sql(self, expr: str, type_sql: str) -> str:
        return f"CAST({expr} AS {type_sql})"

    def try_cast_sql(self, expr: str, type_sql: str) -> str:
        return f"{self.TRY_CAST}({expr} AS {type_sql})"

    def date_literal_sql(self, d: dt.date) -> str:
        return f"DATE {self.string_sql(d.isoformat())}"

    def timestamp_literal_sql(self, t: dt.datetime) -> str:
        return f"TIMESTAMP {self.string_sql(t.isoformat(sep=' '))}"

    def double_sql(self, value: float) -> str:
        """A DOUBLE literal of exactly this value (never a DECIMAL, whose arithmetic differs)."""
        if math.isnan(value) or math.isinf(value):
            return self.cast_sql(self.string_sql(repr(value)), "DOUBLE")
        text = repr(value)
        digits = text.split("e")[0].replace(".", "").replace("-", "").lstrip("0")
        if "e" in text or len(digits) > 15:
            return self.cast_sql(self.string_sql(text), "DOUBLE")
        return self.cast_sql(text, "DOUBLE")

    def integer_sql(self, value: int) -> str:
        if -(2**31) < value < 2**31:
            return str(value)
        wide = "BIGINT" if -(2**63) <= value < 2**63 else self.WIDE_INTEGER
        return self.cast_sql(str(value), wide)

    def value_sql(self, value: Any, kind: str | None = None) -> str:
        """A constant of the language as SQL (numbers, durations, dates, texts, booleans)."""
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int):  # a whole duration is a whole number of days
            return self.integer_sql(value)
        if isinstance(value, float):
            return self.double_sql(value)
        if isinstance(value, dt.datetime):
            return self.timestamp_literal_sql(value)
        if isinstance(value, dt.date):
            return self.date_literal_sql(value)
        if isinstance(value, str):
            return self.string_sql(value)
        if isinstance(value, (tuple, list)):
            return self.list_sql([self.value_sql(v) for v in value])
        return self.unsupported(f"a constant of type {type(value).__name__}")

    # ------------------------------------------------------------------ lists and lambdas
    def lambda_sql(self, params: list[str], body: str) -> str:
        return f"({', '.join(params)}) -> {body}" if len(params) > 1 else f"{params[0]} -> {body}"

    def list_sql(self, items: list[str]) -> str:
        return "[" + ", ".join(items) + "]"

    def list_filter_sql(self, lst: str, var: str, cond: str) -> str:
        return f"list_filter({lst}, {self.lambda_sql([var], cond)})"

    def list_transform_sql(self, lst: str, var: str, body: str) -> str:
        return f"list_transform({lst}, {self.lambda_sql([var], body)})"

    def list_element_sql(self, lst: str, index0: str) -> str:
        """Element at a 0-based index."""
        return f"{lst}[{index0} + 1]"

    def list_length_sql(self, lst: str) -> str:
        return f"len({lst})"

    def list_contains_sql(self, lst: str, x: str) -> str:
        return f"list_contains({lst}, {x})"

    def list_has_null_sql(self, lst: str) -> str:
        v = self.identifier_sql("v")
        return f"(len({self.list_filter_sql(lst, v, f'{v} IS NULL')}) > 0)"

    def list_distinct_ordered_sql(self, lst: str) -> str:
        """Distinct elements, in the order of their first occurrence."""
        v, i = self.identifier_sql("v"), self.identifier_sql("i")
        return f"list_filter({lst}, {self.lambda_sql([v, i], f'list_position({lst}, {v}) = {i}')})"

    def list_join_sql(self, lst: str, sep: str) -> str:
        return f"array_to_string({lst}, {self.string_sql(sep)})"

    # ------------------------------------------------------------------ functions
    def string_length_sql(self, s: str) -> str:
        return f"length({s})"

    def string_test_sql(self, op: str, s: str, p: str) -> str:
        func = {"contains": "contains", "starts_with": "starts_with", "ends_with": "suffix"}[op]
        return f"{func}({s}, {p})"

    def int_div_sql(self, a: str, b: str) -> str:
        return f"{a} {self.INT_DIV} {b}"

    def round_sql(self, x: str, digits: int, integer: bool) -> str:
        return f"round({x}, {digits})"

    def least_sql(self, args: list[str], greatest: bool = False) -> str:
        return f"{'greatest' if greatest else 'least'}({', '.join(args)})"

    def text_set_sql(self, expr: str, values: list[str]) -> str:
        """A text known to be one of `values`, in the dialect's compact form (if any)."""
        return expr

    # ------------------------------------------------------------------ dates and timestamps
    def date_diff_days_sql(self, a: str, b: str) -> str:
        """date − date in whole days."""
        return f"date_diff('day', {b}, {a})"

    def timestamp_diff_days_sql(self, a: str, b: str) -> str:
        """timestamp − timestamp in days, as semantics.date_diff: exact microseconds / 10⁶, then
        / 86400 (each division rounded once, as Python's)."""
        return self.micros_to_days_sql(f"(epoch_us({a}) - epoch_us({b}))")

    def micros_to_days_sql(self, us: str) -> str:
        """Days of a whole number of microseconds as semantics.date_diff computes them: the
        seconds correctly rounded (Python's int / int), then / 86400. Below 2**53 µs the
        double of `us` is exact; above, whole seconds and the rest are added (a sum that
        rounds as the exact quotient does: its midpoints lie far from k·10⁻⁶ there)."""
        exact = f"CAST({us} AS DOUBLE) / 1000000.0"
        whole = f"CAST({us} // 1000000 AS DOUBLE) + CAST({us} % 1000000 AS DOUBLE) / 1000000.0"
        return f"(CASE WHEN abs({us}) < 9007199254740992 THEN {exact} ELSE {whole} END / 86400.0)"

    def move_date_sql(self, d: str, days: str) -> str:
        """A date moved by a number of days (a DOUBLE in range), the fraction dropped toward
        zero."""
        return f"({d} + {self.cast_sql(f'trunc({days})', 'INTEGER')})"

    def epoch_micros_sql(self, ts: str) -> str:
        return f"epoch_us({ts})"

    def micros_of_second_sql(self, ts: str) -> str:
        """The microseconds within the second of a timestamp (0 to 999999)."""
        return f"(microsecond({ts}) % 1000000)"

    def from_epoch_micros_sql(self, micros: str) -> str:
        epoch = self.timestamp_literal_sql(dt.datetime(1970, 1, 1))
        return f"({epoch} + to_microseconds({micros}))"

    # ------------------------------------------------------------------ text, numbers, JSON
    def regex_full_match_sql(self, s: str, pattern: str) -> str:
        return f"regexp_full_match({s}, {self.string_sql(pattern)})"

    def regex_extract_sql(self, s: str, pattern: str, group: int = 0) -> str:
        return f"regexp_extract({s}, {self.string_sql(pattern)}, {group})"

    def is_nan_sql(self, x: str) -> str:
        return f"isnan({x})"

    def is_whole_sql(self, x: str) -> str:
        return f"(isfinite({x}) AND {self.integral_sql(x)})"

    def is_finite_sql(self, x: str) -> str:
        """A DOUBLE is neither NaN nor ±infinity."""
        return f"isfinite({x})"

    def integral_sql(self, x: str) -> str:
        """A DOUBLE x has no fraction (x = trunc(x))."""
        return f"{x} = trunc({x})"

    def float_text_sql(self, x: str) -> str:
        """Python's repr of a float (DuckDB formats doubles the same shortest way)."""
        return self.cast_sql(x, "VARCHAR")

    def json_type_sql(self, x: str) -> str:
        return f"json_type({x})"

    def json_text_sql(self, x: str) -> str:
        return f"json_extract_string({x}, '$')"

    def json_list_sql(self, x: str) -> str:
        return self.try_cast_sql(x, "JSON[]")

    def split_text_sql(self, s: str) -> str:
        return f"regexp_split_to_array({s}, {self.string_sql('[,;，；|]')})"

    # ------------------------------------------------------------------ rows and relations
    def star_sql(self, struct: str | None, exclude: list[str] | None = None) -> str:
        """Every field of a packed row (or, without one, every column), less the `exclude`
        ones."""
        star = f"{struct}.*" if struct else "*"
        if exclude:
            return f"{star} EXCLUDE ({', '.join(map(self.identifier_sql, exclude))})"
        return star

    def pack_row_sql(self, alias: str) -> str:
        """The whole source row as one struct value."""
        return alias

    def row_number_sql(self) -> str:
        return "row_number() OVER () - 1"

    def relation_sql(self, rel: Relation) -> str:
        if rel.table is not None:
            return ".".join(self.identifier_sql(part) for part in rel.table.split("."))
        return self.unsupported(f"reading the file {rel.path} (give a table instead)")

    def asof_join_sql(
        self,
        left: str,
        right: str,
        on_eq: list[tuple[str, str]],
        left_x: str,
        op: str,
        right_v: str,
        take: list[tuple[str, str]] | None = None,
    ) -> str:
        return self.unsupported("ranking against a frozen population (needs an ASOF join)")
