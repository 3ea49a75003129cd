"""Named decisions (`decision NAME … when PARENT is LABEL`, docs/language.md): syntax with
contextual English and Chinese keywords, the checker's rules, the result (`Decision.decisions`),
`run`'s columns, explain, sql, examples, analysis, and the same results on Python and DuckDB."""

from __future__ import annotations

import csv
import json
import random
import re
from pathlib import Path

import pytest

import rulekit
from rulekit.model.decisions import RESERVED_NAMES, column_collisions
from rulekit.source import Span

from .cli_support import ROOT, cli_fixture  # noqa: F401

RULES = """\
ruleset shop "商店" en "Shop"
field kind : string one of ["person", "company", "reseller"]
field amount : number
field orders : integer
field vip : boolean default false
let big = amount >= 1000

# the unnamed decision: the ruleset's own label, as in any file
if vip then vip_customer

decision channel "渠道" en "Channel"
  hit first
label trade "渠道客户"
label end_user "终端用户"
if kind = "reseller" then trade
if kind in ["person", "company"] then end_user

decision segment when channel is end_user
  hit all
label key "大客户"
label frequent "常客"
if big then key
if orders >= 10 then frequent
if orders > 1 / amount then frequent

决策 tier 当 segment 为 key
  命中 首条
  默认 standard
if amount >= 5000 then gold
if score(amount, 3) = 3 then silver

example "终端大客户" given kind = "company", amount = 6000, orders = 12
  expect channel = end_user, segment = [key, frequent], tier = gold
example "渠道客户" given kind = "reseller", amount = 6000, orders = 12
  expect channel = trade, segment = none, tier = none
example "vip" given kind = missing, vip = true expect vip_customer
"""

FLAT = """\
ruleset plain
field a : number
if a > 1 then x
example "x" given a = 2 expect x
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> rulekit.Ruleset:
    path = tmp_path_factory.mktemp("decisions") / "shop.rules"
    path.write_text(RULES, encoding="utf-8")
    return rulekit.load(path)


def _records(n: int, seed: int = 7) -> list[dict[str, object]]:
    """Records with missing values, a bad value now and then (a text amount) and amount 0."""
    rnd = random.Random(seed)
    out: list[dict[str, object]] = []
    for _ in range(n):
        out.append(
            {
                "kind": rnd.choice(["person", "company", "reseller", None]),
                "amount": rnd.choice([0, 50, 999, 1000, 4999, 5000, 9000, None, "lots"]),
                "orders": rnd.choice([0, 1, 2, 10, 40, None]),
                "vip": rnd.choice([True, False, None]),
            }
        )
    return out


def _shape(batch: rulekit.BatchResult) -> list[object]:
    return [
        None
        if d is None
        else (
            d.label,
            d.rule,
            {k: (v.labels, v.rules) for k, v in d.decisions.items()},
        )
        for d in batch
    ]


# ---- syntax and checking


def test_keywords_are_contextual_and_chinese() -> None:
    text = """\
