"""Exact decimal numbers on every engine (docs/language.md, "Numbers"): literals and record
values mean their shortest decimal form; + − × / are exact inside their window and rounded once;
comparisons are exact; the Python engine, DuckDB on records in memory and DuckDB reading a JSON
Lines file give the same labels. A Hypothesis property compares the engines on random operands
(RULEKIT_DECIMAL_EXAMPLES sets the example count; small in CI)."""

from __future__ import annotations

import json
import math
import os
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rulekit
from rulekit.engines import classify_with_engine
from rulekit.model import decimals as D
from rulekit.model.semantics import round_half_up

from .test_differential import AS_OF

ENGINES = ["python", "duckdb", "duckdb-file"]


def labels(rs, records: list[dict], engine: str, tmp: Path) -> list:
    """Each record's labels (None for a rejected record) on one engine."""
    if engine == "duckdb-file":
        path = tmp / "in.jsonl"
        lines = "".join(json.dumps(r, default=str) + "\n" for r in records)  # Decimal as text
        path.write_text(lines, encoding="utf-8")
        result = classify_with_engine(rs, str(path), AS_OF, None, "skip", "duckdb")
    else:
        result = rs.classify_many(records, as_of=AS_OF, on_error="skip", engine=engine)
    return [None if d is None else d.labels for d in result.decisions]


def check(text: str, records: list[dict], expected: list, tmp: Path) -> None:
    rs = rulekit.compile(text, "t.rules")
    for engine in ENGINES:
        assert labels(rs, records, engine, tmp) == expected, engine


# ---------------------------------------------------------------------- literals


@pytest.mark.parametrize(
    "cond",
    [
        "0.1 + 0.2 = 0.3",
        "1.2345 + 2.234 = 3.4685",
        "1.1234 - -0.2345 = 1.3579",
        "-1.1234 - -0.2345 = -0.8889",
        "1.1 * 1.1 = 1.21",
        "0.3 / 0.1 = 3",
        "3 * 0.1 = 0.3",
        "0.1 * 3 - 0.3 = 0",
        "1 / 3 = 0.3333333333333333",
        "2 / 3 = 0.6666666666666666",
        "10% + 20% = 30%",
        "1.5万 + 0.1 = 15000.1",
        "round(0.1 + 0.2, 1) = 0.3",
        "abs(0.1 - 0.3) = 0.2",
        "max(0.1 + 0.2, 0.3) = 0.3",
        "min(0.1 + 0.2, 0.3) = 0.3",
        "0.1 + 0.2 between 0.3 and 0.3",
        "0.1 + 0.2 in [0.3]",
    ],
)
def test_literal_arithmetic_is_exact(cond, tmp_path):
    check(f"hit first\nif {cond} then yes\n", [{}], [("yes",)], tmp_path)


def test_literal_arithmetic_was_binary_before():
    """The binary doubles this replaces: the reason for the tests above."""
    assert 0.1 + 0.2 != 0.3 and 1.2345 + 2.234 != 3.4685 and 0.3 / 0.1 != 3


# ---------------------------------------------------------------------- record values

DECLS = "field a : number\nfield b : number\nfield c : number\nfield n : integer\n"


@pytest.mark.parametrize(
    "cond, record",
    [
        ("a + b = 0.3", {"a": 0.1, "b": 0.2}),
        ("a + b = c", {"a": 0.1, "b": 0.2, "c": 0.3}),
        ("a + b + c = 0.6", {"a": 0.1, "b": 0.2, "c": 0.3}),
        ("a - b = -0.1", {"a": 0.1, "b": 0.2}),
        ("a * 3 = 0.3", {"a": 0.1}),
        ("a * n = 0.3", {"a": 0.1, "n": 3}),
        ("n * a = c", {"a": 0.1, "n": 3, "c": 0.3}),
        ("(a + b) * 10 = 3", {"a": 0.1, "b": 0.2}),
        ("a / b = 3", {"a": 0.3, "b": 0.1}),
        ("a / n = 0.1", {"a": 0.3, "n": 3}),
        ("a * b = 0.0002", {"a": 0.01, "b": 0.02}),
        ("a + b = 0.3", {"a": "0.1", "b": "0.2"}),
        ("a + 0.2 = 0.3", {"a": 0.1}),
        ("round(a * 1.1, 2) = 1.21", {"a": 1.1}),
        ("round(a, 2) = 2.68", {"a": 2.675}),
        ("abs(a - b) = 0.1", {"a": 0.2, "b": 0.3}),
        ("max(a + b, c) = 0.3", {"a": 0.1, "b": 0.2, "c": 0.3}),
    ],
)
def test_record_arithmetic_is_exact(cond, record, tmp_path):
    check(DECLS + "hit first\nif " + cond + " then yes\n", [record], [("yes",)], tmp_path)


def test_record_decimal_values_enter_exactly(tmp_path):
    """A Decimal record value is a number (its double); a Decimal and a float of the same
    decimal are equal."""
    records = [{"a": Decimal("0.1"), "b": 0.2}, {"a": 0.1, "b": Decimal("0.2")}]
    check(DECLS + "hit first\nif a + b = 0.3 then yes\n", records, [("yes",)] * 2, tmp_path)


