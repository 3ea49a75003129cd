"""The one meaning of values: coercion of record values at the boundary, missing values,
Kleene logic and the operations both the compiled Python and the explanations call.

A missing value is Python's None. Durations are numbers of days. Generated code inlines the
common fast paths (see compile/pysource.py) and falls back to the functions here.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
from collections.abc import Callable, Sequence, Sized
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any, overload

from pydantic import TypeAdapter, ValidationError

from rulekit.model import datatypes as T
from rulekit.model import reading as R
from rulekit.model.reading import CoercionError as CoercionError

Number = int | float
Days = int | float  # a duration: a number of days
Bool3 = bool | None  # Kleene logic: true, false, unknown (missing)
# A coercer: a record value (anything a caller passes) -> the value of one declared type, or
# None for missing; raises CoercionError.
Coercer = Callable[[Any], Any]


_TRUE = {"true", "yes", "y", "1", "是", "真", "t", "对", "√", "✓", "✔"}
_FALSE = {"false", "no", "n", "0", "否", "假", "f", "错", "×", "✗", "✘"}
# commas only in groups of three (`1,234`): `1,5` is read by reading.number_text (ambiguous)
_NUMERIC = re.compile(r"[+-]?(?=\.?\d)(\d{1,3}(?:,\d{3})+|\d[\d_]*)?(\.\d+)?([eE][+-]?\d+)?")
_DATE = TypeAdapter(dt.date)
_DATETIME = TypeAdapter(dt.datetime)


def _show(value: Any) -> str:
    """How a bad value appears in a reason, the same on every engine (compile/sql/reasons.py
    writes it in SQL): Python's repr, except that text escapes only the backslash, newline,
    carriage return and tab (other characters stay as they are, as the SQL engines can show
    them), and an object or a list stands as `{…}` or `[…]` (a JSON file's text of it is not
    the same on every engine); cut to 40 characters."""
    text = _repr_text(value) if isinstance(value, str) else _repr_nested(value)
    return text if len(text) <= 40 else text[:37] + "..."


_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _repr_text(value: str) -> str:
    body = value.translate(_TEXT_ESCAPES)
    if "'" in value and '"' not in value:
        return '"' + body + '"'
    return "'" + body.replace("'", "\\'") + "'"


def _repr_nested(value: Any) -> str:
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, (list, tuple)):
        return "[…]"
    return repr(value)


def _parse_number(value: str) -> Number | None:
    text = value.strip()
    if not _NUMERIC.fullmatch(text) or not any(c.isdigit() for c in text):
        return _lenient_number(value, text)
    text = text.replace(",", "").replace("_", "")
    try:
        return int(text)
    except ValueError:
        return float(text)


def _unreadable(value: Any) -> None:
    """A cell the reading options rejected (model/intake.py) fails with its own reason."""
    if value.__class__ is R.Unreadable:
        raise CoercionError(value.reason)


def _lenient_number(value: str, text: str) -> Number | None:
    """A number as exports write it (reading.number_text), or None for a missing token."""
    if R.is_na(text):
        return None
    try:
        text = R.number_text(text)
    except CoercionError as e:
        raise CoercionError(_show(value) + e.reason) from None
    try:
        return int(text)
    except ValueError:
        return float(text)


# Whole numbers are signed 64-bit on every engine (DuckDB's BIGINT); the SQL engine's words.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
_TOO_BIG = " is too large for a whole number (the SQL engine keeps 19 digits)"


def _int64(value: Any, whole: int) -> int:
    if INT_MIN <= whole <= INT_MAX:
        return whole
    raise CoercionError(_show(value) + _TOO_BIG)


def to_integer(value: Any) -> int | None:
    if value is None:
        return None
    cls = value.__class__
    if cls is int:
        whole: int = value
        return whole if INT_MIN <= whole <= INT_MAX else _int64(value, whole)
    if cls is bool:
        raise CoercionError(f"{_show(value)} is true/false, not a whole number")
    if cls is str:
        if not value.strip():
            return None
        original = value
        value = _parse_number(value)
        if value is None:
            return None
        if isinstance(value, int):
            return _int64(original, value)
    if isinstance(value, (float, Decimal)):
        if value != value:
            return None
        if value not in (math.inf, -math.inf) and value == int(value):
            return _int64(value, int(value))
        raise CoercionError(f"{_show(value)} is not a whole number")
    if isinstance(value, int):
        return _int64(value, int(value))
    _unreadable(value)
    raise CoercionError(f"{_show(value)} is not a whole number")


_DOUBLE_MAX = int(sys.float_info.max)


def _finite_or_inf(number: int) -> Number:
    """A whole number beyond the double range is ±infinity, as the SQL engine's DOUBLE holds it
    (and as the text "1e400" reads)."""
    if -_DOUBLE_MAX <= number <= _DOUBLE_MAX:
        return number
    return math.inf if number > 0 else -math.inf


def to_number(value: Any) -> Number | None:
    if value is None:
        return None
    cls = value.__class__
    if cls is int:
        number: int = value
        return number if -_DOUBLE_MAX <= number <= _DOUBLE_MAX else _finite_or_inf(number)
    if cls is float:
        return None if value != value else value
    if cls is bool:
        raise CoercionError(f"{_show(value)} is true/false, not a number")
    if cls is str:
        if not value.strip():
            return None
        value = _parse_number(value)
        return None if value is None or value != value else value
    if isinstance(value, Decimal):
        if value.is_nan():
            return None
        if not value.is_finite():
            return float(value)
        return _finite_or_inf(int(value)) if value == int(value) else float(value)
    if isinstance(value, int):  # numpy integers and other int-like types
        return _finite_or_inf(int(value))
    if isinstance(value, float):  # numpy floats
        value = float(value)
        return None if value != value else value
    _unreadable(value)
    raise CoercionError(f"{_show(value)} is not a number")


def to_duration(value: Any) -> Days | None:
    """A duration in days: a plain number means days; timedeltas and `180d`-style text work."""
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        secs = value.total_seconds()
        return int(secs // 86400) if secs % 86400 == 0 else secs / 86400
    if value.__class__ is str:
        text = value.strip()
        if not text:
            return None
        if text[-1:].isdigit() or text.startswith(("-", "+", ".")):
            return to_number(text)
        if R.is_na(text):
            return None
        from rulekit.syntax.parser import LiteralError, decode_number

        try:
            number, kind = decode_number(text)
        except (LiteralError, AttributeError, InvalidOperation):
            raise CoercionError(
                f"{_show(value)} is not a duration (write 200, 200d or 6mo)"
            ) from None
        if kind != "duration":
            raise CoercionError(f"{_show(value)} is not a duration (write 200, 200d or 6mo)")
        return number
    _unreadable(value)
    try:
        return to_number(value)
    except CoercionError:
        raise CoercionError(f"{_show(value)} is not a duration (a number of days)") from None


def to_boolean(value: Any) -> bool | None:
    if value is None:
        return None
    if value.__class__ is bool:
        return value
    if value.__class__ is str:
        text = value.strip().lower()
        if not text:
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        if R.is_na(text):
            return None
    elif isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    _unreadable(value)
    raise CoercionError(
        f"{_show(value)} is not true/false (write true/false, yes/no, 是/否 or 1/0)"
    )


def to_string(value: Any) -> str | None:
    if value is None:
        return None
    if value.__class__ is str:
        return value if value else None
    if isinstance(value, int) and value.__class__ is not bool:
        return str(value)
    if isinstance(value, float) and value != value:
        return None
    _unreadable(value)
    raise CoercionError(f"{_show(value)} is not text")


_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIMESTAMP_TEXT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt _][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?)?"
)


def to_date(value: Any) -> dt.date | None:
    """ISO dates only (`2024-06-30`; a timestamp text keeps its date part). Digit strings such
    as Unix times or `20240630`, and time zones, are not guessed at: they are bad values."""
    if value is None:
        return None
    if value.__class__ is dt.date:
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if "T" in text or " " in text:
            text = text[:10]
        if _DATE_TEXT.fullmatch(text) and not text.startswith("0000"):
            try:
                return _DATE.validate_python(text)
            except ValidationError:
                pass
        return _lenient_date(value)
    _unreadable(value)
    raise CoercionError(f"{_show(value)} is not a date (write YYYY-MM-DD)")


def _lenient_date(value: str) -> dt.date | None:
    text = value.strip()
    if R.is_na(text):
        return None
    try:
        day = R.lenient_date(text)
    except CoercionError as e:
        raise CoercionError(_show(value) + e.reason) from None
    if day is None:
        raise CoercionError(f"{_show(value)} is not a date (write YYYY-MM-DD)")
    return day


def to_timestamp(value: Any) -> dt.datetime | None:
    """ISO timestamps without a time zone (`2024-06-30T08:00`, `2024-06-30 08:00:05.1`) or dates."""
    if value is None:
        return None
    if value.__class__ is dt.datetime and value.tzinfo is None:
        return value
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return dt.datetime.fromisoformat(value.isoformat())
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if _TIMESTAMP_TEXT.fullmatch(text) and not text.startswith("0000"):
            norm = text[:10] + ("T" + text[11:].replace(",", ".") if len(text) > 10 else "")
            try:
                return (
                    _DATETIME.validate_python(norm)
                    if len(text) > 10
                    else as_ts(_DATE.validate_python(norm))
                )
            except ValidationError:
                pass
        return _lenient_timestamp(value)
    _unreadable(value)
    raise CoercionError(f"{_show(value)} is not a timestamp (write YYYY-MM-DDTHH:MM)")


def _lenient_timestamp(value: str) -> dt.datetime | None:
    text = value.strip()
    if R.is_na(text):
        return None
    try:
        moment = R.lenient_timestamp(text)
    except CoercionError as e:
        raise CoercionError(_show(value) + e.reason) from None
    if moment is None:
        raise CoercionError(f"{_show(value)} is not a timestamp (write YYYY-MM-DDTHH:MM)")
    return moment


SCALAR_COERCERS: dict[str, Coercer] = {
    "integer": to_integer,
    "number": to_number,
    "duration": to_duration,
    "boolean": to_boolean,
    "string": to_string,
    "date": to_date,
    "timestamp": to_timestamp,
}


def _list_coercer(element: T.Type) -> Coercer:
    inner = coercer(element)

    def to_list(value: Any) -> tuple[Any, ...] | None:
        if value is None:
            return None
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            if text.startswith("["):
                import json

                try:
                    value = json.loads(text)
                except ValueError:
                    raise CoercionError(f"{_show(value)} is not a list") from None
            else:
                value = [p.strip() for p in re.split(r"[,;，；|]", text) if p.strip()]
        if not isinstance(value, (list, tuple, set, frozenset)):
            raise CoercionError(f"{_show(value)} is not a list")
        return tuple(inner(v) for v in value)

    return to_list


def coercer(t: T.Type) -> Coercer:
    """The function that turns a record value into a value of type t (None = missing)."""
    if t.element is not None:
        return _list_coercer(t.element)
    return SCALAR_COERCERS.get(t.name, _unchanged)


def _unchanged(value: Any) -> Any:
    return value


def coerce(value: Any, t: T.Type) -> Any:
    return coercer(t)(value)


# ---------------------------------------------------------------- operations


def and3(a: Bool3, b: Bool3) -> Bool3:
    """Kleene AND: false wins, then unknown, then true."""
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def and3_all(*values: Bool3) -> Bool3:
    """Kleene AND of any number of values (a chain of comparisons)."""
    if False in values:
        return False
    return None if None in values else True


def or3(a: Bool3, b: Bool3) -> Bool3:
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


def not3(a: Bool3) -> Bool3:
    return None if a is None else not a


@overload
def as_ts(v: None) -> None: ...


@overload
def as_ts(v: dt.date) -> dt.datetime: ...


@overload
def as_ts(v: dt.date | None) -> dt.datetime | None: ...


def as_ts(v: dt.date | None) -> dt.datetime | None:
    """Promote a date to a timestamp at midnight (for date/timestamp comparisons)."""
    if v is None or isinstance(v, dt.datetime):
        return v
    return dt.datetime(v.year, v.month, v.day)


def div(a: Number | None, b: Number | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    try:
        return a / b
    except OverflowError:  # whole numbers whose quotient is beyond the double range
        return math.inf if (a > 0) == (b > 0) else -math.inf


def date_diff(a: dt.date | None, b: dt.date | None) -> Days | None:
    """date − date (or timestamp − timestamp): a duration in days."""
    if a is None or b is None:
        return None
    if isinstance(a, dt.datetime) or isinstance(b, dt.datetime):
        delta = as_ts(a) - as_ts(b)
        secs = delta.total_seconds()
        return int(secs // 86400) if secs % 86400 == 0 else secs / 86400
    return (a - b).days


def date_add(d: dt.date | None, days: Days | None, sign: int = 1) -> dt.date | None:
    """date ± duration. A date moves by whole days (the fraction is dropped, as in SQL's
    date + INTEGER); a timestamp moves exactly. A result outside years 1..9999 (or a duration
    that is not a finite number) is missing, never an error, like division by zero; the SQL
    backends write the same range check (generator.date_add_days_sql)."""
    if d is None or days is None:
        return None
    try:
        if isinstance(d, dt.datetime):
            return d + dt.timedelta(days=sign * days)
        return d + dt.timedelta(days=sign * math.trunc(days))
    except (OverflowError, ValueError):  # out of range; ValueError: a NaN duration
        return None


def round_half_up(x: Number | None, digits: int = 0) -> float | None:
    """Round half away from zero, as SQL does (not Python's round-half-even), applied to the
    shortest decimal form of the double (repr). A number with no more decimals than `digits`
    (any |x| >= 2^52, infinity, or many digits asked for) is itself."""
    if x is None:
        return None
    try:
        f = float(x)
    except OverflowError:  # a whole number beyond the double range
        return math.inf if x > 0 else -math.inf
    if not math.isfinite(f) or abs(f) >= 4503599627370496:
        return f
    exact = Decimal(repr(f))
    if -exact.as_tuple().exponent <= digits:  # type: ignore[operator]
        return f
    # at most ~340 decimals here (the smallest doubles); enough precision for every digit
    context = Context(prec=max(28, exact.adjusted() + digits + 3), rounding=ROUND_HALF_UP)
    return float(exact.quantize(Decimal(1).scaleb(-digits), context=context))


def days_since(today: dt.date, d: dt.date | None) -> Days | None:
    return date_diff(today, d)


def _comparable(xs: Sequence[Any]) -> Sequence[Any]:
    """Dates beside timestamps are compared as timestamps at midnight."""
    if any(isinstance(x, dt.datetime) for x in xs):
        return [as_ts(x) for x in xs]
    return xs


def fmin(*xs: Any) -> Any:
    return None if any(x is None for x in xs) else min(_comparable(xs))


def fmax(*xs: Any) -> Any:
    return None if any(x is None for x in xs) else max(_comparable(xs))


def coalesce(*xs: Any) -> Any:
    for x in xs:
        if x is not None:
            return x
    return None


def length(x: Sized | None) -> int | None:
    return None if x is None else len(x)


def fabs(x: Number | None) -> Number | None:
    return None if x is None else abs(x)


def in3(x: Any, options: Sequence[Any] | None) -> Bool3:
    """SQL IN: true if found; unknown if not found but a missing option (or x) exists."""
    if x is None or options is None:
        return None
    found = False
    has_null = False
    if isinstance(x, dt.date) and any(isinstance(o, dt.date) for o in options):
        x, options = as_ts(x), [as_ts(o) if isinstance(o, dt.date) else o for o in options]
    for o in options:
        if o is None:
            has_null = True
        elif o == x:
            found = True
            break
    if found:
        return True
    return None if has_null else False


def strtest(op: str, s: str | None, p: str | None) -> Bool3:
    if s is None or p is None:
        return None
    if op == "contains":
        return p in s
    if op == "starts_with":
        return s.startswith(p)
    return s.endswith(p)
