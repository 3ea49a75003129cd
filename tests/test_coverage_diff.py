"""`rulekit coverage` and `rulekit diff` on the bundled example data: counts checked against
independent counts (a `hit all` copy of the ruleset; the Python engine row by row)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

import rulekit
from rulekit import io as rio

from .cli_support import cli_fixture  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
DATA = "examples/data/customers.csv"
OLD = "rulesets/lifecycle_active_sleeping.rules"
NEW = "tests/fixtures/analysis/lifecycle_v2.rules"
AS_OF = "2024-06-30"


@pytest.fixture(scope="module")
def rows():
    return rio.read_table(ROOT / DATA).rows


def labels_of(rs: rulekit.Ruleset, rows) -> list[str]:
    out = []
    for d in rs.classify_many(rows, AS_OF, on_error="skip"):
        out.append("(bad record)" if d is None else ("、".join(d.labels) or "(no label)"))
    return out


def test_diff_transition_matrix_on_duckdb_matches_an_independent_count(cli, rows):
    r = cli(
        "diff", OLD, NEW, "--data", DATA, "--as-of", AS_OF, "--engine", "duckdb", "--format", "json"
    )
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    old, new = rulekit.load(ROOT / OLD), rulekit.load(ROOT / NEW)
    expected = Counter(zip(labels_of(old, rows), labels_of(new, rows), strict=True))
    got = Counter({(t["from"], t["to"]): t["count"] for t in doc["data"]["transitions"]})
    assert got == expected
    assert doc["data"]["rows"] == len(rows) == 2000
    assert doc["data"]["changed"] == sum(c for (a, b), c in expected.items() if a != b) > 0
    # the static changes: thresholds in lets, the reorder and the renamed label
    assert {"name": "dormant_after", "old": "180d", "new": "120d"} in doc["lets"]
    assert doc["labels"]["renamed"] == [{"old": "old", "new": "loyal"}]
    assert {c["change"] for c in doc["rules"]} >= {"moved", "relabelled"}
    # example customers per changed cell, each with why it moved, and really in that cell
    old_labels, new_labels = labels_of(old, rows), labels_of(new, rows)
    for ex in doc["data"]["examples"]:
        assert 1 <= len(ex["rows"]) <= 3
        for row in ex["rows"]:
            i = row["row"]
            assert (old_labels[i], new_labels[i]) == (ex["from"], ex["to"])
            assert row["why"]["old"]["label"] == ex["from"]
            assert row["why"]["new"]["label"] == ex["to"]


def test_diff_python_engine_agrees_and_fail_on_change(cli, tmp_path):
    args = ("diff", OLD, NEW, "--data", DATA, "--as-of", AS_OF, "--format", "json")
    py = cli(*args, "--engine", "python", "--examples", "0")
    duck = cli(*args, "--engine", "duckdb", "--examples", "0", "--fail-on-change")
    assert duck.code == 1 and py.code == 0  # customers change label: --fail-on-change fails
    assert json.loads(py.out)["data"]["transitions"] == json.loads(duck.out)["data"]["transitions"]
    same = cli("diff", OLD, OLD, "--data", DATA, "--as-of", AS_OF, "--fail-on-change")
    assert same.code == 0 and "no change to the rules" in same.out
    assert cli("diff", OLD, NEW, "--fail-on-change").code == 2  # needs --data


def test_diff_text_and_html(cli, tmp_path):
    html = tmp_path / "diff.html"
    r = cli("diff", OLD, NEW, "--data", DATA, "--as-of", AS_OF, "--html", html)
    assert "label transitions" in r.out and "label renamed: old → loyal" in r.out
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "<script" not in page
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_coverage_counts_match_an_independent_count(cli, rows, tmp_path):
    html = tmp_path / "coverage.html"
    r = cli("coverage", OLD, "--data", DATA, "--as-of", AS_OF, "--format", "json", "--html", html)
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    rs = rulekit.load(ROOT / OLD)
    decided = Counter(d.rule.line for d in rs.classify_many(rows, AS_OF) if d and d.rule)
    # every rule's matches: the same rules under `hit all` give every matching rule
    text = (ROOT / OLD).read_text(encoding="utf-8").replace("  hit first", "  hit all")
    every = rulekit.compile(text, str((ROOT / OLD).with_name("all.rules")))  # `use` is relative
    matched = Counter(ref.line for d in every.classify_many(rows, AS_OF) if d for ref in d.rules)
    assert {r["line"]: r["decided"] for r in doc["rules"]} == {
        rule.line: decided[rule.line] for rule in rs.rules
    }
    assert {r["line"]: r["matched"] for r in doc["rules"]} == {
        rule.line: matched[rule.line] for rule in rs.rules
    }
    assert sum(doc["labels"].values()) == doc["rows"] == 2000
    assert doc["unlabelled_rows"] == doc["labels"]["(no label)"]
    page = html.read_text(encoding="utf-8")
    assert "<svg" in page and "<script" not in page


def test_coverage_lists_rules_that_never_fire(tmp_path, rows):
    rs = rulekit.compile(
        "IF orders_count >= 0 THEN any\nIF orders_count < 0 THEN never\n", "t.rules"
    )
    cov = rs.coverage(rows[:50], AS_OF)
    assert cov.never_fired == [1] and cov.decided[0] == cov.matched[0]
