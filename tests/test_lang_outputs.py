"""Issue 14, item 5: outputs (`output NAME = EXPR`) and per-label attributes (`label x … with
name = value`) — parsing (English, Chinese, contextual words), the checker's errors, the API
(`Decision.outputs`, `Decision.attributes`), `run`'s columns, explain, examples, and the same
values row for row on the Python engine and DuckDB."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import random

import pytest

import rulekit
from rulekit.engines import sql_for
from rulekit.errors import RuleError
from rulekit.syntax import nodes as n
from rulekit.syntax.parser import parse

from .cli_support import cli_fixture  # noqa: F401

AS_OF = dt.date(2024, 6, 30)

SHOP = """
ruleset shop
field spend : number
field visits : integer
field member : boolean default false
field since : date
label vip "重要客户" with discount = 10%, cadence = 7d, action = "专属顾问", priority_call = yes
label regular "普通客户" with discount = 5%
label lapsed "流失客户"
let high = 3
output s_score = score(spend, 5 among visits > 0) "消费得分"
output v_score = score(visits, 5)
output code = s_score * 10 + v_score
output tenure = today - since
output perk = if member then "member" else "guest"
if s_score >= 4 and v_score >= high then vip
if visits > 0 then regular
if visits = 0 then lapsed
example "vip" given spend = 900, visits = 9, s_score = 5, v_score = 5 expect vip with code = 55, discount = 10%, cadence = 7d, action = "专属顾问"
example "lapsed" given spend = 0, visits = 0, since = 2024-06-01 as of 2024-06-30 expect lapsed with s_score = missing, tenure = 29d, discount = missing, perk = "guest"
"""


def _records(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        rec = {
            "spend": rng.choice([None, 0, 10.5, 99, 250, 1000, rng.randint(0, 2000)]),
            "visits": rng.choice([None, 0, 1, 2, 5, 9, rng.randint(0, 20)]),
            "member": rng.choice([None, True, False]),
            "since": rng.choice([None, "2023-01-15", "2024-06-01", dt.date(2022, 3, 4)]),
        }
        if i % 17 == 5:
            rec["since"] = "not a date"  # read only by an output: the output is missing
        out.append(rec)
    return out


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a is not None:
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return a == b


# ---------------------------------------------------------------- syntax


def test_parses_english_and_chinese_with_contextual_words():
    text = """
