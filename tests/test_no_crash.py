"""No rule text crashes rulekit: deep nesting, huge literals, out-of-range values at run time and
constant expressions give a diagnostic or a value, never an internal error or a warning."""

import warnings
from decimal import Decimal

import pytest

import rulekit
from rulekit.errors import CODES


def codes(text: str) -> list[str]:
    return [d.code for d in rulekit.check_text(text, "f.rules").diagnostics]


def rule_error(text: str) -> rulekit.RuleError:
    with pytest.raises(rulekit.RuleError) as info:
        rulekit.compile(text, "f.rules")
    return info.value


# ---------------------------------------------------------------- literals out of range


@pytest.mark.parametrize(
    "literal",
    ["9" * 4400, "99999999999999999999", "9223372036854775808", "99999999999999999999d"],
)
def test_integer_literal_outside_64_bits_is_an_error(literal):
    err = rule_error(f"IF x > {literal} THEN a\n")
    (d,) = err.errors
    assert d.code == "number-out-of-range"
    assert (d.line, d.column) == (1, 8)
    assert "9223372036854775807" in d.message
    assert d.hint and "smaller" in d.hint
    assert len(d.message) < 200  # a 4,400-digit literal is not copied whole


def test_largest_integer_literal_is_accepted():
    rs = rulekit.compile("IF x < 9223372036854775807 THEN a\n", "f.rules")
    assert rs.classify({"x": 1}).label == "a"


def test_whole_decimal_literal_beyond_64_bits_is_a_decimal_number():
    rs = rulekit.compile("IF x < 99999999999999999999.0 THEN a\n", "f.rules")
    assert rs.classify({"x": 1}).label == "a"


def test_exponent_notation_says_write_the_number_out():
    for text in ("IF x > 1e400 THEN a\n", "IF x > 1.5e-3 THEN a\n", "IF x > 2E10 THEN a\n"):
        (d,) = rule_error(text).errors
        assert d.code == "exponent-notation"
        assert (d.line, d.column) == (1, 8)
        assert "write the number out" in (d.hint or "")


def test_bad_priority_literal_is_reported_not_read_as_zero():
    text = "hit priority\nIF x > 1 THEN a priority 99999999999999999999\n"
    assert "number-out-of-range" in codes(text)


def test_new_codes_are_registered():
    for code in ("number-out-of-range", "exponent-notation", "too-deeply-nested"):
        assert code in CODES


# ---------------------------------------------------------------- values out of range at run time


@pytest.mark.parametrize("digits", [2, 20, 28, 40, 400])
@pytest.mark.parametrize("x", [1.5, 2.675, 1e30, 1e-30, 1e308, float("inf"), -0.5, 10**400])
def test_round_never_raises(x, digits):
    rs = rulekit.compile(f"field x : number\nlet r = round(x, {digits})\nIF r > 0 THEN a\n")
    rs.classify({"x": x})
    rs.explain({"x": x})


def test_round_many_digits_keeps_the_value():
    from rulekit.model.semantics import round_half_up

    assert round_half_up(1.5, 28) == 1.5
    assert round_half_up(1e-30, 28) == 0.0
    assert round_half_up(1e-30, 40) == 1e-30
    assert round_half_up(1e30, 2) == 1e30
    assert round_half_up(2.675, 2) == 2.68


@pytest.mark.parametrize("x", [10**400, Decimal("1E+400"), -(10**400), "1e400"])
def test_division_of_a_huge_number_is_infinite_not_an_error(x):
    rs = rulekit.compile("field x : number\nIF x / 3 > 1 THEN big\nIF x / 3 < 1 THEN small\n")
    positive = not str(x).startswith("-")
    assert rs.classify({"x": x}).label == ("big" if positive else "small")
    rs.explain({"x": x})


def test_integer_field_beyond_64_bits_is_a_bad_value():
    rs = rulekit.compile("field x : integer\nIF x > 1 THEN a\n")
    result = rs.classify_many([{"x": 2**70}, {"x": 5}], on_error="skip")
    assert result.labels == [None, "a"]
    assert "too large" in result.rejected[0].reason


# ---------------------------------------------------------------- no warning from generated code


@pytest.mark.parametrize(
    "cond",
    [
        "10 + 5 = 15",
        "1 < 2",
        "5 is missing",
        "5 is not missing",
        '"a" contains "b"',
        "not (1 = 1)",
        "-3 > 2",
        "5 in [1, 5]",
        "true",
        "(1 = 1) = true",
        "round(2.5, 0) = 3",
    ],
)
def test_constant_conditions_give_no_warning(cond):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rs = rulekit.compile(f"IF {cond} THEN a\n", "f.rules")
        rs.classify({})
        rs.explain({})


