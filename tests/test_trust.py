"""The "trust" issue: a user's own rule file never crashes rulekit, is never silently misread,
and every mistake in it is reported at once, in plain words, with the fix."""

from __future__ import annotations

import re

import pytest

import rulekit
from rulekit.syntax.parser import MAX_SYNTAX_ERRORS, parse

from .cli_support import cli_fixture  # noqa: F401

FOUR_MISTAKES = """field monetary : number "累计消费金额"
field recency : duration "距上次购买"
IF monetary > 100 b THEN big
IF recency > 6m THEN stale
IF monetary > 180d THEN odd
IF monetery > 5 THEN typo
"""
FOUR_CODES = [
    ("syntax-error", 3),
    ("ambiguous-unit", 4),
    ("type-mismatch", 5),
    ("unknown-field", 6),
]


# ---------------------------------------------------------------- 1. all mistakes at once
def test_check_text_reports_syntax_unit_type_and_name_errors_together():
    program = rulekit.check_text(FOUR_MISTAKES, "four.rules")
    assert [(d.code, d.line) for d in program.diagnostics] == FOUR_CODES
    typo = program.diagnostics[-1]
    assert typo.hint == "did you mean `monetary`?"


def test_cli_check_lists_all_four_mistakes(cli, tmp_path):
    path = tmp_path / "four.rules"
    path.write_text(FOUR_MISTAKES, encoding="utf-8")
    result = cli("check", str(path))
    assert result.code == 1
    out = result.out + result.err
    for code, line in FOUR_CODES:
        assert f"error[{code}]" in out
        assert f"four.rules:{line}:" in out
    assert "4 errors" in out


def test_statements_before_and_after_a_syntax_error_are_kept():
    text = (
        'IF a > 1 THEN x\nIF a > 1 b\nIF a > 2 THEN y\nrule "r" if a >> 5 then z\nIF a < 0 THEN w\n'
    )
    file, _, diagnostics = parse(text, "t.rules")
    assert [d.line for d in diagnostics] == [2, 4]
    assert [s.label for s in file.statements] == ["x", "y", "w"]


def test_a_rule_spanning_lines_after_a_named_rule_line_is_skipped_whole():
    text = 'IF a > 1 THEN x\nrule "r"\n  if a >> 5 then z\nIF a < 0 THEN w\n'
    file, _, diagnostics = parse(text, "t.rules")
    assert [d.line for d in diagnostics] == [3]
    assert [s.label for s in file.statements] == ["x", "w"]


def test_a_broken_declaration_does_not_invent_unknown_name_errors():
    text = (
        'field a : number "甲"\nfield b : number "乙" unit\nlet c = a +\n'
        'label x "X" strategy\nlabel y "Y"\nIF a > 1 AND b > 2 AND c > 3 THEN x\nIF a > 0 THEN y\n'
    )
    program = rulekit.check_text(text, "t.rules")
    assert {d.code for d in program.diagnostics} == {"syntax-error"}
    assert [d.line for d in program.diagnostics] == [2, 4]


def test_unexpected_end_keeps_the_statements_before_it():
    program = rulekit.check_text("IF a > 1 THEN x\nIF b > 1d THEN y\nIF a >", "t.rules")
    assert [d.code for d in program.diagnostics] == ["unexpected-end"]
    assert [r.label for r in program.rules] == ["x", "y"]


def test_syntax_errors_are_capped():
    text = "IF a > 1 b\n" * (MAX_SYNTAX_ERRORS + 10)
    program = rulekit.check_text(text, "t.rules")
    assert len(program.diagnostics) == MAX_SYNTAX_ERRORS


@pytest.mark.parametrize(
    "text",
    [
        "IF",
        "IF a >",
        "rule",
        'rule "x" then',
        "field",
        "label",
        "IF a > 1 THEN",
        ")))",
        "“",
        "例 则",
    ],
)
def test_fragments_never_crash(text):
    program = rulekit.check_text(text + "\nIF z > 1 THEN q\n", "t.rules")
    assert any(d.severity == "error" for d in program.diagnostics)


# ---------------------------------------------------------------- 2. repeated metadata
@pytest.mark.parametrize(
    "first,second",
    [
        ('description "甲"', 'description "乙"'),
        ('description en "A"', 'description en "B"'),
        ('description "甲" en "A"', 'description en "B"'),
        ('source "甲"', 'source "乙"'),
        ("ruleset one", "ruleset two"),
        ("hit first", "hit all"),
        ("default x", "default y"),
        ("version 1", "version 2"),
    ],
)
def test_repeated_metadata_is_reported_at_the_second_pointing_at_the_first(first, second):
    text = f"{first}\n{second}\nIF a > 1 THEN x\n"
    program = rulekit.check_text(text, "t.rules")
    errors = [d for d in program.diagnostics if d.severity == "error"]
    assert [(d.code, d.line) for d in errors] == [("duplicate-metadata", 2)]
    assert "line 1" in (errors[0].hint or "")


