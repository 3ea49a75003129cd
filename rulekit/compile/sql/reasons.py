"""The reasons of bad values, in semantics.py's words.

A field's failure is carried in two forms. The *words* (" is not a number") are cheap, NULL
when the value is fine, so every row carries them (coercion.py writes them). The full *reason*
is semantics.py's message: Python's `repr` of the value the record would hold, cut to 40
characters as semantics._show cuts it, then the words; it is built only in the queries that
list rejected rows. This module holds the words and writes the reprs and reasons.
"""

from __future__ import annotations

from rulekit.compile.sql.rawvalues import RawValues, Value
from rulekit.model.reading import AMBIGUOUS_COMMA

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


class Reasons(RawValues):
    """Python's repr of a value, and the full reason of a bad one, in SQL."""

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
            us = self.micros_of_second_sql(x)
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
        t, jv = self.variant_parts(kind, Value(self, x, None, ""))
        j = jv.x
        return (
            f"CASE {t} WHEN {s('str')} THEN {self.py_repr_sql('text', j)} "
            f"WHEN {s('bool')} THEN CASE WHEN {j} = 'true' THEN {s('True')} ELSE "
            f"{s('False')} END "
            f"WHEN {s('date')} THEN {self.py_repr_sql('date', self.try_cast_sql(j, 'DATE'))} "
            f"WHEN {s('datetime')} THEN "
            f"{self.py_repr_sql('timestamp', self.try_cast_sql(j, 'TIMESTAMP'))} "
            f"WHEN {s('decimal')} THEN {s('Decimal(' + chr(39))} || {j} || {s(chr(39) + ')')} "
            f"WHEN {s('dict')} THEN {s('{…}')} WHEN {s('list')} THEN {s('[…]')} "
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
            return self.variant_parts(kind, Value(self, x, None, ""))[1].x
        return self.cast_sql(x, "VARCHAR")

    def number_clean_sql(self, v: Value) -> str:
        """The clean text of a number text (lenient.py computes it)."""
        return f"replace(replace({v.digits()}, ',', ''), '_', '')"

    def _reason_template(
        self, target: str, kind: str, v: Value, one_of_words: str | None, is_list: bool = False
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

    def _text_reason(self, target: str, v: Value, fail: str) -> str:
        s = self.string_sql
        special = []
        if target == "integer":  # semantics shows the parsed float: "12.5 is not a whole number"
            parsed = self.try_cast_sql(self.number_clean_sql(v), "DOUBLE")
            special.append(
                f"WHEN {fail} = {s(_NOT['integer'])} THEN "
                f"{self.show_sql('float', parsed)} || {fail}"
            )
        if target == "duration":  # a plain number goes through to_number, stripped
            special.append(
                f"WHEN {fail} IN ({s(_NOT_NUMBER)}, {s(AMBIGUOUS_COMMA)}) THEN "
                f"{self.show_sql('text', v.stripped())} || {fail}"
            )
        default = f"{self.show_sql('text', v.x)} || {fail}"
        return f"CASE {' '.join(special)} ELSE {default} END" if special else default