def test_float_compared_with_decimal_literal(tmp_path):
    text = DECLS + "hit all\nif a > 0.1 then gt\nif a = 0.1 then eq\nif a >= 0.1 then ge\n"
    records = [{"a": 0.1}, {"a": 0.30000000000000004}, {"a": 0.09999999999999999}, {"a": "0.1"}]
    check(text, records, [("eq", "ge"), ("gt", "ge"), (), ("eq", "ge")], tmp_path)


def test_literal_no_double_holds_compares_exactly(tmp_path):
    """0.10000000000000000001 is above the double 0.1 and below the next double."""
    lit = "0.10000000000000000001"
    text = (
        DECLS + f"hit all\nif a > {lit} then gt\nif a >= {lit} then ge\nif a = {lit} then eq\n"
        f"if a != {lit} then ne\nif a < {lit} then lt\nif a <= {lit} then le\n"
        f"if {lit} < a then gt2\nif a between {lit} and 1 then bt\n"
        f"if a not between -1 and {lit} then nbt\nif a > -0.09999999999999999999 then gtn\n"
    )
    records = [{"a": 0.1}, {"a": 0.10000000000000002}, {}]
    expected = [
        ("ne", "lt", "le", "gtn"),
        ("gt", "ge", "ne", "gt2", "bt", "nbt", "gtn"),
        (),
    ]
    check(text, records, expected, tmp_path)


# ---------------------------------------------------------------------- the windows

EDGES = [
    0.1,
    0.2,
    -0.3,
    1e-18,
    1.5e-18,
    1e-19,
    1.2345678901234567e-5,
    9.999999999999998e18,
    1e19,
    9999999999.999998,
    1e10,
    123456789.123456789,
    1e23,
    2.0**53,
    2.0**53 + 2,
    1e-9,
    1.000000001,
    0.0,
    -0.0,
    math.inf,
    -math.inf,
    1.7976931348623157e308,
    5e-324,
]
OPS = {"+": D.add, "-": D.sub, "*": D.mul, "/": D.div}


def _engines_agree(op: str, pairs: list[tuple[float, float]], tmp: Path) -> None:
    """For each (a, b): a op b compared with Python's result and its neighbours gives the same
    labels on every engine."""
    rs = rulekit.compile(
        DECLS + f"hit all\nif a {op} b = c then eq\nif a {op} b > c then gt\n"
        f"if a {op} b < c then lt\nif a {op} b is missing then m\n",
        "t.rules",
    )
    records = []
    for a, b in pairs:
        c = OPS[op](a, b)
        if c is None or c != c:
            records.append({"a": a, "b": b, "c": 0})
            continue
        for target in (c, math.nextafter(c, math.inf), math.nextafter(c, -math.inf)):
            if math.isfinite(target):
                records.append({"a": a, "b": b, "c": target})
    finite = [r for r in records if all(math.isfinite(v) for v in r.values())]
    expected = labels(rs, records, "python", tmp)
    assert labels(rs, records, "duckdb", tmp) == expected
    assert labels(rs, finite, "duckdb-file", tmp) == labels(rs, finite, "python", tmp)


@pytest.mark.parametrize("op", list(OPS))
def test_window_edges_agree(op, tmp_path):
    _engines_agree(op, [(a, b) for a in EDGES for b in EDGES], tmp_path)


def test_python_follows_the_rule():
    """Inside the window the exact decimal result rounded once; outside, the double one."""
    assert D.add(0.1, 0.2) == 0.3 and D.sub(0.3, 0.1) == 0.2 and D.mul(1.1, 1.1) == 1.21
    assert D.div(0.3, 0.1) == 3.0 and D.div(1.0, 0.0) is None
    assert D.add(1e-19, 0.1) == 1e-19 + 0.1  # 19 decimals: outside, the double sum
    assert D.mul(1e10, 0.1) == 1e10 * 0.1  # 10^10: outside the product window
    assert D.add(math.inf, 1.0) == math.inf and D.add(2**70, 0.5) == float(2**70) + 0.5
    assert D.decimal_of(1.5e-18, 18, D.ADD_BOUND) is None
    assert D.decimal_of(1e-18, 18, D.ADD_BOUND) == Decimal("1e-18")
    assert math.copysign(1, D.add(-0.1, 0.1)) == 1  # no negative zero, as SQL DECIMAL
    assert D.sub(math.inf, math.inf) is None and D.mul(0.0, math.inf) is None  # not a number


# ---------------------------------------------------------------------- functions and populations


