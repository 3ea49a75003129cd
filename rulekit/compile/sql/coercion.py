"""Coerce source columns to declared field types in SQL, exactly as semantics.py coerces record
values.

Each column arrives as one *kind* of value (see relation.Column): CSV gives text, Parquet gives
typed columns, JSON Lines give one JSON value per row whose type varies row by row. For every
(kind, declared type) pair this module writes:

* the coerced value (NULL when missing),
* the *words* of the failure (" is not a number"), NULL when the value is fine — cheap, so every
  row can carry it,
* the full reason (reasons.py), built only in the query that lists rejected rows.

Text follows semantics.py to the letter: surrounding whitespace is Python's `str.strip()` set;
digits of any script count; numbers may carry `,` and `_`; booleans are the words in
semantics._TRUE / _FALSE; durations accept `200`, `200d`, `6mo` with the parser's units,
computed as one exact division; dates are `YYYY-MM-DD` (a longer text is cut at 10 characters
when it has a time part, as semantics.to_date does). A text column is stripped and its digits
made ASCII once, in helper columns (rawvalues.py), so each test reads them instead of redoing it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from rulekit.compile.sql.lenient import Lenient
from rulekit.compile.sql.rawvalues import Helper, Value
from rulekit.compile.sql.reasons import (
    _BOOL_HINT,
    _BOOL_NOT,
    _NOT,
    _NOT_DURATION_TEXT,
    _NOT_LIST,
    _TOO_BIG,
)
from rulekit.compile.sql.relation import KIND_OF_TYPE, Column, element_type, kind_of_type
from rulekit.model.program import FieldInfo
from rulekit.model.semantics import _FALSE, _TRUE
from rulekit.syntax.parser import DURATION_UNITS

__all__ = ["KIND_OF_TYPE", "Coercion", "FieldSQL", "element_type", "kind_of_type"]

_DATE_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
# the fast path's plain texts (fast_text): a cast reads them as the full reading does
_FAST_NUMBER = r"-?[0-9]{1,30}(\.[0-9]{1,30})?"
_FAST_INTEGER = r"-?[0-9]{1,18}"
_FAST_PLAIN = re.compile(r"-?[0-9.]+|[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIMESTAMP_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt _][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?)?"

# Duration units as (numerator, denominator) in days, keyed by their lowercase spelling.
# (The parser keeps 1/86400 etc. as 28-digit decimals; the exact fraction is what they mean.)
_UNITS: dict[str, tuple[int, int]] = {}
for _name, _days in DURATION_UNITS.items():
    _exact = Fraction(_days).limit_denominator(86400)
    _UNITS.setdefault(_name.lower(), (_exact.numerator, _exact.denominator))

Coerced = tuple[str, str | None]  # (value, failure words or None: it cannot fail)


@dataclass
class FieldSQL:
    """The SQL of one field read from one column."""

    value: str  # the coerced value, NULL when missing
    fail: str | None  # the failure's words, NULL when fine; None: the value cannot be bad
    reason: str | None  # the full reason, semantics.py's message (evaluate only when failing)
    text: str  # the raw value as text, for the rejected-rows file
    helpers: list[Helper] = field(default_factory=list)  # computed before, level by level


class Coercion(Lenient):
    """Per-field coercion and validation."""

    # ---- the entry points
    def coerce_field(self, name: str, info: FieldInfo, col: Column, index: int) -> FieldSQL:
        """The value, failure words, reason, raw text and helper columns of one field."""
        t = info.type
        x = self.identifier_sql(col.name)
        if col.kind == "absent":
            if info.default is not None:  # no column: every value is the default
                return FieldSQL(self._default_sql(info), None, None, "NULL")
            return FieldSQL(self.cast_sql("NULL", self.sql_type(t)), None, None, "NULL")
        helpers: list[Helper] = []
        v = Value(self, x, helpers, f"{self.PREFIX}{index}_")
        fast = None
        if t.element is not None:  # a list's failure is the full reason of its first bad item
            value, fail = self.coerce_list(t.element.name, col.kind, v, col)
        else:
            fast = (
                self.fast_text(t.name, v)
                if col.kind == "text"
                else self.fast_json(t.name, v)
                if col.kind == "json"
                else None
            )
            if fast is not None:  # plain texts take the fast path; the others are read below
                v.skip = v.helper("fast", f"COALESCE({fast[0]}, FALSE)")
            value, fail = self.coerce_value(t.name, col.kind, v)
            if fast is not None and v.skip is not None:
                value = f"CASE WHEN {v.skip} THEN {fast[1]} ELSE {value} END"
                fail = None if fail is None else f"CASE WHEN NOT {v.skip} THEN {fail} END"
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
        if info.default is not None:  # `default d`: a missing (or empty) value is d
            value = f"COALESCE({value}, {self._default_sql(info)})"
        if fail is None:
            return FieldSQL(value, None, None, text, helpers)
        template = self._reason_template(t.name, col.kind, v, one_of_words, is_list=t.is_list)
        reason = template.replace("{fail}", f"({fail})")
        return FieldSQL(value, fail, reason, text, helpers)

    def _default_sql(self, info: FieldInfo) -> str:
        """A field's default as a constant of the field's SQL type."""
        return self.cast_sql(self.value_sql(info.default), self.sql_type(info.type))

    def coerce_value(self, target: str, kind: str, v: Value | str) -> Coerced:
        """(value, failure words or None) of a scalar of `kind` coerced to `target`."""
        if isinstance(v, str):
            v = Value(self, v, None, "")
        sql_t = self.TYPES.get(target, "VARCHAR")
        if kind == "typed":
            return (f"NULLIF({v.x}, '')" if target == "string" else v.x), None
        if kind in ("json", "tagged"):
            return self._coerce_variant(target, kind, v)
        method: Callable[[str, Value], Coerced] | None = getattr(self, f"_from_{kind}", None)
        if method is None:  # lists, blobs, structs… given where a scalar is declared
            return (
                self.cast_sql("NULL", sql_t),
                f"CASE WHEN {v.x} IS NOT NULL THEN "
                f"{self.string_sql(_NOT.get(target, ' is not valid'))} END",
            )
        return method(target, v)

    # ---- text (CSV, and JSON strings)
    def fast_text(self, target: str, v: Value) -> tuple[str, str] | None:
        """(test, value) of the fast path of a text column: a plain text (ASCII digits with an
        optional minus and decimals, an ISO date, a boolean word as written) read by one cast,
        the value the full reading below gives that text. Only the texts that fail the test pay
        for the full reading (stripping, Unicode digits, missing tokens, lenient forms). None:
        no fast path (the reading options change what a plain text means)."""
        opts = self.read_options
        x, s = v.x, self.string_sql
        plain = [t for t in opts.na_tokens if _FAST_PLAIN.fullmatch(t)]
        if target in ("number", "duration", "integer") and not opts.decimal_comma and not plain:
            if target == "integer":
                return (
                    self.regex_full_match_sql(x, _FAST_INTEGER),
                    self.cast_sql(x, "BIGINT"),
                )
            return self.regex_full_match_sql(x, _FAST_NUMBER), self.cast_sql(x, "DOUBLE")
        if target == "boolean":
            words = [(w, True) for w in sorted(_TRUE)] + [(w, False) for w in sorted(_FALSE)]
            spelled = [
                (form, b)
                for w, b in words
                if w.isascii() and w.isalpha()
                for form in dict.fromkeys((w, w.upper(), w.capitalize()))
            ] + [(w, b) for w, b in words if not (w.isascii() and w.isalpha())]
            if any(w.lower() in opts.na_tokens for w, _ in spelled):
                return None
            whens = " ".join(f"WHEN {s(w)} THEN {'TRUE' if b else 'FALSE'}" for w, b in spelled)
            case = f"CASE {x} {whens} END"
            return f"({case} IS NOT NULL)", case
        if target == "date" and opts.date_format is None:
            as_date = self.try_cast_sql(x, "DATE")
            zero = self.string_test_sql("starts_with", x, "'0000'")
            test = (
                f"({self.regex_full_match_sql(x, _DATE_RE)} AND NOT {zero} "
                f"AND {as_date} IS NOT NULL)"
            )
            return test, as_date
        return None

    def fast_json(self, target: str, v: Value) -> tuple[str, str] | None:
        """(test, value) of the fast path of a JSON Lines column, on the value's JSON text: a
        missing key or `null`, a plain number (fast_text's digits), `true`/`false`, a string
        without escapes. These are read by one cast; the others (numbers in text, exponents,
        escapes, objects, lists…) by the full reading, which gives the same value for them.
        None: no fast path (the reading options change what a plain value means)."""
        opts = self.read_options
        raw = self.cast_sql(v.x, "VARCHAR")
        missing = f"{v.x} IS NULL OR {raw} = 'null'"
        plain = [t for t in opts.na_tokens if _FAST_PLAIN.fullmatch(t)]
        if target in ("number", "duration", "integer") and not opts.decimal_comma and not plain:
            pattern, sql_t = (
                (_FAST_INTEGER, "BIGINT") if target == "integer" else (_FAST_NUMBER, "DOUBLE")
            )
            test = f"({missing} OR {self.regex_full_match_sql(raw, pattern)})"
            return test, self.try_cast_sql(raw, sql_t)
        if target == "boolean":
            case = f"CASE {raw} WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END"
            return f"({missing} OR {raw} IN ('true', 'false'))", case
        if target == "string":
            quote, backslash = self.string_sql('"'), self.string_sql("\\")
            quoted = (
                f"({self.string_test_sql('starts_with', raw, quote)} "
                f"AND NOT {self.string_test_sql('contains', raw, backslash)})"
            )
            return f"({missing} OR {quoted})", f"NULLIF({self.json_text_sql(v.x)}, '')"
        if target == "date" and opts.date_format is None:
            as_date = self.try_cast_sql(f"substr({raw}, 2, 10)", "DATE")
            zero = self.string_test_sql("starts_with", raw, self.string_sql('"0000'))
            iso = self.regex_full_match_sql(raw, f'"{_DATE_RE}"')
            test = f"({iso} AND NOT {zero} AND {as_date} IS NOT NULL)"
            return f"({missing} OR {test})", f"CASE WHEN NOT ({missing}) THEN {as_date} END"
        return None

    def _from_text(self, target: str, v: Value) -> Coerced:
        s = self.string_sql
        x = v.x
        if target == "string":
            if self.read_options.na is not None:  # given tokens are missing in text too
                return (
                    f"CASE WHEN {self.na_sql(v.stripped())} THEN NULL ELSE NULLIF({x}, '') END",
                    None,
                )
            return f"NULLIF({x}, '')", None
        st_ = v.stripped()
        if target == "boolean":
            # a simple CASE, not IN: DuckDB turns IN lists into joins
            words = " ".join(
                [f"WHEN {s(t)} THEN TRUE" for t in sorted(_TRUE)]
                + [f"WHEN {s(f)} THEN FALSE" for f in sorted(_FALSE)]
            )
            b = v.helper("b", f"CASE lower({st_}) {words} END")
            na = f"CASE WHEN {b} IS NULL THEN {self.na_sql(st_)} END"
            return b, f"CASE WHEN {st_} <> '' AND {b} IS NULL AND NOT {na} THEN {s(_BOOL_HINT)} END"
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
            zero = self.string_test_sql("starts_with", cut, "'0000'")
            ok = v.helper(
                "ok",
                f"({self.regex_full_match_sql(cut, _DATE_RE)} AND NOT {zero} "
                f"AND {as_date} IS NOT NULL)",
            )
            return self._lenient_dated(v, "date", ok, as_date)
        if target == "timestamp":
            time = f"substr({st_}, 12)"
            hms = self.regex_extract_sql(time, r"^[0-9]{2}:[0-9]{2}(:[0-9]{2})?")
            frac = self.regex_extract_sql(time, r"[.,]([0-9]+)$", 1)
            norm = (
                f"left({st_}, 10) || CASE WHEN length({st_}) > 10 THEN ' ' || {hms} || "
                f"CASE WHEN {frac} <> '' THEN '.' || left({frac}, 6) ELSE '' END ELSE '' END"
            )
            as_ts = self.try_cast_sql(norm, "TIMESTAMP")
            zero = self.string_test_sql("starts_with", st_, "'0000'")
            ok = v.helper(
                "ok",
                f"({self.regex_full_match_sql(st_, _TIMESTAMP_RE)} AND NOT {zero} "
                f"AND substr({st_}, 12, 2) < '24' AND {as_ts} IS NOT NULL)",
            )
            return self._lenient_dated(v, "timestamp", ok, as_ts)
        return "NULL", None

    def _lenient_dated(self, v: Value, target: str, ok: str, strict: str) -> tuple[str, str]:
        """A date or timestamp: the strict value, else a missing token, else the export forms."""
        st_ = v.stripped()
        na = v.helper("na", f"CASE WHEN {ok} OR {st_} = '' THEN FALSE ELSE {self.na_sql(st_)} END")
        guard = f"NOT {ok} AND NOT {na} AND {st_} <> ''"
        lenient, words = self.lenient_date_sql(v, target, guard)
        return (
            f"CASE WHEN {ok} THEN {strict} ELSE {lenient} END",
            f"CASE WHEN {guard} AND {lenient} IS NULL THEN {words} END",
        )

    def _text_number(self, target: str, v: Value) -> tuple[str, str]:
        """semantics._parse_number on the stripped text (its digits made ASCII)."""
        s = self.string_sql
        d = v.digits()
        _, na, e, clean = self.number_parts(v)
        ok = f"({e} IS NOT NULL)"
        as_double = v.helper("f", self.try_cast_sql(clean, "DOUBLE"))
        bad_text = f"WHEN {d} <> '' AND NOT {ok} AND NOT {na} THEN {self.number_fail_sql(v)}"
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

    def _text_duration(self, v: Value) -> tuple[str, str]:
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
        na = self.na_sql(st_)
        value = (
            f"CASE WHEN {st_} = '' THEN NULL WHEN {numeric} THEN {num_value} WHEN {na} THEN NULL "
            f"ELSE CAST({mantissa} * {numer} AS DOUBLE) / ({scale} * {denom}) END"
        )
        fail = (
            f"CASE WHEN {st_} IS NULL OR {st_} = '' THEN NULL WHEN {numeric} THEN {num_fail} "
            f"WHEN {na} THEN NULL "
            f"WHEN {digits} = '' OR {unit} NOT IN ({units}) OR {mantissa} IS NULL "
            f"THEN {s(_NOT_DURATION_TEXT)} END"
        )
        return value, fail

    # ---- typed columns (Parquet, Arrow)
    def _from_int(self, target: str, v: Value | str) -> Coerced:
        x = v.x if isinstance(v, Value) else v
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

    def _from_bigint(self, target: str, v: Value | str) -> Coerced:
        x = v.x if isinstance(v, Value) else v
        if target == "integer":
            return (
                self.try_cast_sql(x, "BIGINT"),
                f"CASE WHEN {x} IS NOT NULL AND {self.try_cast_sql(x, 'BIGINT')} IS NULL "
                f"THEN {self.string_sql(_TOO_BIG)} END",
            )
        return self._from_int(target, x)

    def _from_float(self, target: str, v: Value | str) -> Coerced:
        x = self.cast_sql(v.x if isinstance(v, Value) else v, "DOUBLE")
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

    def _from_decimal(self, target: str, v: Value | str) -> Coerced:
        x = v.x if isinstance(v, Value) else v
        if target == "integer":
            whole = self.integral_sql(x)
            return (
                f"CASE WHEN {whole} THEN {self.try_cast_sql(x, 'BIGINT')} END",
                f"CASE WHEN NOT ({whole}) THEN {self.string_sql(_NOT['integer'])} END",
            )
        if target in ("number", "duration"):
            # through text: a wide decimal's own conversion to DOUBLE may round twice
            return self.cast_sql(self.cast_sql(x, "VARCHAR"), "DOUBLE"), None
        return self._never(target, x)

    def _from_bool(self, target: str, v: Value | str) -> Coerced:
        x = v.x if isinstance(v, Value) else v
        if target == "boolean":
            return x, None
        words = _BOOL_NOT.get(target) or _NOT[target]
        return (
            self.cast_sql("NULL", self.TYPES[target]),
            f"CASE WHEN {x} IS NOT NULL THEN {self.string_sql(words)} END",
        )

    def _from_date(self, target: str, v: Value | str) -> Coerced:
        x = v.x if isinstance(v, Value) else v
        if target == "date":
            return x, None
        if target == "timestamp":
            return self.cast_sql(x, "TIMESTAMP"), None
        return self._never(target, x)

    def _from_timestamp(self, target: str, v: Value | str) -> Coerced:
        x = v.x if isinstance(v, Value) else v
        if target == "date":
            return self.cast_sql(x, "DATE"), None
        if target == "timestamp":
            return self.cast_sql(x, "TIMESTAMP"), None
        return self._never(target, x)

    def _from_interval(self, target: str, v: Value | str) -> Coerced:
        x = v.x if isinstance(v, Value) else v
        if target == "duration":
            return f"(epoch({x}) / 86400.0)", None
        return self._never(target, x)

    def _never(self, target: str, x: str) -> tuple[str, str]:
        """A value of this kind is never a `target`: every non-missing value is bad."""
        return (
            self.cast_sql("NULL", self.TYPES[target]),
            f"CASE WHEN {x} IS NOT NULL THEN {self.string_sql(_NOT[target])} END",
        )

    def _coerce_variant(self, target: str, kind: str, v: Value) -> Coerced:
        """semantics.py on the Python value: the text path on its canonical text, except where
        Python treats the type itself differently (a float is not text; 1.0 is true; …)."""
        s = self.string_sql
        t, j = self.variant_parts(kind, v)
        tv, tf = self._from_text(target, j)
        text_like = ("str", "int", "float", "decimal")

        def tags(*names: str) -> str:
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
    def coerce_list(self, el: str, kind: str, v: Value, col: Column) -> Coerced:
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
            is_json = self.string_test_sql("starts_with", st_, "'['")
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
        item = Value(self, e2, None, "")
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
