"""Issue 14, items 1, 4 and 7: the conditional value `if … then … else …`, field defaults and
`highest(…)` / `lowest(…)` rules — parsing (English, Chinese, contextual words), the checker's
errors, and the same labels and deciding rules on the Python engine and DuckDB, row for row."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import rulekit
from rulekit.engines import sql_for
from rulekit.errors import RuleError
from rulekit.syntax import nodes as n
from rulekit.syntax.parser import parse

AS_OF = dt.date(2024, 6, 30)

CONDITIONAL = """
ruleset cond
field seg : string
field spend : number
label vip
label std
let threshold = if seg = "a" then 100 else if seg = "b" then 200 else 500
if spend > threshold then vip
if (if seg = "b" then spend > 10 else spend > 20) then std
"""

DEFAULTS = """
ruleset defaults
field is_member : boolean default false
field spend : number default 0
field region : string default "north"
field since : date default 2020-01-01
field wait : duration default 30d
field never : integer default 7
label a
label b
label c
if is_member then a
if spend = 0 and region = "north" and since = 2020-01-01 and wait = 30d and never = 7 then b
if spend > 0 then c
"""

PICK = """
ruleset pick
field p : number
field q : number
field s : number
label price
label quality
label service
label low
rule "top" if p > 0 or q > 0 or s > 0 then highest(price: p, quality: q, service: s)
rule "bottom" if p < 0 then lowest(low: p, quality: q)
"""


def both(text: str, records: list[dict]) -> list[tuple[str | None, str | None]]:
    """(label, deciding rule) per record; asserts Python and DuckDB agree row for row."""
    rs = rulekit.compile(text)
    out = []
    for engine in ("python", "duckdb"):
        got = rs.classify_many(records, as_of=AS_OF, engine=engine)
        out.append([(d.label, d.rule.name if d.rule else None) if d else None for d in got])
    assert out[0] == out[1]
    return out[0]


# ---------------------------------------------------------------- conditional value


def test_conditional_values_and_unknown_condition_takes_else():
    records = [
        {"seg": "a", "spend": 150},  # threshold 100 → vip
        {"seg": "b", "spend": 150},  # threshold 200; std: spend > 10
        {"seg": None, "spend": 400},  # unknown seg = "a": else branch, threshold 500; std
        {"seg": "c", "spend": 15},  # neither: 15 > 20 false
        {"seg": "a", "spend": None},  # missing spend: nothing
    ]
    assert both(CONDITIONAL, records) == [
        ("vip", "line 8"),
        ("std", "line 9"),
        ("std", "line 9"),
        (None, None),
        (None, None),
    ]


def test_conditional_value_in_explain_and_sql():
    rs = rulekit.compile(CONDITIONAL)
    ex = rs.explain({"seg": None, "spend": 400}, as_of=AS_OF)
    assert ex.trace.lets["threshold"] == 500
    assert "CASE WHEN" in sql_for(rs, as_of=AS_OF)
    assert "CASE WHEN" in sql_for(rs, dialect="spark", as_of=AS_OF)


def test_chinese_keywords_and_else_if_chain():
    text = """
