"""Literal decoding: numbers with multipliers, percents and duration units, dates and
timestamps, quoted texts. Each decoder raises `LiteralError` (a diagnostic code, a message and a
hint) for a literal it cannot decode; the tree builder turns that into a diagnostic."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

from rulekit.i18n import Msg

MULTIPLIERS = {"k": 1000, "K": 1000, "万": 10_000, "亿": 100_000_000}
# Duration units, in days (durations are measured in days throughout rulekit).
DURATION_UNITS: dict[str, Decimal] = {
    "s": Decimal(1) / 86400,
    "sec": Decimal(1) / 86400,
    "秒": Decimal(1) / 86400,
    "min": Decimal(1) / 1440,
    "分钟": Decimal(1) / 1440,
    "h": Decimal(1) / 24,
    "hr": Decimal(1) / 24,
    "小时": Decimal(1) / 24,
    "d": Decimal(1),
    "天": Decimal(1),
    "日": Decimal(1),
    "w": Decimal(7),
    "周": Decimal(7),
    "星期": Decimal(7),
    "mo": Decimal(30),
    "个月": Decimal(30),
    "月": Decimal(30),
    "y": Decimal(365),
    "年": Decimal(365),
}
_NUMBER_RE = re.compile(r"(\d[\d_]*(?:\.\d+)?)(.*)", re.S)
# Whole numbers are signed 64-bit integers on every engine (DuckDB's BIGINT).
INT_MIN, INT_MAX = -(2**63), 2**63 - 1


class LiteralError(ValueError):
    """A literal that cannot be decoded; carries a diagnostic code and a hint."""

    def __init__(self, code: str, message: str, hint: str | None = None):
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint


def exact(value: Decimal) -> int | float:
    """An exact decimal as an int when whole, else the nearest float."""
    return int(value) if value == value.to_integral_value() else float(value)


def _shown(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:12]}…{text[-6:]} ({len(text)} characters)"


def _in_range(value: Decimal, text: str, decimal: bool) -> int | float:
    """The exact value as an int (whole and within 64 bits) or a float; a whole number beyond
    64 bits written without a fraction, or a number beyond the double range, is an error."""
    if value == value.to_integral_value():
        whole = int(value)
        if INT_MIN <= whole <= INT_MAX:
            return whole
        if not decimal:
            raise LiteralError(
                "number-out-of-range",
                Msg(
                    "`{text}` is out of range: a whole number goes from {low} to {high}",
                    text=_shown(text),
                    low=INT_MIN,
                    high=INT_MAX,
                ),
                Msg("write a smaller value, or a decimal number (with a fraction, e.g. `….5`)"),
            )
    number = float(value)
    if math.isinf(number):
        raise LiteralError(
            "number-out-of-range",
            Msg("`{text}` is out of range: numbers go up to about 1.8 × 10^308", text=_shown(text)),
            Msg("write a smaller value"),
        )
    return number


def decode_number(text: str) -> tuple[int | float, str]:
    """Decode `12`, `5k`, `1.2万`, `10%`, `180d`, `6mo` … into (value, kind)."""
    match = _NUMBER_RE.fullmatch(text)
    if match is None:  # the grammar's NUMBER always starts with a digit
        raise LiteralError("bad-literal", Msg("`{text}` is not a number", text=text))
    digits, suffix = match.group(1), match.group(2)
    value = Decimal(digits.replace("_", ""))
    decimal = "." in digits
    if not suffix:
        return _in_range(value, text, decimal), "number"
    if suffix == "%":
        return _in_range(value / 100, text, True), "percent"
    if suffix in MULTIPLIERS:
        return _in_range(value * MULTIPLIERS[suffix], text, decimal), "number"
    unit = DURATION_UNITS.get(suffix) or DURATION_UNITS.get(suffix.lower())
    if unit is not None:
        return _in_range(value * unit, text, decimal), "duration"
    if suffix in ("e", "E"):
        raise LiteralError(
            "exponent-notation",
            Msg(
                "`{text}…` looks like exponent notation (`1e6`), which rule files do not use",
                text=text,
            ),
            Msg("write the number out (`1000000`, `100万`, `0.001`)"),
        )
    if suffix in ("m", "M"):
        raise LiteralError(
            "ambiguous-unit",
            Msg("ambiguous unit `{suffix}` in `{text}`", suffix=suffix, text=text),
            Msg("write `{digits}mo` (months) or `{digits}min` (minutes)", digits=digits),
        )
    for known in sorted([*DURATION_UNITS, *MULTIPLIERS, "%"], key=len, reverse=True):
        if suffix.startswith(known):
            return_text = digits + known
            raise LiteralError(
                "unknown-unit",
                Msg(
                    "`{text}` is a number glued to the word `{word}`",
                    text=text,
                    word=suffix[len(known) :],
                ),
                Msg("put a space after `{number}`", number=return_text),
            )
    raise LiteralError(
        "unknown-unit",
        Msg("unknown unit `{suffix}` in `{text}`", suffix=suffix, text=text),
        Msg(
            "durations use s, min, h, d, w, mo, y (or 秒, 分钟, 小时, 天, 周, 月, 年); "
            "numbers may use k, 万, 亿 or %"
        ),
    )


def exact_number(text: str) -> Decimal | None:
    """The exact decimal value of a number or percent literal's text (`0.1`, `1.5万`, `10%`,
    `-2.5`), or None for any other literal. The decoded value is the nearest double of it; a
    comparison with a literal whose double is not exactly it uses this value (see
    model/decimals.py)."""
    negative = text.startswith("-")
    match = _NUMBER_RE.fullmatch(text[1:] if negative else text)
    if match is None:
        return None
    value = Decimal(match.group(1).replace("_", ""))
    suffix = match.group(2)
    if suffix == "%":
        value = value.scaleb(-2)
    elif suffix in MULTIPLIERS:
        value *= MULTIPLIERS[suffix]
    elif suffix:
        return None
    return -value if negative else value


def decode_date(text: str) -> dt.date | dt.datetime:
    """`2024-06-30` → a date; `2024-06-30T12:00` → a datetime."""
    try:
        if "T" in text:
            return dt.datetime.fromisoformat(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise LiteralError(
            "bad-literal",
            Msg("`{text}` is not a valid date", text=text),
            Msg("write a real date as YYYY-MM-DD"),
        ) from None


def decode_string(text: str) -> str:
    """A quoted text without its quotes; `\\n`, `\\t` and `\\x` escapes inside ASCII quotes."""
    if text[0] in "\"'":
        body = text[1:-1]
        return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)
    return text[1:-1]
