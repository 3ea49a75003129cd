"""Static analysis (rulekit.analysis): each silent mistake of issue 12's "Why" found with a
witness that the engine reproduces, or with the proof that none exists; acceptance comments;
the API, the CLI (exit codes, --fail-on, text/json/sarif) and the shipped rulesets."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

import rulekit
from rulekit.analysis import FileAnalysis, Finding
from rulekit.documents.schema import validate
from rulekit.engines.population import FrozenPopulation, Population

from .cli_support import cli_fixture  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent


def analyze(text: str, **kw: Any) -> FileAnalysis:
    return rulekit.compile(text, "t.rules").analyze(**kw)


def only(fa: FileAnalysis, kind: str) -> list[Finding]:
    return [f for f in fa.findings if f.kind == kind]


def replay(rs: rulekit.Ruleset, f: Finding) -> rulekit.Decision:
    """Classify the witness again on the public API (not the traced path the analysis used),
    in the population it was ranked in."""
    w = f.witness
    assert w is not None
    population = None
    if w.population:
        pops = {
            key: Population.build(key, [(v, None) for v in values], False)
            for key, values in w.population.items()
        }
        population = FrozenPopulation(rs.id, pops, 1)
    record = {rs.program.fields[k].column: v for k, v in w.record.items()}
    return rs.classify(record, as_of=w.as_of, population=population)


# ---------------------------------------------------------------- the "Why" bullets


def test_a_rule_covered_by_an_earlier_one_can_never_fire():
    text = "IF spend > 10 THEN silver\nIF spend > 20 THEN gold\n"
    fa = analyze(text)
    (f,) = only(fa, "unreachable")
    assert f.severity == "error" and f.rules == [1, 0] and f.labels == ["gold"]
    assert "taken first by the rule on line 1" in f.message
    assert f.proof is not None
    # the witness matches the gold rule, and the engine gives silver
    assert f.witness is not None and f.witness.record["spend"] > 20
    assert replay(rulekit.compile(text), f).label == "silver"


def test_a_contradictory_condition_names_the_parts_that_cannot_hold_together():
    fa = analyze("IF age < 5 AND age > 7 THEN x\nIF age > 1 THEN y\n")
    (f,) = only(fa, "contradiction")
    assert f.rules == [0] and f.severity == "error" and f.witness is None
    assert "`age < 5` and `age > 7`" in f.message
    assert not only(fa, "unreachable")  # a contradiction is reported once


def test_two_rules_that_can_fire_together_under_hit_unique_overlap():
    text = "hit unique\nIF spend > 10 THEN silver\nIF spend > 20 AND years > 1 THEN gold\n"
    rs = rulekit.compile(text)
    (f,) = only(rs.analyze(), "overlap")
    assert f.severity == "error" and sorted(f.rules) == [0, 1]
    w = f.witness
    assert w is not None and w.record["spend"] > 20 and w.record["years"] > 1
    assert w.explanation.conflict is not None
    with pytest.raises(rulekit.RecordError, match="more than one rule matched"):
        replay(rs, f)


def test_no_overlap_is_reported_for_exclusive_rules_under_hit_unique():
    fa = analyze("hit unique\nIF spend > 10 THEN a\nIF spend <= 10 THEN b\n")
    assert only(fa, "overlap") == []
    (gap,) = only(fa, "gap")  # only a missing spend matches neither rule
    assert gap.severity == "info" and gap.witness is not None
    assert gap.witness.record == {"spend": None}


def test_a_table_without_default_has_a_gap_with_a_witness():
    text = (
        "field recency : duration\nfield frequency : integer\n"
        "IF recency > 30d THEN lapsed\n"
        "IF recency <= 30d AND frequency >= 5 THEN active\n"
        "IF recency <= 30d AND frequency <= 1 THEN new\n"
    )
    rs = rulekit.compile(text)
    gaps = only(rs.analyze(), "gap")
    main = [g for g in gaps if g.severity == "warning"]
    assert len(main) == 1
    w = main[0].witness
    assert w is not None
    assert w.record["recency"] <= 30 and 2 <= w.record["frequency"] <= 4
    assert replay(rs, main[0]).label is None
    # a default closes the gap
    assert only(rulekit.compile(text + "default other\n").analyze(), "gap") == []


def test_a_label_no_rule_that_can_fire_gives_is_unused():
    text = (
        "label silver\nlabel gold\nlabel platinum\n"
        "IF spend > 10 THEN silver\nIF spend > 20 THEN gold\n"
    )
    fa = analyze(text)
    unused = {f.labels[0]: f for f in only(fa, "unused-label")}
    assert set(unused) == {"gold", "platinum"}
    assert "only rules that can never fire" in unused["gold"].message
    assert "no rule gives it" in unused["platinum"].message


def test_a_sub_condition_implied_by_the_rest_is_redundant():
    fa = analyze("IF x > 5 AND x > 3 THEN a\nIF x <= 5 THEN b\n")
    (f,) = only(fa, "redundant-condition")
    assert "`x > 3`" in f.message and f.rules == [0]


def test_duplicate_rules_are_found_semantically():
    fa = analyze("IF x between 1 and 5 THEN a\nIF x >= 1 AND x <= 5 THEN b\ndefault c\n")
    (f,) = only(fa, "duplicate-rule")
    assert f.rules == [1, 0] and f.witness is not None
    assert f.witness.matched == [0, 1]


def test_an_unused_field_is_reported():
    fa = analyze('field a : number "A"\nfield b : number "B"\nIF a > 1 THEN x\ndefault y\n')
    assert [f.message for f in only(fa, "unused-field")] == [
        "field 'b' is declared but no rule reads it"
    ]


def test_partial_shadowing_is_information_with_a_witness():
    text = "IF spend > 20 THEN gold\nIF spend > 10 THEN silver\ndefault none_\n"
    rs = rulekit.compile(text)
    (f,) = only(rs.analyze(), "partially-shadowed")
    assert f.severity == "info" and f.rules == [1, 0]
    assert replay(rs, f).label == "gold"


def test_hit_all_reports_no_shadowing():
    fa = analyze("hit all\nIF spend > 10 THEN a\nIF spend > 20 THEN b\ndefault z\n")
    assert not only(fa, "partially-shadowed") and not only(fa, "unreachable")


def test_priority_order_is_the_evaluation_order():
    text = "hit priority\nIF spend > 10 THEN a priority 1\nIF spend > 20 THEN b priority 5\n"
    fa = analyze(text + "default z\n")
    assert not only(fa, "unreachable")  # b is evaluated first
    (f,) = only(fa, "partially-shadowed")
    assert f.rules == [0, 1]


def test_missing_values_follow_three_valued_logic():
    # `not (x > 5)` is not true when x is missing: with `x > 5` the rules still leave a gap
    fa = analyze("IF x > 5 THEN a\nIF NOT (x > 5) THEN b\n")
    (g,) = only(fa, "gap")
    assert g.witness is not None and g.witness.record["x"] is None


def test_dates_strings_and_today():
    text = (
        'field region : string one of ["north", "south"]\nfield since : date\n'
        'IF region = "north" AND days_since(since) > 30d THEN a\n'
        'IF region = "north" AND days_since(since) > 60d THEN b\n'
        "default z\n"
    )
    fa = analyze(text)
    (f,) = only(fa, "unreachable")
    assert f.rules == [1, 0]
    pinned = analyze(text, as_of="2024-06-30")
    (p,) = only(pinned, "partially-shadowed") or only(pinned, "unreachable")
    assert p.witness is not None and p.witness.as_of.isoformat() == "2024-06-30"


# ---------------------------------------------------------------- acceptance comments


def test_an_allow_comment_with_a_reason_accepts_the_finding():
    text = (
        "hit unique\n"
        "IF spend > 10 THEN silver\n"
        "# allow: overlap — vip wins by review\n"
        "IF spend > 20 THEN gold\n"
        "default z\n"
    )
    fa = analyze(text)
    (f,) = only(fa, "overlap")
    assert f.accepted == "vip wins by review" and f.accepted_line == 3
    assert not fa.fails("error")


def test_an_allow_comment_without_a_reason_or_for_another_kind_accepts_nothing():
    base = "IF spend > 10 THEN silver\nIF spend > 20 THEN gold {}\ndefault z\n"
    assert analyze(base.format("# allow: unreachable")).fails("error")
    assert analyze(base.format("# allow: gap — not this one")).fails("error")
    assert not analyze(base.format("# allow: unreachable — kept for the audit")).fails("error")


# ---------------------------------------------------------------- the command line


def test_analyze_cli_exit_codes_and_fail_on(cli, tmp_path):
    path = tmp_path / "t.rules"
    path.write_text("IF spend > 10 THEN silver\nIF spend > 20 THEN gold\ndefault z\n", "utf-8")
    r = cli("analyze", path)
    assert r.code == 1 and "error[unreachable]" in r.out and "^^^" in r.out
    assert "the engine gives it: silver" in r.out
    path.write_text("IF x > 5 AND x > 3 THEN a\ndefault z\n", "utf-8")
    assert cli("analyze", path).code == 0
    assert cli("analyze", path, "--fail-on", "warning").code == 1
    assert cli("check", path, "--analyze").code == 0
    assert cli("check", path, "--analyze", "--fail-on", "warning").code == 1
    assert cli("analyze", path, "--as-of", "tomorrow").code == 2


def test_check_strict_includes_the_analysis_errors(cli, tmp_path):
    path = tmp_path / "t.rules"
    path.write_text(
        'field spend : number "消费"\nlabel silver\nlabel gold\nlabel z\n'
        "IF spend > 10 THEN silver\nIF spend > 20 THEN gold\ndefault z\n",
        "utf-8",
    )
    assert cli("check", path).code == 0
    r = cli("check", path, "--strict")
    assert r.code == 1 and "error[unreachable]" in r.out


def test_json_output_is_a_valid_analysis_document(cli):
    r = cli("analyze", "tests/fixtures/analysis/rfm_scores.rules", "--format", "json")
    assert r.code == 1
    doc = json.loads(r.out)
    validate("analysis", doc)
    assert doc["format"] == "rulekit-analysis/1"
    (file,) = doc["files"]
    kinds = {f["kind"] for f in file["findings"]}
    assert {"unreachable", "gap", "duplicate-rule", "unused-label"} <= kinds
    gap = next(f for f in file["findings"] if f["kind"] == "gap" and f["region"])
    assert gap["cells"] == {"uncovered": 36, "total": 125, "exact": True}
    assert all(set(box) == {"r", "f", "m"} for box in gap["region"])


def test_sarif_output_is_sarif_2_1_0(cli):
    sarif_pydantic = pytest.importorskip("sarif_pydantic")
    r = cli("analyze", "tests/fixtures/analysis/rfm_scores.rules", "--format", "sarif")
    log = json.loads(r.out)
    parsed = sarif_pydantic.Sarif.model_validate(log)
    assert parsed.version == "2.1.0"
    results = log["runs"][0]["results"]
    rules = [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]]
    assert {"error", "warning", "note"} >= {x["level"] for x in results}
    unreachable = [x for x in results if x["ruleId"] == "unreachable"]
    assert len(unreachable) == 4
    assert all(rules[x["ruleIndex"]] == x["ruleId"] for x in results)
    lines = sorted(
        x["locations"][0]["physicalLocation"]["region"]["startLine"] for x in unreachable
    )
    assert lines == [25, 26, 30, 32]


# ---------------------------------------------------------------- the shipped rulesets


SHIPPED = sorted((ROOT / "rulesets").glob("*.rules"))


def test_every_shipped_ruleset_has_no_open_error_or_warning_and_every_witness_reproduces():
    start = time.perf_counter()
    problems, accepted = [], 0
    from rulekit.analysis.analyzer import analyze_parts

    for path in SHIPPED:
        # a file with named decisions: one analysis per decision, each replayed on its ruleset
        for fa in analyze_parts(rulekit.load(path)):
            assert fa.unknown == [], (path.name, fa.unknown)
            for f in fa.open:
                if f.severity != "info":
                    problems.append(f"{path.name}: {f.kind}: {f.message}")
            accepted += len(fa.accepted)
            for f in fa.findings:
                if f.witness is not None and not f.witness.population:
                    decision = replay(fa.ruleset, f)
                    assert list(decision.labels) == list(f.witness.explanation.decision.labels)
    assert problems == []
    assert accepted >= 39  # each table without a default says why, with `# allow: gap`
    print(f"analysed {len(SHIPPED)} rulesets in {time.perf_counter() - start:.1f}s")
