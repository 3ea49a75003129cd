"""Population filters (`among` / `限于`) and staged populations (a population function ranking a
value that itself ranks): exact values against a hand-written reference, the same values row
for row on the Python engine and DuckDB (missing values and ties included), frozen populations
(saved, loaded, on both engines), explain, the static analysis and the diagnostics."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest

import rulekit
from rulekit.engines.duckdb_population import freeze as duckdb_freeze
from rulekit.engines.population import FrozenPopulation
from rulekit.model.stages import key_stages

AS_OF = dt.date(2024, 6, 30)


def _records(count: int, seed: int) -> list[dict]:
    rnd = random.Random(seed)
    return [
        {
            "recency": rnd.choice([None, 1, 2, 2, 3, 5, 8, 13]),
            "frequency": rnd.choice([None, 0, 0, 1, 2, 2, 3, 4]),
            "monetary": rnd.choice([None, 10, 20, 20, 30.5, 40]),
            "region": rnd.choice(["a", "b", None]),
            "member": rnd.choice([True, False, None]),
        }
        for _ in range(count)
    ]


FIELDS = """
field recency : number
field frequency : integer
field monetary : number
field region : string
field member : boolean
"""


def _value_labels(name: str, values: range) -> str:
    """Rules under `hit all` that reveal a let's value on every engine: one label per value,
    one for missing."""
    lines = [f"if {name} = {v} then {name}_{v}" for v in values]
    return "\n".join(lines + [f"if {name} is missing then {name}_missing"])


def _both(rs, records, population=None):
    """Labels of each record on the Python engine and on DuckDB."""
    out = []
    for engine in ("python", "duckdb"):
        res = rs.classify_many(records, as_of=AS_OF, engine=engine, population=population)
        out.append([sorted(d.labels) for d in res])
    return out


# ---------------------------------------------------------------------- reference


def _score(values: list, x, k: int):
    """LANGUAGE.md §5: min(k, 1 + floor(k × less(x) / N)) over the non-missing values."""
    pop = [v for v in values if v is not None]
    if x is None or not pop:
        return None
    less = sum(v < x for v in pop)
    return min(k, 1 + (k * less) // len(pop))


def _percentile(values: list, x):
    pop = [v for v in values if v is not None]
    if x is None or not pop:
        return None
    return 0 if len(pop) == 1 else 100 * sum(v < x for v in pop) / (len(pop) - 1)


def test_filtered_score_is_the_score_among_the_subset_and_missing_outside():
    records = _records(120, 1)
    rs = rulekit.compile(
        FIELDS
        + "hit all\nlet s = score(monetary, 5 among frequency > 0)\n"
        + _value_labels("s", range(1, 6)),
        "f.rules",
    )
    inside = [r["monetary"] if (r["frequency"] or 0) > 0 else None for r in records]
    expected = []
    for r in records:
        in_subset = r["frequency"] is not None and r["frequency"] > 0
        v = _score(inside, r["monetary"], 5) if in_subset else None
        expected.append([f"s_{v}" if v is not None else "s_missing"])
    py, duck = _both(rs, records)
    assert py == expected
    assert duck == expected
    # the rows outside (frequency 0 or missing) are missing although their monetary is not
    outside = [i for i, r in enumerate(records) if not (r["frequency"] or 0) > 0]
    assert outside and all(py[i] == ["s_missing"] for i in outside)
    assert any(records[i]["monetary"] is not None for i in outside)


def test_unknown_filter_is_outside_and_by_partitions_the_subset():
    records = _records(150, 2)
    rs = rulekit.compile(
        FIELDS
        + "hit all\nlet p = percentile(monetary among member by region)\n"
        + "if p >= 50 then upper\nif p < 50 then lower\nif p is missing then none_\n",
        "f.rules",
    )
    expected = []
    for r in records:
        if r["member"] is not True:  # false or unknown: outside the subset
            expected.append(["none_"])
            continue
        group = [
            x["monetary"] for x in records if x["member"] is True and x["region"] == r["region"]
        ]
        p = _percentile(group, r["monetary"])
        expected.append(["none_"] if p is None else ["upper" if p >= 50 else "lower"])
    py, duck = _both(rs, records)
    assert py == expected and duck == expected


def test_filter_on_top_bottom_and_cumulative_share_agrees_on_both_engines():
    records = _records(200, 3)
    rs = rulekit.compile(
        FIELDS
        + """hit all
