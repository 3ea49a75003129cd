"""Frozen populations saved and loaded: a population partitioned `by` a field of any type keeps
its group keys exactly (a date stays a date, a timestamp keeps its microseconds, the missing
group stays missing), so a loaded population ranks records exactly as the live one, on both
engines."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest

import rulekit
from rulekit.engines import freeze
from rulekit.engines.population import FrozenPopulation

AS_OF = dt.date(2024, 6, 30)

# the `by` field's type, and values of it as records give them (None: the missing group)
GROUPS = {
    "date": ["2024-01-01", "2024-01-02", "0001-01-01", "9999-12-31", None],
    "timestamp": ["2024-01-01T08:00", "2024-01-01T08:00:00.000001", "2024-01-01", None],
    "string": ["东", "2024-01-01", "1", "true", None],
    "integer": [1, 2, -7, 0, None],
    "number": [1, 2.5, 0.1, -3, None],
    "boolean": [True, False, None],
    "list of string": ["a,b", "b,a", "c", None],  # a list group is a tuple
}
UNSEEN = {
    "date": "2030-05-05",
    "timestamp": "2030-05-05T05:05",
    "string": "北",
    "integer": 99,
    "number": 99.5,
    "boolean": None,
    "list of string": "z",
}


def _ruleset(group_type: str):
    return rulekit.compile(
        f"""
        field g : {group_type}
        field x : number
        hit all
        let p = percentile(x by g)
        if p >= 50 then upper
        if x in top 25% by g then top
        if score(x, 4 by g) = 1 then lowest
        if cumulative_share(x by g) <= 0.5 then head
        if percentile(x) >= 50 then upper_overall
        """,
        f"by_{group_type.replace(' ', '_')}.rules",
    )


def _records(group_type: str, count: int, seed: int, groups: list | None = None):
    rnd = random.Random(seed)
    groups = GROUPS[group_type] if groups is None else groups
    records = []
    for _ in range(count):
        i = rnd.randrange(len(groups))
        # each group gets its own spread of values, so a record's rank depends on its group
        x = None if rnd.random() < 0.1 else rnd.choice([1, 2, 2, 3, 5, 8, 13]) * (1 + i)
        records.append({"g": groups[i], "x": x})
    return records


def _groups(frozen: FrozenPopulation) -> dict:
    """Every population's groups with each key's exact type (1 == 1.0 == True in Python)."""
    return {
        key: (p.partitioned, {(type(g), g): list(v.sorted) for g, v in p.groups.items()})
        for key, p in frozen.populations.items()
    }


@pytest.mark.parametrize("group_type", list(GROUPS))
def test_saved_population_loads_with_the_same_groups(group_type, tmp_path):
    rs = _ruleset(group_type)
    frozen = rs.freeze(_records(group_type, 200, seed=1), as_of=AS_OF)
    path = tmp_path / "pop.json"
    frozen.save(path)
    loaded = FrozenPopulation.load(path)
    assert _groups(loaded) == _groups(frozen)
    assert (loaded.ruleset, loaded.records, loaded.as_of) == (
        frozen.ruleset,
        frozen.records,
        frozen.as_of,
    )
    # every group of the `by` field made it into the file (and the missing group too)
    key = next(k for k in frozen.populations if k.endswith("|g"))
    assert len(frozen.populations[key].groups) == len(GROUPS[group_type])

    later = (
        _records(group_type, 60, seed=2)
        + [{"g": v, "x": 4} for v in GROUPS[group_type]]
        + [{"g": UNSEEN[group_type], "x": 4}]
    )
    live = rs.classify_many(later, as_of=AS_OF, population=frozen)
    again = rs.classify_many(later, as_of=AS_OF, population=loaded)
    assert again.labels == live.labels
    assert [d.rules for d in again.decisions] == [d.rules for d in live.decisions]
    # and the ranks themselves, through an explanation
    for rec in later[-len(GROUPS[group_type]) - 1 :]:
        assert (
            rs.explain(rec, as_of=AS_OF, population=loaded).trace.lets["p"]
            == rs.explain(rec, as_of=AS_OF, population=frozen).trace.lets["p"]
        )


def test_date_and_timestamp_groups_are_tagged_in_the_file(tmp_path):
    rs = rulekit.compile(
        "field d : date\nfield t : timestamp\nfield x : number\n"
        "if percentile(x by d) > 50 and percentile(x by t) > 50 then up\n",
        "tagged.rules",
    )
    frozen = rs.freeze(
        [{"d": "2024-06-30", "t": "2024-06-30T08:00:00.5", "x": 1}, {"d": None, "t": None, "x": 2}],
        as_of=AS_OF,
    )
    path = tmp_path / "pop.json"
    frozen.save(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    keys = [g for p in data["populations"].values() for g, _ in p["groups"]]
    assert {"date": "2024-06-30"} in keys
    assert {"timestamp": "2024-06-30T08:00:00.500000"} in keys
    assert keys.count(None) == 2
    loaded = FrozenPopulation.load(path)
    assert _groups(loaded) == _groups(frozen)


def test_a_file_with_plain_groups_still_loads(tmp_path):
    """Files written before dates were tagged (texts, numbers, booleans, null) load as before."""
    path = tmp_path / "old.json"
    path.write_text(
        json.dumps(
            {
                "format": "rulekit-population/1",
                "ruleset": "t",
                "records": 4,
                "as_of": "2024-06-30",
                "populations": {
                    "x|g": {"partitioned": True, "groups": [["东", [1, 2]], [None, [3]], [7, [4]]]}
                },
            }
        ),
        encoding="utf-8",
    )
    loaded = FrozenPopulation.load(path)
    assert {g: v.sorted for g, v in loaded.populations["x|g"].groups.items()} == {
        "东": [1, 2],
        None: [3],
        7: [4],
    }


@pytest.mark.parametrize(
    "group_type", ["date", "timestamp", "boolean", "number", "string", "list of string"]
)
def test_loaded_population_with_typed_groups_on_duckdb(group_type, tmp_path):
    """DuckDB registers the loaded groups (duckdb_engine.register_frozen) and joins on them:
    the same labels as Python with the live population."""
    rs = _ruleset(group_type)
    frozen = rs.freeze(_records(group_type, 200, seed=3), as_of=AS_OF)
    path = tmp_path / "pop.json"
    frozen.save(path)
    loaded = FrozenPopulation.load(path)
    later = (
        _records(group_type, 60, seed=4)
        + [{"g": v, "x": 4} for v in GROUPS[group_type]]
        + [{"g": UNSEEN[group_type], "x": 4}]
    )
    python = rs.classify_many(later, as_of=AS_OF, population=frozen)
    duck = rs.classify_many(later, as_of=AS_OF, population=loaded, engine="duckdb")
    assert duck.labels == python.labels
    assert [d.rules for d in duck.decisions] == [d.rules for d in python.decisions]


# `by` a list field: a group is the coerced list (a tuple), elements as the element type; the
# missing group, the empty list and a list holding a missing element are groups of their own
LIST_GROUPS = {
    "string": ["a,b", "b,a", ["c"], '["a", null]', ["东", "2024-01-01"], [], "[]", None],
    "integer": [[1, 2], "2;1", [-7, None], [0], [], None],
    "number": [[1, 2.5], [2.5, 1], [0.1], [-0.0], [3, None], [], None],
    "boolean": [[True], [False, True], "是,否", [None], [], None],
    "date": [["2024-01-01"], ["2024-01-01", "0001-01-01"], ["9999-12-31", None], [], None],
    "timestamp": [["2024-01-01T08:00"], ["2024-01-01T08:00:00.000001"], ["2024-01-01"], [], None],
    "duration": [[1, 2.5], "30d", ["1d", "2d"], [None], [], None],
}
LIST_UNSEEN = {
    "string": ["z"],
    "integer": [99],
    "number": [99.5],
    "boolean": [True, True],
    "date": ["2030-05-05"],
    "timestamp": ["2030-05-05T05:05"],
    "duration": [99],
}


def _later(element: str, seed: int) -> list[dict]:
    """Records to classify against a frozen population: random ones, then every group (and an
    unseen one) with a value below, inside and above the range of the frozen values."""
    groups = LIST_GROUPS[element]
    return _records(f"list of {element}", 60, seed, groups) + [
        {"g": g, "x": x} for g in [*groups, LIST_UNSEEN[element]] for x in (0, 4, 1000, None)
    ]


def _same(result, expected) -> None:
    assert result.labels == expected.labels
    assert [d.rules for d in result.decisions] == [d.rules for d in expected.decisions]


@pytest.mark.parametrize("element", list(LIST_GROUPS))
def test_list_groups_live_and_frozen_by_duckdb_as_python(element):
    """`by` a list field on DuckDB: the live window (PARTITION BY the list column) ranks as
    Python does, and DuckDB's frozen population (duckdb_engine.population_values) is the one
    Ruleset.freeze builds: the same tuple groups, the same sorted values."""
    group_type = f"list of {element}"
    rs = _ruleset(group_type)
    records = _records(group_type, 300, seed=5, groups=LIST_GROUPS[element])
    _same(
        rs.classify_many(records, as_of=AS_OF, engine="duckdb"),
        rs.classify_many(records, as_of=AS_OF),
    )
    python = rs.freeze(records, as_of=AS_OF)
    duck = freeze(rs, records, as_of=AS_OF, engine="duckdb")
    assert _groups(duck) == _groups(python)
    groups = python.populations["x|g"].groups
    assert None in groups and () in groups  # the missing group and the empty list
    assert all(g is None or isinstance(g, tuple) for g in duck.populations["x|g"].groups)
    assert duck.records == python.records


@pytest.mark.parametrize("element", list(LIST_GROUPS))
def test_loaded_list_groups_classify_alike_on_both_engines(element, tmp_path):
    """A population frozen `by` a list field, by either engine, saved and loaded: DuckDB
    registers its list groups (duckdb_engine.register_frozen) and both engines classify later
    records as Python does with the population it froze itself."""
    group_type = f"list of {element}"
    rs = _ruleset(group_type)
    records = _records(group_type, 300, seed=6, groups=LIST_GROUPS[element])
    python = rs.freeze(records, as_of=AS_OF)
    later = _later(element, seed=7)
    expected = rs.classify_many(later, as_of=AS_OF, population=python)
    for engine in ("python", "duckdb"):
        path = tmp_path / f"{engine}.json"
        freeze(rs, records, as_of=AS_OF, engine=engine).save(path)
        loaded = FrozenPopulation.load(path)
        assert _groups(loaded) == _groups(python)
        for run_on in ("python", "duckdb"):
            _same(rs.classify_many(later, as_of=AS_OF, population=loaded, engine=run_on), expected)
    _same(rs.classify_many(later, as_of=AS_OF, population=python, engine="duckdb"), expected)


def test_list_groups_from_a_parquet_file(tmp_path):
    """A typed list column read by DuckDB partitions and freezes as Python's records do."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rs = _ruleset("list of integer")
    rnd = random.Random(8)
    groups = [[1, 2], [2, 1], [3], [None, 3], [], None]
    records = [{"g": rnd.choice(groups), "x": rnd.choice([1, 2, 3, 5, None])} for _ in range(150)]
    path = tmp_path / "records.parquet"
    pq.write_table(
        pa.table(
            {
                "g": pa.array([r["g"] for r in records], pa.list_(pa.int64())),
                "x": pa.array([r["x"] for r in records], pa.float64()),
            }
        ),
        path,
    )
    frozen = freeze(rs, str(path), as_of=AS_OF, engine="duckdb")
    assert _groups(frozen) == _groups(rs.freeze(records, as_of=AS_OF))
    _same(
        rs.classify_many(str(path), as_of=AS_OF, engine="duckdb"),
        rs.classify_many(records, as_of=AS_OF),
    )
    later = [{"g": g, "x": x} for g in groups + [[4]] for x in (0, 2, 9, None)]
    _same(
        rs.classify_many(later, as_of=AS_OF, population=frozen, engine="duckdb"),
        rs.classify_many(later, as_of=AS_OF, population=frozen),
    )


