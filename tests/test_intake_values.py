"""The reading policy of exported values (docs/data.md): every messy text a real export holds is
read to the same value, or rejected with the same reason, by the Python engine and by DuckDB."""

from __future__ import annotations

import datetime as dt

import pytest

import rulekit
from rulekit.engines import classify_with_engine
from rulekit.model import semantics as S
from rulekit.model.reading import AMBIGUOUS_COMMA, AMBIGUOUS_DATE

AS_OF = dt.date(2024, 6, 30)

RULES = """
ruleset probe "探针"
  hit first
  default other
field n : number "n"
field i : integer "i"
field d : date "d"
field t : timestamp "t"
field b : boolean "b"
field r : duration "r"
label big "大"
label small "小"
label other "其他"
rule "big" if n > 1000 or i > 1000 or d > 2024-01-01 or t > 2024-01-01T00:00 or b or r > 30d then big
rule "small" if n <= 1000 or i <= 1000 or d <= 2024-01-01 or t <= 2024-01-01T00:00 or not b or r <= 30d then small
"""

NUMBERS = [
    "1234.5",
    "1,234",
    "1,234.5",
    "¥3,500",
    "￥3,500",
    "$12",
    "€ 1 200",
    "USD 12",
    "3500元",
    "RMB 3,500.00",
    "3 500",
    "1.2万",
    "3亿",
    "12.5%",
    "3‰",
    "(1,200)",
    "(¥1,200.50)",
    "-¥5",
    "¥-5",
    "１２３",
    "１，２３４",
    "－５",
    "N/A",
    "NA",
    "null",
    "-",
    "—",
    "无",
    "暂无",
    " n/a ",
    "1,2",
    "12,34",
    "1.234,5",
    "1,2,3",
    "abc",
    "1 2",
    "((1))",
    "(5",
    "5)",
    "+-5",
    "1e3",
    "1e3%",
    "1_000",
    ".5",
    "5.",
    "1,5万",
    "0.5万",
    "  ¥ 12  ",
    "CNY12",
    "cny 12",
    "12 USD",
    "12,345,678",
]
DATES = [
    "2024-06-30",
    "2024/6/30",
    "2024.6.30",
    "2024-6-30",
    "2024年6月30日",
    "2024年6月30",
    "20240630",
    "2024/02/30",
    "0000/1/1",
    "03/04/2024",
    "3.4.2024",
    "13/04/2024",
    "N/A",
    "—",
    "2024/6/30 08:05",
    "2024-06-30T08:00",
    "2024/6/30 8:05:09",
    "2024/6/30 24:00",
    "2024/6/30 23:60",
    "20240631",
    "２０２４/６/３０",
    "30/06/2024 08:00",
    "yesterday",
]
BOOLEANS = ["是", "否", "对", "错", "√", "×", "Y", "N", "1", "0", "yes", "NA", "-", "maybe", "✓"]
DURATIONS = ["30", "30d", "6mo", "¥30", "1,5", "N/A", "—", "-", "无", "5%", "1.2万", "x"]


def _records():
    rows = []
    for v in NUMBERS:
        rows.append({"n": v})
        rows.append({"i": v})
    for v in DATES:
        rows.append({"d": v})
        rows.append({"t": v})
    rows += [{"b": v} for v in BOOLEANS]
    rows += [{"r": v} for v in DURATIONS]
    return rows


def _outcome(rs, records, engine):
    result = classify_with_engine(rs, records, as_of=AS_OF, on_error="skip", engine=engine)
    labels = [None if d is None else d.label for d in result.decisions]
    return labels, [(b.index, b.field, b.reason) for b in result.rejected]


def test_python_and_duckdb_read_every_messy_value_alike():
    rs = rulekit.compile(RULES)
    records = _records()
    python = _outcome(rs, records, "python")
    duck = _outcome(rs, records, "duckdb")
    for i, (a, b) in enumerate(zip(python[0], duck[0], strict=True)):
        assert a == b, (records[i], a, b)
    assert python[1] == duck[1]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("¥3,500", 3500),
        ("1.2万", 12000),
        ("3亿", 300000000),
        ("12.5%", 0.125),
        ("(1,200)", -1200),
        ("１２３", 123),
        ("USD 12", 12),
        ("3 500", 3500),
        ("N/A", None),
        ("—", None),
        ("无", None),
    ],
)
def test_numbers_as_exports_write_them(text, value):
    assert S.to_number(text) == value


def test_a_comma_that_is_no_thousands_separator_is_ambiguous_never_twelve():
    with pytest.raises(S.CoercionError) as e:
        S.to_number("1,2")
    assert e.value.reason == "'1,2'" + AMBIGUOUS_COMMA
    assert "--decimal-comma" in e.value.reason


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2024/6/30", dt.date(2024, 6, 30)),
        ("2024.6.30", dt.date(2024, 6, 30)),
        ("2024年6月30日", dt.date(2024, 6, 30)),
        ("20240630", dt.date(2024, 6, 30)),
        ("-", None),
    ],
)
def test_dates_as_exports_write_them(text, value):
    assert S.to_date(text) == value


def test_day_month_order_is_ambiguous_without_a_format():
    with pytest.raises(S.CoercionError) as e:
        S.to_date("03/04/2024")
    assert e.value.reason.endswith(AMBIGUOUS_DATE)


def test_timestamps_and_booleans():
    assert S.to_timestamp("2024/6/30 8:05") == dt.datetime(2024, 6, 30, 8, 5)
    assert S.to_boolean("√") is True and S.to_boolean("×") is False
    assert S.to_boolean("N/A") is None
