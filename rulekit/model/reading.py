"""How a text cell becomes a value: the one reading policy of exported data (docs/data.md).

The strict forms (`1234.5`, `2024-06-30`, `true`) are read first, by semantics.py; only a text
that fails them comes here. This module reads what exports write instead:

* missing-value tokens (`NA`, `N/A`, `null`, `-`, `—`, `无`, …; compared stripped and lowercased);
* numbers with a currency (`¥3,500`, `USD 12`, `3500元`), thousands separators (`,`, spaces,
  `'`), a multiplier (`1.2万`, `3亿`, `12.5%`, `3‰`), a negative in parentheses (`(1,200)`),
  full-width digits and signs; a comma that is not a thousands separator (`1,5`) is ambiguous
  unless the decimal comma is chosen (`decimal_comma`), and then `1.234,5` is 1234.5;
* dates `2024/6/30`, `2024.6.30`, `2024-6-30`, `2024年6月30日`, `20240630`; timestamps in the
  same forms with `HH:MM[:SS]`; a day/month order (`03/04/2024`) is ambiguous unless a
  `date_format` is given.

Every function works on the stripped text whose digits are ASCII, and writes the number as
canonical text (`1.2万` → `1.2e4`), so the SQL engines (compile/sql/coercion.py), which follow
these same regular expressions, read the same value from it. A value that cannot be read raises
CoercionError with the words of the failure, which say what would read it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass


class CoercionError(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------- the options


@dataclass(frozen=True)
class ReadOptions:
    """How to read the cells of a data file: the API's and the CLI's reading options.

    na: the missing-value tokens (None: NA_TOKENS); given, they replace the default set and are
    read as missing in text fields too. decimal_comma: `1.234,5` is 1234.5 (and `1,5` is 1.5).
    date_format: a strptime format (`%d/%m/%Y`) tried before the built-in forms. delimiter,
    encoding: override what is detected in a CSV file. sheet, header_row: which sheet of a
    workbook (a name, or a number from 1) and which row (from 1) names the columns.
    """

    na: tuple[str, ...] | None = None
    decimal_comma: bool = False
    date_format: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    sheet: str | int | None = None
    header_row: int | None = None

    @property
    def values_default(self) -> bool:
        """Whether cell values are read by the default policy (no option changes a value)."""
        return self.na is None and not self.decimal_comma and self.date_format is None

    @property
    def na_tokens(self) -> frozenset[str]:
        return NA_TOKENS if self.na is None else frozenset(t.strip().lower() for t in self.na)


DEFAULT = ReadOptions()

# Compared with the stripped, lowercased text. (An empty cell is missing everywhere.)
NA_TOKENS = frozenset(
    [
        "na",
        "n/a",
        "#n/a",
        "null",
        "none",
        "nil",
        "nan",
        "-",
        "--",
        "—",
        "——",
        "–",
        "无",
        "空",
        "暂无",
    ]
)

# ---------------------------------------------------------------- the words of failures

NOT_NUMBER = " is not a number"
AMBIGUOUS_COMMA = (
    " is ambiguous: is the comma a decimal point or a thousands separator? "
    "(--decimal-comma reads it as a decimal point; else write 1.5 or 1,500)"
)
AMBIGUOUS_DATE = (
    " is ambiguous: day/month or month/day? (give --date-format, e.g. %d/%m/%Y or %m/%d/%Y)"
)

# ---------------------------------------------------------------- regular expressions
# Written for Python's re and RE2 alike (the SQL engines run the same ones).

_SPACES = " \u00a0\u202f"
_CURRENCY = r"(?:[¥￥$€£]|(?i:CNY|RMB|USD|EUR|GBP|HKD|JPY))"
# open paren, sign, currency, sign, digits with separators, multiplier, currency/元, close paren
NUMBER_RE = (
    rf"(\()?[ ]*([+-])?[ ]*{_CURRENCY}?[ ]*([+-])?[ ]*"
    rf"([0-9][0-9,.'{_SPACES}]*[0-9]|[0-9])"
    rf"[ ]*(万|亿|%|‰)?[ ]*(?:元|{_CURRENCY})?[ ]*(\))?"
)
# the digits part, by decimal mark: plain, or grouped by thousands
PLAIN_POINT = r"[0-9]+(\.[0-9]+)?"
GROUPED_POINT = rf"[0-9]{{1,3}}([,'{_SPACES}][0-9]{{3}})+(\.[0-9]+)?"
PLAIN_COMMA = r"[0-9]+(,[0-9]+)?"
GROUPED_COMMA = rf"[0-9]{{1,3}}([.'{_SPACES}][0-9]{{3}})+(,[0-9]+)?"
# a decimal-comma number where the decimal point is expected: ambiguous
COMMA_LIKE = rf"[0-9]{{1,3}}([.{_SPACES}][0-9]{{3}})*,[0-9]+|[0-9]+,[0-9]+"
SEPARATORS = ",.'" + _SPACES
MULTIPLIERS = {"万": "e4", "亿": "e8", "%": "e-2", "‰": "e-3"}
# full-width punctuation of numbers -> ASCII
FULLWIDTH_FROM, FULLWIDTH_TO = "，．－＋（）％", ",.-+()%"

# dates: `/`, `.`, 年 and 月 read as `-`, 日 dropped; then Y-M-D, with an optional time
DATE_FROM, DATE_TO, DATE_DROP = "/.年月", "----", "日"
YMD_RE = r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
TIME_RE = r"(?:T|[ ]+)([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?"
COMPACT_RE = r"([0-9]{4})([0-9]{2})([0-9]{2})"
DAY_FIRST_RE = r"[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}"


def _full(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_NUMBER = _full(NUMBER_RE)
_PLAIN = {False: _full(PLAIN_POINT), True: _full(PLAIN_COMMA)}
_GROUPED = {False: _full(GROUPED_POINT), True: _full(GROUPED_COMMA)}
_COMMA_LIKE = _full(COMMA_LIKE)
_YMD_TIME = _full(YMD_RE + "(?:" + TIME_RE + ")?")
_COMPACT = _full(COMPACT_RE)
_DAY_FIRST = _full(DAY_FIRST_RE)
_FULLWIDTH = str.maketrans(FULLWIDTH_FROM, FULLWIDTH_TO)
_DATE_TABLE = str.maketrans(DATE_FROM, DATE_TO, DATE_DROP)


@functools.cache
def _digit_table() -> dict[int, str]:
    """Digits of every script -> ASCII (built once, when a text needs it)."""
    return {
        cp: str(unicodedata.decimal(chr(cp)))
        for cp in range(0x80, sys.maxunicode + 1)
        if unicodedata.category(chr(cp)) == "Nd"
    }


def ascii_digits(text: str) -> str:
    return text if text.isascii() else text.translate(_digit_table())


def is_na(text: str, options: ReadOptions = DEFAULT) -> bool:
    """Whether a stripped text is a missing-value token."""
    return text.lower() in options.na_tokens


# ---------------------------------------------------------------- numbers


def number_text(text: str, options: ReadOptions = DEFAULT) -> str:
    """The canonical text (`-1234.5`, `1.2e4`) of a stripped number text that the strict form
    does not read; raises CoercionError (words only) when it is not a number."""
    t = ascii_digits(text).translate(_FULLWIDTH)
    m = _NUMBER.fullmatch(t)
    comma = options.decimal_comma
    if m is not None:
        opened, sign1, sign2, digits, mult, closed = m.groups()
        balanced = (opened is None) == (closed is None)
        one_sign = not (sign1 and sign2) and not (opened and (sign1 or sign2))
        if balanced and one_sign:
            sign = "-" if opened else (sign1 or sign2 or "")
            if _PLAIN[comma].fullmatch(digits) or _GROUPED[comma].fullmatch(digits):
                mark = "," if comma else "."
                body = "".join(c for c in digits if c == mark or c not in SEPARATORS)
                return sign + body.replace(",", ".") + MULTIPLIERS.get(mult or "", "")
            if not comma and _COMMA_LIKE.fullmatch(digits):
                raise CoercionError(AMBIGUOUS_COMMA)
    raise CoercionError(NOT_NUMBER)


# ---------------------------------------------------------------- dates and timestamps


def _date(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None


def lenient_date(text: str, options: ReadOptions = DEFAULT) -> dt.date | None:
    """A date in one of the export forms, or None (the caller says why it is bad); raises
    CoercionError when the day/month order is ambiguous."""
    t = ascii_digits(text)
    if options.date_format is not None:
        try:
            return dt.datetime.strptime(t, options.date_format).date()
        except ValueError:
            pass
    m = _YMD_TIME.fullmatch(t.translate(_DATE_TABLE))  # a time part is dropped
    if m is not None:
        return _date(*m.groups()[:3])
    m = _COMPACT.fullmatch(t)
    if m is not None:
        return _date(*m.groups())
    if options.date_format is None and _DAY_FIRST.fullmatch(t):
        raise CoercionError(AMBIGUOUS_DATE)
    return None


def lenient_timestamp(text: str, options: ReadOptions = DEFAULT) -> dt.datetime | None:
    """A timestamp in the export forms (a date form, then `HH:MM[:SS]`), or None."""
    t = ascii_digits(text)
    if options.date_format is not None:
        try:
            return dt.datetime.strptime(t, options.date_format)
        except ValueError:
            pass
    m = _YMD_TIME.fullmatch(t.translate(_DATE_TABLE))
    if m is not None:
        y, mo, d, hh, mm, ss = m.groups()
        try:
            return dt.datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
        except ValueError:
            return None
    m = _COMPACT.fullmatch(t)
    if m is not None:
        day = _date(*m.groups())
        return None if day is None else dt.datetime(day.year, day.month, day.day)
    if options.date_format is None and _DAY_FIRST.fullmatch(t.split(" ")[0]):
        raise CoercionError(AMBIGUOUS_DATE)
    return None


def split_tokens(text: str | Iterable[str]) -> tuple[str, ...]:
    """`NA,-,无` (or a list of them) as a tuple of tokens."""
    parts = text.split(",") if isinstance(text, str) else list(text)
    return tuple(p.strip() for p in parts if p.strip())


class Unreadable:
    """A text cell the reading options reject: the coercers of semantics.py raise its reason
    (the same reason the SQL engines give for it)."""

    __slots__ = ("reason", "text")

    def __init__(self, text: str, reason: str):
        self.text, self.reason = text, reason

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return repr(self.text)