field decision : number
field when : number
label decision
if decision > 1 and when > 1 then decision
决策 d 当 d2 为 x
if decision > 2 then y
decision d2
if when > 3 then x
"""
    program = rulekit.check_text(text, "t.rules")
    assert [x.code for x in program.diagnostics if x.severity == "error"] == []
    assert list(program.decisions) == ["d", "d2"]
    assert program.decisions["d"].parent == "d2"
    assert program.rules[0].label == "decision"


def test_a_file_without_named_decisions_is_unchanged() -> None:
    rs = rulekit.compile(FLAT, "plain.rules")
    d = rs.classify({"a": 2})
    assert d.decisions == {}
    assert "decisions" not in d.to_dict()
    assert rs.program.decisions == {}


def test_collision_check_takes_the_reserved_names() -> None:
    span = Span(0, 1)
    names = [("rule", span), ("a", span), ("a_rule", span), ("b", span), ("b", span)]
    found = [(name, column) for name, _, column in column_collisions("rs", names, RESERVED_NAMES)]
    assert found == [("rule", "rs_rule"), ("a_rule", "rs_a_rule"), ("b", "rs_b")]
    # the lead's cross-check passes its own reserved names (e.g. an output's)
    found = column_collisions("rs", [("score", span)], {"score"})
    assert [c for _, _, c in found] == ["rs_score"]


def test_each_decision_has_its_own_labels_and_hit_policy(shop: rulekit.Ruleset) -> None:
    p = shop.program
    assert list(p.labels) == ["vip_customer"]
    assert {k: str(d.program.hit) for k, d in p.decisions.items()} == {
        "channel": "first",
        "segment": "all",
        "tier": "first",
    }
    assert list(p.decisions["channel"].program.labels) == ["trade", "end_user"]
    assert p.decisions["tier"].program.default == "standard"
    assert p.decisions["tier"].column == "shop_tier"
    # a label of another decision is not this decision's (segment declares its labels)
    bad = RULES.replace("then key", "then trade")
    errors = [d for d in rulekit.check_text(bad, "t.rules").diagnostics if d.severity == "error"]
    assert [(e.code, e.line) for e in errors][:1] == [("unknown-label", 22)]
    assert "`trade`" in errors[0].message


# ---- semantics


def test_children_apply_only_below_their_parents_label(shop: rulekit.Ruleset) -> None:
    d = shop.classify({"kind": "company", "amount": 6000, "orders": 12}, as_of="2024-06-30")
    assert d.label is None  # the unnamed decision: vip is false (its default)
    assert d.decisions["channel"].label == "end_user"
    assert d.decisions["segment"].labels == ("key", "frequent")
    assert d.decisions["tier"].label == "gold"
    assert d.decisions["tier"].rule is not None and d.decisions["tier"].rule.line == 29
    # a reseller: segment and tier do not apply (no label, no rule, not even the default)
    d = shop.classify({"kind": "reseller", "amount": 6000, "orders": 12})
    assert d.decisions["channel"].label == "trade"
    assert d.decisions["segment"].labels == () and d.decisions["segment"].rule is None
    assert d.decisions["tier"].label is None
    # a missing kind: channel gives no label, so none below it apply
    d = shop.classify({"kind": None, "amount": 6000, "orders": 12, "vip": True})
    assert d.label == "vip_customer"
    assert [x.label for x in d.decisions.values()] == [None, None, None]
    # segment applies but does not give `key`: tier does not apply, its default is not given
    d = shop.classify({"kind": "person", "amount": 10, "orders": 40})
    assert d.decisions["segment"].labels == ("frequent",)
    assert d.decisions["tier"].label is None


def test_a_bad_value_in_an_applying_decision_sets_the_record_aside(shop: rulekit.Ruleset) -> None:
    # a text amount: only segment (and tier) read it — a bad record where segment applies …
    with pytest.raises(rulekit.RecordError) as info:
        shop.classify({"kind": "person", "amount": "lots", "orders": 0})
    assert info.value.bad.field == "amount"
    # … and not where it does not apply
    d = shop.classify({"kind": "reseller", "amount": "lots", "orders": 0})
    assert d.decisions["channel"].label == "trade"
    batch = shop.classify_many(
        [{"kind": "reseller", "amount": "lots"}, {"kind": "person", "amount": "lots"}],
        on_error="skip",
    )
    assert batch[0] is not None and batch[1] is None
    assert [b.index for b in batch.rejected] == [1]


def test_python_and_duckdb_agree_row_for_row(shop: rulekit.Ruleset, tmp_path: Path) -> None:
    records = _records(150)
    py = shop.classify_many(records, as_of="2024-06-30", on_error="skip", engine="python")
    db = shop.classify_many(records, as_of="2024-06-30", on_error="skip", engine="duckdb")
    assert _shape(py) == _shape(db)
    assert [(b.index, b.field, b.reason) for b in py.rejected] == [
        (b.index, b.field, b.reason) for b in db.rejected
    ]
    assert py.rejected and any(d is not None and d.decisions["tier"].label for d in py)
    # a file on DuckDB, the same
    path = tmp_path / "in.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, ["kind", "amount", "orders", "vip"])
        w.writeheader()
        w.writerows(
            {
                k: ("" if v is None else str(v).lower() if isinstance(v, bool) else v)
                for k, v in r.items()
            }
            for r in records
        )
    from_file = shop.classify_many(path, as_of="2024-06-30", on_error="skip", engine="duckdb")
    assert _shape(from_file) == _shape(py)
    # on_error="fail" stops at the first bad record, whichever decision met it, on both
    with pytest.raises(rulekit.RecordError) as a:
        shop.classify_many(records, as_of="2024-06-30", engine="python")
    with pytest.raises(rulekit.RecordError) as b:
        shop.classify_many(records, as_of="2024-06-30", engine="duckdb")
    assert a.value.bad.index == b.value.bad.index == py.rejected[0].index
    # one record at a time agrees with the batch (populations: the batch, frozen)
    frozen = shop.freeze(records, as_of="2024-06-30")
    for i in (0, 5, 17, 42):
        if py[i] is None:
            continue
        one = shop.classify(records[i], as_of="2024-06-30", population=frozen)
        assert {k: v.labels for k, v in one.decisions.items()} == {
            k: v.labels for k, v in py[i].decisions.items()
        }


@pytest.mark.parametrize("engine", ["python", "duckdb"])
@pytest.mark.parametrize("ext", ["csv", "jsonl", "parquet"])
def test_run_writes_one_column_pair_per_decision(cli, tmp_path, shop, engine, ext) -> None:  # noqa: F811
    records = _records(40, seed=3)
    data = tmp_path / "in.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    out = tmp_path / f"out.{ext}"
    r = cli(
        "run", shop.program.path, "--data", data, "--out", out, "--engine", engine,
        "--on-error", "skip", "--as-of", "2024-06-30",
    )  # fmt: skip
    assert r.code == 0, r.err
    import pyarrow.parquet as pq

    if ext == "parquet":
        rows = pq.read_table(out).to_pylist()
    elif ext == "jsonl":
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    else:
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
    cols = list(rows[0])
    assert cols[-8:] == [
        "shop", "shop_rule", "shop_channel", "shop_channel_rule",
        "shop_segment", "shop_segment_rule", "shop_tier", "shop_tier_rule",
    ]  # fmt: skip
    expected = shop.classify_many(records, as_of="2024-06-30", on_error="skip")
    for row, d in zip(rows, expected, strict=True):
        tier = d.decisions["tier"].label if d is not None else None
        assert (row["shop_tier"] or None) == tier
        seg = d.decisions["segment"].labels if d is not None else ()
        got = row["shop_segment"]
        got = json.loads(got) if isinstance(got, str) and got else got
        assert list(got or []) == list(seg)


def test_frames_get_the_decision_columns(shop: rulekit.Ruleset) -> None:
    import pyarrow as pa

    records = [r for r in _records(30, seed=5) if not isinstance(r["amount"], str)]
    table = pa.Table.from_pylist(records)
    out = rulekit.classify_frame(table, shop, as_of="2024-06-30", on_error="skip").to_pylist()
    expected = shop.classify_many(records, as_of="2024-06-30", on_error="skip")
    for row, d in zip(out, expected, strict=True):
        assert d is not None
        assert row["shop_channel"] == d.decisions["channel"].label
        assert (row["shop_segment"] or []) == list(d.decisions["segment"].labels)
        assert row["shop_tier_rule"] == (
            d.decisions["tier"].rule.name if d.decisions["tier"].rule else None
        )


# ---- explain, sql, examples, analysis


def test_explain_a_decision_and_all_in_short(cli, shop) -> None:  # noqa: F811
    path = shop.program.path
    r = cli("explain", path, "--set", "kind=person", "--set", "amount=10", "--set", "orders=40",
            "--decision", "tier", "--as-of", "2024-06-30")  # fmt: skip
    assert r.code == 0, r.err
    assert re.search(r"ruleset +shop_tier", r.out)
    assert "applies only where segment is key" in r.err + r.out
    r = cli("explain", path, "--set", "kind=reseller", "--as-of", "2024-06-30", "--format", "json")
    doc = json.loads(r.out)
    assert doc["decisions"]["channel"] == {
        "applies": True,
        "labels": ["trade"],
        "rules": [{"name": "line 15", "line": 15}],
    }
    assert doc["decisions"]["tier"]["applies"] is False
    r = cli("explain", path, "--set", "kind=person", "--decision", "tierr")
    assert r.code != 0 and "did you mean 'tier'" in r.err
    r = cli("explain", path, "--set", "kind=person", "--decision", "segment", "--why-not", "key")
    assert r.code == 0 and "line 22 → key" in r.out and "needs a value ≥ 1,000" in r.out


def test_sql_has_a_query_per_decision(cli, shop) -> None:  # noqa: F811
    r = cli("sql", shop.program.path, "--as-of", "2024-06-30")
    assert r.code == 0, r.err
    assert "-- decision tier: columns shop_tier, shop_tier_rule; it applies only where " in r.out
    assert r.out.count("-- decision ") == 3
    plain = cli("sql", "value_tier").out
    assert "-- decision" not in plain


def test_examples_check_each_decisions_label(shop, tmp_path) -> None:
    results = shop.test()
    assert [x.passed for x in results] == [True, True, True]
    assert results[0].expected == ("channel = end_user", "segment = [key, frequent]", "tier = gold")
    wrong = RULES.replace("segment = none, tier = none", "segment = none, tier = gold")
    path = tmp_path / "shop.rules"
    path.write_text(wrong, encoding="utf-8")
    [_, failed, _] = rulekit.load(path).test()
    assert not failed.passed
    assert failed.actual == ("channel = trade", "segment = none", "tier = none")


def test_analysis_runs_per_decision(tmp_path) -> None:
    from rulekit.analysis.analyzer import analyze_parts

    path = tmp_path / "d.rules"
    path.write_text(
        "field a : number\nfield b : number\ndecision one\nif a > 1 then x\nif a > 5 then y\n"
        "decision two when one is x\nif a > 2 then z\n",
        encoding="utf-8",
    )
    parts = analyze_parts(rulekit.load(path), as_of="2024-06-30", timeout_ms=2000)
    assert [p.ruleset.id for p in parts] == ["d_one", "d_two"]
    kinds = [(f.kind, f.message.split(":")[0]) for p in parts for f in p.findings]
    assert ("unreachable", "decision one") in kinds  # a > 5 comes after a > 1 (hit first)
    # b is read by no decision: unused; a is read: not reported
    unused = [f.message for p in parts for f in p.findings if f.kind == "unused-field"]
    assert unused and all("'b'" in m for m in unused)


# ---- the shipped hierarchies


LENOVO_PATH = ["channel", "channel_type", "end_user_type", "stage", "key_account"]


def test_lenovo_flat_label_is_the_path_of_its_decisions() -> None:
    """The former flat labels (before the rewrite) are the labels along the path joined with
    "_": checked on the bundled sample against the counts of the flat version."""
    rs = rulekit.load(ROOT / "rulesets" / "lenovo_hierarchical_segmentation.rules")
    with (ROOT / "examples" / "data" / "customers.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    from collections import Counter

    for engine in ("python", "duckdb"):
        batch = rs.classify_many(rows, as_of="2024-06-30", on_error="skip", engine=engine)
        flat = Counter(
            "_".join(x for x in (d.decisions[k].label for k in LENOVO_PATH) if x) or None
            for d in batch
            if d is not None
        )
        assert flat == Counter(
            {
                "end_user_consumer": 1255, "end_user_commercial_order": 186, "channel_dealer": 73,
                "channel_distributor": 69, "channel_regional_distributor": 65, "channel_agent": 55,
                "end_user": 54, "channel_exclusive_store": 47, "end_user_commercial_one_time": 38,
                "end_user_commercial_order_direct_named_key_account": 36,
                "end_user_commercial_lead": 36, "end_user_commercial_order_regional_key_account": 25,
                "end_user_commercial_opportunity": 23,
                "end_user_commercial_order_indirect_named_key_account": 18, "channel": 11,
                "end_user_commercial": 9,
            }
        ), engine  # fmt: skip


def test_run_summary_counts_each_named_decision(cli, tmp_path) -> None:  # noqa: F811
    """A file whose rules are all in named decisions: the summary shows each decision's labels
    (not just "labelled 0"), and each decision's counts reconcile with the rows."""
    summary = tmp_path / "s.json"
    r = cli(
        "run", "lenovo_hierarchical_segmentation", "--data",
        str(ROOT / "examples" / "data" / "customers.csv"), "--as-of", "2024-06-30",
        "--engine", "python", "--summary-json", str(summary),
    )  # fmt: skip
    assert r.code == 0, r.err
    assert "decision channel" in r.out and "decision key_account" in r.out
    doc = json.loads(summary.read_text(encoding="utf-8"))
    entry = doc["rulesets"][0] if "rulesets" in doc else doc
    decisions = {d["decision"]: d for d in entry["decisions"]}
    assert list(decisions) == LENOVO_PATH
    for d in decisions.values():
        labelled = sum(lab["count"] for lab in d["labels"])
        assert labelled == d["labelled"]
        assert d["labelled"] + d["unlabelled"] + entry["rejected"] == entry["rows_in"] == 2000
    assert {lab["label"]: lab["count"] for lab in decisions["channel"]["labels"]} == {
        "channel": 320,
        "end_user": 1680,
    }