def test_list_groups_of_another_type_match_no_record_on_either_engine():
    """A population frozen by a field of another type (same key) has groups no list of the
    `by` field can equal: Python finds no group for a record, and DuckDB leaves those groups
    out (no cast error); a group equal in Python (1.0 == 1) still matches."""
    rs = _ruleset("list of integer")
    records = [{"g": g, "x": x} for g in ([1], [1, 2], ["1"], [], None) for x in (1, 4)]
    for other, data in (
        ("string", ["a", "1", None]),
        ("list of string", [["1"], [], ["a", None]]),
        ("list of number", [[1.0], [1.5], [1, 2.0], None]),
    ):
        frozen = _ruleset(other).freeze([{"g": g, "x": i} for i, g in enumerate(data)], as_of=AS_OF)
        _same(
            rs.classify_many(records, as_of=AS_OF, population=frozen, engine="duckdb"),
            rs.classify_many(records, as_of=AS_OF, population=frozen),
        )


@pytest.mark.parametrize(
    "by_type,records_g,others",
    [
        (
            "integer",
            [1, 2, "1", None],
            [("string", ["1", "a", None]), ("number", [1.0, 2.5]), ("boolean", [True, False])],
        ),
        ("string", ["1", "a", None], [("integer", [1, 2]), ("number", [1.0])]),
        ("number", [1, 1.5, None], [("integer", [1, 3]), ("string", ["1", "1.5"])]),
        (
            "date",
            ["2024-01-01", None],
            [("string", ["2024-01-01"]), ("timestamp", ["2024-01-01T00:00"])],
        ),
    ],
)
def test_scalar_groups_of_another_type_match_alike_on_both_engines(by_type, records_g, others):
    """A population frozen by a `by` field of another type: a group Python finds equal to the
    record's value (1 == 1.0) matches on both engines; one it does not ('1' vs 1) matches no
    record on either (DuckDB's cast would have made '1' equal 1)."""
    rs = _ruleset(by_type)
    records = [{"g": g, "x": x} for g in records_g for x in (1, 4)]
    for other, data in others:
        frozen = _ruleset(other).freeze([{"g": g, "x": i} for i, g in enumerate(data)], as_of=AS_OF)
        _same(
            rs.classify_many(records, as_of=AS_OF, population=frozen, engine="duckdb"),
            rs.classify_many(records, as_of=AS_OF, population=frozen),
        )
