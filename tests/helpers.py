"""Evaluate one condition or expression through both compiled paths (fast and traced)."""

import rulekit

AS_OF = "2024-06-30"


def truth(cond: str, record: dict, decls: str = "", as_of=AS_OF):
    """The three-valued result of `cond`; asserts the fast and traced paths agree."""
    rs = rulekit.compile(f"{decls}\nhit all\nif {cond} then yes\nif not ({cond}) then no\n")
    d = rs.classify(record, as_of=as_of)
    fast = {("yes",): True, ("no",): False, (): None}[d.labels]
    traced = rs.explain(record, as_of=as_of).rule_values[0]
    assert fast is traced, (cond, record, fast, traced)
    return fast


def value(expr: str, record: dict, decls: str = "", as_of=AS_OF):
    """The value of `expr` as the engine computes it for this record."""
    rs = rulekit.compile(f"{decls}\nlet v = {expr}\nif v is missing then m\n")
    return rs.explain(record, as_of=as_of).trace.lets["v"]