规则集 t3 "测试"
字段 分群 : 文本
字段 消费 : 数字
标签 高 "高"
令 门槛 = 如果 分群 = "a" 那么 100 否则 如果 分群 = "b" 那么 200 否则 500
如果 消费 > 门槛 则 高
"""
    assert both(text, [{"分群": "b", "消费": 250}, {"分群": "x", "消费": 250}]) == [
        ("高", "line 7"),
        (None, None),
    ]


def test_else_is_still_a_field_name():
    text = "field else : number\nlabel big\nif else > (if else > 5 then 1 else 10) then big\n"
    assert both(text, [{"else": 7}, {"else": 3}, {"else": 11}]) == [
        ("big", "line 3"),
        (None, None),
        ("big", "line 3"),
    ]


def test_branches_of_different_types_are_a_type_error():
    with pytest.raises(RuleError) as err:
        rulekit.compile('field x : number\nif (if x > 1 then 1 else "a") > 0 then big\n')
    (d,) = err.value.diagnostics
    assert d.code == "type-mismatch"
    assert "two branches" in d.message and (d.line, d.column) == (2, 26)


def test_conditional_condition_must_be_true_false():
    with pytest.raises(RuleError) as err:
        rulekit.compile("field x : number\nlet y = if x then 1 else 2\nif y > 1 then big\n")
    assert [d.code for d in err.value.diagnostics] == ["not-a-condition"]


def test_conditional_in_a_population_argument():
    text = "field x : number\nfield g : string\nlabel hi\n"
    text += 'if score(if g = "a" then x * 10 else x, 2) = 2 then hi\n'
    records = [{"x": 1, "g": "a"}, {"x": 5, "g": "b"}, {"x": 2, "g": "b"}, {"x": 3, "g": None}]
    assert [lab for lab, _ in both(text, records)] == ["hi", "hi", None, None]


# ---------------------------------------------------------------- field defaults


def test_defaults_fill_missing_empty_and_absent_values():
    records = [
        {},  # every column absent from the dict
        {"is_member": "", "spend": "", "region": "", "since": "", "wait": "", "never": ""},
        {"is_member": None, "spend": 5},
        {"is_member": True},
    ]
    assert both(DEFAULTS, records) == [
        ("b", "line 13"),
        ("b", "line 13"),
        ("c", "line 14"),
        ("a", "line 12"),
    ]


def test_defaults_on_files_read_by_duckdb(tmp_path):
    rs = rulekit.compile(DEFAULTS)
    path = tmp_path / "in.csv"
    path.write_text("is_member,spend\n,\ntrue,\n,3\n", encoding="utf-8")  # no column since …
    got = rs.classify_many(str(path), as_of=AS_OF, engine="duckdb")
    rows = [{"is_member": None, "spend": None}, {"is_member": True}, {"spend": 3}]
    expected = rs.classify_many(rows, as_of=AS_OF)
    assert [d.label if d else None for d in got] == ["b", "a", "c"]
    assert [d.label if d else None for d in expected] == ["b", "a", "c"]


def test_a_bad_value_is_not_replaced_by_the_default():
    rs = rulekit.compile(DEFAULTS)
    for engine in ("python", "duckdb"):
        got = rs.classify_many([{"spend": "lots"}], as_of=AS_OF, engine=engine, on_error="skip")
        assert got[0] is None and got.rejected[0].field == "spend"


def test_explain_shows_the_default():
    rs = rulekit.compile(DEFAULTS)
    doc = rs.explain({"spend": 3}, as_of=AS_OF).to_dict()
    shown = {f["name"]: f["shown"] for f in doc["fields"]}
    assert shown["is_member"] == "false (default)"
    assert shown["spend"] == "3"
    doc = rs.explain({}, as_of=AS_OF).to_dict()
    condition = doc["rules"][0]["condition"]
    assert condition["text"] == "is_member" and condition["result"] is False
    shown = {f["name"]: f["shown"] for f in doc["fields"]}
    assert shown["since"] == "2020-01-01 (default)" and shown["wait"].endswith("(default)")


def test_default_of_the_wrong_type_is_an_error():
    with pytest.raises(RuleError) as err:
        rulekit.compile('field d : date default 5\nfield s : number default "x"\nif d > s then a\n')
    diags = [d for d in err.value.diagnostics if d.code == "bad-declaration"]
    assert [(d.line, d.column) for d in diags] == [(1, 24), (2, 26)]
    assert "is not a date" in diags[0].message


def test_default_label_after_a_field_is_still_the_ruleset_default():
    file, _, diags = parse("field x : number\ndefault other\nif x > 1 then big\n")
    assert not diags
    meta = [s for s in file.statements if isinstance(s, n.Meta)]
    fields = [s for s in file.statements if isinstance(s, n.FieldDecl)]
    assert meta[0].key == "default" and meta[0].value == "other"
    assert fields[0].default is None


def test_static_analysis_knows_defaults_and_conditionals():
    rs = rulekit.compile(
        "field m : boolean default false\nfield x : number\nlabel a\nlabel b\nlabel c\n"
        "if m is missing then a\n"  # a field with a default is never missing
        "if (if x > 1 then 2 else 3) = 4 then b\n"  # neither branch gives 4
        "if (if x > 1 then 2 else 3) = 3 then c\n"  # x <= 1, or x missing (else branch)
    )
    findings = rs.analyze().findings
    never = sorted(f.lines[0] for f in findings if f.kind == "contradiction")
    assert never == [6, 7]
    gaps = [f.witness.record for f in findings if f.kind == "gap" and f.witness]
    assert gaps and all(r["m"] is False and r["x"] is not None for r in gaps)


# ---------------------------------------------------------------- highest / lowest


def test_highest_picks_the_largest_ties_by_order_missing_never_wins():
    records = [
        {"p": 1, "q": 3, "s": 2},  # quality
        {"p": 3, "q": 3, "s": 1},  # tie price/quality: price, written first
        {"p": None, "q": 1, "s": 1},  # tie quality/service, price missing: quality
        {"p": None, "q": None, "s": 2},  # only service has a value
        {"p": None, "q": None, "s": None},  # no candidate: no label
        {"p": 0, "q": 0, "s": 0},  # the rule's condition is false
        {"p": -2, "q": -1, "s": None},  # lowest: low (p) is smaller
    ]
    assert both(PICK, records) == [
        ("quality", "top: quality"),
        ("price", "top: price"),
        ("quality", "top: quality"),
        ("service", "top: service"),
        (None, None),
        (None, None),
        ("low", "bottom: low"),
    ]


def test_pick_under_hit_unique_never_conflicts():
    text = "hit unique\n" + PICK
    assert both(text, [{"p": 2, "q": 2, "s": 2}]) == [("price", "top: price")]


def test_highest_is_still_a_label_name_and_chinese_pick():
    text = "field x : number\nlabel highest\nif x > 1 then highest\n"
    assert both(text, [{"x": 2}]) == [("highest", "line 3")]
    zh = "字段 甲 : 数字\n字段 乙 : 数字\n如果 甲 > 0 那么 最低(便宜: 甲, 贵: 乙)\n"
    assert both(zh, [{"甲": 5, "乙": 3}]) == [("贵", "line 3: 贵")]


def test_unknown_pick_word_is_a_syntax_error():
    with pytest.raises(RuleError) as err:
        rulekit.compile("field x : number\nif x > 1 then biggest(a: x, b: 1)\n")
    assert "not a way to pick a label" in err.value.diagnostics[0].message


def test_pick_rules_expand_and_explain_shows_the_candidates():
    rs = rulekit.compile(PICK)
    labels = [r.label for r in rs.program.rules]
    assert labels == ["price", "quality", "service", "low", "quality"]
    doc = rs.explain({"p": 1, "q": 2, "s": None}, as_of=AS_OF).to_dict()
    assert doc["decision"]["label"] == "quality"
    quality = doc["rules"][1]["condition"]
    assert [c["text"] for c in quality["children"]] == [
        "p > 0 or q > 0 or s > 0",
        "highest(price: p, quality: q, service: s) → quality",
    ]
    pick = quality["children"][1]
    assert pick["result"] is True
    assert [(o["text"], o["value"]) for o in pick["operands"]] == [("q", 2), ("p", 1), ("s", None)]
    whynot = rs.why_not({"p": 1, "q": 2, "s": None}, "price", as_of=AS_OF).to_dict()
    assert "quality" in json.dumps(whynot, ensure_ascii=False)


def test_defaults_and_conditionals_in_a_frozen_population():
    text = (
        "field x : number default 5\nfield g : string\nlabel top\n"
        'if score(if g = "a" then x * 10 else x, 2) = 2 then top\n'
    )
    rs = rulekit.compile(text)
    base = [{"x": 1, "g": "a"}, {"x": None, "g": "b"}, {"x": 3, "g": "b"}, {"g": "b"}]
    frozen = rs.freeze(base, as_of=AS_OF)
    later = [{"x": 4, "g": "b"}, {"x": None, "g": "a"}, {"x": 2, "g": "b"}]
    got = [
        [d.label for d in rs.classify_many(later, as_of=AS_OF, population=frozen, engine=e)]
        for e in ("python", "duckdb")
    ]
    # population values 10, 5, 3, 5: 4 ranks below the median, 50 (x defaulted to 5) and 5 above
    assert got[0] == got[1] == [None, "top", None]
