"""Shared parameters: `param` and `use` (English and Chinese), constants folded on every engine,
overrides from the API (`params={…}`) and the command line (`--param`), their errors, and the
shipped rulesets' shared parameters file (issue 14, item 8)."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import re
from pathlib import Path

import pytest

import rulekit
from rulekit.model.params import ParamError

from .cli_support import AS_OF, ROOT, cli_fixture  # noqa: F401

PARAMS = """\
# shared
param sleeping_after = 180d "沉睡阈值" en "sleeping after"
param vip_min = 5000
param segments = ["a", "b"]
param since = 2024-01-01
param name = "O'Brien"
"""
RULES = """\
ruleset r
use "params.rules"
field recency : duration
field monetary : number
field seg : string
field who : string
field first : date
let cut = sleeping_after
if recency > cut then sleeping
if monetary >= vip_min and seg in segments then vip
if who = name and first >= since then named
example "sleeping" given recency = 200d, monetary = 1, seg = "a", who = "x", first = 2024-02-01 expect sleeping
"""
RECORDS = [
    {"recency": 200, "monetary": 1, "seg": "a", "who": "x", "first": "2024-02-01"},
    {"recency": 250, "monetary": 6000, "seg": "c", "who": "x", "first": "2024-02-01"},
    {"recency": 10, "monetary": 6000, "seg": "b", "who": "x", "first": "2024-02-01"},
    {"recency": 10, "monetary": 1, "seg": "b", "who": "O'Brien", "first": "2024-03-01"},
    {"recency": None, "monetary": None, "seg": None, "who": None, "first": None},
]


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    (tmp_path / "params.rules").write_text(PARAMS, encoding="utf-8")
    path = tmp_path / "r.rules"
    path.write_text(RULES, encoding="utf-8")
    return path


def _labels(rs: rulekit.Ruleset, engine: str) -> list[tuple[str | None, int | None]]:
    batch = rs.classify_many(RECORDS, as_of=AS_OF, engine=engine)
    return [
        (d.label, d.rule.line if d.rule else None) if d else (None, None) for d in batch.decisions
    ]


def test_params_are_constants_on_python_and_duckdb(rules: Path) -> None:
    rs = rulekit.load(rules)
    expected = [("sleeping", 9), ("sleeping", 9), ("vip", 10), ("named", 11), (None, None)]
    assert _labels(rs, "python") == expected
    assert _labels(rs, "duckdb") == expected
    assert rs.params == {
        "sleeping_after": 180,
        "vip_min": 5000,
        "segments": ("a", "b"),
        "since": dt.date(2024, 1, 1),
        "name": "O'Brien",
    }
    assert [e.passed for e in rs.test()] == [True]


def test_constants_are_folded_into_the_sql_as_escaped_literals(cli, rules: Path) -> None:
    sql = cli("sql", str(rules)).out
    assert "5000" in sql and "'O''Brien'" in sql and "('a', 'b')" in sql
    assert "vip_min" not in sql and "sleeping_after" not in sql


def test_overrides_from_the_api_on_both_engines(rules: Path) -> None:
    rs = rulekit.load(rules, params={"sleeping_after": "220d", "segments": ["c"]})
    expected = [(None, None), ("sleeping", 9), (None, None), ("named", 11), (None, None)]
    assert _labels(rs, "python") == expected
    assert _labels(rs, "duckdb") == expected
    info = rs.program.params["sleeping_after"]
    assert (info.overridden, info.text, info.declared_text) == (True, "220d", "180d")
    # Python values are taken too; a ruleset overridden again keeps the earlier overrides
    again = rs.with_params({"vip_min": 100, "since": dt.date(2024, 2, 15)})
    assert again.params["vip_min"] == 100 and again.params["sleeping_after"] == 220
    assert _labels(again, "python")[1] == ("sleeping", 9)
    # pickled (sent to a worker), it is compiled again with its overrides
    back = pickle.loads(pickle.dumps(rs))
    assert back == rs and back.params["segments"] == ("c",)
    compiled = rulekit.compile(RULES, str(rules), params={"vip_min": "1k"})
    assert compiled.params["vip_min"] == 1000


@pytest.mark.parametrize(
    "params,words",
    [
        (
            {"sleeping_aftr": "200d"},
            ["unknown param `sleeping_aftr`", "did you mean `sleeping_after`"],
        ),
        (
            {"sleeping_after": "200"},
            ["param `sleeping_after`", "duration", "180d", "params.rules:2:7"],
        ),
        ({"vip_min": "lots"}, ["param `vip_min`", "integer"]),
        ({"segments": "a"}, ["param `segments`", "list of string"]),
        ({"since": "2024-13-01"}, ["param `since`", "date"]),
        ({"vip_min": "1\nif true then x"}, ["param `vip_min`"]),
    ],
)
def test_bad_overrides_name_the_param_and_its_type(rules: Path, params, words) -> None:
    with pytest.raises(ParamError) as info:
        rulekit.load(rules, params=params)
    for word in words:
        assert word in str(info.value)


def test_keywords_are_contextual_and_chinese(tmp_path: Path) -> None:
    (tmp_path / "共享.rules").write_text('参数 门槛 = 3 "门槛"\n', encoding="utf-8")
    text = (
        '使用 "共享.rules"\nfield param : number\nfield use : number\n'
        "if param > 门槛 and use > 门槛 then 高\n"
    )
    rs = rulekit.compile(text, str(tmp_path / "z.rules"))
    assert rs.classify({"param": 5, "use": 4}).label == "高"
    assert rs.classify({"param": 5, "use": 2}).label is None
    assert rs.program.params["门槛"].used


def test_a_param_declared_in_the_rule_file_itself() -> None:
    rs = rulekit.compile("param cut = 10\nfield a : number\nif a > cut then x\n")
    assert rs.classify({"a": 11}).label == "x"
    assert (
        rulekit.compile("param cut = 10\nfield a : number\nif a > cut then x\n", params={"cut": 20})
        .classify({"a": 11})
        .label
        is None
    )


def _codes(text: str, path: Path) -> list[tuple[str, str, int]]:
    program = rulekit.check_text(text, str(path))
    return [(d.code, Path(d.file).name, d.line) for d in program.diagnostics]


def test_errors_of_used_files(tmp_path: Path) -> None:
    (tmp_path / "a.rules").write_text('use "b.rules"\nparam x = 1\n', encoding="utf-8")
    (tmp_path / "b.rules").write_text('use "a.rules"\nparam y = 2\n', encoding="utf-8")
    (tmp_path / "c.rules").write_text("param x = 2\n", encoding="utf-8")
    (tmp_path / "f.rules").write_text("param x = 1\n", encoding="utf-8")
    (tmp_path / "d.rules").write_text("param x = 1\nif x > 0 then z\n", encoding="utf-8")
    rule = tmp_path / "r.rules"
    body = "field f : number\nif f > x then big\n"
    assert _codes('use "a.rules"\n' + body, rule) == [("use-cycle", "b.rules", 1)]
    assert _codes('use "f.rules"\nuse "c.rules"\n' + body, rule)[:1] == [
        ("conflicting-param", "c.rules", 1)
    ]
    assert _codes('use "nope.rules"\nfield f : number\nif f > 1 then big\n', rule) == [
        ("use-not-found", "r.rules", 1)
    ]
    assert _codes('use "d.rules"\n' + body, rule)[0] == ("not-a-params-file", "r.rules", 1)
    # the same file used twice (directly and through another file) is one declaration
    (tmp_path / "e.rules").write_text('use "c.rules"\n', encoding="utf-8")
    assert _codes('use "c.rules"\nuse "e.rules"\n' + body, rule) == []
    [d] = rulekit.check_text('use "c.rules"\nparam x = 3\n' + body, str(rule)).diagnostics
    assert d.code == "conflicting-param" and "c.rules:1:7" in d.render()


def test_a_param_used_with_the_wrong_type_names_its_declaration(rules: Path) -> None:
    text = RULES.replace("if recency > cut", "if monetary > cut")
    errors = [d for d in rulekit.check_text(text, str(rules)).diagnostics if d.severity == "error"]
    assert [d.code for d in errors] == ["type-mismatch"]
    assert "`cut`" not in (errors[0].hint or "")  # cut is a let: its formula is the param
    text = RULES.replace("if recency > cut", "if monetary > sleeping_after")
    [d] = [d for d in rulekit.check_text(text, str(rules)).diagnostics if d.severity == "error"]
    assert "`sleeping_after` is a param of type duration = 180d" in (d.hint or "")
    assert "params.rules:2:7" in (d.hint or "")


def test_static_analysis_sees_the_overridden_constant() -> None:
    text = "param cut = 10\nfield a : number\nif a > cut then x\nif a > 20 then y\n"

    def kinds(params: dict[str, int] | None) -> set[str]:
        return {f.kind for f in rulekit.compile(text, params=params).analyze().findings}

    # cut = 10: every a > 20 already has a > 10, so the second rule is unreachable
    assert "unreachable" in kinds(None)
    # cut = 30: the analysis proves with 30, not with the declared 10
    assert "unreachable" not in kinds({"cut": 30})
    assert "partially-shadowed" in kinds({"cut": 30})


# ---------------------------------------------------------------- command line
def test_cli_param_on_run_explain_test_sql(cli, rules: Path, tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    out, summary = tmp_path / "o.jsonl", tmp_path / "s.json"
    r = cli(
        "run",
        str(rules),
        "--data",
        str(data),
        "--as-of",
        AS_OF,
        "--out",
        str(out),
        "--param",
        "sleeping_after=220d",
        "--summary-json",
        str(summary),
    )
    assert r.code == 0, r.err
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [row["r"] for row in rows] == [None, "sleeping", "vip", "named", None]
    [doc] = json.loads(summary.read_text(encoding="utf-8"))["rulesets"]
    shown = {p["name"]: p for p in doc["params"]}
    assert shown["sleeping_after"]["value"] == "220d"
    assert shown["sleeping_after"]["overridden"] is True
    assert shown["vip_min"] == shown["vip_min"] | {"value": "5000", "overridden": False}

    r = cli(
        "explain",
        str(rules),
        "--set",
        "recency=200d",
        "--set",
        "monetary=1",
        "--set",
        "seg=a",
        "--param",
        "sleeping_after=220d",
        "--as-of",
        AS_OF,
    )
    assert r.code == 0, r.err
    assert "sleeping_after" in r.out and "overridden (declared 180d)" in r.out
    r = cli("explain", str(rules), "--set", "recency=200d", "--as-of", AS_OF, "--format", "json")
    assert {p["name"] for p in json.loads(r.out)["params"]} == set(shown)

    assert cli("test", str(rules)).code == 0
    r = cli("test", str(rules), "--param", "sleeping_after=300d")
    assert r.code == 1 and "expected: sleeping" in r.out

    r = cli("sql", str(rules), "--param", "name=Mc'Coy", "--param", "vip_min=7k")
    assert r.code == 0 and "'Mc''Coy'" in r.out and ">= 7000" in r.out


def test_cli_param_errors(cli, rules: Path) -> None:
    r = cli("sql", str(rules), "--param", "vip_mn=3")
    assert r.code == 2 and "did you mean `vip_min`" in r.err
    r = cli("sql", str(rules), "--param", "vip_min")
    assert r.code == 2 and "NAME=VALUE" in r.err
    r = cli("sql", str(rules), "--param", "sleeping_after=soon")
    assert r.code == 2 and "`sleeping_after`" in r.err and "duration" in r.err
    r = cli("sql", str(rules.parent / "params.rules"))
    assert r.code == 2 and "parameters file" in r.err


def test_cli_param_on_freeze(cli, tmp_path: Path) -> None:
    rules = tmp_path / "p.rules"
    rules.write_text(
        "param n = 5\nfield m : number\nif score(m, n) >= n then top\n", encoding="utf-8"
    )
    data = tmp_path / "d.csv"
    data.write_text("m\n1\n2\n3\n", encoding="utf-8")
    out = tmp_path / "pop.json"
    r = cli(
        "freeze",
        str(rules),
        "--data",
        str(data),
        "--out",
        str(out),
        "--param",
        "n=3",
        "--as-of",
        AS_OF,
    )
    assert r.code == 0, r.err
    assert out.is_file()


# ---------------------------------------------------------------- shipped rulesets
SHARED = ROOT / "rulesets" / "_shared" / "params.rules"


def test_shipped_rulesets_share_one_parameters_file(cli) -> None:
    text = SHARED.read_text(encoding="utf-8")
    assert "param dormant_days" in text
    users = [
        p
        for p in (ROOT / "rulesets").glob("*.rules")
        if '"_shared/params.rules"' in p.read_text(encoding="utf-8")
    ]
    assert len(users) >= 30
    # 180d is no longer copied: every dormancy threshold reads the shared param
    copied = [
        p.name for p in users if re.search(r"^let .*= *180d", p.read_text(encoding="utf-8"), re.M)
    ]
    assert copied == []
    rs = rulekit.load("lifecycle")
    assert rs.params["dormant_days"] == 180
    # not a ruleset: not listed, not tested, its check is clean
    assert "params" not in cli("list", "--format", "json").out
    r = cli("test", str(SHARED))
    assert r.code == 0 and "0 files" in r.out
    assert cli("check", str(SHARED), "--strict").code == 0


def test_a_shared_override_changes_every_ruleset_that_uses_it() -> None:
    record = {"orders_count": 3, "recency_days": 150, "tenure_days": 500, "frequency": 1}
    assert rulekit.load("lifecycle").classify(record, as_of=AS_OF).label != "sleeping"
    rs = rulekit.load("lifecycle", params={"dormant_days": "120d"})
    assert rs.classify(record, as_of=AS_OF).label == "sleeping"


def test_diff_compares_params_by_value(cli, rules: Path, tmp_path: Path) -> None:
    same = tmp_path / "same.rules"
    same.write_text(RULES.replace("let cut = sleeping_after", "let cut = 180d"), encoding="utf-8")
    other = tmp_path / "other.rules"
    other.write_text(RULES.replace("let cut = sleeping_after", "let cut = 90d"), encoding="utf-8")
    r = cli("diff", str(rules), str(same), "--format", "json")
    assert json.loads(r.out)["lets"] == []
    r = cli("diff", str(rules), str(other), "--format", "json")
    assert json.loads(r.out)["lets"] == [{"name": "cut", "old": "180d", "new": "90d"}]


def test_an_override_does_not_hide_a_missing_parameters_file(rules: Path) -> None:
    (rules.parent / "params.rules").unlink()
    with pytest.raises(rulekit.RuleError) as info:
        rulekit.load(rules, params={"sleeping_after": "200d"})
    assert "use-not-found" in [d.code for d in info.value.diagnostics]
