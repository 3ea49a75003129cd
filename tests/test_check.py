"""The check layer's own tests: its import paths, and calls whose type errors used to crash."""

import pytest

import rulekit
from rulekit.model.program import HitPolicy


def test_import_paths():
    from rulekit.check import FUNCTIONS, check
    from rulekit.check.checker import FUNCTIONS as FUNCTIONS2
    from rulekit.check.checker import check as check2

    assert check is check2 and FUNCTIONS is FUNCTIONS2
    assert "percentile" in FUNCTIONS


def test_hit_policy_is_an_enum():
    program = rulekit.check_text('hit priority\nrule "r" if a > 1 then x priority 2\n')
    assert program.hit is HitPolicy.PRIORITY
    assert program.diagnostics == []


@pytest.mark.parametrize(
    "condition,message,hint",
    [
        ('min(1, "a") > 1', "`min` mixes an integer and a string", "give min values of one type"),
        ('coalesce(a, "x") = "x"', "`coalesce` mixes a date and a string", None),
        ("max(true) = true", "`max` needs values that can be ordered, not a boolean", None),
        ("len(3) > 1", "`len` needs a list or text, not an integer", None),
    ],
)
def test_call_type_errors_are_diagnostics(condition, message, hint):
    text = f'field a : date "甲"\nrule "r" if {condition} then x\n'
    program = rulekit.check_text(text, "t.rules")
    errors = [d for d in program.diagnostics if d.severity == "error"]
    assert [(d.code, d.message) for d in errors] == [("type-mismatch", message)]
    if hint:
        assert errors[0].hint == hint
