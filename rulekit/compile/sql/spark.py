"""The Spark SQL dialect: a table of overrides over the generator, nothing more.

Spark quotes names with backticks and escapes strings with backslashes, sorts NULLs first by
default (`nulls_are_small`; the generator writes NULLS LAST anyway), writes lambdas `x -> …`,
arrays with `array(…)` and 0-based `[i]`, integer division with `div`, and has no ASOF join (a
frozen population is reported unsupported). Spark's `round` already rounds half up on the
decimal form of a double (it goes through BigDecimal), which is semantics.round_half_up.
"""

from __future__ import annotations

from rulekit.compile.sql.generator import Generator

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

    def list_type_sql(self, element: str) -> str:
        return f"ARRAY<{element}>"

    def list_sql(self, items: list[str]) -> str:
        return f"array({', '.join(items)})"

    def list_filter_sql(self, lst: str, var: str, cond: str) -> str:
        return f"filter({lst}, {self.lambda_sql([var], cond)})"

    def list_transform_sql(self, lst: str, var: str, body: str) -> str:
        return f"transform({lst}, {self.lambda_sql([var], body)})"

    def list_element_sql(self, lst: str, index0: str) -> str:
        return f"element_at({lst}, {index0} + 1)"

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

    def regex_full_match_sql(self, s: str, pattern: str) -> str:
        return f"({s} RLIKE {self.string_sql('^(?:' + pattern + ')$')})"

    def strip_sql(self, s: str) -> str:
        return f"regexp_replace({s}, {self.string_sql(_SPACE_ENDS)}, '')"

    def is_whole_sql(self, x: str) -> str:
        return f"(NOT isnan({x}) AND abs({x}) != double('Infinity') AND {x} = floor({x}))"