@pytest.mark.parametrize(
    "text",
    [
        'description "甲"\ndescription en "A"\n',
        'source "甲"\nsource en "A"\n',
        'description "甲" en "A"\n',
        "alias a\nalias b\n",
    ],
)
def test_metadata_in_two_languages_is_not_repeated(text):
    program = rulekit.check_text(text + "IF a > 1 THEN x\n", "t.rules")
    assert [d.code for d in program.diagnostics] == []


# ---------------------------------------------------------------- 3. safe inference, names
@pytest.mark.parametrize(
    "text,value",
    [
        ("IF monetary > 5000 THEN big", "6000.50"),
        ("IF 5000 < monetary THEN big", "6000.50"),
        ("IF monetary between 1 and 5000 THEN big", 2.5),
        ("IF monetary in [1, 2] THEN big", "2.0"),
        ("IF monetary + 1 > 5000 THEN big", 6000.5),
        ("IF monetary * 2 > 5000 THEN big", "6000.50"),
    ],
)
def test_an_undeclared_field_compared_with_a_whole_number_is_a_number(text, value):
    program = rulekit.check_text(text, "t.rules")
    assert str(program.fields["monetary"].type) == "number"
    decision = rulekit.compile(text).classify({"monetary": value})
    assert decision.label == "big"


def test_a_declared_integer_stays_an_integer():
    program = rulekit.check_text('field n : integer "次数"\nIF n > 5 THEN big', "t.rules")
    assert str(program.fields["n"].type) == "integer"


def _codes(text: str) -> list[tuple[str, str, int]]:
    program = rulekit.check_text(text, "t.rules")
    return [(d.code, d.severity, d.line) for d in program.diagnostics]


def test_an_undeclared_name_near_another_name_in_the_file_is_a_possible_typo():
    text = "IF monetary > 5000 THEN big\nIF monetary > 100 AND monetery < 10 THEN small\n"
    program = rulekit.check_text(text, "t.rules")
    [d] = program.diagnostics
    assert (d.code, d.severity, d.line, d.column) == ("possible-typo", "warning", 2, 23)
    assert "did you mean `monetary`?" in (d.hint or "")
    assert "monetery" in d.message


def test_an_undeclared_name_near_a_catalog_field_is_a_possible_typo():
    [d] = rulekit.check_text("IF frequencey > 5 THEN often\n", "t.rules").diagnostics
    assert (d.code, d.severity) == ("possible-typo", "warning")
    assert "did you mean `frequency`?" in (d.hint or "")


@pytest.mark.parametrize(
    "text",
    [
        "IF monetary > 5000 THEN big\n",  # a catalog field itself
        "IF q1 > 5 AND q2 > 5 THEN both\n",  # names that differ in digits only
        "IF page > 5 THEN long\n",  # short: near `age` of the catalog, yet its own name
        "IF recency > 30d AND frequency > 3 THEN ok\n",
    ],
)
def test_no_possible_typo_for_distinct_names(text):
    assert _codes(text) == []


def test_no_possible_typo_in_a_file_that_declares_its_fields():
    text = 'field monetary : number "金额"\nIF monetary > 5 THEN big\n'
    assert _codes(text) == []


def test_a_bare_word_compared_with_a_text_field_says_to_quote_it():
    text = 'field 城市 : string "城市"\nIF 城市 = 北京 THEN north\nIF 城市 in [上海, "广州"] THEN south\n'
    program = rulekit.check_text(text, "t.rules")
    assert [(d.code, d.line) for d in program.diagnostics] == [
        ("unquoted-text", 2),
        ("unquoted-text", 3),
    ]
    first = program.diagnostics[0]
    assert first.message == "`北京` is not a field"
    assert first.hint == 'to compare with the text, quote it: "北京"'


def test_a_bare_word_in_a_file_without_declarations_says_to_quote_it():
    """Without declarations `北京` silently became a second field, always missing."""
    text = (
        'IF 城市 = 北京 THEN north\nIF 城市 in [上海, "广州"] THEN south\nIF 城市 = 城市 THEN x\n'
    )
    program = rulekit.check_text(text, "t.rules")
    warned = [(d.code, d.severity, d.line, d.column) for d in program.diagnostics]
    assert ("possible-unquoted-text", "warning", 1, 9) in warned
    assert ("possible-unquoted-text", "warning", 2, 11) in warned
    d = next(d for d in program.diagnostics if d.code == "possible-unquoted-text")
    assert d.hint is not None and d.hint.startswith('to compare with the text, quote it: "北京"')