# ---------------------------------------------------------------- deep nesting

MAX_DEPTH = 32  # rulekit.syntax.limits.MAX_DEPTH, as docs/language.md states it

DEEP = {
    "not": lambda d: "not " * d + "x > 1",
    "neg": lambda d: "-" * d + "x > 1",
    "sum": lambda d: " + ".join(["x"] * (d + 1)) + " > 1",
    "product": lambda d: " * ".join(["x"] * (d + 1)) + " > 1",
    "brackets": lambda d: "x + (" * d + "x" + ")" * d + " > 1",
    "calls": lambda d: "abs(" * d + "x" + ")" * d + " > 1",
    "not-brackets": lambda d: "not (" * d + "x > 1" + ")" * d,
}


@pytest.mark.parametrize("shape", DEEP)
@pytest.mark.parametrize("depth", [300, 1000, 10_000])
def test_deep_nesting_is_a_diagnostic_at_its_place(shape, depth):
    text = 'field x : number\nrule "deep" IF ' + DEEP[shape](depth) + " THEN a\n"
    program = rulekit.check_text(text, "f.rules")  # never raises
    assert [d.code for d in program.diagnostics] == ["too-deeply-nested"]
    (d,) = rule_error(text).errors
    assert d.line == 2 and d.column > len('rule "deep" IF ')
    assert "let" in (d.hint or "")


@pytest.mark.parametrize("shape", DEEP)
def test_nesting_up_to_the_limit_runs_everywhere(shape):
    # the limit counts the expression's own level, so MAX_DEPTH - 2 operators nest safely
    text = "field x : number\nIF " + DEEP[shape](MAX_DEPTH - 2) + " THEN a\n"
    rs = rulekit.compile(text, "f.rules")
    rs.classify_many([{"x": 2}, {"x": None}, {"x": -1}])
    rs.explain({"x": 2})
    rs.why_not({"x": 2}, "a")
    from rulekit.engines import sql_for

    assert sql_for(rs)


@pytest.mark.parametrize("func", ["min", "max", "round"])
def test_nested_min_max_round_are_limited_and_stay_small_in_sql(func):
    from rulekit.engines import sql_for
    from rulekit.syntax.limits import MAX_REPEATING

    def nested(d: int) -> str:
        return f"{func}(" * d + "x" + ", 1)" * d

    rs = rulekit.compile(f"field x : number\nIF {nested(MAX_REPEATING)} > 0 THEN a\n", "f.rules")
    assert rs.classify({"x": 2}).label == "a"
    assert rs.classify_many([{"x": 2}], engine="duckdb").labels == ["a"]
    assert len(sql_for(rs)) < 200_000
    text = f"field x : number\nIF {nested(MAX_REPEATING + 1)} > 1 THEN a\n"
    assert [d.code for d in rulekit.check_text(text, "f.rules").diagnostics] == [
        "too-deeply-nested"
    ]


@pytest.mark.parametrize("op", ["or", "and"])
@pytest.mark.parametrize("terms", [17, 400, 10_000])
def test_long_runs_of_and_or_work(op, terms):
    cond = f" {op} ".join(f"x > {i}" for i in range(terms))
    rs = rulekit.compile(f"field x : integer\nIF {cond} THEN a\n", "f.rules")
    high, low = {"x": terms + 1}, {"x": 0}
    assert rs.classify(high).label == "a"
    assert rs.classify(low).label == (None if op == "and" else None)
    assert rs.classify({"x": 5}).label == ("a" if op == "or" else None)
    assert rs.explain({"x": 5}).decision.label == rs.classify({"x": 5}).label


def test_long_chain_of_comparisons_works():
    cond = " < ".join(["x"] * 500)
    rs = rulekit.compile(f"field x : integer\nIF -1 < {cond} THEN a\n", "f.rules")
    assert rs.classify({"x": 1}).label is None


def test_recursion_error_becomes_a_diagnostic(monkeypatch):
    real = rulekit._check

    def boom(file, *args, **kwargs):
        if file.statements:  # as a pass that recursed too deep would
            raise RecursionError("maximum recursion depth exceeded")
        return real(file, *args, **kwargs)

    monkeypatch.setattr(rulekit, "_check", boom)
    program = rulekit.check_text("IF x > ((((1)))) THEN a\n", "f.rules")
    assert [d.code for d in program.diagnostics] == ["too-deeply-nested"]
    assert program.diagnostics[0].column == 11  # the innermost bracket