@pytest.mark.parametrize("digits", [0, 2, 20, 21, 25, 30, 37, 38, 39, 60, 330])
def test_round_many_digits_agrees(digits, tmp_path):
    """round(x, d) beyond DuckDB's DECIMAL(38, 20) (d > 20) gives Python's answer."""
    rs = rulekit.compile(
        DECLS + f"hit all\nif round(a, {digits}) = b then eq\nif round(a, {digits}) > b then gt\n",
        "t.rules",
    )
    values = [1.5e-21, 2.5e-26, 1.2345678901234567e-15, 1.5e-39, 1.25e-38, 2.675, 5e-324, -2.5e-22]
    records = [{"a": v, "b": round_half_up(v, digits)} for v in values]
    expected = labels(rs, records, "python", tmp_path)
    assert all(x == ("eq",) for x in expected)
    assert labels(rs, records, "duckdb", tmp_path) == expected
    assert labels(rs, records, "duckdb-file", tmp_path) == expected


def test_round_beyond_twenty_digits_rounds_once():
    """1.5e-21 to 21 decimals is 2e-21 (half away from zero), not 0 (20 decimals first)."""
    assert round_half_up(1.5e-21, 21) == 2e-21


CUMULATIVE = (
    "field x : number\nhit all\nif cumulative_share(x) is missing then m\n"
    "if cumulative_share(x) > 0.5 then big\nif cumulative_share(x) <= 0.5 then small\n"
)


def test_cumulative_share_with_infinity():
    """±infinity in the population: missing on every engine (was OverflowError on Python,
    EngineError on DuckDB), live and frozen. One group per case (`by g`)."""
    rs = rulekit.compile(
        CUMULATIVE.replace("(x)", "(x by g)").replace(
            "field x : number\n", "field x : number\nfield g : integer\n"
        ),
        "t.rules",
    )
    cases = [
        ([1.0, math.inf, 2.0], ["m", "m", "m"]),
        ([1.0, -math.inf], ["m", "m"]),
        ([1e308, 1e308], ["m", "m"]),  # the total is beyond the double range
        ([0.1, 0.2, 0.3], ["big", "big", "small"]),
    ]
    records = [{"x": v, "g": g} for g, (values, _) in enumerate(cases) for v in values]
    want = [(e,) for _, expected in cases for e in expected]
    frozen = rs.freeze(records)
    for engine in ("python", "duckdb"):
        for population in (None, frozen):
            got = rs.classify_many(records, population=population, engine=engine).decisions
            assert [d.labels for d in got] == want, (engine, population)


def test_population_ranks_of_decimal_sums(tmp_path):
    """score and percentile rank the exact sums: a + b = 0.3 ties with c = 0.3."""
    text = (
        "field a : number\nfield b : number\nlet s = a + b\nhit all\n"
        "if percentile(s) = 0 then low\nif score(s, 2) = 2 then high\n"
    )
    records = [{"a": 0.1, "b": 0.2}, {"a": 0.3, "b": 0}, {"a": 0.2, "b": 0.2}]
    check(text, records, [("low",), ("low",), ("high",)], tmp_path)


def test_decimal_in_a_list_of_numbers(tmp_path):
    """A Decimal inside a list-of-number value, beside ints and floats, on every engine."""
    text = "field xs : list of number\nhit all\nif 2.5 in xs then a\nif 0.3 in xs then b\n"
    records = [{"xs": [1, Decimal("2.5"), 0.5]}, {"xs": [Decimal("0.3"), 2]}, {"xs": [1.5]}]
    rs = rulekit.compile(text, "t.rules")
    for engine in ("python", "duckdb"):
        assert labels(rs, records, engine, tmp_path) == [("a",), ("b",), ()]


# ---------------------------------------------------------------------- the property

EXAMPLES = int(os.environ.get("RULEKIT_DECIMAL_EXAMPLES", "15"))


def _number():
    places = st.integers(0, 20)
    decimal = st.builds(
        lambda m, p: float(Decimal(m).scaleb(-p)), st.integers(-(10**12), 10**12), places
    )
    return st.one_of(
        decimal,
        decimal,
        st.floats(allow_nan=False, allow_infinity=False, width=64),
        st.sampled_from(EDGES),
        st.integers(-(10**6), 10**6).map(float),
    )


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    op=st.sampled_from(list(OPS)),
    pairs=st.lists(st.tuples(_number(), _number()), min_size=1, max_size=30),
)
def test_engines_agree_on_random_decimals(op, pairs, tmp_path):
    """Python and DuckDB (in memory and over a file) agree on random decimal arithmetic and
    comparisons; inside the window Python's result is the exact decimal result rounded once."""
    _engines_agree(op, pairs, tmp_path)
    for a, b in pairs:
        da, db = Decimal(repr(a)), Decimal(repr(b))
        if op == "*":
            inside = D.decimal_of(a, 9, D.MUL_BOUND) and D.decimal_of(b, 9, D.MUL_BOUND)
        else:
            inside = D.decimal_of(a, 18, D.ADD_BOUND) and D.decimal_of(b, 18, D.ADD_BOUND)
        if inside is None or (op == "/" and b == 0):
            continue
        ctx = D._CTX  # enough digits for every exact sum and product in a window
        exact = {"+": ctx.add, "-": ctx.subtract, "*": ctx.multiply}.get(op)
        if exact is not None:
            assert OPS[op](a, b) == float(exact(da, db)) + 0.0
