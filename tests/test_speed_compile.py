"""Compile speed (issue 15, item 7): explain's generated function is compiled by Python on its
first use, not with the ruleset, and gives the same explanation as before."""

from __future__ import annotations

import rulekit
from rulekit.compile.pysource import LazyTrace

RULES = """
ruleset small
hit first
default regular
field frequency : integer
field monetary : number
rule "vip" if monetary >= 50000 and frequency >= 20 then vip
rule "prospect" if frequency = 0 then prospect
"""


def test_trace_is_compiled_on_first_use():
    rs = rulekit.compile(RULES)
    trace = rs.compiled.trace
    assert isinstance(trace, LazyTrace) and trace.fn is None
    assert rs.classify({"frequency": 0, "monetary": 10}).label == "prospect"
    assert trace.fn is None  # classifying never needs it
    ex = rs.explain({"frequency": 25, "monetary": 60000})
    assert ex.label == "vip" and trace.fn is not None
    assert "_trace" in rs.compiled.source  # the whole module's source is still there
    fn = trace.fn
    assert rs.explain({"frequency": 0, "monetary": 1}).label == "prospect"
    assert trace.fn is fn  # compiled once
