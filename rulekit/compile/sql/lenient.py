"""The reading policy of exported data (model/reading.py) in SQL: missing-value tokens, numbers
with currencies, separators and multipliers, dates in the export forms.

Only a text that fails the strict form comes here (every expression is behind a CASE on the
strict test), so a clean file pays nothing but that test. The regular expressions are
reading.py's own, so Python and SQL read every text alike; the options (`read_options`, a
ReadOptions) change the tokens, the decimal mark and the date format as they do in Python.
"""

from __future__ import annotations

from rulekit.compile.sql.rawvalues import Value
from rulekit.compile.sql.reasons import _NOT, _NOT_NUMBER, Reasons
from rulekit.model import reading as R

# the strict number form: semantics._NUMERIC (commas only in groups of three) without the
# lookahead RE2 lacks; with a decimal comma only plain whole numbers are strict
STRICT_NUMBER = {
    False: r"[+-]?(([0-9]{1,3}(,[0-9]{3})+|[0-9][0-9_]*)(\.[0-9]+)?|\.[0-9]+)([eE][+-]?[0-9]+)?",
    True: r"[+-]?[0-9][0-9_]*([eE][+-]?[0-9]+)?",
}


class Lenient(Reasons):
    """Missing tokens, lenient numbers and dates, in SQL."""

    read_options: R.ReadOptions = R.DEFAULT

    def na_sql(self, stripped: str) -> str:
        """Whether a stripped text is a missing-value token (a simple CASE: DuckDB turns IN
        lists into joins)."""
        s = self.string_sql
        tokens = sorted(self.read_options.na_tokens)
        if not tokens:
            return "FALSE"
        whens = " ".join(f"WHEN {s(t)} THEN TRUE" for t in tokens)
        return f"CASE lower({stripped}) {whens} ELSE FALSE END"

    def remove_all_sql(self, text: str, pattern: str) -> str:
        """Every match of `pattern` removed (DuckDB's spelling; Spark's regexp_replace replaces
        every match without a flag: a dialect overrides this)."""
        return f"regexp_replace({text}, {self.string_sql(pattern)}, '', 'g')"

    # ---- numbers
    def number_parts(self, v: Value) -> tuple[str, str, str, str]:
        """(strict test, missing token, effective text, clean text) of a number text: the
        effective text is the strict text, or reading.number_text's canonical text."""
        d, st_ = v.digits(), v.stripped()
        comma = self.read_options.decimal_comma
        strict = v.helper("ok", self.regex_full_match_sql(d, STRICT_NUMBER[comma]))
        na = v.helper(
            "na", f"CASE WHEN {strict} OR {d} = '' THEN FALSE ELSE {self.na_sql(st_)} END"
        )
        canon = v.helper(
            "n",
            f"CASE WHEN NOT {strict} AND NOT {na} AND {d} <> '' THEN "
            f"{self._number_text_sql(d)} END",
        )
        e = v.helper("e", f"CASE WHEN {strict} THEN {d} ELSE {canon} END")
        clean = v.helper("c", f"replace(replace({e}, ',', ''), '_', '')")
        return strict, na, e, clean

    def _groups(self, t: str, pattern: str, n: int) -> list[str]:
        return [self.regex_extract_sql(t, f"^(?:{pattern})$", i) for i in range(1, n + 1)]

    def _number_text_sql(self, d: str) -> str:
        """reading.number_text: the canonical text, NULL when not a number."""
        s = self.string_sql
        comma = self.read_options.decimal_comma
        t = f"translate({d}, {s(R.FULLWIDTH_FROM)}, {s(R.FULLWIDTH_TO)})"
        opened, sign1, sign2, digits, mult, closed = self._groups(t, R.NUMBER_RE, 6)
        plain, grouped = (
            (R.PLAIN_COMMA, R.GROUPED_COMMA) if comma else (R.PLAIN_POINT, R.GROUPED_POINT)
        )
        drop = "[" + "".join(c for c in R.SEPARATORS if c != ("," if comma else ".")) + "]"
        body = self.remove_all_sql(digits, drop)
        if comma:
            body = f"replace({body}, ',', '.')"
        mults = " ".join(f"WHEN {s(k)} THEN {s(e)}" for k, e in R.MULTIPLIERS.items())
        return (
            f"CASE WHEN {self.regex_full_match_sql(t, R.NUMBER_RE)} "
            f"AND ({opened} = '') = ({closed} = '') "
            f"AND NOT ({sign1} <> '' AND {sign2} <> '') "
            f"AND NOT ({opened} <> '' AND ({sign1} <> '' OR {sign2} <> '')) "
            f"AND ({self.regex_full_match_sql(digits, plain)} OR "
            f"{self.regex_full_match_sql(digits, grouped)}) "
            f"THEN CASE WHEN {opened} <> '' THEN '-' ELSE {sign1} || {sign2} END || {body} || "
            f"CASE {mult} {mults} ELSE '' END END"
        )

    def number_fail_sql(self, v: Value) -> str:
        """The words of a text that is no number: ambiguous comma, or not a number."""
        s = self.string_sql
        if self.read_options.decimal_comma:
            return s(_NOT_NUMBER)
        t = f"translate({v.digits()}, {s(R.FULLWIDTH_FROM)}, {s(R.FULLWIDTH_TO)})"
        opened, sign1, sign2, digits, _, closed = self._groups(t, R.NUMBER_RE, 6)
        ambiguous = (
            f"{self.regex_full_match_sql(t, R.NUMBER_RE)} "
            f"AND ({opened} = '') = ({closed} = '') "
            f"AND NOT ({sign1} <> '' AND {sign2} <> '') "
            f"AND NOT ({opened} <> '' AND ({sign1} <> '' OR {sign2} <> '')) "
            f"AND {self.regex_full_match_sql(digits, R.COMMA_LIKE)}"
        )
        return f"CASE WHEN {ambiguous} THEN {s(R.AMBIGUOUS_COMMA)} ELSE {s(_NOT_NUMBER)} END"

    def number_clean_sql(self, v: Value) -> str:
        return self.number_parts(v)[3]

    # ---- dates and timestamps
    def strptime_sql(self, text: str, fmt: str) -> str:
        return f"try_strptime({text}, {self.string_sql(fmt)})"

    def _ymd_sql(self, y: str, m: str, d: str, time: str = "") -> str:
        sql_t = "TIMESTAMP" if time else "DATE"
        iso = f"{y} || '-' || lpad({m}, 2, '0') || '-' || lpad({d}, 2, '0'){time}"
        return f"CASE WHEN {y} <> '0000' THEN {self.try_cast_sql(iso, sql_t)} END"

    def lenient_date_sql(self, v: Value, target: str, guard: str) -> tuple[str, str]:
        """(value, words when bad) of reading.lenient_date / lenient_timestamp on a text that
        the strict form does not read (computed only where `guard` holds)."""
        s = self.string_sql
        d = v.digits()
        fmt = self.read_options.date_format
        u = f"replace(translate({d}, {s(R.DATE_FROM)}, {s(R.DATE_TO)}), {s(R.DATE_DROP)}, '')"
        compact = self._groups(d, R.COMPACT_RE, 3)
        if target == "date":  # a time part is dropped
            pattern = R.YMD_RE + "(?:" + R.TIME_RE + ")?"
            ymd = self._groups(u, pattern, 3)
            whens = [
                f"WHEN {self.regex_full_match_sql(u, pattern)} THEN {self._ymd_sql(ymd[0], ymd[1], ymd[2])}"
            ]
        else:
            pattern = R.YMD_RE + "(?:" + R.TIME_RE + ")?"
            y, m, dd, hh, mi, ss = self._groups(u, pattern, 6)

            def part(g: str) -> str:
                return f"lpad(CASE WHEN {g} = '' THEN '0' ELSE {g} END, 2, '0')"

            time = f" || ' ' || {part(hh)} || ':' || {part(mi)} || ':' || {part(ss)}"
            in_range = (
                f"(({hh} = '' OR {self.try_cast_sql(hh, 'INTEGER')} < 24) AND ({mi} = '' OR "
                f"{self.try_cast_sql(mi, 'INTEGER')} < 60) AND ({ss} = '' OR "
                f"{self.try_cast_sql(ss, 'INTEGER')} < 60))"
            )
            whens = [
                f"WHEN {self.regex_full_match_sql(u, pattern)} THEN CASE WHEN {in_range} "
                f"THEN {self._ymd_sql(y, m, dd, time)} END"
            ]
        midnight = " || ' 00:00:00'" if target == "timestamp" else ""
        whens.append(
            f"WHEN {self.regex_full_match_sql(d, R.COMPACT_RE)} THEN "
            f"{self._ymd_sql(compact[0], compact[1], compact[2], midnight)}"
        )
        sql_t = self.TYPES[target]
        if fmt is not None:
            parsed = self.cast_sql(self.strptime_sql(d, fmt), sql_t)
            whens.insert(0, f"WHEN {parsed} IS NOT NULL THEN {parsed}")
        value = v.helper("ld", f"CASE WHEN {guard} THEN CASE {' '.join(whens)} END END")
        words = s(_NOT[target])
        if fmt is None:
            head = d if target == "date" else f"split_part({d}, ' ', 1)"
            words = (
                f"CASE WHEN {self.regex_full_match_sql(head, R.DAY_FIRST_RE)} "
                f"THEN {s(R.AMBIGUOUS_DATE)} ELSE {words} END"
            )
        return value, words
