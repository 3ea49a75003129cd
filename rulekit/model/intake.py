"""Reading options on the Python engine: the text cells of the declared fields read with a
ReadOptions (reading.py) before the compiled ruleset sees them.

The compiled ruleset reads text by the default policy. When the options change how a value is
read (`na`, `decimal_comma`, `date_format`), each text cell of a declared field is turned here
into a text the default policy reads to the same value (a number's canonical text, a date's ISO
text), into None (a missing token), or into a `reading.Unreadable` whose reason the coercer
raises: the values and reasons the SQL engines give with the same options
(compile/sql/lenient.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rulekit.model import reading as R
from rulekit.model import semantics as S
from rulekit.model.program import FieldInfo

Reader = Callable[[str], Any]
_STRICT_COMMA = re.compile(r"[+-]?\d[\d_]*([eE][+-]?\d+)?")
_NOT_DURATION = " is not a duration (write 200, 200d or 6mo)"
_NOT_DATE = {
    "date": " is not a date (write YYYY-MM-DD)",
    "timestamp": " is not a timestamp (write YYYY-MM-DDTHH:MM)",
}
_BOOL_HINT = " is not true/false (write true/false, yes/no, 是/否 or 1/0)"


def _strict_number(text: str, options: R.ReadOptions) -> bool:
    if options.decimal_comma:
        return _STRICT_COMMA.fullmatch(text) is not None
    return S._NUMERIC.fullmatch(text) is not None and any(c.isdigit() for c in text)


def _number_reader(options: R.ReadOptions, shown: Callable[[str, str], str]) -> Reader:
    tokens = options.na_tokens

    def read(value: str) -> Any:
        text = value.strip()
        if not text or _strict_number(text, options):
            return value
        low = text.lower()
        if low in tokens:
            return None
        try:
            return R.number_text(text, options)
        except R.CoercionError as e:
            return R.Unreadable(value, S._show(shown(value, text)) + e.reason)

    return read


def _duration_reader(options: R.ReadOptions) -> Reader:
    number = _number_reader(options, lambda value, text: text)  # to_number(stripped)
    tokens = options.na_tokens

    def read(value: str) -> Any:
        text = value.strip()
        if not text or text[-1:].isdigit() or text.startswith(("-", "+", ".")):
            return number(value)
        low = text.lower()
        if low in tokens:
            return None
        if low in R.NA_TOKENS:
            return R.Unreadable(value, S._show(value) + _NOT_DURATION)
        return value

    return read


def _boolean_reader(options: R.ReadOptions) -> Reader:
    tokens = options.na_tokens

    def read(value: str) -> Any:
        low = value.strip().lower()
        if not low or low in S._TRUE or low in S._FALSE:
            return value
        if low in tokens:
            return None
        if low in R.NA_TOKENS:
            return R.Unreadable(value, S._show(value) + _BOOL_HINT)
        return value

    return read


def _dated_reader(target: str, options: R.ReadOptions) -> Reader:
    tokens = options.na_tokens
    strict = S.to_date if target == "date" else S.to_timestamp
    pattern = S._DATE_TEXT if target == "date" else S._TIMESTAMP_TEXT

    def read(value: str) -> Any:
        text = value.strip()
        if not text:
            return value
        cut = text[:10] if target == "date" and ("T" in text or " " in text) else text
        if pattern.fullmatch(cut) and not cut.startswith("0000"):
            try:
                strict(value)
                return value
            except S.CoercionError:
                pass
        if text.lower() in tokens:
            return None
        try:
            if target == "date":
                day = R.lenient_date(text, options)
                found = None if day is None else day.isoformat()
            else:
                moment = R.lenient_timestamp(text, options)
                found = None if moment is None else moment.isoformat()
        except R.CoercionError as e:
            return R.Unreadable(value, S._show(value) + e.reason)
        if found is None:
            return R.Unreadable(value, S._show(value) + _NOT_DATE[target])
        return found

    return read


def _string_reader(options: R.ReadOptions) -> Reader | None:
    if options.na is None:
        return None
    tokens = options.na_tokens
    return lambda value: None if value.strip().lower() in tokens else value


def reader(type_name: str, options: R.ReadOptions) -> Reader | None:
    """How a text cell of a field of this (scalar) type is read with these options."""
    if type_name in ("number", "integer"):
        return _number_reader(options, lambda value, text: value)
    if type_name == "duration":
        return _duration_reader(options)
    if type_name == "boolean":
        return _boolean_reader(options)
    if type_name in ("date", "timestamp"):
        return _dated_reader(type_name, options)
    if type_name == "string":
        return _string_reader(options)
    return None


def read_rows(
    rows: Iterable[Mapping[str, Any]],
    fields: Mapping[str, FieldInfo],
    options: R.ReadOptions,
) -> list[dict[str, Any]]:
    """The rows with the text cells of the declared fields read with `options` (the rows
    themselves, copied, when the options read values as the default policy does)."""
    if options.values_default:
        return [dict(r) for r in rows]
    readers: dict[str, Reader] = {}
    for info in fields.values():
        if info.type.element is not None:
            continue
        read = reader(info.type.name, options)
        if read is not None:
            readers.setdefault(info.column, read)
    out = []
    for row in rows:
        new = dict(row)
        for column, read in readers.items():
            value = new.get(column)
            if value.__class__ is str:
                new[column] = read(value)
        out.append(new)
    return out


__all__ = ["read_rows", "reader", "dt"]
