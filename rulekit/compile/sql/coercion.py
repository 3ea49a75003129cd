"""Coerce source columns to declared field types in SQL, exactly as semantics.py coerces record
values, and give a bad value's reason in the same words.

Each column arrives as one *kind* of value (see generator.Column): CSV gives text, Parquet gives
typed columns, JSON Lines give one JSON value per row whose type varies row by row. For every
(kind, declared type) pair this module writes:

* the coerced value (NULL when missing),
* the *words* of the failure (" is not a number"), NULL when the value is fine — cheap, so every
  row can carry it,
* the full reason, semantics.py's message with Python's `repr` of the value, built only in the
  query that lists rejected rows.

Text follows semantics.py to the letter: surrounding whitespace is Python's `str.strip()` set;
digits of any script count (Python's `int("１２")` is 12); numbers may carry `,` and `_`;
booleans are the words in semantics._TRUE / _FALSE; durations accept `200`, `200d`, `6mo` with
the parser's units, computed as one exact division; dates are `YYYY-MM-DD` (a longer text is cut
at 10 characters when it has a time part, as semantics.to_date does). A text column is stripped
and its digits made ASCII once, in helper columns, so each test reads them instead of redoing it.
"""

from __future__ import annotations

import sys
import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction

from rulekit.model.semantics import _FALSE, _TRUE
from rulekit.syntax.parser import DURATION_UNITS

# Python's str.isspace() set: what str.strip() removes.
_WHITESPACE = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
# Decimal digits of every script (what Python's `\d`, int() and float() accept) -> ASCII.
_DIGITS = [
    (c, str(unicodedata.decimal(c)))
    for c in map(chr, range(0x80, sys.maxunicode + 1))
    if unicodedata.category(c) == "Nd"
]
_WHITESPACE_CLASS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in _WHITESPACE) + "]"
_DIGITS_FROM = "".join(a for a, _ in _DIGITS)
_DIGITS_TO = "".join(b for _, b in _DIGITS)

# semantics._NUMERIC without the lookahead RE2 lacks: a mantissa with a digit, then an exponent.
_NUMBER_RE = r"[+-]?([0-9][0-9,_]*(\.[0-9]+)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
_DATE_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_TIMESTAMP_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt _][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?)?"

# Duration units as (numerator, denominator) in days, keyed by their lowercase spelling.
# (The parser keeps 1/86400 etc. as 28-digit decimals; the exact fraction is what they mean.)
_UNITS: dict[str, tuple[int, int]] = {}
for _name, _days in DURATION_UNITS.items():
    _exact = Fraction(_days).limit_denominator(86400)
    _UNITS.setdefault(_name.lower(), (_exact.numerator, _exact.denominator))

_BOOL_HINT = " is not true/false (write true/false, yes/no, 是/否 or 1/0)"
_NOT = {
    "integer": " is not a whole number",
    "number": " is not a number",
    "duration": " is not a duration (a number of days)",
    "boolean": _BOOL_HINT,
    "string": " is not text",
    "date": " is not a date (write YYYY-MM-DD)",
    "timestamp": " is not a timestamp (write YYYY-MM-DDTHH:MM)",
}
_BOOL_NOT = {  # semantics' wording for a boolean given where a number is declared
    "integer": " is true/false, not a whole number",
    "number": " is true/false, not a number",
}
_NOT_NUMBER = " is not a number"
_NOT_DURATION_TEXT = " is not a duration (write 200, 200d or 6mo)"
_TOO_BIG = " is too large for a whole number (the SQL engine keeps 19 digits)"
_NOT_LIST = " is not a list"

# DuckDB type names -> value kinds (see generator.Column).
KIND_OF_TYPE = {
    "VARCHAR": "text",
    "BOOLEAN": "bool",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_S": "timestamp",
    "DOUBLE": "float",
    "FLOAT": "float",
    "JSON": "json",
    "INTERVAL": "interval",
    "TINYINT": "int",
    "SMALLINT": "int",
    "INTEGER": "int",
    "BIGINT": "int",
    "UTINYINT": "int",
    "USMALLINT": "int",
    "UINTEGER": "int",
    "UBIGINT": "bigint",
    "HUGEINT": "bigint",
    "UHUGEINT": "bigint",
}


def kind_of_type(type_name: str) -> str:
    t = type_name.upper()
    if t.startswith("DECIMAL"):
        return "decimal"
    if t.endswith("[]") or t.startswith("LIST"):
        return "list"
    return KIND_OF_TYPE.get(t, "other")


