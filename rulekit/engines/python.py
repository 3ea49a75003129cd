"""The Python engine: records → decisions, hit policies, bad records and populations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rulekit.compile.pysource import Bad, Compiled, Conflict, compile_program
from rulekit.documents import (
    DECISION_FORMAT,
    DecisionDocument,
    RuleRefDocument,
    RunSummaryDocument,
    show_path,
)
from rulekit.engines.population import FrozenPopulation, Population
from rulekit.engines.summary import label_counts, run_summary
from rulekit.errors import BadRecord, RecordError, RulekitError
from rulekit.model.program import HitPolicy, Program

ON_ERROR = ("fail", "skip", "quarantine")


@dataclass(frozen=True, slots=True)
class RuleRef:
    """Where a rule is: its name, file and line."""

    name: str
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.name} ({self.file}:{self.line})"

    def to_dict(self) -> dict:
        return {"name": self.name, "file": self.file, "line": self.line}


@dataclass(frozen=True, slots=True)
class Decision:
    """The result for one record: label(s), display name(s) and the deciding rule(s)."""

    label: str | None
    labels: tuple[str, ...]
    display: str | None
    rule: RuleRef | None
    rules: tuple[RuleRef, ...] = ()

    def to_dict(self) -> DecisionDocument:
        """The decision document (format rulekit-decision/1): the keys of an explanation's
        `decision`, files shown as `rulekit explain` shows them."""
        return {
            "format": DECISION_FORMAT,
            "label": self.label,
            "labels": list(self.labels),
            "display": self.display,
            "rule": rule_ref_document(self.rule) if self.rule else None,
            "rules": [rule_ref_document(r) for r in self.rules],
        }


def rule_ref_document(ref: RuleRef) -> RuleRefDocument:
    """Where a rule is, as documents say it (the file as the user would type it)."""
    return {"name": ref.name, "file": show_path(ref.file), "line": ref.line}


class BatchResult(Sequence):
    """Decisions of a classify_many call, aligned with the input (None for a set-aside record).

    Counts reconcile: rows_in = labelled + unlabelled + rejected.
    """

    def __init__(
        self,
        decisions: list,
        rejected: list[BadRecord],
        as_of: dt.date,
        ruleset: CompiledRuleset | None = None,
    ):
        self.decisions = decisions
        self.rejected = rejected
        self.as_of = as_of
        self.ruleset = ruleset  # the ruleset that decided (for summary())

    def __getitem__(self, i):
        return self.decisions[i]

    def __len__(self) -> int:
        return len(self.decisions)

    @property
    def counts(self) -> dict[str, int]:
        labelled = sum(1 for d in self.decisions if d is not None and d.labels)
        rejected = len(self.rejected)
        return {
            "rows_in": len(self.decisions),
            "labelled": labelled,
            "unlabelled": len(self.decisions) - labelled - rejected,
            "rejected": rejected,
        }

    @property
    def labels(self) -> list:
        return [None if d is None else d.label for d in self.decisions]

    def summary(self, seconds: float | None = None) -> RunSummaryDocument:
        """The run-summary document (format rulekit-run-summary/1): counts, rows per label, the
        first rejected rows."""
        if self.ruleset is None:
            raise RulekitError("this BatchResult was made without its ruleset: no summary")
        return run_summary(
            self.ruleset.program,
            label_counts(self.decisions),
            self.counts,
            self.as_of,
            self.rejected,
            seconds,
        )

    to_dict = summary


def as_date(value) -> dt.date:
    """The evaluation date: None → today; a date, datetime or ISO string."""
    if value is None:
        return dt.date.today()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RulekitError(f"as_of {value!r} is not a date; write it as YYYY-MM-DD") from None


class _MultiTable(dict):
    """Decisions of `hit all`/`unique`, by bit mask of matched rules, built on first use."""

    def __init__(self, ruleset: CompiledRuleset):
        super().__init__()
        self.rs = ruleset

    def make(self, mask: int) -> Decision:
        positions = [pos for pos in range(len(self.rs.compiled.order)) if mask >> pos & 1]
        d = self.rs._decision([self.rs.compiled.order[p] for p in positions])
        self[mask] = d
        return d


class CompiledRuleset:
    """A checked program compiled to Python: the decision table and the Python engine.

    rulekit.Ruleset (the public object) adds engine choice, explanations and examples."""

    def __init__(self, program: Program):
        self.program = program
        self.compiled: Compiled = compile_program(program)
        p = program
        self.id, self.hit, self.default = p.id, p.hit, p.default
        self.path = p.path
        self.rule_refs = [RuleRef(r.name, p.path, r.line) for r in p.rules]
        if p.hit.single:
            self._table: Any = [self._decision([i]) for i in self.compiled.order]
            self._table.append(self._decision([]))
        else:
            self._table = _MultiTable(self)

    # ---- metadata
    @property
    def display(self) -> str | None:
        return self.program.display.get("zh")

    @property
    def labels(self) -> dict:
        return self.program.labels

    @property
    def fields(self) -> dict:
        return self.program.fields

    @property
    def rules(self) -> list:
        return self.program.rules

    @property
    def warnings(self) -> list:
        return [d for d in self.program.diagnostics if d.severity == "warning"]

    def label_display(self, label: str | None, lang: str = "zh") -> str | None:
        info = self.program.labels.get(label) if label else None
        return (info.display.get(lang) if info else None) or label

    def _decision(self, rule_indexes: list[int]) -> Decision:
        labels = list(dict.fromkeys(self.program.rules[i].label for i in rule_indexes))
        refs = tuple(self.rule_refs[i] for i in rule_indexes)
        if not labels and self.default:
            labels = [self.default]
        display = "、".join(self.label_display(lbl) for lbl in labels) if labels else None
        return Decision(
            labels[0] if labels else None, tuple(labels), display, refs[0] if refs else None, refs
        )

    def decision_for(self, matched_rules: list[int]) -> Decision:
        """The decision the hit policy gives when these rules (file order indexes) matched."""
        if self.hit.single:
            for pos, ri in enumerate(self.compiled.order):
                if ri in matched_rules:
                    return self._table[pos]
            return self._table[-1]
        if self.hit is HitPolicy.UNIQUE and len(matched_rules) > 1:
            raise Conflict(sum(1 << self.compiled.order.index(i) for i in matched_rules))
        mask = sum(1 << self.compiled.order.index(i) for i in matched_rules)
        return self._table.get(mask) or self._table.make(mask)

    def conflict_reason(self, mask: int) -> str:
        names = [
            str(self.rule_refs[self.compiled.order[p]])
            for p in range(len(self.compiled.order))
            if mask >> p & 1
        ]
        return "hit unique: more than one rule matched: " + "; ".join(names)

    # ---- populations
    def populations(self, records: Sequence[Mapping], as_of=None, on_bad=None) -> list:
        """Build the population of every ranked expression from these records."""
        c = self.compiled
        if not c.pop_keys:
            return []
        today = as_date(as_of)
        rows = []
        popargs = c.popargs
        for i, rec in enumerate(records):
            try:
                rows.append(popargs(rec, today))
            except Bad as e:
                if on_bad is None:
                    raise RecordError(BadRecord(i, e.field, e.value, e.reason, rec)) from None
                on_bad(i, e, rec)
        return [
            Population.build(key, [row[k] for row in rows], c.pop_partitioned[k])
            for k, key in enumerate(c.pop_keys)
        ]

    def freeze(self, records: Iterable[Mapping], as_of=None) -> FrozenPopulation:
        """Compute the populations once, to classify later records against the same ranks."""
        records = list(records)
        pops = self.populations(records, as_of, on_bad=lambda *a: None)
        return FrozenPopulation(
            self.id,
            dict(zip(self.compiled.pop_keys, pops, strict=False)),
            len(records),
            str(as_date(as_of)),
        )

    def _resolve_population(self, population, records, as_of, on_bad) -> list:
        c = self.compiled
        if not c.pop_keys:
            return []
        if population is None:
            return self.populations(records, as_of, on_bad)
        if isinstance(population, FrozenPopulation):
            missing = [k for k in c.pop_keys if k not in population.populations]
            if missing:
                raise RulekitError(
                    f"the frozen population (from ruleset {population.ruleset!r}) has no "
                    f"values for {missing[0].split('|')[0]!r}; freeze it from this ruleset "
                    f"({self.id!r})"
                )
            return [population.populations[k] for k in c.pop_keys]
        return self.populations(list(population), as_of, on_bad=lambda *a: None)

    # ---- classification
    def run_python(
        self,
        records: Iterable[Mapping],
        as_of=None,
        population=None,
        on_error: str = "fail",
        validate: str = "needed",
    ) -> BatchResult:
        """Classify every record on the Python engine; see rulekit.Ruleset.classify_many."""
        records = records if isinstance(records, list) else list(records)
        today = as_date(as_of)
        rejected: dict[int, BadRecord] = {}

        def bad(i, e, rec):
            reason = self.conflict_reason(e.mask) if isinstance(e, Conflict) else e.reason
            field = None if isinstance(e, Conflict) else e.field
            value = None if isinstance(e, Conflict) else e.value
            br = BadRecord(i, field, value, reason, rec)
            if on_error == "fail":
                raise RecordError(br)
            rejected.setdefault(i, br)

        if validate == "all":
            check = self.compiled.validate
            for i, rec in enumerate(records):
                try:
                    check(rec)
                except Bad as e:
                    bad(i, e, rec)
        pops = self._resolve_population(population, records, today, bad)
        out: list = []
        self.compiled.batch(records, 0, pops, today, self._table, out, bad)
        for i in rejected:
            out[i] = None
        return BatchResult(out, sorted(rejected.values(), key=lambda b: b.index), today, self)

    def __repr__(self) -> str:
        return f"<Ruleset {self.id} ({len(self.program.rules)} rules, hit {self.hit})>"
