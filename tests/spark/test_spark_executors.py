"""A Ruleset and a FrozenPopulation shipped to Spark's Python workers (pickled with the task,
as a UDF or mapPartitions closure ships them) classify there like in the driver: the way to
run the Python engine on executors, e.g. for `explain` of many rows."""

from __future__ import annotations

import rulekit
from tests.test_pickle import AS_OF, customers


def test_a_ruleset_on_spark_executors_labels_like_the_driver(spark):
    rs = rulekit.load("rfm")
    records = customers(400, seed=5)
    frozen = rs.freeze(records, as_of=AS_OF)

    def label(rows):  # runs in a Python worker: rs and frozen were pickled with the task
        batch = list(rows)
        result = rs.classify_many([r for _, r in batch], as_of=AS_OF, population=frozen)
        return [(i, d.label) for (i, _), d in zip(batch, result)]

    rdd = spark.sparkContext.parallelize(list(enumerate(records)), 4)
    got = dict(rdd.mapPartitions(label).collect())
    want = rs.classify_many(records, as_of=AS_OF).labels
    assert [got[i] for i in range(len(records))] == want
    assert len(set(want)) >= 4