def element_type(type_name: str) -> str:
    return type_name[:-2] if type_name.endswith("[]") else "VARCHAR"


@dataclass
class FieldSQL:
    """The SQL of one field read from one column."""

    value: str  # the coerced value, NULL when missing
    fail: str | None  # the failure's words, NULL when fine; None: the value cannot be bad
    reason: str | None  # the full reason, semantics.py's message (evaluate only when failing)
    text: str  # the raw value as text, for the rejected-rows file
    helpers: list = field(default_factory=list)  # (column, sql, level) computed before


class _Value:
    """A value being coerced: its SQL and, for text, its stripped and ASCII-digit forms —
    helper columns when `helpers` is given, inline expressions inside a list's lambda."""

    def __init__(self, gen, x: str, helpers: list | None, prefix: str):
        self.gen, self.x, self.helpers, self.prefix = gen, x, helpers, prefix
        self._cache: dict[str, str] = {}

    def _helper(self, key: str, sql: str) -> str:
        if self.helpers is None:
            return sql
        if key not in self._cache:
            name = self.gen._unique(f"{self.prefix}{key}")
            # its level: one more than the helpers it reads (each level is its own SELECT, so
            # no expression refers to an alias of its own SELECT list)
            level = 1 + max(
                (lv for n_, _, lv in self.helpers if self.gen.identifier_sql(n_) in sql), default=0
            )
            self.helpers.append((name, sql, level))
            self._cache[key] = self.gen.identifier_sql(name)
        return self._cache[key]

    def stripped(self) -> str:
        return self._helper("s", self.gen.strip_sql(self.x))

    def digits(self) -> str:
        return self._helper("d", self.gen.ascii_digits_sql(self.stripped()))

    def sub(self, x: str, key: str) -> _Value:
        """A derived value (JSON text) sharing the helper list."""
        inner = _Value(self.gen, self._helper(key, x), self.helpers, self.prefix + key + "_")
        return inner


