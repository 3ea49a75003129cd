"""File to file on DuckDB: classify a CSV, TSV, JSON Lines or Parquet file into another file with
COPY, so the rows never pass through Python and memory stays bounded (DuckDB spills to a
temporary directory past its memory limit). This is what `rulekit run` does with the DuckDB
engine, and its output is the Python engine's, row for row, in input order:

* every input column (one named like a result column is replaced), then per ruleset `<id>` (the
  label; a list under hit all) and `<id>_rule` (the deciding rule; the matching rules under hit
  all). A row set aside as bad stays in the output with no label and no rule;
* CSV and TSV cells as rulekit.io writes them: a list as compact JSON text (`["a","b"]`), a
  JSON value read from JSON Lines as its compact text, a timestamp in ISO form; a UTF-8 BOM kept when asked;
* every file written atomically (a temporary file, then one rename): a failed run leaves
  nothing behind;
* bad rows follow the on_error policy: fail stops at the row runtime.py would stop at, before
  anything is written; skip counts them (and keeps the first few, for a message); quarantine
  also writes them, with their reasons, to a side file; counts reconcile.

One ruleset is one query (the input's columns pass through it). Several rulesets each write
their results (row number, label, rule) to a temporary Parquet file, which one last query lines
up with the input (a positional join: every result file has one row per input row, in order).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from rulekit.compile.sql.duckdb import DuckDBGenerator
from rulekit.compile.sql.generator import Relation, Source
from rulekit.documents import RunFiles, RunSummaryDocument
from rulekit.engines.duckdb_connection import (
    QUOTING,
    connect,
    file_format,
    peak_rss_mb,
    temp_dir,
)
from rulekit.engines.duckdb_connection import run_sql as _run
from rulekit.engines.duckdb_copy import copy_to, streaming
from rulekit.engines.duckdb_population import PopulationOrPath, prepare
from rulekit.engines.duckdb_sources import file_source
from rulekit.engines.python import ON_ERROR, CompiledRuleset, as_date
from rulekit.engines.summary import run_summary
from rulekit.errors import BadRecord, RecordError, RulekitError
from rulekit.model.program import HitPolicy, Program
from rulekit.model.reading import ReadOptions

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

StrPath = str | os.PathLike[str]
# 0-based row indexes -> the input file's line numbers (for rejected_line)
LineNumbers = Callable[[list[int]], dict[int, int]]

REJECTED_COLUMNS = [
    "rejected_row",
    "rejected_line",
    "rejected_ruleset",
    "rejected_field",
    "rejected_column",
    "rejected_value",
    "rejected_reason",
]
# a reason starts with the value it rejects (Python's repr, or a number): its words follow
REASON_VALUE = r"""^('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^ ]+)"""

_Q = QUOTING


@dataclass
class RunSummary:
    """What one ruleset did in a file-to-file run: counts that reconcile (rows in = labelled +
    unlabelled + rejected), rows per label, where things went, how long and how much memory."""

    ruleset: str
    input: str
    output: str | None
    rejected_path: str | None
    as_of: dt.date
    rows_in: int
    labelled: int
    unlabelled: int
    rejected: int
    labels: dict[str, int] = field(
        default_factory=dict
    )  # label -> rows (each label of a hit-all row)
    first_rejected: list[BadRecord] = field(default_factory=list)  # the first few, in order
    columns: list[str] = field(default_factory=list)  # the output's columns
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    program: Program | None = field(default=None, repr=False, compare=False)  # for to_dict()
    # rejected values per column and reason (RejectedValueCount documents), when set aside
    rejected_values: list[dict[str, Any]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows_in": self.rows_in,
            "labelled": self.labelled,
            "unlabelled": self.unlabelled,
            "rejected": self.rejected,
        }

    def to_dict(self) -> RunSummaryDocument:
        """The run-summary document (format rulekit-run-summary/1), with the files of the run."""
        if self.program is None:
            raise RulekitError("this RunSummary was made without its ruleset: no document")
        files: RunFiles = {
            "input": self.input,
            "output": self.output,
            "rejected": self.rejected_path,
        }
        return run_summary(
            self.program,
            self.labels,
            self.counts,
            self.as_of,
            self.first_rejected,
            self.seconds,
            files,
        )

    summary = to_dict

    @property
    def rows_per_second(self) -> float:
        return self.rows_in / self.seconds if self.seconds else 0.0


class _Part(NamedTuple):
    """One ruleset's share of a run."""

    ruleset: CompiledRuleset
    gen: DuckDBGenerator
    results: Path | None  # its (row, label, rule) file, when several rulesets share the run
    rejected: Path | None  # its rejected rows
    n_rejected: int  # how many


# ---------------------------------------------------------------------- writing


# ---------------------------------------------------------------------- the run


def run_file(
    ruleset: CompiledRuleset, input_path: StrPath, output_path: StrPath, **options: Any
) -> RunSummary:
    """Classify a file into a file with one ruleset; see run_files."""
    return run_files([ruleset], input_path, output_path, **options)[0]


def run_files(
    rulesets: Sequence[CompiledRuleset],
    input_path: StrPath,
    output_path: StrPath,
    *,
    as_of: object = None,
    population: PopulationOrPath = None,
    on_error: str = "fail",
    rejected_path: StrPath | None = None,
    validate: str = "needed",
    memory_limit: str | None = None,
    threads: int | None = None,
    con: DuckDBPyConnection | None = None,
    input_format: str | None = None,
    rule_column: bool = True,
    bom: bool = False,
    line_numbers: LineNumbers | None = None,
    sample: int = 5,
    source: Source | None = None,
    reading: ReadOptions | None = None,
) -> list[RunSummary]:
    """Classify a CSV, TSV, JSON Lines or Parquet file into `output_path` (format by extension)
    on DuckDB, one summary per ruleset (see the module's docstring for the output).

    population: a FrozenPopulation (or records or a file, frozen first) to rank against.
    rejected_path: where quarantine writes the bad rows (default <output>.rejected.<ext>), with
    `rulekit run`'s columns: rejected_row (1-based), rejected_line, rejected_ruleset,
    rejected_field, rejected_column, rejected_value, rejected_reason, then the input columns,
    ordered by row and ruleset. line_numbers: maps 0-based row indexes to the file's line
    numbers, for rejected_line (else it is empty). source: the input as file_source described
    it already (else it is read again). reading: how text values are read (model/reading.py;
    None: the default policy). A RecordError from fail carries the id of the ruleset in `.ruleset`.
    """
    if on_error not in ON_ERROR:
        raise RulekitError(f"on_error must be one of {', '.join(ON_ERROR)}, not {on_error!r}")
    if not rulesets:
        raise RulekitError("run_files needs at least one ruleset")
    started = time.perf_counter()
    today = as_date(as_of)
    in_path, out_path = Path(input_path), Path(output_path)
    out_fmt = file_format(out_path)
    db = con or connect(memory_limit, threads)
    read = source or file_source(db, in_path, input_format)
    _check_names(read, in_path)

    prepared: dict[int, DuckDBGenerator] = {}

    def generator(rs: CompiledRuleset) -> DuckDBGenerator:
        # a frozen population registers its tables: prepare just before use
        if id(rs) not in prepared:
            gen = prepare(
                db, rs, read, today, population, validate, compact_text=out_fmt == "parquet"
            )
            if reading is not None:
                gen.read_options = reading
            prepared[id(rs)] = gen
        return prepared[id(rs)]

    def stop(gen: DuckDBGenerator, rs: CompiledRuleset) -> None:
        bad = first_bad(db, gen, read, in_path)
        if bad is not None:
            error = RecordError(bad)
            error.ruleset = rs.id
            raise error

    multi = len(rulesets) > 1
    # one ruleset: one optimistic pass writes the output and proves that no row is bad (else
    # it stops, and the rows are checked, set aside and written as below)
    clean = (
        None
        if multi
        else _write_clean(db, generator(rulesets[0]), read, out_path, bom, rule_column)
    )
    if on_error == "fail" and not multi and clean is None:  # the first bad row stops the run
        stop(generator(rulesets[0]), rulesets[0])

    work = Path(tempfile.mkdtemp(prefix="run-", dir=temp_dir()))
    try:
        parts: list[_Part] = []
        joined: list[tuple[Path, DuckDBGenerator]] = []  # several rulesets: their results
        for i, rs in enumerate(rulesets):
            gen = generator(rs)
            results = None
            if multi:  # results apart, bad rows flagged: checked before the output is written
                results = work / f"results_{i}.parquet"
                copy_to(
                    db,
                    gen.labelled_sql(
                        read,
                        passthrough=False,
                        order=True,
                        keep_bad=True,
                        rule_column=rule_column,
                        flag_bad=True,
                    ),
                    results,
                    f"classify {in_path.name} with {rs.id}",
                )
                joined.append((results, gen))
                flag = _Q.identifier_sql(gen.internal["flag"])
                if on_error == "fail" and _count(db, results, f"{flag} IS NOT NULL"):
                    stop(gen, rs)
            elif clean is not None:
                written = clean
            else:
                with streaming(db, read):
                    written = copy_to(
                        db,
                        gen.labelled_sql(
                            read, passthrough=True, keep_bad=True, rule_column=rule_column
                        ),
                        out_path,
                        f"write {out_path}",
                        bom,
                    )
            rejected, count = None, 0
            reject_sql = gen.rejected_sql(read, passthrough=True)
            if reject_sql is not None and on_error != "fail" and clean is None:
                rejected = work / f"rejected_{i}.parquet"
                with streaming(db, read):  # the rejected file is sorted when written
                    count = copy_to(
                        db,
                        _quarantine_sql(gen, reject_sql, read),
                        rejected,
                        f"set aside the bad rows of {in_path.name}",
                    )
            parts.append(_Part(rs, gen, results, rejected, count))
        gens = [p.gen for p in parts]
        if multi:
            written = copy_to(
                db,
                _join_sql(read, joined, rule_column),
                out_path,
                f"write {out_path}",
                bom,
            )
        columns = _output_names(read, gens, rule_column)

        written_rejected = None
        if on_error == "quarantine" and any(p.n_rejected for p in parts):
            target = Path(rejected_path) if rejected_path else default_rejected(out_path)
            copy_to(
                db,
                _rejected_file_sql(
                    db, [p.rejected for p in parts if p.rejected and p.n_rejected], line_numbers
                ),
                target,
                f"write {target}",
                bom,
            )
            written_rejected = str(target)
        summaries = []
        for p in parts:  # labels read back from the results
            labels, labelled = label_counts(db, p.ruleset, _relation(p.results or out_path))
            summaries.append(
                RunSummary(
                    p.ruleset.id,
                    str(in_path),
                    str(out_path),
                    written_rejected,
                    today,
                    written,
                    labelled,
                    written - labelled - p.n_rejected,
                    p.n_rejected,
                    labels,
                    _first_rows(db, p.rejected, sample) if p.rejected and p.n_rejected else [],
                    columns,
                    program=p.ruleset.program,
                    rejected_values=(
                        rejected_counts(db, p.rejected, p.ruleset.id)
                        if p.rejected and p.n_rejected
                        else []
                    ),
                )
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    seconds, peak = time.perf_counter() - started, peak_rss_mb()
    for s in summaries:
        s.seconds, s.peak_rss_mb = seconds, peak
    return summaries


_BAD_ROW = "rulekit: a bad row"  # the optimistic write's stop


def _write_clean(
    con: DuckDBPyConnection,
    gen: DuckDBGenerator,
    source: Source,
    out_path: Path,
    bom: bool,
    rule_column: bool,
) -> int | None:
    """Write the output in one pass if no row is bad (the rows written), else None and
    nothing written: the first bad row stops the query (DuckDB's error()), so a clean file is
    read once whatever on_error says, with no checking pass before and no pass for the bad
    rows after."""
    if gen.needs_order():  # its ORDER BY must stay the outer one (populations reorder rows)
        return None
    flag = _Q.identifier_sql(gen.internal["flag"])
    sql = gen.labelled_sql(
        source, passthrough=True, keep_bad=True, rule_column=rule_column, flag_bad=True
    )
    stop = _Q.string_sql(_BAD_ROW)
    guarded = (
        f"SELECT * EXCLUDE ({flag}) FROM (\n{sql}\n)\n"
        f"WHERE CASE WHEN {flag} IS NOT NULL THEN error({stop}) ELSE TRUE END"
    )
    try:
        with streaming(con, source):
            return copy_to(con, guarded, out_path, f"write {out_path}", bom)
    except RulekitError as e:
        if _BAD_ROW in str(e):
            return None
        raise


def _check_names(source: Source, path: Path) -> None:
    """DuckDB compares column names without case: it cannot write two that differ only in
    case, as the output must (rulekit.io reads such a file; `rulekit run` does so itself)."""
    seen: dict[str, str] = {}
    for name in source.columns or {}:
        other = seen.setdefault(name.lower(), name)
        if other != name:
            raise RulekitError(
                f"{path.name}: the columns {other!r} and {name!r} differ only in case, which "
                f"DuckDB cannot tell apart; rename one, or classify the file with the Python "
                f"engine (rulekit.io reads it)"
            )


def default_rejected(output: Path) -> Path:
    return output.with_name(output.stem + ".rejected" + output.suffix)


def _relation(path: Path) -> Relation:
    fmt = file_format(path)
    return Relation(path=str(path), format=fmt)


def _count(con: DuckDBPyConnection, path: Path, where: str) -> int:
    n: int = _run(
        con,
        f"SELECT count(*) FROM read_parquet({_Q.string_sql(str(path))}) WHERE {where}",
        f"read {path}",
    ).fetchall()[0][0]
    return n


def _join_sql(
    source: Source, results: list[tuple[Path, DuckDBGenerator]], rule_column: bool
) -> str:
    """The input's columns, then each ruleset's results: one row per input row in order."""
    ident = _Q.identifier_sql
    replaced = _replaced(source, [g for _, g in results], rule_column)
    cols = [_Q.star_sql(ident("src"), replaced + list(source.relation.hidden))]
    joins = []
    for i, (path, gen) in enumerate(results):
        alias = ident(f"r{i}")
        internal = ", ".join(ident(gen.internal[k]) for k in ("row", "flag"))
        cols.append(f"{alias}.* EXCLUDE ({internal})")
        joins.append(f"POSITIONAL JOIN read_parquet({_Q.string_sql(str(path))}) AS {alias}")
    return (
        f"SELECT {', '.join(cols)}\nFROM {_Q.relation_sql(source.relation)} AS "
        f"{ident('src')}\n" + "\n".join(joins)
    )


def _replaced(source: Source, gens: list[DuckDBGenerator], rule_column: bool) -> list[str]:
    """The input's columns a result column replaces."""
    names = {name for g in gens for name in g.result_names(rule_column)}
    return [c for c in source.columns or {} if c in names]


def _output_names(source: Source, gens: list[DuckDBGenerator], rule_column: bool) -> list[str]:
    replaced = set(_replaced(source, gens, rule_column))
    return [c for c in source.columns or {} if c not in replaced] + [
        name for g in gens for name in g.result_names(rule_column)
    ]


def _quarantine_sql(gen: DuckDBGenerator, reject_sql: str, source: Source) -> str:
    """The rejected rows with `rulekit run`'s quarantine columns."""
    ident, s = gen.identifier_sql, gen.string_sql
    N = gen.internal
    whens = " ".join(f"WHEN {s(name)} THEN {s(info.column)}" for name, info in gen.p.fields.items())
    columns = f"CASE {ident(N['field'])} {whens} END" if whens else "CAST(NULL AS VARCHAR)"
    internal = [N[k] for k in ("row", "stage", "field", "value", "reason")]
    internal += [c for c in source.columns or {} if c in REJECTED_COLUMNS]
    return (
        f"SELECT {ident(N['row'])} + 1 AS rejected_row, CAST(NULL AS BIGINT) AS "
        f"rejected_line, {s(gen.p.id)} AS rejected_ruleset, {ident(N['field'])} AS "
        f"rejected_field, {columns} AS rejected_column, "
        f"{ident(N['value'])} AS rejected_value, {ident(N['reason'])} AS rejected_reason, "
        f"* EXCLUDE ({', '.join(map(ident, internal))})\nFROM (\n{reject_sql}\n)\n"
        f"ORDER BY rejected_row"
    )


def _first_rows(con: DuckDBPyConnection, rejected: Path, n: int) -> list[BadRecord]:
    cur = _run(
        con,
        f"SELECT * FROM read_parquet({_Q.string_sql(str(rejected))}) "
        f"ORDER BY rejected_row LIMIT {int(n)}",
        "read the rejected rows",
    )
    names = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        rec = dict(zip(names, row, strict=True))
        raw = {k: v for k, v in rec.items() if k not in REJECTED_COLUMNS}
        out.append(
            BadRecord(
                rec["rejected_row"] - 1,
                rec["rejected_field"],
                rec["rejected_value"],
                rec["rejected_reason"],
                raw,
            )
        )
    return out


def _rejected_file_sql(
    con: DuckDBPyConnection, files: list[Path], line_numbers: LineNumbers | None
) -> str:
    """Every ruleset's rejected rows in one table, by row and ruleset, with line numbers."""
    parts = "\nUNION ALL BY NAME\n".join(
        f"SELECT * FROM read_parquet({_Q.string_sql(str(f))})" for f in files
    )
    if line_numbers is None:
        return f"SELECT * FROM (\n{parts}\n) ORDER BY rejected_row, rejected_ruleset"
    import pyarrow as pa

    rows = [
        r[0] - 1
        for r in _run(
            con, f"SELECT DISTINCT rejected_row FROM ({parts})", "read the rejected rows"
        ).fetchall()
    ]
    lines = line_numbers(sorted(rows))
    con.register(
        "rk_rejected_lines",
        pa.table(
            {
                "i": pa.array([i + 1 for i in lines], pa.int64()),
                "line": pa.array(list(lines.values()), pa.int64()),
            }
        ),
    )
    return (
        f"SELECT r.* REPLACE (l.line AS rejected_line)\nFROM (\n{parts}\n) AS r\n"
        f"LEFT JOIN rk_rejected_lines AS l ON r.rejected_row = l.i\n"
        f"ORDER BY r.rejected_row, r.rejected_ruleset"
    )


def label_counts(
    con: DuckDBPyConnection, ruleset: CompiledRuleset, rel: Relation
) -> tuple[dict[str, int], int]:
    """Rows per label (most first) and rows with a label, read back from a written file."""
    ident = _Q.identifier_sql
    col = ident(ruleset.id)
    multi = ruleset.hit is HitPolicy.ALL
    if rel.format == "json":
        rel = Relation(path=rel.path, format="json", json_columns=(ruleset.id,))
        col = f"from_json({col}, '[\"VARCHAR\"]')" if multi else f"json_extract_string({col}, '$')"
    elif rel.format in ("csv", "tsv") and multi:
        col = f"from_json({col}, '[\"VARCHAR\"]')"
    source = _Q.relation_sql(rel)
    labelled = _run(con, f"SELECT count({col}) FROM {source}", "count the labels").fetchall()[0][0]
    each = f"unnest({col})" if multi else col
    counts = _run(
        con,
        f"SELECT CAST(l AS VARCHAR) AS l, count(*) FROM (SELECT {each} AS l "
        f"FROM {source}) WHERE l IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1",
        "count the labels",
    ).fetchall()
    return dict(counts), labelled


def first_bad(
    con: DuckDBPyConnection, gen: DuckDBGenerator, source: Source, path: StrPath
) -> BadRecord | None:
    """The row runtime.py would stop at: it checks every field first (validate="all"), then
    the population's arguments, then evaluates row by row (a bad value or a unique conflict)."""
    ident = gen.identifier_sql
    N = gen.internal
    quick = gen.rejected_sql(source, passthrough=False, reasons=False)
    if (
        quick is None
        or _run(con, f"SELECT count(*) FROM (\n{quick}\n)", f"check {path}").fetchall()[0][0] == 0
    ):
        return None  # the usual case, found without wording any reason
    sql = gen.rejected_sql(source, passthrough=True)
    cur = _run(
        con,
        f"SELECT * FROM (\n{sql}\n) ORDER BY {ident(N['stage'])}, {ident(N['row'])} LIMIT 1",
        f"check {path}",
    )
    rows = cur.fetchall()
    if not rows:
        return None
    row = rows[0]
    names = [d[0] for d in cur.description]
    return BadRecord(row[0], row[2], row[3], row[4], dict(zip(names[5:], row[5:])))


def reason_words(reason: str) -> str:
    """A reason without the value it names: `'abc' is not a number` -> ` is not a number`."""
    import re

    return re.sub(REASON_VALUE, "", reason, count=1)


def rejected_counts(con: DuckDBPyConnection, rejected: Path, ruleset: str) -> list[dict[str, Any]]:
    """The rejected values of a quarantine part counted per column and reason."""
    words = f"regexp_replace(rejected_reason, {_Q.string_sql(REASON_VALUE)}, '')"
    sql = (
        f"SELECT rejected_column, {words} AS w, count(*) AS n FROM "
        f"read_parquet({_Q.string_sql(str(rejected))}) GROUP BY ALL ORDER BY n DESC, w"
    )
    return [
        {"ruleset": ruleset, "column": c, "reason": w, "count": n}
        for c, w, n in _run(con, sql, "count the rejected values").fetchall()
    ]