def test_two_fields_compared_are_no_unquoted_text():
    text = "IF home_city = work_city THEN local\nIF home_city > 1 OR work_city > 1 THEN x\n"
    assert [c for c, _, _ in _codes(text) if c == "possible-unquoted-text"] == []


@pytest.mark.parametrize(
    "text, line",
    [
        ('label a "甲"\nlabel b "乙"\nlabel a "丙"\nIF x > 1 THEN a\n', 1),
        ("field x : number\nfield y : number\nfield x : string\nIF x > 1 THEN a\n", 1),
        ("let y = 1\nlet z = 2\nlet y = 3\nIF y > 1 THEN a\n", 1),
    ],
)
def test_a_name_declared_twice_names_the_first_place(text, line):
    [d] = [d for d in rulekit.check_text(text, "t.rules").diagnostics if d.code == "duplicate-name"]
    assert d.line == 3 and f"(first on line {line})" in d.message


def test_a_misspelt_field_on_the_right_of_a_text_comparison_still_suggests_the_field():
    text = 'field city : string "城市"\nfield home : string "籍贯"\nIF city = hoem THEN local\n'
    [d] = rulekit.check_text(text, "t.rules").diagnostics
    assert d.code == "unknown-field"
    assert "did you mean `home`?" in (d.hint or "")


# ---------------------------------------------------------------- 4. labels named like keywords
@pytest.mark.parametrize("word", ["none", "NONE", "无", "if", "and", "missing", "不"])
def test_a_label_spelled_like_a_keyword_can_be_written_in_backquotes(word):
    text = (
        f'label `{word}` "甲"\nlabel other "乙"\ndefault other\n'
        f"IF a > 1 THEN `{word}`\n"
        f'example "e" given a = 2 expect `{word}`\n'
        f'example "f" given a = 0 expect other\n'
    )
    program = rulekit.check_text(text, "t.rules")
    assert [d.code for d in program.diagnostics] == []
    assert list(program.labels) == [word, "other"]
    rs = rulekit.compile(text)
    assert rs.classify({"a": 2}).label == word
    assert all(r.passed for r in rs.test())


def test_expect_none_still_means_no_label_and_backquoted_none_is_the_label():
    text = 'IF a > 1 THEN `none`\nexample "e" given a = 0 expect none\n'
    program = rulekit.check_text(text, "t.rules")
    assert [d.code for d in program.diagnostics] == []
    assert program.examples[0].expect is None


def test_a_field_spelled_like_a_keyword_can_be_written_in_backquotes():
    text = 'field `前` : number "前"\nIF `前` > 1 THEN big\nexample "e" given `前` = 2 expect big\n'
    program = rulekit.check_text(text, "t.rules")
    assert [d.code for d in program.diagnostics] == []
    assert rulekit.compile(text).classify({"前": 2}).label == "big"


@pytest.mark.parametrize(
    "text", ["IF a > 1 THEN none", "IF a > 1 THEN 无", 'label none "无"', "default NONE"]
)
def test_a_keyword_where_a_label_stands_suggests_backquotes(text):
    [d] = rulekit.check_text(text + "\n", "t.rules").diagnostics
    assert d.code == "keyword-as-name"
    assert "`" in (d.hint or "") and "backquotes" in (d.hint or "")


# ---------------------------------------------------------------- 5. common slips, in the author's words
@pytest.mark.parametrize(
    "text,fix",
    [
        ("如果 最近购买 > 180天 和 购买次数 < 3 那么 沉睡", "`且`"),
        ("如果 最近购买 大于 180天 那么 沉睡", "`>`"),
        ("如果 最近购买 小于 180天 那么 活跃", "`<`"),
        ("如果 购买次数 等于 3 那么 沉睡", "`=`"),
        ("如果 购买次数 大于等于 3 那么 沉睡", "`>=`"),
        ("如果 最近购买 > 180 天 那么 沉睡", "`180天`"),
    ],
)
def test_chinese_slips_get_a_chinese_hint_naming_the_fix(text, fix):
    [d] = rulekit.check_text(text + "\n", "t.rules").diagnostics
    assert d.code == "wrong-word"
    assert fix in (d.hint or "")
    assert re.search(r"[\u4e00-\u9fff]", d.hint or "")  # in Chinese
    assert "then" not in d.message


