"""Evaluating one record with an observer attached: `trace_record` runs the compiled trace
function, applies the fast path's rule for bad values, and returns the Explanation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rulekit.engines.python import CompiledRuleset, Decision, as_date
from rulekit.errors import BadRecord, RecordError
from rulekit.explain.explanation import Explanation, Trace
from rulekit.explain.outputs import traced_results

if TYPE_CHECKING:
    from rulekit.compile.pyruntime import Bad


def _first_bad(
    rs: CompiledRuleset, tr: Trace, values: Sequence[bool | None], validate: str
) -> Bad | None:
    """The bad value that makes this record bad, by the fast path's rule: a field counts only
    if a rule evaluated up to the decision reads it (or every declared field, validate="all")."""
    if not tr.bad:
        return None
    if validate == "all":
        first: Bad = next(tr.bad[f] for f in rs.program.fields if f in tr.bad)
        return first
    single = rs.hit.single
    for ri in rs.compiled.order:
        for f in rs.compiled.rule_fields[ri]:
            if f in tr.bad:
                bad: Bad = tr.bad[f]
                return bad
        if single and values[ri] is True:
            return None
    return None


def trace_record(
    rs: CompiledRuleset,
    record: Mapping[str, Any],
    as_of: Any,
    population: Any,
    overrides: dict[str, Any],
    batch: Sequence[Mapping[str, Any]] | None = None,
    validate: str = "needed",
) -> Explanation:
    """Evaluate `record` and record what the evaluation saw. `as_of`: a date, ISO text or None
    (today); `population`: a frozen population, records, or None (the batch, else the record);
    `overrides`: lets given directly. Raises RecordError for a bad record."""
    from rulekit.compile.pyruntime import Bad, Conflict

    today = as_date(as_of)
    if population is None and batch is not None:  # built once for repeated calls on a batch
        pops = rs.batch_populations(batch, today)
    else:
        records = batch if batch is not None else [record]
        pops = rs._resolve_population(population, records, today, on_bad=lambda *a: None)
    tr = Trace()
    try:
        values = rs.compiled.trace(
            record, pops, today, tr.r, tr.rpop, tr.rlet, tr.rfield, tr.rbad, overrides
        )
    except Bad as e:
        raise RecordError(BadRecord(0, e.field, e.value, e.reason, record)) from None
    bad = _first_bad(rs, tr, values, validate)
    if bad is not None:
        raise RecordError(BadRecord(0, bad.field, bad.value, bad.reason, record))
    matched = [i for i, v in enumerate(values) if v is True]
    conflict = None
    decision: Decision | None
    try:
        decision = rs.decision_for(matched)
    except Conflict as e:
        decision, conflict = None, rs.conflict_reason(e.mask)
    if decision is not None and rs.has_results:
        decision = traced_results(rs, decision, tr)
    return Explanation(rs, today, decision, tuple(values), tr, overrides, conflict)