ruleset t
field output : number
field 输出 : number
field 附带 : number
label a "甲" with x = 1
标签 b "乙" 附带 x = 2, y = "文本"
output total = output + 输出 + 附带
输出 双倍 = total * 2 "两倍"
if output > 1 then a
如果 附带 > 1 那么 b
example "e" given output = 2 expect a with total = 2, x = 1
"""
    file, _, diags = parse(text)
    assert diags == []
    outs = [s for s in file.statements if isinstance(s, n.OutputDecl)]
    assert [o.name for o in outs] == ["total", "双倍"]
    labels = [s for s in file.statements if isinstance(s, n.LabelDecl)]
    assert [[(a.name, a.value.value) for a in lab.attributes] for lab in labels] == [
        [("x", 1)],
        [("x", 2), ("y", "文本")],
    ]
    ex = next(s for s in file.statements if isinstance(s, n.Example))
    assert [g.name for g in ex.expect_with] == ["total", "x"]
    rs = rulekit.compile(text)
    d = rs.classify({"output": 2, "输出": 1, "附带": 0})
    assert d.outputs == {"total": 3, "双倍": 6}
    assert d.attributes == {"x": 1, "y": None}


# ---------------------------------------------------------------- checker


def _errors(text: str) -> list:
    with pytest.raises(RuleError) as e:
        rulekit.compile(text)
    return [d for d in e.value.diagnostics if d.severity == "error"]


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        ("output rule = 1", "column-collision", "`t_rule`"),
        ("output x = 1\nlabel a with x = 2", "duplicate-name", "already an output"),
        ("label a with d = 1%, d = 2%", "duplicate-name", "twice"),
        ('label a with d = 1\nlabel b with d = "x"', "conflicting-attribute", "a string here"),
        ("label a with d = [1, 2]", "bad-attribute", "single constant"),
        ("output x = spnd * 2", "unknown-field", "spnd"),
        ("output x = spend + true", "type-mismatch", ""),
        ("output y = 1\nlet y = 2", "duplicate-name", "twice"),
        ("output spend = 1", "duplicate-name", "already a field"),
    ],
)
def test_check_errors(body, code, words):
    text = f"ruleset t\nfield spend : number\nfield t_x : number\n{body}\nif spend > 1 then a\n"
    errors = _errors(text)
    assert code in [d.code for d in errors], errors
    d = next(d for d in errors if d.code == code)
    assert words in d.message and d.hint


def test_collision_with_an_input_column_and_its_position():
    errors = _errors("ruleset t\nfield t_x : number\noutput x = t_x\nif t_x > 1 then a\n")
    (d,) = errors
    assert (d.code, d.line, d.column) == ("column-collision", 3, 8)
    assert "another name" in d.hint


def test_example_checks_unknown_output_with_suggestion():
    errors = _errors(
        "ruleset t\nfield s : number\noutput total = s\nif s > 1 then a\n"
        'example "e" given s = 2 expect a with totl = 2\n'
    )
    assert errors[0].code == "bad-example" and "`total`" in errors[0].hint


def test_outputs_do_not_count_as_unused_lets():
    rs = rulekit.compile("ruleset t\nfield s : number\noutput total = s\nif s > 1 then a\n")
    assert [w.code for w in rs.warnings] == []


# ---------------------------------------------------------------- the API


def test_classify_outputs_attributes_and_missing():
    rs = rulekit.compile(SHOP)
    pop = _records(40)
    rec = {"spend": 1000, "visits": 20, "member": True, "since": "2024-06-01"}
    d = rs.classify(rec, as_of=AS_OF, population=pop)
    assert d.label == "vip"
    assert d.outputs["tenure"] == 29 and d.outputs["perk"] == "member"
    assert d.outputs["code"] == d.outputs["s_score"] * 10 + d.outputs["v_score"]
    assert d.attributes == {
        "discount": 0.1,
        "cadence": 7,
        "action": "专属顾问",
        "priority_call": True,
    }
    # no label: outputs are computed, every attribute is missing
    d = rs.classify({"spend": None, "visits": None}, as_of=AS_OF, population=pop)
    assert d.label is None
    assert d.outputs["s_score"] is None and d.outputs["perk"] == "guest"
    assert set(d.attributes.values()) == {None}
    # a bad value read only by an output: that output is missing, the record is kept
    d = rs.classify({"spend": 5, "visits": 0, "since": "nope"}, as_of=AS_OF, population=pop)
    assert d.label == "lapsed" and d.outputs["tenure"] is None
    assert d.to_dict()["outputs"]["tenure"] is None
    assert d.to_dict()["attributes"]["discount"] is None


def test_rulesets_without_outputs_have_empty_dicts():
    rs = rulekit.compile("ruleset t\nfield s : number\nif s > 1 then a\n")
    d = rs.classify({"s": 2})
    assert d.outputs == {} and d.attributes == {}
    assert "outputs" not in d.to_dict()


def test_hit_all_takes_the_first_labels_attributes():
    rs = rulekit.compile(
        "ruleset t\nhit all\nfield s : number\nlabel a with k = 1\nlabel b with k = 2\n"
        "label c with j = yes\nif s > 5 then b\nif s > 1 then a\nif s > 100 then c\n"
    )
    for engine in ("python", "duckdb"):
        got = rs.classify_many([{"s": 10}, {"s": 2}, {"s": 0}, {"s": 200}], engine=engine)
        assert [d.attributes for d in got] == [
            {"k": 2, "j": None},
            {"k": 1, "j": None},
            {"k": None, "j": None},
            {"k": 2, "j": None},
        ]


@pytest.mark.parametrize("hit", ["first", "all"])
def test_python_and_duckdb_agree_row_for_row(hit):
    rs = rulekit.compile(SHOP.replace("ruleset shop\n", f"ruleset shop\nhit {hit}\n"))
    records = _records(300)
    py = rs.classify_many(records, as_of=AS_OF, on_error="skip", engine="python")
    db = rs.classify_many(records, as_of=AS_OF, on_error="skip", engine="duckdb")
    assert py.labels == db.labels
    assert [b.index for b in py.rejected] == [b.index for b in db.rejected]
    for a, b in zip(py, db, strict=True):
        if a is None:
            assert b is None
            continue
        assert b is not None and a.rules == b.rules
        assert (
            a.outputs.keys() == b.outputs.keys() == {"s_score", "v_score", "code", "tenure", "perk"}
        )
        for k in a.outputs:
            assert _same(a.outputs[k], b.outputs[k]), (k, a.outputs[k], b.outputs[k])
        assert a.attributes == b.attributes
    assert any(d is not None and d.outputs["tenure"] is None for d in py)
    assert any(d is not None and d.outputs["code"] is not None for d in py)


# ---------------------------------------------------------------- run, explain, sql, examples


def test_run_writes_the_same_columns_on_both_engines(cli, tmp_path):
    rules = tmp_path / "shop.rules"
    rules.write_text(SHOP, encoding="utf-8")
    data = tmp_path / "in.csv"
    rows = _records(60, seed=3)
    with data.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, ["id", "spend", "visits", "member", "since"])
        w.writeheader()
        for i, r in enumerate(rows):
            w.writerow({"id": i, **{k: "" if v is None else v for k, v in r.items()}})
    tables = {}
    for engine in ("python", "duckdb"):
        out = tmp_path / f"out_{engine}.csv"
        r = cli(
            "run",
            str(rules),
            "--data",
            str(data),
            "--as-of",
            "2024-06-30",
            "--engine",
            engine,
            "--on-error",
            "skip",
            "--out",
            str(out),
        )
        assert r.code == 0, r.err
        with out.open(encoding="utf-8") as fh:
            tables[engine] = list(csv.DictReader(fh))
    new = [
        "shop_s_score",
        "shop_v_score",
        "shop_code",
        "shop_tenure",
        "shop_perk",
        "shop_discount",
        "shop_cadence",
        "shop_action",
        "shop_priority_call",
    ]
    for engine, table in tables.items():
        assert list(table[0])[-len(new) :] == new, engine
    # the same text: a whole number or duration is written `2.0` by both (a double)
    for a, b in zip(tables["python"], tables["duckdb"], strict=True):
        for col in new:
            assert a[col] == b[col], (col, a[col], b[col])
    assert any(r["shop_action"] == "专属顾问" for r in tables["python"])


def test_explain_json_shows_outputs_and_attributes(cli, tmp_path):
    rules = tmp_path / "shop.rules"
    rules.write_text(SHOP, encoding="utf-8")
    r = cli(
        "explain",
        str(rules),
        "--set",
        "spend=0",
        "--set",
        "visits=0",
        "--set",
        "since=2024-06-01",
        "--as-of",
        "2024-06-30",
        "--format",
        "json",
    )
    doc = json.loads(r.out)
    outs = {o["name"]: o for o in doc["outputs"]}
    assert outs["tenure"]["value"] == 29 and outs["tenure"]["column"] == "shop_tenure"
    assert outs["perk"]["value"] == "guest"
    attrs = {a["name"]: a["value"] for a in doc["attributes"]}
    assert attrs == {"discount": None, "cadence": None, "action": None, "priority_call": None}
    text = cli(
        "explain", str(rules), "--set", "spend=0", "--set", "visits=0", "--as-of", "2024-06-30"
    ).out
    assert "outputs" in text and "perk = " in text


def test_examples_check_outputs_and_say_what_differs(cli, tmp_path):
    rules = tmp_path / "shop.rules"
    rules.write_text(SHOP, encoding="utf-8")
    assert cli("test", str(rules)).code == 0
    rules.write_text(SHOP.replace("code = 55", "code = 54"), encoding="utf-8")
    r = cli("test", str(rules))
    assert r.code != 0 and "expected code = 54, got 55" in r.out


def test_sql_has_the_columns_in_every_dialect():
    rs = rulekit.compile(SHOP)
    for dialect in ("duckdb", "spark"):
        sql = sql_for(rs, dialect=dialect)
        for col in ("shop_code", "shop_discount", "shop_action"):
            assert col in sql, (dialect, col)


def test_shipped_rfm_scores_and_code():
    rs = rulekit.load("rfm")
    assert list(rs.program.outputs) == ["r_score", "f_score", "m_score", "code"]
    rows = [
        {"recency_days": d, "frequency": f, "monetary": m}
        for d, f, m in [(5, 30, 90000), (60, 6, 12000), (300, 1, 300), (400, 0, 0), (20, 3, 500)]
    ]
    for engine in ("python", "duckdb"):
        got = rs.classify_many(rows, as_of=AS_OF, engine=engine)
        first = got[0]
        assert (
            first.outputs["code"]
            == 100 * first.outputs["r_score"]
            + 10 * first.outputs["f_score"]
            + first.outputs["m_score"]
        )
        assert got[3].outputs["code"] is None and got[3].label == "general_winback"
        assert got[3].attributes["action"] == "仅自动化触达"


def test_analysis_and_freeze_work_with_outputs(cli, tmp_path):
    rules = tmp_path / "shop.rules"
    rules.write_text(SHOP, encoding="utf-8")
    r = cli("analyze", str(rules), "--format", "json")
    assert r.code in (0, 1) and "Traceback" not in r.err
    assert json.loads(r.out)["files"][0]["findings"] is not None
    rs = rulekit.compile(SHOP)
    base, later = _records(50, seed=1), _records(20, seed=2)
    frozen = rs.freeze(base, as_of=AS_OF)
    for engine in ("python", "duckdb"):
        a = rs.classify_many(later, as_of=AS_OF, population=frozen, on_error="skip", engine=engine)
        b = rs.classify_many(later, as_of=AS_OF, population=base, on_error="skip", engine=engine)
        assert [d and d.outputs for d in a] == [d and d.outputs for d in b]
        assert any(d is not None and d.outputs["s_score"] is not None for d in a)
