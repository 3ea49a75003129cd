"""The Python engine: records → decisions, hit policies, bad records and populations."""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast, overload

from rulekit.documents import RunSummaryDocument
from rulekit.engines.decision import Decision as Decision
from rulekit.engines.decision import RuleRef as RuleRef
from rulekit.engines.population import FrozenPopulation, Population, PopulationInput
from rulekit.engines.summary import decision_counts, label_counts, run_summary
from rulekit.errors import BadRecord, Diagnostic, RecordError, RulekitError
from rulekit.model.outputs import attributes_of, has_results
from rulekit.model.program import FieldInfo, HitPolicy, LabelInfo, Program
from rulekit.syntax import nodes as n

if TYPE_CHECKING:  # the compiler is imported when a ruleset is compiled (fast `import rulekit`)
    from rulekit.compile.pysource import Bad, Compiled, Conflict

ON_ERROR = ("fail", "skip", "quarantine")

Record = Mapping[str, Any]
# Called for a record that cannot be evaluated (a bad value, or a `hit unique` conflict): the
# record's index, the error and the record.
OnBad = Callable[[int, "Bad", Record], object]


class BatchResult(Sequence[Decision | None]):
    """Decisions of a classify_many call, aligned with the input (None for a set-aside record).

    Counts reconcile: rows_in = labelled + unlabelled + rejected.
    """

    def __init__(
        self,
        decisions: list[Decision | None],
        rejected: list[BadRecord],
        as_of: dt.date,
        ruleset: CompiledRuleset | None = None,
    ):
        self.decisions = decisions
        self.rejected = rejected
        self.as_of = as_of
        self.ruleset = ruleset  # the ruleset that decided (for summary())

    @overload
    def __getitem__(self, i: int) -> Decision | None: ...

    @overload
    def __getitem__(self, i: slice) -> list[Decision | None]: ...

    def __getitem__(self, i: int | slice) -> Decision | None | list[Decision | None]:
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
    def labels(self) -> list[str | None]:
        return [None if d is None else d.label for d in self.decisions]

    def summary(self, seconds: float | None = None) -> RunSummaryDocument:
        """The run-summary document (format rulekit-run-summary/1): counts, rows per label, the
        first rejected rows."""
        if self.ruleset is None:
            raise RulekitError("this BatchResult was made without its ruleset: no summary")
        doc = run_summary(
            self.ruleset.program,
            label_counts(self.decisions),
            self.counts,
            self.as_of,
            self.rejected,
            seconds,
        )
        if self.ruleset.named:  # each named decision's labels
            named = {k: sub.program for k, sub in self.ruleset.named.items()}
            doc["decisions"] = decision_counts(named, self.decisions, self.counts)
        return doc

    to_dict = summary

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BatchResult):
            return NotImplemented
        return (
            self.decisions == other.decisions
            and self.rejected == other.rejected
            and self.as_of == other.as_of
            and self.ruleset == other.ruleset
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list


def as_date(value: object) -> dt.date:
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


def _population_columns(program: Program) -> tuple[str, ...]:
    """The record columns the population functions read (their ranked values and groups)."""
    names: dict[str, None] = {}
    for node in program.population_nodes().values():
        for name in program.reads(node).fields:
            names[name] = None
        by = getattr(node, "by", None)
        if by is not None and by.name in program.fields:
            names[by.name] = None
    return tuple(program.fields[name].column for name in names)


def _fingerprint(batch: Sequence[Record], columns: tuple[str, ...]) -> list[Any]:
    """What a batch's populations are built from: per record, the values of these columns and
    their types (a list value as a tuple, so that changing it in place is seen)."""
    out: list[Any] = []
    append = out.append
    for rec in batch:
        values = tuple(map(rec.get, columns))
        types = tuple(map(type, values))
        if list in types:
            values = tuple(tuple(v) if isinstance(v, list) else v for v in values)
        append((values, types))
    return out


class MultiTable(dict[int, Decision]):
    """Decisions of `hit all`/`unique`, by bit mask of matched rules (bit = evaluation
    position), built on first use."""

    def __init__(self, ruleset: CompiledRuleset):
        super().__init__()
        self.rs = ruleset

    def make(self, mask: int) -> Decision:
        order = self.rs.program.order
        d = self.rs._decision([order[pos] for pos in range(len(order)) if mask >> pos & 1])
        self[mask] = d
        return d


# The decisions the compiled batch function picks from: under first and priority a list by
# evaluation position, the last for no match; under all and unique a MultiTable.
DecisionTable = list[Decision] | MultiTable


class CompiledRuleset:
    """A checked program compiled to Python: the decision table and the Python engine.

    rulekit.Ruleset (the public object) adds engine choice, explanations and examples."""

    def __init__(self, program: Program, strict: bool = False):
        from rulekit.compile.pysource import compile_program

        self.program = program
        self.strict = strict  # checked in strict mode (kept for pickling)
        self.compiled: Compiled = compile_program(program)
        p = program
        self.id, self.hit, self.default = p.id, p.hit, p.default
        self.path = p.path
        self.rule_refs = [RuleRef(r.name, p.path, r.line) for r in p.rules]
        # Ruleset.classify's fast path: the generated one-record function, and the evaluation
        # dates of the as_of values seen (as_of text is parsed once, not per call).
        self._one = self.compiled.one
        self._plain = not self.compiled.pop_keys  # no population functions
        self._uses_today = self.compiled.one_uses_today
        self._dates: dict[Any, dt.date] = {}
        # explain(record, batch=…): the last batch's populations (see batch_populations)
        self.population_builds = 0  # how many times populations were built (tests count them)
        self._batch_cache: tuple[Sequence[Record], dt.date, list[Any], list[Population]] | None
        self._batch_cache = None
        self._pop_columns = _population_columns(p)
        self._table: DecisionTable
        if p.hit.single:
            single = [self._decision([i]) for i in p.order]
            single.append(self._decision([]))
            self._table = single
        else:
            self._table = MultiTable(self)
        # named decisions (engines/decisions.py): one compiled ruleset each, by name
        self.named: dict[str, CompiledRuleset] = {
            name: CompiledRuleset(d.program, strict) for name, d in p.decisions.items()
        }

    # ---- metadata
    @property
    def display(self) -> str | None:
        return self.program.display.get("zh")

    @property
    def labels(self) -> dict[str, LabelInfo]:
        return self.program.labels

    @property
    def fields(self) -> dict[str, FieldInfo]:
        return self.program.fields

    @property
    def rules(self) -> list[n.Rule]:
        return self.program.rules

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.program.diagnostics if d.severity == "warning"]

    @overload
    def label_display(self, label: str, lang: str = "zh") -> str: ...

    @overload
    def label_display(self, label: None, lang: str = "zh") -> None: ...

    @overload
    def label_display(self, label: str | None, lang: str = "zh") -> str | None: ...

    def label_display(self, label: str | None, lang: str = "zh") -> str | None:
        """A label's display name in this language; the label itself when it has none."""
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
        order = self.program.order
        if self.hit.single:
            single = cast(list[Decision], self._table)
            for pos, ri in enumerate(order):
                if ri in matched_rules:
                    return single[pos]
            return single[-1]
        mask = sum(1 << order.index(i) for i in matched_rules)
        if self.hit is HitPolicy.UNIQUE and len(matched_rules) > 1:
            from rulekit.compile.pyruntime import Conflict

            raise Conflict(mask)
        multi = cast(MultiTable, self._table)
        return multi.get(mask) or multi.make(mask)

    def conflict_reason(self, mask: int) -> str:
        order = self.program.order
        names = [str(self.rule_refs[order[p]]) for p in range(len(order)) if mask >> p & 1]
        return "hit unique: more than one rule matched: " + "; ".join(names)

    # ---- populations
    def populations(
        self, records: Sequence[Record], as_of: object = None, on_bad: OnBad | None = None
    ) -> list[Population]:
        """Build the population of every ranked expression from these records."""
        from rulekit.compile.pyruntime import Bad

        c = self.compiled
        if not c.pop_keys:
            return []
        self.population_builds += 1
        today = as_date(as_of)
        if c.pop_stages:  # populations ranking populations: stage by stage
            from rulekit.engines.staged_population import build_staged

            def reject(i: int, e: Bad, rec: Record) -> None:
                if on_bad is None:
                    raise RecordError(BadRecord(i, e.field, e.value, e.reason, rec)) from None
                on_bad(i, e, rec)

            return build_staged(c, records, today, reject)
        rows: list[Sequence[tuple[Any, Any]]] = []  # per record: (value, group) per key
        popargs = c.popargs
        for i, rec in enumerate(records):
            try:
                rows.append(popargs(rec, today))
            except Bad as e:
                if on_bad is None:
                    raise RecordError(BadRecord(i, e.field, e.value, e.reason, rec)) from None
                on_bad(i, e, rec)
        pops = [
            Population.build(key, [row[k] for row in rows], c.pop_partitioned[k])
            for k, key in enumerate(c.pop_keys)
        ]
        for pop in pops:  # the records will be ranked against them: look values up
            for values in pop.groups.values():
                values.index()
        return pops

    def batch_populations(self, batch: Sequence[Record], as_of: object = None) -> list[Population]:
        """The populations of a batch as explain(record, batch=…) ranks against, built once for
        repeated calls on the same batch. The cache holds the last batch: it is used again
        only for the same list object, of the same length, at the same evaluation date, whose
        records still hold the same values (compared with their types: 1 is not True) in the
        columns the population functions read. Anything else builds anew."""
        if not self.compiled.pop_keys:
            return []
        today = as_date(as_of)
        fingerprint = _fingerprint(batch, self._pop_columns)
        cached = self._batch_cache
        if (
            cached is not None
            and cached[0] is batch
            and cached[1] == today
            and cached[2] == fingerprint
        ):
            return cached[3]
        pops = self.populations(batch, today, on_bad=lambda *a: None)
        self._batch_cache = (batch, today, fingerprint, pops)
        return pops

    def freeze(self, records: Iterable[Record], as_of: object = None) -> FrozenPopulation:
        """Compute the populations once, to classify later records against the same ranks."""
        records = list(records)
        pops = self.populations(records, as_of, on_bad=lambda *a: None)
        by_key = dict(zip(self.compiled.pop_keys, pops, strict=False))
        for sub in self.named.values():  # the named decisions' populations too
            if any(k not in by_key for k in sub.compiled.pop_keys):
                by_key = sub.freeze(records, as_of).populations | by_key
        return FrozenPopulation(self.id, by_key, len(records), str(as_date(as_of)))

    def _resolve_population(
        self,
        population: PopulationInput,
        records: Sequence[Record],
        as_of: object,
        on_bad: OnBad | None,
    ) -> list[Population]:
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
        records: Iterable[Record],
        as_of: object = None,
        population: PopulationInput = None,
        on_error: str = "fail",
        validate: str = "needed",
    ) -> BatchResult:
        """Classify every record on the Python engine; see rulekit.Ruleset.classify_many."""
        from rulekit.compile.pyruntime import Bad, Conflict

        records = records if isinstance(records, list) else list(records)
        if self.named:  # named decisions: each on its own, combined (engines/decisions.py)
            from rulekit.engines.decisions import run_named

            return cast(
                BatchResult, run_named(self, records, as_of, population, on_error, validate)
            )
        today = as_date(as_of)
        rejected: dict[int, BadRecord] = {}

        def bad(i: int, e: Bad | Conflict, rec: Record) -> None:
            if isinstance(e, Conflict):
                br = BadRecord(i, None, None, self.conflict_reason(e.mask), rec)
            else:
                br = BadRecord(i, e.field, e.value, e.reason, rec)
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
        out: list[Decision | None] = []
        self.compiled.batch(records, 0, pops, today, self._table, out, bad)
        for i in rejected:
            out[i] = None
        if self.has_results:
            for i, d in enumerate(out):
                if d is not None:
                    out[i] = self.with_results(d, records[i], pops, today)
        return BatchResult(out, sorted(rejected.values(), key=lambda b: b.index), today, self)

    def classify(
        self,
        record: Record,
        as_of: object = None,
        population: PopulationInput | str | os.PathLike[str] = None,
        validate: str = "needed",
    ) -> Decision:
        """Classify one record (raises RecordError for a bad record).

        On the Python engine, with nothing set up per call: the evaluation date of an as_of is
        cached, and a ruleset without population functions calls the generated one-record
        function directly."""
        decision: Decision
        try:
            if population is None and validate == "needed" and self._plain:
                if as_of is None:
                    today = dt.date.today() if self._uses_today else None
                else:
                    try:
                        today = self._dates[as_of]
                    except (KeyError, TypeError):
                        today = self._date_of(as_of)
                decision = self._one(record, (), today, self._table)
                if self.has_results:
                    decision = self.with_results(decision, record, (), today or as_date(as_of))
            else:
                decision = self._classify_one_slow(record, as_of, population, validate)
        except Exception as e:
            bad = self._bad_record(e, record)
            if bad is None:
                raise
            raise RecordError(bad) from None
        if self.named:
            from rulekit.engines.decisions import classify_named

            return cast(
                Decision, classify_named(self, decision, record, as_of, population, validate)
            )
        return decision

    def _date_of(self, as_of: object) -> dt.date:
        today = as_date(as_of)
        if len(self._dates) < 256:
            try:
                self._dates[as_of] = today
            except TypeError:  # an unhashable as_of: not cached
                pass
        return today

    def _classify_ranked_by_file(
        self, record: Record, as_of: object, population: str | os.PathLike[str], validate: str
    ) -> Decision:
        """A record ranked against a file of records: rulekit.Ruleset reads it."""
        raise RulekitError("a population file needs rulekit.Ruleset (rulekit.load or compile)")

    def _classify_one_slow(
        self,
        record: Record,
        as_of: object,
        population: PopulationInput | str | os.PathLike[str],
        validate: str,
    ) -> Decision:
        """classify with a population or validate="all"."""
        if validate not in ("needed", "all"):
            raise RulekitError(f"validate must be 'needed' or 'all', not {validate!r}")
        if isinstance(population, (str, os.PathLike)):
            return self._classify_ranked_by_file(record, as_of, population, validate)
        today = as_date(as_of)
        if validate == "all":
            self.compiled.validate(record)
        pops = self._resolve_population(population, [record], today, None)
        decision = cast(Decision, self._one(record, pops, today, self._table))
        if self.has_results:
            decision = self.with_results(decision, record, pops, today)
        return decision

    # ---- outputs and label attributes
    @functools.cached_property
    def has_results(self) -> bool:  # outputs or label attributes: decisions carry them
        return has_results(self.program)

    def with_results(
        self, decision: Decision, record: Record, pops: Sequence[Any], today: dt.date | None
    ) -> Decision:
        """The decision with the record's outputs and its label's attributes."""
        run, p = self.compiled.outputs, self.program
        values = run(record, pops, today) if run is not None else ()
        outputs = dict(zip(p.outputs, values, strict=True))
        return replace(decision, outputs=outputs, attributes=attributes_of(p, decision.label))

    def _bad_record(self, e: Exception, record: Record) -> BadRecord | None:
        """The bad record an evaluation error means (None: not a record's fault)."""
        from rulekit.compile.pyruntime import Bad, Conflict

        if isinstance(e, Conflict):
            return BadRecord(0, None, None, self.conflict_reason(e.mask), record)
        if isinstance(e, Bad):
            return BadRecord(0, e.field, e.value, e.reason, record)
        return None

    def __repr__(self) -> str:
        return f"<Ruleset {self.id} ({len(self.program.rules)} rules, hit {self.hit})>"

    # ---- pickling and equality: a ruleset is its rule text, file name and options
    def _identity(self) -> tuple[Any, ...]:
        if self.program.param_overrides:  # overridden shared parameters compile it again too
            return (
                self.program.source.text,
                self.program.source.path,
                self.strict,
                self.program.param_overrides,
            )
        return (self.program.source.text, self.program.source.path, self.strict)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its rule text, file name and options, compiled again on load (no code
        objects, no connections): it can be sent to worker processes."""
        return (_rebuild, (type(self), *self._identity()))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CompiledRuleset):
            return NotImplemented
        return type(self) is type(other) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())


@functools.lru_cache(maxsize=32)
def _rebuild(
    cls: type[CompiledRuleset],
    text: str,
    path: str,
    strict: bool,
    params: tuple[tuple[str, Any], ...] = (),
) -> CompiledRuleset:
    """A pickled ruleset, compiled again from its rule text — once per process: a worker
    that receives the same ruleset with every task compiles it on the first."""
    from rulekit.check.checker import check
    from rulekit.errors import RuleError
    from rulekit.syntax.parser import parse

    file, source, syntax = parse(text, path)
    program = check(file, source, strict, syntax=syntax, params=dict(params) or None)
    if any(d.severity == "error" for d in program.diagnostics):
        raise RuleError(program.diagnostics)
    return cls(program, strict=strict)
