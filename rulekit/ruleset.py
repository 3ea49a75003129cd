"""The public Ruleset: a compiled rule file with every engine, explanations and examples.

It is the API layer's one object: the engines below know only `CompiledRuleset`, and the
explanations only read it, so none of them imports this module.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from rulekit.engines import classify_with_engine
from rulekit.engines.population import PopulationInput
from rulekit.engines.python import ON_ERROR, BatchResult, CompiledRuleset, Decision, Record
from rulekit.errors import RulekitError
from rulekit.explain.examples import ExampleResult, run_examples
from rulekit.explain.explanation import Explanation
from rulekit.explain.trace import trace_record
from rulekit.explain.whynot import WhyNot, why_not
from rulekit.model.intake import read_rows
from rulekit.model.reading import ReadOptions

if TYPE_CHECKING:  # the DuckDB engine is imported when it runs
    import pyarrow as pa

    from rulekit.analysis import FileAnalysis
    from rulekit.analysis.coverage import Coverage
    from rulekit.engines.duckdb_population import PopulationOrPath

F = TypeVar("F")

VALIDATE = ("needed", "all")


class Ruleset(CompiledRuleset):
    """A checked, compiled rule file. Build one with rulekit.load() or rulekit.compile()."""

    # ---- shared parameters
    def with_params(self, params: Mapping[str, Any]) -> Ruleset:
        """The same rules with shared parameters overridden (name → value, e.g.
        {"dormant_days": "150d"}), on top of this ruleset's own overrides; ParamError for an
        unknown name or a value of the wrong type."""
        from rulekit.check.checker import check
        from rulekit.errors import RuleError
        from rulekit.syntax.parser import parse

        merged = dict(self.program.param_overrides) | dict(params)
        file, source, syntax = parse(self.program.source.text, self.program.source.path)
        program = check(file, source, self.strict, syntax=syntax, params=merged)
        if any(d.severity == "error" for d in program.diagnostics):
            raise RuleError(program.diagnostics)
        return Ruleset(program, strict=self.strict)

    @property
    def params(self) -> dict[str, Any]:
        """The shared parameters the rules read, name → value (overrides applied)."""
        return {name: p.value for name, p in self.program.params.items() if p.used}

    # ---- classification
    def decision(self, name: str) -> Ruleset:
        """One named decision (`decision NAME …`) as a ruleset of its own: its rules, labels
        and hit policy over the file's fields and lets, id `<ruleset id>_<name>` (to explain,
        why-not, analyse or query it alone; it does not look at its parent). KeyError for a
        name the file does not have."""
        return Ruleset(self.program.decisions[name].program, strict=self.strict)

    def classify_many(
        self,
        records: Iterable[Record] | str | os.PathLike[str],
        as_of: object = None,
        population: PopulationOrPath = None,
        on_error: str = "fail",
        engine: str = "python",
        validate: str = "needed",
        read: ReadOptions | None = None,
    ) -> BatchResult:
        """Classify every record; the population of population functions is the batch unless
        a frozen population (or another list of records) is given.

        read: how text values are read (rulekit.ReadOptions: missing tokens, decimal comma,
        date format; docs/data.md). Default: the default policy.

        validate="needed" (default): a record is bad when a value the evaluation reads — the
        fields of the rules evaluated up to the decision — cannot be coerced. validate="all":
        every declared field of every record is read and checked first.
        """
        if on_error not in ON_ERROR:
            raise RulekitError(f"on_error must be one of {', '.join(ON_ERROR)}, not {on_error!r}")
        if validate not in VALIDATE:
            raise RulekitError(f"validate must be 'needed' or 'all', not {validate!r}")
        if engine != "python":  # "duckdb", or "auto": DuckDB for files and large batches
            return classify_with_engine(
                self, records, as_of, population, on_error, engine, validate, read=read
            )
        if (
            read is not None
            and not read.values_default
            and not isinstance(records, (str, os.PathLike))
        ):
            records = read_rows(records, self.fields, read)
        return self.run_python(  # records, not a path: a file needs engine "duckdb" or "auto"
            cast(Iterable[Record], records),
            as_of,
            cast(PopulationInput, population),
            on_error,
            validate,
        )

    def classify_batches(
        self,
        path: str | os.PathLike[str],
        as_of: object = None,
        population: PopulationOrPath = None,
        on_error: str = "fail",
        validate: str = "needed",
        *,
        columns: str = "results",
        batch_rows: int = 100_000,
        read: ReadOptions | None = None,
    ) -> Iterator[pa.RecordBatch]:
        """Classify a CSV, TSV, JSON Lines or Parquet file on DuckDB; the results as a stream
        of Arrow record batches (bounded memory, no Python object per row): `row` (or every
        input column with columns="all"), then `<id>` and `<id>_rule`. on_error "fail" stops
        the stream with the first bad row's RecordError; "skip" keeps bad rows unlabelled."""
        from rulekit.engines.duckdb_stream import classify_batches

        return classify_batches(
            self,
            path,
            as_of,
            population,
            on_error,
            validate,
            columns=columns,
            batch_rows=batch_rows,
            read=read,
        )

    def classify_frame(
        self,
        frame: F,
        *,
        as_of: object = None,
        population: PopulationOrPath | Any = None,
        on_error: str = "fail",
        labels: str = "id",
    ) -> F:
        """Classify a table where it is: a pandas or polars DataFrame, a polars LazyFrame, a
        pyarrow Table or RecordBatchReader, a DuckDB relation (or a Spark DataFrame, with the
        Spark engine); the same kind of table comes back with `<id>` and `<id>_rule` added.

        labels: "id" (the label ids), "name" (their display names) or "both" (also
        `<id>_display`). on_error="skip": a bad row stays with no label, and
        `<id>_rejected_field` / `<id>_rejected_reason` say why. See docs/frames.md."""
        from rulekit.frames import classify_frame  # loads the SQL compiler and DuckDB

        return classify_frame(
            frame, self, as_of=as_of, population=population, on_error=on_error, labels=labels
        )

    def _classify_ranked_by_file(
        self, record: Record, as_of: object, population: str | os.PathLike[str], validate: str
    ) -> Decision:
        # classify(record, population=path): the file is read (or frozen) as classify_many
        # reads it; on_error="fail", so a bad record raised
        decision = self.classify_many([record], as_of, population, validate=validate)[0]
        return cast(Decision, decision)

    # ---- explanation
    def explain(
        self,
        record: Record,
        as_of: object = None,
        population: PopulationInput = None,
        overrides: Mapping[str, Any] | None = None,
        batch: Sequence[Record] | None = None,
        validate: str = "needed",
    ) -> Explanation:
        """Evaluate one record with an observer attached: the decision and why."""
        return trace_record(self, record, as_of, population, dict(overrides or {}), batch, validate)

    def why_not(
        self,
        record: Record,
        label: str,
        as_of: object = None,
        population: PopulationInput = None,
        batch: Sequence[Record] | None = None,
    ) -> WhyNot:
        """Why this record did not get `label`: per rule, what blocked it and what would do."""
        return why_not(self, record, label, as_of, population, batch)

    def test(self) -> list[ExampleResult]:
        """Run the file's examples; each result says passed or why not."""
        return run_examples(self)

    # ---- static analysis
    def analyze(self, as_of: object = None, timeout_ms: int = 2000) -> FileAnalysis:
        """Rules that can never fire, overlaps, gaps, redundant conditions, duplicates and
        unused names, each with a witness record the engine reproduced (or the proof that none
        exists). `as_of` pins `today`; by default every date is considered. See
        docs/analysis.md. timeout_ms: the time limit of each solver query."""
        from rulekit.analysis import analyze_ruleset  # loads z3

        return analyze_ruleset(self, as_of, timeout_ms)

    def coverage(
        self, records: Sequence[Record], as_of: object = None, batch: BatchResult | None = None
    ) -> Coverage:
        """Per rule the rows it matched and decided, the rules that never fired, the rows that
        fell to the default and the label distribution (`batch`: these records' decisions from
        any engine; classified here on the Python engine when not given)."""
        from rulekit.analysis.coverage import coverage

        if batch is None:
            batch = self.classify_many(records, as_of, on_error="skip")
        return coverage(self, records, batch, as_of)
