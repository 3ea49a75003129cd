"""Pickling: rulesets, populations, decisions, batch results and errors travel to other
processes and come back equal; a pool of worker processes labels like one process."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import random

import pytest

import rulekit
from rulekit.engines.duckdb_connection import EngineError
from rulekit.engines.python import CompiledRuleset
from rulekit.errors import LookupFailed, RecordError, RuleError

AS_OF = "2024-06-30"
# the must-show is 1M records: RULEKIT_POOL_ROWS=1000000 (both rulesets then classify
# every record; by default rfm ranks a fifth of them, to keep CI short)
POOL_ROWS = int(os.environ.get("RULEKIT_POOL_ROWS", "50000"))
RANKED_ROWS = POOL_ROWS if "RULEKIT_POOL_ROWS" in os.environ else POOL_ROWS // 5


def roundtrip(obj):
    return pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def customers(n: int, seed: int = 7) -> list[dict]:
    """Seeded customers with the fields of lifecycle and rfm, some values missing or bad."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        never = rnd.random() < 0.1
        out.append(
            {
                "customer_id": f"c{i}",
                "recency_days": None if never else rnd.randrange(0, 700),
                "tenure_days": None if never else rnd.randrange(0, 2000),
                "orders_count": 0 if never else rnd.randrange(1, 60),
                "frequency": 0 if never else rnd.randrange(1, 30),
                "monetary": 0.0 if never else round(rnd.lognormvariate(8, 1.5), 2),
            }
        )
    return out


def test_a_ruleset_pickles_to_an_equal_ruleset_that_classifies_alike():
    records = customers(500)
    for ref in ("lifecycle", "rfm"):
        rs = rulekit.load(ref)
        back = roundtrip(rs)
        assert back == rs and back is not rs
        assert type(back) is rulekit.Ruleset
        assert back.classify_many(records, as_of=AS_OF) == rs.classify_many(records, as_of=AS_OF)
        assert back.explain(records[3], as_of=AS_OF, batch=records).to_dict() == (
            rs.explain(records[3], as_of=AS_OF, batch=records).to_dict()
        )
    other = rulekit.compile("IF x > 1 THEN a", "one.rules")
    assert other != rulekit.compile("IF x > 2 THEN a", "one.rules")
    assert other == rulekit.compile("IF x > 1 THEN a", "one.rules")


def test_the_pickle_holds_the_rule_text_not_code():
    rs = rulekit.compile("IF x > 1 THEN a", "inline.rules", strict=False)
    data = pickle.dumps(rs)
    assert b"IF x > 1 THEN a" in data and b"inline.rules" in data
    assert len(data) < 500  # no code objects, no tables


def test_strict_mode_is_kept():
    text = 'field x : integer\nlabel a "甲"\nIF x > 1 THEN a\n'

    rs = rulekit.compile(text, "s.rules", strict=True)
    back = roundtrip(rs)
    assert back.strict is True and back == rs
    assert back.warnings == rs.warnings
    assert back != rulekit.compile(text, "s.rules")


def test_a_compiled_ruleset_of_the_engines_layer():
    rs = rulekit.load("lifecycle")
    compiled = CompiledRuleset(rs.program)
    back = roundtrip(compiled)
    assert type(back) is CompiledRuleset and back == compiled
    records = customers(50)
    assert back.run_python(records, AS_OF).labels == rs.classify_many(records, AS_OF).labels


def test_populations_decisions_and_batch_results():
    rs = rulekit.load("rfm")
    records = customers(300)
    frozen = rs.freeze(records, as_of=AS_OF)
    assert roundtrip(frozen) == frozen
    assert roundtrip(frozen).populations.keys() == frozen.populations.keys()
    result = rs.classify_many(records, as_of=AS_OF, population=roundtrip(frozen))
    assert result == rs.classify_many(records, as_of=AS_OF, population=frozen)
    back = roundtrip(result)
    assert back == result and back.summary() == result.summary()
    decision = result[0]
    assert roundtrip(decision) == decision
    bad = rulekit.compile("IF x > 1 THEN a").classify_many([{"x": "no"}], on_error="skip")
    assert roundtrip(bad) == bad and roundtrip(bad).rejected[0].reason == "'no' is not a number"


def test_errors():
    with pytest.raises(RuleError) as rule_error:
        rulekit.compile("IF x > THEN a", "broken.rules")
    back = roundtrip(rule_error.value)
    assert type(back) is RuleError
    assert back.diagnostics == rule_error.value.diagnostics
    assert str(back) == str(rule_error.value) and back.render() == rule_error.value.render()

    with pytest.raises(RecordError) as record_error:
        rulekit.compile("IF x > 1 THEN a").classify({"x": "no"})
    record_error.value.ruleset = "r1"
    back = roundtrip(record_error.value)
    assert back.bad == record_error.value.bad and back.ruleset == "r1"
    assert str(back) == str(record_error.value)

    for error in (EngineError("DuckDB could not read x"), LookupFailed("no ruleset 'q'")):
        back = roundtrip(error)
        assert type(back) is type(error) and str(back) == str(error)


def _labels(task: tuple[rulekit.Ruleset, list[dict], object]) -> list[str | None]:
    rs, chunk, population = task
    return rs.classify_many(chunk, as_of=AS_OF, population=population).labels


@pytest.fixture(scope="module")
def pool_work():
    """(ruleset, records, population, labels of one process) for lifecycle on POOL_ROWS
    records and rfm (population functions: the workers get the population frozen) on
    RANKED_ROWS."""
    records = customers(POOL_ROWS)
    lifecycle, rfm = rulekit.load("lifecycle"), rulekit.load("rfm")
    ranked = records[:RANKED_ROWS]
    frozen = rfm.freeze(ranked, as_of=AS_OF)
    return [
        (lifecycle, records, None, lifecycle.classify_many(records, as_of=AS_OF).labels),
        (rfm, ranked, frozen, rfm.classify_many(ranked, as_of=AS_OF).labels),
    ]


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_a_pool_of_four_processes_labels_like_one(method, pool_work):
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} here")
    with multiprocessing.get_context(method).Pool(4) as pool:
        for rs, records, population, one_process in pool_work:
            size = len(records) // 8
            chunks = [records[i : i + size] for i in range(0, len(records), size)]
            # the ruleset (and the frozen population) pickled with every task
            parts = pool.map(_labels, [(rs, chunk, population) for chunk in chunks])
            pooled = [label for part in parts for label in part]
            assert pooled == one_process
            assert len(set(pooled)) >= 4
