"""The DuckDB engine through the API: engine choice, frozen populations built by DuckDB and
used by both engines, validate="all", input order at scale, and clear errors."""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal

import pytest

import rulekit
from rulekit import io as rio
from rulekit.cli import main
from rulekit.engines import classify_with_engine, duckdb_engine, freeze
from rulekit.engines.duckdb_engine import EngineError
from rulekit.engines.population import FrozenPopulation

from .conftest import EXAMPLES, RULESETS

AS_OF = dt.date(2024, 6, 30)
CUSTOMERS = EXAMPLES / "data" / "customers.csv"


def _population_values(frozen: FrozenPopulation) -> dict:
    return {
        key: (p.partitioned, {g: list(v.sorted) for g, v in p.groups.items()})
        for key, p in frozen.populations.items()
    }


@pytest.mark.parametrize("ruleset", ["rfm", "abc_analysis", "value_tier_with_potential"])
def test_duckdb_freeze_is_pythons_freeze(ruleset, tmp_path):
    rs = rulekit.load(ruleset)
    rows = rio.read_table(CUSTOMERS).rows
    python = rs.freeze(rows, AS_OF)
    from_file = freeze(rs, str(CUSTOMERS), AS_OF)
    from_records = freeze(rs, rows, AS_OF)
    assert _population_values(from_file) == _population_values(python)
    assert _population_values(from_records) == _population_values(python)
    assert from_file.records == python.records == len(rows)
    # saved and loaded, it ranks later records exactly as the Python one does
    path = tmp_path / "pop.json"
    from_file.save(path)
    loaded = FrozenPopulation.load(path)
    later = rows[:300]
    a = rs.classify_many(later, as_of=AS_OF, population=python)
    b = rs.classify_many(later, as_of=AS_OF, population=loaded, engine="duckdb")
    assert a.labels == b.labels
    one = later[7]
    assert (
        rs.classify(one, as_of=AS_OF, population=loaded)
        == classify_with_engine(rs, [one], AS_OF, loaded, "fail", "duckdb")[0]
    )


def test_frozen_population_by_group():
    rs = rulekit.compile(
        """
        field region : string
        field spend : number
        let p = percentile(spend by region)
        if spend in top 20% by region then top
        if p >= 50 then upper
        if cumulative_share(spend by region) <= 0.5 then head
        """,
        "g.rules",
    )
    rnd = random.Random(3)
    base = [
        {"region": rnd.choice(["东", "西", None]), "spend": rnd.choice([1, 2, 2, 5, 8, None])}
        for _ in range(200)
    ]
    later = base[:40] + [{"region": "北", "spend": 3}, {"region": None, "spend": 100}]
    frozen = freeze(rs, base, AS_OF)
    assert _population_values(frozen) == _population_values(rs.freeze(base, AS_OF))
    assert (
        rs.classify_many(later, population=frozen, engine="duckdb").labels
        == rs.classify_many(later, population=frozen).labels
    )


def test_validate_all():
    rs = rulekit.compile(
        """
        hit first
        field a : integer
        field b : number
        if a > 1 then big
        if b > 1 then other
        """,
        "v.rules",
    )
    records = [{"a": 5, "b": "x"}, {"a": 0, "b": "x"}, {"a": "1.5", "b": 2}]
    for validate in ("needed", "all"):
        expected = rs.classify_many(records, validate=validate, on_error="skip")
        got = classify_with_engine(rs, records, None, None, "skip", "duckdb", validate)
        assert [(b.index, b.field) for b in got.rejected] == [
            (b.index, b.field) for b in expected.rejected
        ]
        assert got.labels == expected.labels
    assert [b.index for b in rs.classify_many(records, on_error="skip").rejected] == [1, 2]
    assert [
        b.index for b in rs.classify_many(records, on_error="skip", validate="all").rejected
    ] == [0, 1, 2]


def test_input_order_at_scale():
    rs = rulekit.load(RULESETS / "rfm.rules")
    rnd = random.Random(11)
    records = [
        {
            "recency_days": rnd.randint(0, 900),
            "frequency": rnd.randint(0, 40),
            "monetary": round(rnd.lognormvariate(7, 1.2), 2),
        }
        for _ in range(20_000)
    ]
    a = rs.classify_many(records, as_of=AS_OF)
    b = rs.classify_many(records, as_of=AS_OF, engine="duckdb")
    assert a.labels == b.labels
    assert [d.rule for d in a.decisions] == [d.rule for d in b.decisions]


def test_auto_engine_for_a_file_path():
    rs = rulekit.load("rfm")
    got = classify_with_engine(rs, str(CUSTOMERS), AS_OF, None, "fail", "auto")
    assert got.labels == rs.classify_many(rio.read_table(CUSTOMERS).rows, as_of=AS_OF).labels
    small = classify_with_engine(rs, [{"recency_days": 3}], AS_OF, None, "fail", "auto")
    assert small.counts["rows_in"] == 1


def test_clear_errors(tmp_path):
    rs = rulekit.load("rfm")
    with pytest.raises(EngineError, match="no such file"):
        classify_with_engine(rs, str(tmp_path / "missing.csv"), AS_OF, None, "fail", "duckdb")
    with pytest.raises(EngineError, match="unknown file type"):
        duckdb_engine.file_format("x.txt2")
    with pytest.raises(rulekit.RulekitError, match="on_error"):
        classify_with_engine(rs, [], AS_OF, None, "ignore", "duckdb")
    frozen = rulekit.load("abc_analysis").freeze(rio.read_table(CUSTOMERS).rows[:50], AS_OF)
    with pytest.raises(rulekit.RulekitError, match="freeze it from this ruleset"):
        classify_with_engine(rs, [{}], AS_OF, frozen, "fail", "duckdb")


def test_freeze_command(tmp_path, capsys):
    out = tmp_path / "rfm.population.json"
    assert (
        main(
            ["freeze", "rfm", "--data", str(CUSTOMERS), "--as-of", "2024-06-30", "--out", str(out)]
        )
        == 0
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "rulekit-population/1" and data["records"] == 2000
    assert "monetary" in capsys.readouterr().out
    assert (
        main(["freeze", "lifecycle_stage", "--data", str(CUSTOMERS), "--out", str(out)]) == 2
    )  # no population function: nothing to freeze
    assert main(["freeze", "rfm", "--data", str(CUSTOMERS), "--out", str(tmp_path / "x.csv")]) == 2


@pytest.mark.parametrize("element", ["date", "timestamp", "string", "number", "integer", "boolean"])
def test_list_items_of_every_python_type_as_python(element):
    """A list's items are coerced as Python coerces each item: a date or datetime object in a
    list of dates, a Decimal in a list of numbers (JSON has neither type)."""
    rs = rulekit.compile(f"field g : list of {element}\nif len(g) > 0 then x", "t.rules")
    records = [
        {"g": [dt.datetime(2024, 1, 1, 8)]},
        {"g": [dt.date(2024, 1, 1)]},
        {"g": ["2024-01-01"]},
        {"g": [Decimal("1.5"), 2]},
        {"g": None},
        {"g": []},
        {"g": (1, None)},
        {"g": [True, "是"]},
        {"g": [[1]]},
        {"g": [float("nan")]},
    ]
    python = rs.classify_many(records, as_of=AS_OF, on_error="skip", engine="python")
    duck = rs.classify_many(records, as_of=AS_OF, on_error="skip", engine="duckdb")
    assert duck.labels == python.labels
    assert [(b.index, b.reason) for b in duck.rejected] == [
        (b.index, b.reason) for b in python.rejected
    ]