class Coercion:
    """Mixin of the SQL generator: per-field coercion and validation."""

    _lambda_count = 0

    # ---- small dialect hooks (DuckDB spelling; a dialect overrides what differs)
    def regex_full_match_sql(self, s: str, pattern: str) -> str:
        return f"regexp_full_match({s}, {self.string_sql(pattern)})"

    def regex_extract_sql(self, s: str, pattern: str, group: int = 0) -> str:
        return f"regexp_extract({s}, {self.string_sql(pattern)}, {group})"

    def strip_sql(self, s: str) -> str:
        """Python's str.strip(): every Unicode whitespace character, both ends. (trim with a
        character set costs ~1 µs a value, so only texts that need it go through it.)"""
        edge = f"^{_WHITESPACE_CLASS}|{_WHITESPACE_CLASS}$"
        ends = f"^{_WHITESPACE_CLASS}+|{_WHITESPACE_CLASS}+$"
        return (
            f"CASE WHEN regexp_matches({s}, {self.string_sql(edge)}) "
            f"THEN regexp_replace({s}, {self.string_sql(ends)}, '', 'g') ELSE {s} END"
        )

    def text_constant_sql(self, text: str) -> str:
        """A text with control characters, as printable SQL: runs of visible characters through
        string_sql, the others as chr(n)."""
        parts, run = [], ""
        for c in text:
            if c == " " or (c.isprintable() and not c.isspace()):
                run += c
                continue
            if run:
                parts.append(self.string_sql(run))
                run = ""
            parts.append(f"chr({ord(c)})")
        if run:
            parts.append(self.string_sql(run))
        return "(" + " || ".join(parts) + ")" if len(parts) > 1 else parts[0]

    def ascii_digits_sql(self, s: str) -> str:
        """Digits of every script made ASCII. (translate with 660 pairs costs ~40 µs a value;
        only texts with a non-ASCII character go through it.)"""
        return (
            f"CASE WHEN regexp_matches({s}, {self.string_sql('[^[:ascii:]]')}) THEN "
            f"translate({s}, {self.string_sql(_DIGITS_FROM)}, {self.string_sql(_DIGITS_TO)})"
            f" ELSE {s} END"
        )

    def is_nan_sql(self, x: str) -> str:
        return f"isnan({x})"

    def is_whole_sql(self, x: str) -> str:
        return f"(isfinite({x}) AND {x} = trunc({x}))"

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

    def lambda_var(self) -> str:
        Coercion._lambda_count += 1
        return self.identifier_sql(f"e{Coercion._lambda_count}")

    # ---- Python's repr, for reasons
    def py_repr_sql(self, kind: str, x: str) -> str:
        """repr(value) of the value Python would hold for this column's value."""
        s = self.string_sql
        if kind == "text":
            esc = x
            for raw, shown in (("\\", "\\\\"), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
                esc = f"replace({esc}, {self.text_constant_sql(raw)}, {s(shown)})"
            return (
                f"CASE WHEN contains({x}, {s(chr(39))}) AND NOT contains({x}, {s(chr(34))}) "
                f"THEN {s(chr(34))} || {esc} || {s(chr(34))} ELSE {s(chr(39))} || "
                f"replace({esc}, {s(chr(39))}, {s(chr(92) + chr(39))}) || {s(chr(39))} END"
            )
        if kind in ("int", "bigint"):
            return self.cast_sql(x, "VARCHAR")
        if kind in ("json", "tagged"):
            return self._variant_repr_sql(kind, x)
        if kind == "float":
            return self.float_text_sql(self.cast_sql(x, "DOUBLE"))
        if kind == "bool":
            return f"CASE WHEN {x} THEN {s('True')} ELSE {s('False')} END"
        if kind == "decimal":
            return f"{s(chr(68) + 'ecimal(' + chr(39))} || {self.cast_sql(x, 'VARCHAR')} || {s(chr(39) + ')')}"
        if kind == "date":
            return (
                f"{s('datetime.date(')} || year({x}) || {s(', ')} || month({x}) || "
                f"{s(', ')} || day({x}) || {s(')')}"
            )
        if kind == "timestamp":
            us = f"(microsecond({x}) % 1000000)"
            return (
                f"{s('datetime.datetime(')} || year({x}) || {s(', ')} || month({x}) || "
                f"{s(', ')} || day({x}) || {s(', ')} || hour({x}) || {s(', ')} || "
                f"minute({x}) || CASE WHEN {us} <> 0 THEN {s(', ')} || second({x}) || "
                f"{s(', ')} || {us} WHEN second({x}) <> 0 THEN {s(', ')} || second({x}) "
                f"ELSE {s('')} END || {s(')')}"
            )
        return self.cast_sql(x, "VARCHAR")

    def _variant_repr_sql(self, kind: str, x: str) -> str:
        """repr of the Python value a JSON value (or a tagged value) stands for."""
        s = self.string_sql
        t, j = self.variant_parts(kind, _Value(self, x, None, ""))
        j = j.x
        return (
            f"CASE {t} WHEN {s('str')} THEN {self.py_repr_sql('text', j)} "
            f"WHEN {s('bool')} THEN CASE WHEN {j} = 'true' THEN {s('True')} ELSE "
            f"{s('False')} END "
            f"WHEN {s('date')} THEN {self.py_repr_sql('date', self.try_cast_sql(j, 'DATE'))} "
            f"WHEN {s('datetime')} THEN "
            f"{self.py_repr_sql('timestamp', self.try_cast_sql(j, 'TIMESTAMP'))} "
            f"WHEN {s('decimal')} THEN {s('Decimal(' + chr(39))} || {j} || {s(chr(39) + ')')} "
            f"ELSE {j} END"
        )

    def show_sql(self, kind: str, x: str) -> str:
        """semantics._show: the repr, cut to 40 characters."""
        r = self.py_repr_sql(kind, x)
        return (
            f"CASE WHEN length({r}) <= 40 THEN {r} "
            f"ELSE left({r}, 37) || {self.string_sql('...')} END"
        )

    def raw_text_sql(self, kind: str, x: str) -> str:
        """The raw value as text, for the rejected-rows file."""
        if kind == "text":
            return x
        if kind in ("json", "tagged"):
            return self.variant_parts(kind, _Value(self, x, None, ""))[1].x
        return self.cast_sql(x, "VARCHAR")

    # ---- the entry point
    def coerce_field(self, name: str, info, col, index: int) -> FieldSQL:
        """The value, failure words, reason, raw text and helper columns of one field."""
        t = info.type
        x = self.identifier_sql(col.name)
        if col.kind == "absent":
            return FieldSQL(self.cast_sql("NULL", self.sql_type(t)), None, None, "NULL")
        helpers: list = []
        v = _Value(self, x, helpers, f"{self.PREFIX}{index}_")
        if t.is_list:  # a list's failure is already the full reason of its first bad item
            value, fail = self.coerce_list(t.element.name, col.kind, v, col)
        else:
            value, fail = self.coerce_value(t.name, col.kind, v)
        one_of_words = None
        if info.one_of:
            allowed = ", ".join(self.value_sql(o) for o in info.one_of)
            one_of_words = " is not one of " + ", ".join(repr(o) for o in info.one_of)
            outside = (
                f"CASE WHEN NOT {self.list_contains_sql(self.list_sql([allowed]), value)}"
                f" THEN {self.string_sql(one_of_words)} END"
            )
            fail = outside if fail is None else f"COALESCE({fail}, {outside})"
        text = self.raw_text_sql(col.kind, x)
        if fail is None:
            return FieldSQL(value, None, None, text, helpers)
        template = self._reason_template(t.name, col.kind, v, one_of_words, is_list=t.is_list)
        reason = template.replace("{fail}", f"({fail})")
        return FieldSQL(value, fail, reason, text, helpers)

    def _reason_template(
        self, target: str, kind: str, v: _Value, one_of_words, is_list: bool = False
    ) -> str:
        """The full reason, given the failure words in the placeholder column `{fail}`."""
        s = self.string_sql
        fail = "{fail}"
        cases = []
        if one_of_words is not None:
            cases.append(
                f"WHEN {fail} = {s(one_of_words)} THEN {self.py_repr_sql(kind, v.x)} || {fail}"
            )
        if is_list:
            return f"CASE {' '.join(cases)} ELSE {fail} END" if cases else fail
        if kind in ("json", "tagged"):
            t, j = self.variant_parts(kind, v)
            text = self._text_reason(target, j, fail)
            cases.append(f"WHEN {t} = {s('str')} THEN {text}")
            return f"CASE {' '.join(cases)} ELSE {self.show_sql(kind, v.x)} || {fail} END"
        if kind == "text":
            text = self._text_reason(target, v, fail)
            return f"CASE {' '.join(cases)} ELSE {text} END" if cases else text
        shown = self.show_sql(kind, v.x)
        return (
            f"CASE {' '.join(cases)} ELSE {shown} || {fail} END" if cases else f"{shown} || {fail}"
        )

    def _text_reason(self, target: str, v: _Value, fail: str) -> str:
        s = self.string_sql
        special = []
        if target == "integer":  # semantics shows the parsed float: "12.5 is not a whole number"
            parsed = self.try_cast_sql(
                f"replace(replace({v.digits()}, ',', ''), '_', '')", "DOUBLE"
            )
            special.append(
                f"WHEN {fail} = {s(_NOT['integer'])} THEN "
                f"{self.show_sql('float', parsed)} || {fail}"
            )
        if target == "duration":  # a plain number goes through to_number, stripped
            special.append(
                f"WHEN {fail} = {s(_NOT_NUMBER)} THEN "
                f"{self.show_sql('text', v.stripped())} || {fail}"
            )
        default = f"{self.show_sql('text', v.x)} || {fail}"
        return f"CASE {' '.join(special)} ELSE {default} END" if special else default

    def coerce_value(self, target: str, kind: str, v) -> tuple[str, str | None]:
        """(value, failure words or None) of a scalar of `kind` coerced to `target`."""
        if isinstance(v, str):
            v = _Value(self, v, None, "")
        sql_t = self.TYPES.get(target, "VARCHAR")
        if kind == "typed":
            return (f"NULLIF({v.x}, '')" if target == "string" else v.x), None
        if kind in ("json", "tagged"):
            return self._coerce_variant(target, kind, v)
        method = getattr(self, f"_from_{kind}", None)
        if method is None:  # lists, blobs, structs… given where a scalar is declared
            return (
                self.cast_sql("NULL", sql_t),
                f"CASE WHEN {v.x} IS NOT NULL THEN "
                f"{self.string_sql(_NOT.get(target, ' is not valid'))} END",
            )
        return method(target, v)

    # ---- text (CSV, and JSON strings)
    def _from_text(self, target: str, v: _Value):
        s = self.string_sql
        x = v.x
        if target == "string":
            return f"NULLIF({x}, '')", None
        st_ = v.stripped()
        if target == "boolean":
            # a simple CASE, not IN: DuckDB turns IN lists into joins
            words = " ".join(
                [f"WHEN {s(t)} THEN TRUE" for t in sorted(_TRUE)]
                + [f"WHEN {s(f)} THEN FALSE" for f in sorted(_FALSE)]
            )
            b = v._helper("b", f"CASE lower({st_}) {words} END")
            return b, f"CASE WHEN {st_} <> '' AND {b} IS NULL THEN {s(_BOOL_HINT)} END"
        if target in ("number", "integer"):
            return self._text_number(target, v)
        if target == "duration":
            return self._text_duration(v)
        if target == "date":
            cut = (
                f"CASE WHEN contains({x}, 'T') OR contains({st_}, ' ') THEN left({st_}, 10) "
                f"ELSE {st_} END"
            )
            as_date = self.try_cast_sql(cut, "DATE")
            ok = (
                f"({self.regex_full_match_sql(cut, _DATE_RE)} AND NOT starts_with({cut}, "
                f"'0000') AND {as_date} IS NOT NULL)"
            )
            return (
                f"CASE WHEN {ok} THEN {as_date} END",
                f"CASE WHEN {st_} <> '' AND NOT {ok} THEN {s(_NOT['date'])} END",
            )
        if target == "timestamp":
            time = f"substr({st_}, 12)"
            hms = self.regex_extract_sql(time, r"^[0-9]{2}:[0-9]{2}(:[0-9]{2})?")
            frac = self.regex_extract_sql(time, r"[.,]([0-9]+)$", 1)
            norm = (
                f"left({st_}, 10) || CASE WHEN length({st_}) > 10 THEN ' ' || {hms} || "
                f"CASE WHEN {frac} <> '' THEN '.' || left({frac}, 6) ELSE '' END ELSE '' END"
            )
            as_ts = self.try_cast_sql(norm, "TIMESTAMP")
            ok = (
                f"({self.regex_full_match_sql(st_, _TIMESTAMP_RE)} AND NOT starts_with({st_}, "
                f"'0000') AND substr({st_}, 12, 2) < '24' AND {as_ts} IS NOT NULL)"
            )
            return (
                f"CASE WHEN {ok} THEN {as_ts} END",
                f"CASE WHEN {st_} <> '' AND NOT {ok} THEN {s(_NOT['timestamp'])} END",
            )
        return "NULL", None

    def _text_number(self, target: str, v: _Value):
        """semantics._parse_number on the stripped text (its digits made ASCII)."""
        s = self.string_sql
        d = v.digits()
        ok = v._helper("ok", self.regex_full_match_sql(d, _NUMBER_RE))
        clean = v._helper("c", f"replace(replace({d}, ',', ''), '_', '')")
        as_double = v._helper("f", self.try_cast_sql(clean, "DOUBLE"))
        bad_text = f"WHEN {d} <> '' AND NOT {ok} THEN {s(_NOT_NUMBER)}"
        if target == "number":
            return f"CASE WHEN {ok} THEN {as_double} END", f"CASE {bad_text} END"
        is_int = self.regex_full_match_sql(clean, r"[+-]?[0-9]+")
        as_int = self.try_cast_sql(clean, "BIGINT")
        whole = self.is_whole_sql(as_double)
        from_double = self.try_cast_sql(as_double, "BIGINT")
        value = (
            f"CASE WHEN {ok} THEN CASE WHEN {is_int} THEN {as_int} WHEN {whole} THEN "
            f"{from_double} END END"
        )
        error = (
            f"CASE {bad_text} "
            f"WHEN {ok} AND {is_int} AND {as_int} IS NULL THEN {s(_TOO_BIG)} "
            f"WHEN {ok} AND NOT {is_int} AND NOT {whole} THEN {s(_NOT['integer'])} "
            f"WHEN {ok} AND NOT {is_int} AND {from_double} IS NULL THEN {s(_TOO_BIG)} END"
        )
        return value, error

    def _text_duration(self, v: _Value):
        """semantics.to_duration on text: a plain number is days, else NUMBER + unit, as one
        exact division (mantissa × unit numerator) / (10^decimals × unit denominator)."""
        s = self.string_sql
        st_, d = v.stripped(), v.digits()
        numeric = (
            f"({self.regex_full_match_sql(d, '(?s).*[0-9]')} OR "
            f"{self.regex_full_match_sql(d, '(?s)[-+.].*')})"
        )
        num_value, num_fail = self._text_number("number", v)
        digits = self.regex_extract_sql(d, r"^[0-9][0-9_]*(\.[0-9]+)?")
        unit = f"lower(substr({d}, length({digits}) + 1))"
        plain = f"replace({digits}, '_', '')"
        whole = f"split_part({plain}, '.', 1) || split_part({plain}, '.', 2)"
        scale = f"power(10, length(split_part({plain}, '.', 2)))"
        mantissa = self.try_cast_sql(whole, "BIGINT")
        numer = (
            "CASE "
            + unit
            + " "
            + " ".join(f"WHEN {s(u)} THEN {a}" for u, (a, b) in _UNITS.items())
            + " END"
        )
        denom = (
            "CASE "
            + unit
            + " "
            + " ".join(f"WHEN {s(u)} THEN {b}" for u, (a, b) in _UNITS.items() if b != 1)
            + " ELSE 1 END"
        )
        units = ", ".join(s(u) for u in _UNITS)
        value = (
            f"CASE WHEN {st_} = '' THEN NULL WHEN {numeric} THEN {num_value} "
            f"ELSE CAST({mantissa} * {numer} AS DOUBLE) / ({scale} * {denom}) END"
        )
        fail = (
            f"CASE WHEN {st_} IS NULL OR {st_} = '' THEN NULL WHEN {numeric} THEN {num_fail} "
            f"WHEN {digits} = '' OR {unit} NOT IN ({units}) OR {mantissa} IS NULL "
            f"THEN {s(_NOT_DURATION_TEXT)} END"
        )
        return value, fail

    # ---- typed columns (Parquet, Arrow)
    def _from_int(self, target: str, v):
        x = v.x if isinstance(v, _Value) else v
        s = self.string_sql
        if target == "integer":
            return self.cast_sql(x, "BIGINT"), None
        if target in ("number", "duration"):
            return self.cast_sql(x, "DOUBLE"), None
        if target == "boolean":
            return (
                f"CASE {x} WHEN 1 THEN TRUE WHEN 0 THEN FALSE END",
                f"CASE WHEN {x} NOT IN (0, 1) THEN {s(_BOOL_HINT)} END",
            )
        if target == "string":
            return self.cast_sql(x, "VARCHAR"), None
        return self._never(target, x)

    def _from_bigint(self, target: str, v):
        x = v.x if isinstance(v, _Value) else v
        if target == "integer":
            return (
                self.try_cast_sql(x, "BIGINT"),
                f"CASE WHEN {x} IS NOT NULL AND {self.try_cast_sql(x, 'BIGINT')} IS NULL "
                f"THEN {self.string_sql(_TOO_BIG)} END",
            )
        return self._from_int(target, x)

    def _from_float(self, target: str, v):
        x = self.cast_sql(v.x if isinstance(v, _Value) else v, "DOUBLE")
        s = self.string_sql
        nan = self.is_nan_sql(x)
        if target == "integer":
            whole = self.is_whole_sql(x)
            as_int = self.try_cast_sql(x, "BIGINT")
            return (
                f"CASE WHEN {whole} THEN {as_int} END",
                f"CASE WHEN NOT {nan} AND NOT {whole} THEN {s(_NOT['integer'])} "
                f"WHEN {whole} AND {as_int} IS NULL THEN {s(_TOO_BIG)} END",
            )
        if target in ("number", "duration"):
            return f"CASE WHEN {nan} THEN NULL ELSE {x} END", None
        if target == "boolean":
            return (
                f"CASE WHEN {x} = 1 THEN TRUE WHEN {x} = 0 THEN FALSE END",
                f"CASE WHEN NOT ({x} = 1 OR {x} = 0) THEN {s(_BOOL_HINT)} END",
            )
        if target == "string":
            return ("CAST(NULL AS VARCHAR)", f"CASE WHEN NOT {nan} THEN {s(_NOT['string'])} END")
        return self._never(target, x)

    def _from_decimal(self, target: str, v):
        x = v.x if isinstance(v, _Value) else v
        if target == "integer":
            whole = f"{x} = trunc({x})"
            return (
                f"CASE WHEN {whole} THEN {self.try_cast_sql(x, 'BIGINT')} END",
                f"CASE WHEN NOT ({whole}) THEN {self.string_sql(_NOT['integer'])} END",
            )
        if target in ("number", "duration"):
            # through text: a wide decimal's own conversion to DOUBLE may round twice
            return self.cast_sql(self.cast_sql(x, "VARCHAR"), "DOUBLE"), None
        return self._never(target, x)

    def _from_bool(self, target: str, v):
        x = v.x if isinstance(v, _Value) else v
        if target == "boolean":
            return x, None
        words = _BOOL_NOT.get(target) or _NOT[target]
        return (
            self.cast_sql("NULL", self.TYPES[target]),
            f"CASE WHEN {x} IS NOT NULL THEN {self.string_sql(words)} END",
        )

    def _from_date(self, target: str, v):
        x = v.x if isinstance(v, _Value) else v
        if target == "date":
            return x, None
        if target == "timestamp":
            return self.cast_sql(x, "TIMESTAMP"), None
        return self._never(target, x)

    def _from_timestamp(self, target: str, v):
        x = v.x if isinstance(v, _Value) else v
        if target == "date":
            return self.cast_sql(x, "DATE"), None
        if target == "timestamp":
            return self.cast_sql(x, "TIMESTAMP"), None
        return self._never(target, x)

    def _from_interval(self, target: str, v):
        x = v.x if isinstance(v, _Value) else v
        if target == "duration":
            return f"(epoch({x}) / 86400.0)", None
        return self._never(target, x)

    def _never(self, target: str, x: str):
        """A value of this kind is never a `target`: every non-missing value is bad."""
        return (
            self.cast_sql("NULL", self.TYPES[target]),
            f"CASE WHEN {x} IS NOT NULL THEN {self.string_sql(_NOT[target])} END",
        )

    # ---- JSON values and mixed Python columns: the type is decided per row
    def variant_parts(self, kind: str, v: _Value) -> tuple[str, _Value]:
        """(tag, text) of a value whose Python type varies row by row: the tag names the
        Python type (str, int, float, bool, null, list, dict; for rulekit's own tagged
        columns also date, datetime, decimal, nan, inf, other) and the text is its canonical
        text (the string itself, the number's digits, true/false, ISO dates, JSON for lists)."""
        s = self.string_sql
        x = v.x
        if kind == "tagged":
            tag, text = f"{x}.t", f"{x}.v"
        else:
            jt = self.json_type_sql(x)
            tag = (
                f"CASE {jt} WHEN {s('VARCHAR')} THEN {s('str')} WHEN {s('BIGINT')} THEN "
                f"{s('int')} WHEN {s('UBIGINT')} THEN {s('int')} WHEN {s('DOUBLE')} THEN "
                f"{s('float')} WHEN {s('BOOLEAN')} THEN {s('bool')} WHEN {s('ARRAY')} THEN "
                f"{s('list')} WHEN {s('OBJECT')} THEN {s('dict')} ELSE {s('null')} END"
            )
            text = self.json_text_sql(x)
        if v.helpers is None:
            return tag, _Value(self, text, None, "")
        return v._helper("t", tag), v.sub(text, "j")

    def _coerce_variant(self, target: str, kind: str, v: _Value):
        """semantics.py on the Python value: the text path on its canonical text, except where
        Python treats the type itself differently (a float is not text; 1.0 is true; …)."""
        s = self.string_sql
        t, j = self.variant_parts(kind, v)
        tv, tf = self._from_text(target, j)
        text_like = ("str", "int", "float", "decimal")

        def tags(*names):
            return f"{t} IN ({', '.join(s(n) for n in names)})"

        words = s(_NOT[target])
        if target == "string":
            return (
                f"CASE WHEN {t} = {s('str')} THEN NULLIF({j.x}, '') WHEN {t} = {s('int')} "
                f"THEN {j.x} END",
                f"CASE WHEN NOT {tags('str', 'int', 'null', 'nan')} THEN {words} END",
            )
        if target == "boolean":
            as_double = self.try_cast_sql(j.x, "DOUBLE")
            return (
                f"CASE WHEN {tags('str', 'int')} THEN {tv} WHEN {t} = {s('bool')} THEN "
                f"{j.x} = 'true' WHEN {t} = {s('float')} THEN CASE {as_double} WHEN 1 "
                f"THEN TRUE WHEN 0 THEN FALSE END END",
                f"CASE WHEN {tags('str', 'int')} THEN {tf} WHEN {tags('bool', 'null')} THEN "
                f"NULL WHEN {t} = {s('float')} AND {as_double} IN (0, 1) THEN NULL "
                f"ELSE {words} END",
            )
        if target in ("integer", "number", "duration"):
            inf_ok = target != "integer"  # Python's int(inf) fails; a number may be infinite
            value = (
                f"CASE WHEN {tags(*text_like)} THEN {tv} "
                + (f"WHEN {t} = {s('inf')} THEN {self.cast_sql(j.x, 'DOUBLE')} " if inf_ok else "")
                + "END"
            )
            bool_words = s(_BOOL_NOT.get(target) or _NOT[target])
            fail = (
                f"CASE WHEN {tags(*text_like)} THEN {tf} WHEN "
                f"{tags('null', 'nan', 'inf') if inf_ok else tags('null', 'nan')} THEN NULL "
                f"WHEN {t} = {s('bool')} THEN {bool_words} ELSE {words} END"
            )
            return value, fail
        if target in ("date", "timestamp"):
            sql_t = self.TYPES[target]
            return (
                f"CASE WHEN {t} = {s('str')} THEN {tv} WHEN {tags('date', 'datetime')} THEN "
                f"{self.cast_sql(self.try_cast_sql(j.x, 'TIMESTAMP'), sql_t)} END",
                f"CASE WHEN {t} = {s('str')} THEN {tf} WHEN {tags('date', 'datetime', 'null')}"
                f" THEN NULL ELSE {words} END",
            )
        return "NULL", None

    # ---- lists
    def coerce_list(self, el: str, kind: str, v: _Value, col) -> tuple[str, str | None]:
        """semantics._list_coercer: text splits on , ; | (or is a JSON list); each item is
        coerced to the element type; the first bad item's reason is the value's reason."""
        s = self.string_sql
        x = v.x
        sql_el = self.TYPES.get(el, "VARCHAR")
        if kind == "typed":
            return x, None
        if kind == "text":
            st_ = v.stripped()
            e = self.lambda_var()
            parts = self.list_filter_sql(
                self.list_transform_sql(self.split_text_sql(st_), e, self.strip_sql(e)),
                e,
                f"{e} <> ''",
            )
            split_v, split_e = self._each(parts, el, "text")
            json_list = self.json_list_sql(st_)
            json_v, json_e = self._each(json_list, el, "json")
            is_json = f"starts_with({st_}, '[')"
            value = (
                f"CASE WHEN {st_} = '' THEN NULL WHEN {is_json} THEN {json_v} ELSE {split_v} END"
            )
            fail = (
                f"CASE WHEN {st_} = '' THEN NULL WHEN {is_json} AND {json_list} IS NULL "
                f"THEN {self.show_sql('text', x)} || {s(_NOT_LIST)} WHEN {is_json} THEN "
                f"{json_e} ELSE {split_e} END"
            )
            return value, fail
        if kind == "list":
            return self._each(x, el, getattr(col, "element", None) or "typed")
        if kind in ("json", "tagged"):
            # a list (its JSON text) or a text goes the text way, as semantics does
            t, j = self.variant_parts(kind, v)
            text_v, text_f = self.coerce_list(el, "text", j, col)
            tags = f"{t} IN ({s('str')}, {s('list')})"
            return (
                f"CASE WHEN {tags} THEN {text_v} END",
                f"CASE WHEN {tags} THEN {text_f} WHEN {t} = {s('null')} THEN NULL "
                f"ELSE {self.show_sql(kind, x)} || {s(_NOT_LIST)} END",
            )
        return (
            self.cast_sql("NULL", self.list_type_sql(sql_el)),
            f"CASE WHEN {x} IS NOT NULL THEN {self.show_sql(kind, x)} || {s(_NOT_LIST)} END",
        )

    def _each(self, lst: str, el: str, kind: str) -> tuple[str, str]:
        """Coerce every item of a list; the failure is the full reason of the first bad one."""
        e = self.lambda_var()
        val, _ = self.coerce_value(el, kind, e)
        values = self.list_transform_sql(lst, e, val)
        e2, e3 = self.lambda_var(), self.lambda_var()
        item = _Value(self, e2, None, "")
        _, fail = self.coerce_value(el, kind, item)
        if fail is None:
            return values, "NULL"
        reason = self._reason_template(el, kind, item, None).replace("{fail}", f"({fail})")
        errors = self.list_filter_sql(
            self.list_transform_sql(lst, e2, f"CASE WHEN ({fail}) IS NOT NULL THEN {reason} END"),
            e3,
            f"{e3} IS NOT NULL",
        )
        return values, self.list_element_sql(errors, "0")