@pytest.mark.parametrize(
    "text,fix",
    [
        ("IF recency > 180d 和 frequency < 3 THEN sleeping", "`and`"),
        ("IF frequency 大于 3 THEN often", "`>`"),
        ("IF recency > 180 d THEN sleeping", "`180d`"),
        ("IF recency > 180 days THEN sleeping", "`180d`"),
        ("IF frequency equals 3 THEN often", "`=`"),
        ("IF recency > 180d && frequency < 3 THEN sleeping", "`and`"),
        ("let big = monetary 大于 3\nIF big THEN vip", "`>`"),
    ],
)
def test_english_files_get_the_hint_in_english(text, fix):
    [d] = rulekit.check_text(text + "\n", "t.rules").diagnostics
    assert d.code == "wrong-word"
    assert fix in (d.hint or "")
    assert (d.hint or "").startswith(("join two", "compare with", "write the number"))


# ---------------------------------------------------------------- 6. files saved by Notepad or WPS
ZH_RULES = '规则集 测试 "测试"\n如果 最近购买 > 180天 那么 沉睡\n例 "半年" 已知 最近购买 = 200天 期望 沉睡\n'


@pytest.mark.parametrize(
    "encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "gbk", "gb18030"]
)
def test_rule_files_in_windows_encodings_are_read(tmp_path, cli, encoding):
    path = tmp_path / "zh.rules"
    path.write_bytes(ZH_RULES.encode(encoding))
    rs = rulekit.load(path)
    assert rs.classify({"最近购买": 200}).label == "沉睡"
    assert rs.program.id == "测试"
    result = cli("check", str(path))
    assert result.code == 0, result.out + result.err
    result = cli("test", str(path))
    assert result.code == 0, result.out + result.err


@pytest.mark.parametrize(
    "data", [b"IF a > 1 THEN \x80\x81\xfe x\n", b"IF a > 1 THEN x\n\xff\xff\xff\n"]
)
def test_an_undecodable_rule_file_names_the_byte_and_the_fix(tmp_path, cli, data):
    path = tmp_path / "bad.rules"
    path.write_bytes(data)
    offset = data.index(b"\x80" if b"\x80" in data else b"\xff")
    with pytest.raises(rulekit.RulekitError) as info:
        rulekit.load(path)
    message = str(info.value)
    assert f"byte {offset}" in message and "UTF-8" in message and "bad.rules" in message
    result = cli("check", str(path))
    assert result.code != 0
    assert f"byte {offset}" in result.out + result.err


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_backquoted_names_give_the_same_labels_on_every_engine(engine):
    text = (
        'field `前` : number "前"\nlabel `none` "无"\nlabel `if` "如果"\n'
        "IF `前` > 1 THEN `none`\nIF `前` < 0 THEN `if`\n"
    )
    result = rulekit.compile(text).classify_many([{"前": 2}, {"前": -1}, {"前": 0}], engine=engine)
    assert [d.label for d in result] == ["none", "if", None]


@pytest.mark.parametrize("number", ["1e400", "2.5E-3", "1e-5", "1e6"])
def test_exponent_notation_caret_covers_the_whole_literal(number):
    """Issue 11 (leftover c): the caret was under `1e` only."""
    program = rulekit.check_text(f"if x > {number} then a\n")
    (diag,) = [d for d in program.diagnostics if d.code == "exponent-notation"]
    assert program.source.text[diag.span.start : diag.span.end] == number


def _let_chain(count: int) -> str:
    lets = "".join(f"let a{i} = a{i - 1} + 1\n" for i in range(1, count))
    return f"field x : number\nlet a0 = x + 1\n{lets}if a{count - 1} > 3 then big\n"


def test_a_chain_of_lets_at_the_limit_runs_on_every_engine():
    from rulekit.syntax.limits import MAX_LET_CHAIN

    rs = rulekit.compile(_let_chain(MAX_LET_CHAIN))
    for engine in ("python", "duckdb"):
        got = rs.classify_many([{"x": 1}, {"x": -600}], as_of="2024-06-30", engine=engine)
        assert got.labels == ["big", None], engine


def test_a_longer_chain_of_lets_is_one_error_at_the_first_let_past_the_limit():
    # DuckDB failed the batch past ~1,000 lets ("Max expression depth"); Python answered.
    from rulekit.syntax.limits import MAX_LET_CHAIN

    program = rulekit.check_text(_let_chain(4 * MAX_LET_CHAIN))
    errors = [d for d in program.diagnostics if d.severity == "error"]
    assert [d.code for d in errors] == ["too-deeply-nested"]
    assert errors[0].line == MAX_LET_CHAIN + 2  # `let a500 = a499 + 1`
    assert f"at most {MAX_LET_CHAIN} lets" in str(errors[0].message)
