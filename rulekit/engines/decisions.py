"""Named decisions on every engine: the results of the unnamed decision and of each named
decision (each a compiled ruleset of its own, `CompiledRuleset.named`) combined into one
`Decision` per record, as rulekit.model.decisions says: a child applies only where its parent
gave its label; a record is set aside when the unnamed decision or a named decision that
applies to it meets a bad value, with the reason of the first such decision in file order.

The same function combines the Python engine's results and DuckDB's, so both give the same
decisions, rules and rejected records.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from rulekit.errors import BadRecord, RecordError
from rulekit.model.decisions import applies, decision_order
from rulekit.model.program import HitPolicy

# rulekit.engines.python's CompiledRuleset, Decision, BatchResult and a record (that module
# calls this one: no import back)
CompiledRuleset = Any
Decision = Any
BatchResult = Any
Record = Any

# what a named decision gives a record it does not apply to
_NOTHING: dict[str, Any] = {"label": None, "labels": (), "display": None, "rule": None}


def unnamed(rs: CompiledRuleset) -> CompiledRuleset:
    """The ruleset without its named decisions: its unnamed decision alone (the ruleset itself
    in a file without named decisions)."""
    if not rs.named:
        return rs
    alone = copy.copy(rs)
    alone.named = {}
    return alone


def _nothing(template: Decision) -> Decision:
    return replace(template, rules=(), decisions={}, **_NOTHING)


def _pick(
    rs: CompiledRuleset,
    main: Decision,
    results: Mapping[str, Decision | BadRecord],
) -> Decision | BadRecord:
    """One record's combined result from its per-decision results (a decision missing from
    `results` was not evaluated: its parent did not apply)."""
    decisions = rs.program.decisions
    got: dict[str, Decision] = {}
    for name in decisions:  # file order: the first bad one gives the reason
        r = results.get(name)
        if r is None:
            got[name] = _nothing(main)
        elif isinstance(r, BadRecord):
            return r
        else:
            got[name] = r
    return replace(main, decisions=got)


def _walk(rs: CompiledRuleset, result_of: Any) -> dict[str, Decision | BadRecord]:
    """Each applicable decision's result, in evaluation order (parents first)."""
    decisions = rs.program.decisions
    results: dict[str, Decision | BadRecord] = {}
    for name in decision_order(decisions):
        d = decisions[name]
        parent: tuple[str, ...] | None = ()
        if d.parent is not None:
            p = results.get(d.parent)
            parent = p.labels if p is not None and not isinstance(p, BadRecord) else None
        if applies(d, parent):
            results[name] = result_of(name)
    return results


def classify_named(
    rs: CompiledRuleset,
    main: Decision,
    record: Record,
    as_of: object,
    population: Any,
    validate: str,
) -> Decision:
    """One record: the named decisions' results added to the unnamed decision's."""

    def one(name: str) -> Decision | BadRecord:
        try:
            return rs.named[name].classify(record, as_of, population, validate)
        except RecordError as e:
            return e.bad

    out = _pick(rs, main, _walk(rs, one))
    if isinstance(out, BadRecord):
        raise RecordError(out)
    return out


def combine(
    rs: CompiledRuleset,
    main: BatchResult,
    subs: Mapping[str, BatchResult],
    on_error: str,
) -> BatchResult:
    """A batch: the named decisions' results (computed with on_error="skip") added to the
    unnamed decision's; the rejected records of both, as on_error says."""
    bad = {k: {b.index: b for b in r.rejected} for k, r in subs.items()}
    rejected = {b.index: b for b in main.rejected}
    out: list[Decision | None] = []
    for i, decision in enumerate(main.decisions):
        if decision is None or i in rejected:
            out.append(None)
            continue

        def one(name: str, i: int = i) -> Decision | BadRecord:
            b = bad[name].get(i)
            if b is not None:
                return b
            d = subs[name].decisions[i]
            assert d is not None  # not rejected: decided
            return d

        got = _pick(rs, decision, _walk(rs, one))
        if isinstance(got, BadRecord):
            rejected[i] = got
            out.append(None)
        else:
            out.append(got)
    if on_error == "fail" and rejected:  # the first bad record, whichever decision met it
        raise RecordError(rejected[min(rejected)])
    return type(main)(out, sorted(rejected.values(), key=lambda b: b.index), main.as_of, rs)


def with_named(
    rs: CompiledRuleset,
    main: BatchResult,
    records: Any,
    run: Any,
    on_error: str,
) -> BatchResult:
    """Another engine's batch (DuckDB): `run(sub, records)` classifies with each named
    decision's ruleset (on_error="skip"), then combine."""
    subs = {k: run(sub, records) for k, sub in rs.named.items()}
    return combine(rs, main, subs, on_error)


def run_named(
    rs: CompiledRuleset,
    records: list[Record],
    as_of: object,
    population: Any,
    on_error: str,
    validate: str,
) -> BatchResult:
    """The Python engine's batch of a ruleset with named decisions."""
    main = unnamed(rs).run_python(records, as_of, population, "skip", validate)
    main.ruleset = rs
    return with_named(
        rs,
        main,
        records,
        lambda sub, rows: sub.run_python(rows, as_of, population, "skip", validate),
        on_error,
    )


def decision_columns(rs: CompiledRuleset, batch: BatchResult) -> dict[str, list[Any]]:
    """`run`'s output columns of the named decisions: per decision `<ruleset id>_<name>` (its
    label; a list under hit all) and `<ruleset id>_<name>_rule` (the deciding rule; the
    matching rules under hit all), empty where it does not apply or the row was set aside."""

    out: dict[str, list[Any]] = {}
    for name, d in rs.program.decisions.items():
        multi = d.program.hit is HitPolicy.ALL
        labels: list[Any] = []
        rules: list[Any] = []
        for decision in batch.decisions:
            got = decision.decisions.get(name) if decision is not None else None
            if got is None or not got.labels:
                labels.append(None)
                rules.append(None)
            elif multi:
                labels.append(list(got.labels))
                rules.append([r.name for r in got.rules] or None)
            else:
                labels.append(got.label)
                rules.append(got.rule.name if got.rule else None)
        out[d.column] = labels
        out[d.column + "_rule"] = rules
    return out


def decision_arrow_columns(rs: CompiledRuleset, batch: BatchResult) -> list[tuple[str, Any]]:
    """classify_frame's columns of the named decisions (`<id>_<decision>`, `…_rule`) as Arrow
    arrays, from a batch classified with on_error="skip" (rows set aside: empty)."""
    import pyarrow as pa

    out = []
    for name, values in decision_columns(rs, batch).items():
        multi = any(isinstance(v, list) for v in values)
        out.append((name, pa.array(values, pa.list_(pa.string()) if multi else pa.string())))
    return out