let t = monetary in top 20% among frequency > 0 by region
let b = monetary in bottom 30% among (frequency > 0 and member)
let c = cumulative_share(monetary among frequency >= 2)
if t then top
if not t then not_top
if t is missing then top_missing
if b then bottom
if b is missing then bottom_missing
if c <= 0.5 then head
if c > 0.5 then tail
if c is missing then c_missing
""",
        "f.rules",
    )
    py, duck = _both(rs, records)
    assert py == duck
    for r, labels in zip(records, py):
        if not (r["frequency"] is not None and r["frequency"] > 0):
            assert "top_missing" in labels and "bottom_missing" in labels
        if r["frequency"] is None or r["frequency"] < 2:
            assert "c_missing" in labels
    # ties share: equal monetary in one region among buyers get the same top answer
    seen: dict = {}
    for r, labels in zip(records, py):
        if (r["frequency"] or 0) > 0 and r["monetary"] is not None:
            key = (r["region"], r["monetary"])
            assert seen.setdefault(key, "top" in labels) == ("top" in labels)


# ---------------------------------------------------------------------- staged

STAGED = (
    FIELDS
    + """hit all
let r = score(-recency, 5)
let f = score(frequency, 5)
let composite = score(0.5 * r + 0.3 * f + 0.2 * score(monetary, 5 among frequency > 0), 10)
let strong = percentile(monetary among percentile(frequency) >= 50)
"""
    + _value_labels("composite", range(1, 11))
    + "\nif strong >= 50 then strong_upper\nif strong is missing then strong_missing\n"
)


def _composite_reference(records: list[dict]) -> list:
    rec = [r["recency"] for r in records]
    neg = [-x if x is not None else None for r in records for x in [r["recency"]]]
    freq = [r["frequency"] for r in records]
    buyers = [r["monetary"] if (r["frequency"] or 0) > 0 else None for r in records]
    inner = []
    for r, x in zip(records, rec):
        sr = _score(neg, -x if x is not None else None, 5)
        sf = _score(freq, r["frequency"], 5)
        in_subset = r["frequency"] is not None and r["frequency"] > 0
        sm = _score(buyers, r["monetary"], 5) if in_subset else None
        parts = (sr, sf, sm)
        inner.append(None if None in parts else 0.5 * sr + 0.3 * sf + 0.2 * sm)
    return [_score(inner, v, 10) for v in inner]


def test_staged_composite_matches_the_reference_on_both_engines():
    records = _records(150, 4)
    rs = rulekit.compile(STAGED, "staged.rules")
    stages = key_stages(rs.program)
    # -recency, frequency (score and percentile share it), monetary among buyers; then two
    assert sorted(stages.values()) == [0, 0, 0, 1, 1]
    expected = _composite_reference(records)
    py, duck = _both(rs, records)
    assert py == duck
    got = [next(lbl for lbl in labels if lbl.startswith("composite_")) for labels in py]
    assert got == [f"composite_{v}" if v is not None else "composite_missing" for v in expected]
    assert any(v is None for v in expected) and len({v for v in expected if v}) > 3


def test_staged_populations_freeze_round_trip_on_both_engines(tmp_path):
    batch, later = _records(120, 5), _records(40, 6)
    rs = rulekit.compile(STAGED, "staged.rules")
    frozen = rs.freeze(batch, AS_OF)
    path = tmp_path / "staged.population.json"
    frozen.save(path)
    loaded = FrozenPopulation.load(path)
    assert loaded == frozen
    assert set(loaded.populations) == set(rs.compiled.pop_keys)  # every stage is kept
    # DuckDB freezes the same values (the outer ones computed from its own inner windows)
    on_duckdb = duckdb_freeze(rs, batch, AS_OF)
    for key, pop in frozen.populations.items():
        assert on_duckdb.populations[key] == pop, key
    # later records ranked against the frozen stages: the same on both engines, and the same
    # as ranking them within the original batch
    py, duck = _both(rs, later, population=loaded)
    assert py == duck
    together = _both(rs, batch + later, population=rs.freeze(batch, AS_OF))[0][len(batch) :]
    assert py == together


def test_explain_shows_each_stage_with_its_population_size():
    records = _records(80, 7)
    rs = rulekit.compile(STAGED, "staged.rules")
    record = next(
        r
        for r in records
        if None not in (r["recency"], r["frequency"], r["monetary"]) and r["frequency"] > 0
    )
    ex = rs.explain(record, batch=records, as_of=AS_OF)
    sizes = ex.trace.population_sizes
    composite = rs.program.lets["composite"].decl.expr
    assert sizes[composite.id] == sum(1 for v in _composite_reference(records) if v is not None)
    inner = [k for k in sizes if k != composite.id]
    assert len(inner) >= 3  # r, f and the filtered monetary score were ranked too
    doc = json.dumps(ex.to_dict(), ensure_ascii=False)
    assert "among frequency > 0" in doc and "composite" in doc


# ---------------------------------------------------------------------- language


def test_among_is_a_contextual_keyword_in_english_and_chinese():
    rs = rulekit.compile(
        """
        field among : number
        field 限于 : number
        field x : number
        hit all
        if score(x, 2 among among > 0) = 2 then hi
        if percentile(x 限于 限于 > 0) >= 0 then zh
        if among > 5 and 限于 > 5 then names
        """,
        "kw.rules",
    )
    records = [
        {"among": 1, "限于": 1, "x": 1},
        {"among": 9, "限于": 9, "x": 5},
        {"among": -1, "限于": -1, "x": 9},
    ]
    py, duck = _both(rs, records)
    assert py == duck == [["zh"], ["hi", "names", "zh"], []]


def test_among_outside_a_population_function_is_an_error():
    program = rulekit.check_text("if min(a, 2 among b > 0) > 1 then x\n", "e.rules")
    [d] = [d for d in program.diagnostics if d.severity == "error"]
    assert d.code == "wrong-arguments" and "`among`" in d.to_dict(lang="en")["message"]
    program = rulekit.check_text("if score(a, 2 among b + 1) > 1 then x\n", "e.rules")
    assert [d.code for d in program.diagnostics if d.severity == "error"] == ["not-a-condition"]


def test_static_analysis_handles_filters_and_stages():
    from rulekit.analysis.analyzer import Analyzer

    rs = rulekit.compile(
        STAGED + "if score(frequency, 5 among frequency > 0) is missing and frequency > 0 "
        "then never\n",
        "staged.rules",
    )
    never = len(rs.program.rules) - 1
    findings = Analyzer(rs, AS_OF).run().findings
    # inside the filter the score is not missing: that rule can never fire
    assert any(f.kind == "contradiction" and f.rules == [never] for f in findings)


@pytest.mark.parametrize("text", ["score(x, 5 among y > 0) = 1", "x in top 10% among y > 0"])
def test_filter_key_differs_from_the_unfiltered_population(text):
    rs = rulekit.compile(
        f"field x : number\nfield y : number\nhit all\nif {text} then a\n"
        "if percentile(x) > 1 then b\n",
        "k.rules",
    )
    assert len(rs.compiled.pop_keys) == 2


def test_why_not_says_a_record_is_outside_the_filter():
    rs = rulekit.compile(
        FIELDS + "if monetary in top 10% among frequency > 0 then key\ndefault other\n", "w.rules"
    )
    records = [{"monetary": m, "frequency": 1} for m in (10, 20, 30)]
    outside = {"monetary": 500, "frequency": 0}
    doc = json.dumps(rs.why_not(outside, "key", AS_OF, batch=records).to_dict())
    assert "ranked only where `frequency > 0` (it is false)" in doc
    assert "monetary = 500" in doc  # the value itself is shown, not "missing"


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_sql_ranks_each_stage_after_the_one_before(tmp_path, dialect, capsys):
    from rulekit.cli import main

    path = tmp_path / "staged.rules"
    path.write_text(STAGED, encoding="utf-8")
    assert main(["sql", str(path), "--dialect", dialect, "--as-of", "2024-06-30"]) == 0
    sql = capsys.readouterr().out
    assert "unsupported" not in sql
    q = "`" if dialect == "spark" else '"'
    # the filter makes the ranked column NULL outside the subset
    assert f"CASE WHEN {q}frequency{q} > 0 THEN {q}monetary{q} END" in sql
    # the composite's ranked value reads the inner scores: computed in a later step
    steps = [line for line in sql.splitlines() if "population of 0.5*r+0.3*f" in line]
    assert len(steps) == 1
    before = sql[: sql.index(steps[0])]
    assert before.count("_step_") >= 2 and "population of -recency" in before
