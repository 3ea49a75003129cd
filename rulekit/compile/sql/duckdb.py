"""The DuckDB dialect: the generator's facts and the few constructs DuckDB spells its own way."""

from __future__ import annotations

from rulekit.compile.sql.generator import Generator
from rulekit.compile.sql.relation import Relation


class DuckDBGenerator(Generator):
    DIALECT = "duckdb"
    NULL_ORDERING = "nulls_are_last"

    def lambda_sql(self, params: list[str], body: str) -> str:
        # DuckDB 1.3+ deprecates `x -> body` in favour of Python-style lambdas.
        return f"lambda {', '.join(params)}: {body}"

    def text_set_sql(self, expr: str, values: list[str]) -> str:
        # An ENUM is dictionary-encoded: the Parquet writer skips hashing every value (the
        # file still holds plain strings).
        members = ", ".join(self.string_sql(v) for v in dict.fromkeys(values))
        return f"CAST({expr} AS ENUM({members}))" if members else expr

    def round_sql(self, x: str, digits: int, integer: bool) -> str:
        """semantics.round_half_up: half away from zero, applied to the shortest decimal form of
        the double (Python's repr, DuckDB's VARCHAR), not to its binary value: 2.675 rounds to
        2.68. One rounding, DuckDB's VARCHAR → DECIMAL cast (half away from zero) at `digits`
        decimals; a number with no more decimals than that (any |x| >= 2^52, infinity, or
        |x| >= 10^(17 - digits): a double's shortest form has at most 17 digits) is itself."""
        if integer:
            return self.cast_sql(x, "DOUBLE")
        v = self.cast_sql(x, "DOUBLE")
        text = self.cast_sql(v, "VARCHAR")
        if digits <= 0:  # DECIMAL has no negative scale: 20 decimals, then round
            exact = self.cast_sql(text, "DECIMAL(38, 20)")
            rounded_dec = f"round({exact}, {digits})"
            bound = 4503599627370496.0
        elif digits <= 37:  # (DuckDB reads no text into DECIMAL(38, 38))
            rounded_dec = self.cast_sql(text, f"DECIMAL(38, {digits})")
            bound = min(4503599627370496.0, float(f"1e{17 - digits}"))
        else:  # |x| < 10^(17 - digits): shift the decimal exponent by digits - 37 and back
            mantissa = f"split_part({text}, 'e', 1)"
            exp = f"coalesce(TRY_CAST(split_part({text}, 'e', 2) AS INTEGER), 0)"
            shifted = f"({mantissa} || 'e' || CAST({exp} + {digits - 37} AS VARCHAR))"
            scaled = self.cast_sql(self.cast_sql(shifted, "DECIMAL(38, 37)"), "VARCHAR")
            bound = float(f"1e{17 - digits}")
            unshifted = f"({scaled} || 'e{37 - digits}')"
            return (
                f"CASE WHEN NOT isfinite({v}) OR abs({v}) >= {self.double_sql(bound)} THEN {v} "
                f"ELSE {self.cast_sql(unshifted, 'DOUBLE')} END"
            )
        rounded = self.cast_sql(self.cast_sql(rounded_dec, "VARCHAR"), "DOUBLE")
        return (
            f"CASE WHEN NOT isfinite({v}) OR abs({v}) >= {self.double_sql(bound)} THEN {v} "
            f"ELSE {rounded} END"
        )

    def relation_sql(self, rel: Relation) -> str:
        if rel.table is not None:
            return super().relation_sql(rel)
        path = self.string_sql(str(rel.path))
        if rel.format in ("csv", "tsv"):
            delim = self.string_sql("\t" if rel.format == "tsv" else ",")
            # Every value as text, as Python's csv module gives it: identifiers keep their exact
            # text (00001 stays 00001) and coercion is semantics.py's, not the CSV sniffer's.
            # (null_padding gives a short row missing values, as rulekit.io does; with quoted
            # line breaks DuckDB allows it only in its single-threaded reader)
            return (
                f"read_csv({path}, header = true, all_varchar = true, delim = {delim}, "
                f"quote = '\"', escape = '\"', null_padding = true, parallel = false)"
            )
        if rel.format == "parquet":
            return f"read_parquet({path})"
        if rel.format == "json" and not rel.json_columns:  # objects without keys: rows
            return f"read_json_objects({path}, format = 'newline_delimited')"  # of `json`
        if rel.format == "json":
            cols = ", ".join(f"{self.string_sql(c)}: 'JSON'" for c in rel.json_columns)
            return f"read_json({path}, format = 'newline_delimited', columns = {{{cols}}})"
        return self.unsupported(f"reading {rel.format} files")

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
        """Each left row with the right row of the largest v `op`-below x (same group)."""
        conds = [f"a.{lc} IS NOT DISTINCT FROM b.{rc}" for lc, rc in on_eq]
        conds.append(f"a.{left_x} {op} b.{right_v}")
        cols = ", ".join(f"{expr} AS {self.identifier_sql(name)}" for expr, name in take or [])
        return (
            f"SELECT a.*, {cols}\nFROM {left} AS a ASOF LEFT JOIN {right} AS b\n"
            f"  ON {' AND '.join(conds)}"
        )
