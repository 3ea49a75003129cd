"""The fast paths give the same answers as the general ones: `classify(record)` (one generated
function call, no batch set-up) against `classify_many([record])`, and explain's cached batch
population against a fresh build — counting builds, never timing."""

from __future__ import annotations

import datetime as dt
import random

import pytest

import rulekit
from rulekit import RecordError, RulekitError

LIFECYCLE = """
ruleset speedy "速度"
hit first
default regular
field recency : duration from recency_days
field frequency : integer
field monetary : number
field region : string one of ["north", "south"]
field joined : date
rule "prospect" if frequency = 0 then prospect
rule "churned" if recency > 365d then churned
rule "vip" if monetary >= 50000 and frequency >= 20 then vip
rule "north" if region = "north" and days_since(joined) < 30d then fresh_north
"""

UNIQUE = """
hit unique
field x : number
rule "a" if x > 1 then big
rule "b" if x > 5 then huge
"""

RANKED = """
hit first
field spend : number
field region : string
let s = score(spend, 5 by region)
rule "top" if spend in top 20% then top_spender
rule "high" if s >= 4 then high
rule "low" if s <= 1 then low
"""

AS_OF = "2024-06-30"


def _records(n: int, seed: int = 3) -> list[dict[str, object]]:
    rnd = random.Random(seed)
    values = {
        "recency_days": [None, 10, 400, 3.5, "200", "abc", "", 2**70],
        "frequency": [0, 3, 25, None, "7", 1.5, True, 2**64],
        "monetary": [None, 10.0, 60000, float("nan"), "1e5", "x", 2**80],
        "region": ["north", "south", "east", None, ""],
        "joined": [None, dt.date(2024, 6, 20), "2024-01-01", "not a date", dt.date(2020, 1, 1)],
        "x": [None, 0, 3, 9, "4"],
        "spend": [None, 1.0, 5, 100.0, "7", "bad"],
    }
    return [{k: rnd.choice(v) for k, v in values.items()} for _ in range(n)]


def _outcome(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except RecordError as e:
        return ("bad", e.bad.index, e.bad.field, e.bad.value, e.bad.reason)


@pytest.mark.parametrize("text", [LIFECYCLE, UNIQUE, RANKED])
@pytest.mark.parametrize("as_of", [AS_OF, dt.date(2024, 6, 30), dt.datetime(2024, 6, 30, 8)])
@pytest.mark.parametrize("validate", ["needed", "all"])
def test_classify_is_classify_many_of_one(text, as_of, validate):
    rs = rulekit.compile(text)
    for rec in _records(150):
        one = _outcome(rs.classify, rec, as_of=as_of, validate=validate)
        many = _outcome(lambda r: rs.classify_many([r], as_of, validate=validate)[0], rec)
        assert one == many, rec


def test_classify_with_a_population_is_classify_many_of_one():
    rs = rulekit.compile(RANKED)
    batch = _records(60, seed=5)
    frozen = rs.freeze(batch, AS_OF)
    for rec in _records(60, seed=9):
        for population in (frozen, batch):
            one = _outcome(rs.classify, rec, AS_OF, population)
            many = _outcome(lambda r, p=population: rs.classify_many([r], AS_OF, p)[0], rec)
            assert one == many


def test_classify_as_of_is_read_each_call():
    rs = rulekit.compile(LIFECYCLE)
    rec = {"frequency": 3, "recency_days": 1, "region": "north", "joined": "2024-06-20"}
    assert rs.classify(rec, as_of="2024-06-30").label == "fresh_north"
    assert rs.classify(rec, as_of="2024-09-30").label == "regular"  # 102 days since
    assert rs.classify(rec, as_of="2024-06-30").label == "fresh_north"  # cached date
    assert rs.classify(rec).label == "regular"  # today: long after 2024


def test_classify_errors_in_words():
    rs = rulekit.compile(LIFECYCLE)
    with pytest.raises(RulekitError, match="YYYY-MM-DD"):
        rs.classify({"frequency": 1}, as_of="30/06/2024")
    with pytest.raises(RulekitError, match="YYYY-MM-DD"):
        rs.classify({"frequency": 1}, as_of=["unhashable"])
    with pytest.raises(RulekitError, match="validate"):
        rs.classify({"frequency": 1}, validate="some")
    with pytest.raises(RecordError) as e:
        rulekit.compile(UNIQUE).classify({"x": 9})
    assert "hit unique" in e.value.bad.reason and e.value.bad.index == 0


def test_explain_batch_population_is_built_once_and_rebuilt_when_the_batch_changes():
    rs = rulekit.compile(RANKED)
    batch = _records(200, seed=11)
    rec = {"spend": 50, "region": "north"}
    fresh = rulekit.compile(RANKED)

    def same_as_fresh() -> None:
        a = rs.explain(rec, as_of=AS_OF, batch=batch).to_dict()
        b = fresh.explain(rec, as_of=AS_OF, batch=list(batch)).to_dict()
        assert a == b

    same_as_fresh()
    builds = rs.population_builds
    for _ in range(5):
        rs.explain(rec, as_of=AS_OF, batch=batch)
        rs.why_not(rec, "low", as_of=AS_OF, batch=batch)
    assert rs.population_builds == builds  # the same unchanged batch: no rebuild

    changes = [
        lambda: batch.append({"spend": 10**6, "region": "north"}),  # a record more
        lambda: batch[0].__setitem__("spend", 123456.0),  # a value changed in place
        lambda: batch[1].__setitem__("region", "south"),  # a group changed
        lambda: batch[2].__setitem__("spend", True),  # equal to 1, but not a number
    ]
    for change in changes:
        change()
        same_as_fresh()
        assert rs.population_builds == builds + 1
        builds = rs.population_builds

    rs.explain(rec, as_of="2024-07-01", batch=batch)  # another evaluation date
    assert rs.population_builds == builds + 1
    rs.explain(rec, as_of="2024-07-01", batch=list(batch))  # another list: built anew
    assert rs.population_builds == builds + 2
