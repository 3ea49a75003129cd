"""Golden tests: each bad rule file renders exactly its expected diagnostics, caret included."""

import pytest

import rulekit
from rulekit.errors import CODES

from .make_golden import FIXTURE, parse_cases, render

CASES = list(parse_cases(FIXTURE.read_text(encoding="utf-8")))


@pytest.mark.parametrize("name,source,expected", CASES, ids=[c[0] for c in CASES])
def test_golden(name, source, expected):
    assert render(name, source) == expected


def test_every_code_is_covered():
    text = FIXTURE.read_text(encoding="utf-8")
    assert [code for code in CODES if f"[{code}]" not in text] == []


def test_rejected_file_raises_rule_error_with_all_errors():
    text = 'IF a > 1 b\nIF b > 2 THEN c\nrule "x" if d >> 5 then y\nIF e = 1 THEN z\n'
    with pytest.raises(rulekit.RuleError) as info:
        rulekit.compile(text, "t.rules")
    assert [(d.code, d.line) for d in info.value.errors] == [
        ("syntax-error", 1),
        ("syntax-error", 3),
    ]
    # Type errors in a file without syntax errors are all reported too.
    with pytest.raises(rulekit.RuleError) as info:
        rulekit.compile(
            'field a : number "甲"\nif a > 1d then x\nif a contains "q" then y\nif b > 1 then z\n',
            "t.rules",
        )
    assert [d.code for d in info.value.errors] == [
        "type-mismatch",
        "type-mismatch",
        "unknown-field",
    ]


def test_json_form_has_positions():
    program = rulekit.check_text('field a : number "甲"\nif b > 1 then x\n', "t.rules")
    d = program.diagnostics[0].to_dict()
    assert (d["code"], d["line"], d["column"], d["end"]) == (
        "unknown-field",
        2,
        4,
        {"line": 2, "column": 5},
    )
    assert d["hint"] == "did you mean `a`?"


def test_caret_aligns_under_wide_characters():
    program = rulekit.check_text("如果 最近购买 > 6m 那么 沉睡\n", "t.rules")
    lines = program.diagnostics[0].render().splitlines()
    source_line, caret_line = lines[3], lines[4]
    from rulekit.source import display_width

    col = source_line.index("6m")
    assert display_width(caret_line[: caret_line.index("^")]) == display_width(source_line[:col])
