"""Coverage of a ruleset on data: per rule how many rows it matched and how many it decided,
the rules that never fired, the rows that fell to the default (or got no label), and the label
distribution.

Decisions come from the chosen engine (DuckDB for large files); "matched" counts every rule
whose condition was true for a row, which needs each rule's value: it is read from the traced
Python evaluation of each row against the population of the whole data (frozen once), the same
evaluation `explain` shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rulekit.engines.python import BatchResult, CompiledRuleset, Record, as_date
from rulekit.errors import RulekitError
from rulekit.explain.trace import trace_record

COVERAGE_FORMAT = "rulekit-coverage/1"


@dataclass
class Coverage:
    ruleset: CompiledRuleset
    rows: int
    bad: int
    matched: list[int]  # per rule, file order
    decided: list[int]
    default_rows: int  # rows no rule decided that got the default
    unlabelled: int  # rows no rule decided and no default
    labels: Counter[str]
    as_of: str

    @property
    def never_fired(self) -> list[int]:
        return [i for i, m in enumerate(self.matched) if m == 0]

    def to_dict(self) -> dict[str, Any]:
        rs = self.ruleset
        return {
            "format": COVERAGE_FORMAT,
            "ruleset": rs.id,
            "file": rs.path,
            "as_of": self.as_of,
            "rows": self.rows,
            "bad_rows": self.bad,
            "rules": [
                {
                    "name": ref.name,
                    "line": ref.line,
                    "label": rs.rules[i].label,
                    "matched": self.matched[i],
                    "decided": self.decided[i],
                }
                for i, ref in enumerate(rs.rule_refs)
            ],
            "never_fired": [rs.rule_refs[i].name for i in self.never_fired],
            "default": rs.default,
            "default_rows": self.default_rows,
            "unlabelled_rows": self.unlabelled,
            "labels": dict(self.labels.most_common()),
        }


def coverage(
    rs: CompiledRuleset, records: Sequence[Record], batch: BatchResult, as_of: object
) -> Coverage:
    """Coverage of `batch` (the decisions of `records` on any engine)."""
    if len(batch) != len(records):
        raise RulekitError("the decisions and the records differ in number")
    today = as_date(as_of)
    frozen = rs.freeze(records, today) if rs.compiled.pop_keys else None
    index = {ref: i for i, ref in enumerate(rs.rule_refs)}
    matched = [0] * len(rs.rules)
    decided = [0] * len(rs.rules)
    labels: Counter[str] = Counter()
    default_rows = unlabelled = bad = 0
    for record, decision in zip(records, batch, strict=True):
        if decision is None:
            bad += 1
            continue
        try:
            values = trace_record(rs, record, today, frozen, {}).rule_values
        except RulekitError:
            values = ()
        for i, v in enumerate(values):
            matched[i] += v is True
        for ref in decision.rules:
            decided[index[ref]] += 1
        if not decision.rules:
            if decision.labels:
                default_rows += 1
            else:
                unlabelled += 1
        labels.update(decision.labels or ("(no label)",))
    return Coverage(
        rs, len(records), bad, matched, decided, default_rows, unlabelled, labels, str(today)
    )
