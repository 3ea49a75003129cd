"""`rulekit run` on the Python engine in bounded memory: the input is read, classified and
written a chunk of rows at a time (rulekit.io.open_table, TableWriter; RULEKIT_CHUNK_ROWS rows,
default 50,000), in input order. What the user sees is what the whole-file path showed: the
same output file, rejected-rows file, preview, summary, counts and errors.

A ruleset with population functions ranks every row against the populations of the whole
file, so the file is read twice: once to build the populations (only the ranked values are
kept), once to classify. Under --on-error fail the error shown is the one the rulesets
classified one after the other would give: the first bad row of the first ruleset (in the
order given) that has one.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rulekit import render
from rulekit.cli.app import Exit, Usage
from rulekit.cli.classify import _output_columns
from rulekit.cli.inputs import _excel_dates, _id_column, _open, _warn_serial_dates
from rulekit.cli.output import _note, _progress
from rulekit.cli.report import (
    SET_ASIDE_SHOWN,
    _check_columns,
    _print_preview,
    _print_report,
    _print_written,
    _warn_replaced,
    report_bad_record,
)
from rulekit.engines.results import result_columns
from rulekit.errors import BadRecord, RecordError
from rulekit.model.outputs import result_columns as output_columns

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from rulekit import Ruleset
    from rulekit.compile.pyruntime import Bad
    from rulekit.documents import RejectedValueCount
    from rulekit.engines.population import FrozenPopulation
    from rulekit.engines.python import BatchResult
    from rulekit.io import Chunk, TableStream, TableWriter
    from rulekit.model.reading import ReadOptions

KEEP = 5  # rejected rows kept per ruleset for the summary and the notes
WORKBOOKS = ("xlsx", "xls", "ods")
_SEEN: dict[str, Any] = {}  # the run's input format, and per ruleset its Excel serial dates


@dataclass
class StreamRows:
    """The input as `run`'s messages name its rows: the lines of the rows named are kept."""

    stream: TableStream
    known: dict[int, int] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.stream.path

    @property
    def columns(self) -> list[str]:
        return self.stream.columns

    def where(self, index: int) -> str:
        return self.stream.where(index, self.known.get(index))

    def remember(self, chunk: Chunk, index: int) -> None:
        if chunk.lines is not None:
            self.known[index] = chunk.lines[index - chunk.start]


@dataclass
class Tally:
    """One ruleset's counts over the chunks."""

    per_label: Counter[str] = field(default_factory=Counter)
    rows_in: int = 0
    labelled: int = 0
    rejected: int = 0
    first: list[BadRecord] = field(default_factory=list)
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        return {
            "rows_in": self.rows_in,
            "labelled": self.labelled,
            "unlabelled": self.rows_in - self.labelled - self.rejected,
            "rejected": self.rejected,
        }


class Pending(Exception):
    """Under fail: the run stops with this ruleset's bad row (every ruleset before it was clean)."""


def run_stream(
    loaded: Sequence[Ruleset],
    data: str,
    out: str | None,
    today: dt.date,
    on_error: str,
    frozen: FrozenPopulation | None,
    preview: int,
    pinned: bool,
    reading: ReadOptions,
    labels: str,
    encoding: str | None,
    summary_json: str | None,
) -> None:
    """Run `loaded` over the file in chunks and print what `run` prints; exits (Exit)."""
    from rulekit.io import TableWriter

    stream = _open(data, reading)
    _SEEN.clear()
    _SEEN["format"] = stream.format
    for note in stream.notes:
        _note(note)
    rows = StreamRows(stream)
    for rs in loaded:
        _check_columns(rs, rows)
    columns = stream.columns
    bom = stream.bom or stream.encoding not in ("utf-8", "ascii")
    out_encoding = encoding or ("utf-8-sig" if bom else "utf-8")
    names: list[str] = []
    for rs in loaded:
        names.append(rs.id)
        if labels == "both":
            names.append(rs.id + "_display")
        names.append(rs.id + "_rule")
        names.extend(output_columns(rs.program))
    tallies = [Tally() for _ in loaded]
    values: Counter[tuple[str, str | None, str]] = Counter()
    head: list[dict[str, Any]] = []
    writer = TableWriter(out, columns, names, encoding=out_encoding) if out is not None else None
    quarantine: list[TableWriter] = []  # the rejected-rows file, opened at the first one
    failed: tuple[int, BadRecord] | None = None
    total = 0
    try:
        with _progress() as progress:
            populations, set_aside, failed = _populations(
                loaded, stream, rows, today, on_error, frozen, progress
            )
            task = _task(progress, stream, "classifying")
            active = len(loaded) if failed is None else failed[0]
            started = time.perf_counter()
            for chunk in stream.chunks() if active else ():
                extra: dict[str, list[Any]] = {}
                rejected_rows: list[dict[str, Any]] = []
                for k in range(active):
                    rs = loaded[k]
                    begin = time.perf_counter()
                    try:
                        batch = _classify_chunk(
                            rs, chunk, today, on_error, populations[k], set_aside[k], reading
                        )
                    except RecordError as e:
                        rows.remember(chunk, e.bad.index)
                        failed, active = (k, e.bad), k
                        break
                    tallies[k].seconds += time.perf_counter() - begin
                    _tally(tallies[k], batch, rows, chunk)
                    ids, rules = _output_columns(rs, batch)
                    shown = _display_names(rs, ids) if labels != "id" else ids
                    extra[rs.id] = shown if labels == "name" else ids
                    if labels == "both":
                        extra[rs.id + "_display"] = shown
                    extra[rs.id + "_rule"] = rules
                    extra.update(result_columns(rs.program, batch.decisions))  # outputs, attributes
                    for bad in batch.rejected:
                        info = rs.fields.get(bad.field) if bad.field else None
                        column = info.column if info else None
                        values[(rs.id, column, _reason_words(bad.reason))] += 1
                        if on_error == "quarantine":
                            rejected_rows.append(_rejected_row(rs, bad, column, chunk))
                if failed is not None:
                    if writer is not None:
                        writer.abort()
                        writer = None
                    if not active:
                        break
                    continue
                total += len(chunk.rows)
                if writer is not None:
                    _write(writer, out, out_encoding, chunk, extra)
                if rejected_rows:
                    _quarantine(quarantine, out, stream, rejected_rows)
                if len(head) < preview:
                    for i, row in enumerate(chunk.rows[: preview - len(head)]):
                        head.append({**row, **{name: v[i] for name, v in extra.items()}})
                _advance(progress, task, chunk, total, started)
        _serial_warnings(loaded, rows)
        if failed is not None:
            k, bad = failed
            report_bad_record(loaded[k], bad, rows)
            raise Exit(1)
        if writer is not None:
            writer.commit()
        rejected_path = quarantine[0].path if quarantine else None
        if quarantine:
            quarantine[0].commit()
    finally:
        if writer is not None:
            writer.abort()
        for q in quarantine:
            q.abort()
    summaries = [
        render.summary_of_counts(rs, t.per_label, t.counts(), today, None, t.first)
        for rs, t in zip(loaded, tallies, strict=True)
    ]
    if summary_json is not None:
        from rulekit.cli.run_summary import write_summary_json

        write_summary_json(
            summary_json,
            data,
            out,
            [
                render.summary_of_counts(rs, t.per_label, t.counts(), today, t.seconds, t.first)
                for rs, t in zip(loaded, tallies, strict=True)
            ],
            _rejected_values(values),
        )
    _warn_replaced(loaded, columns)
    from rulekit.cli.output import ui

    if ui.quiet:
        raise Exit(0)
    if out is None and preview > 0 and total:
        _print_preview(_id_column(rows), head, loaded, total)
    _print_report(
        rows,
        [(rs, s, t.first, t.rejected) for rs, s, t in zip(loaded, summaries, tallies, strict=True)],
        on_error,
        today,
        pinned,
    )
    _print_written(
        out,
        total,
        len(set(columns) | set(names)),
        f"classified in {sum(t.seconds for t in tallies):.2f} s",
        rejected_path,
        sum(t.rejected for t in tallies),
    )
    raise Exit(0)


def _populations(
    loaded: Sequence[Ruleset],
    stream: TableStream,
    rows: StreamRows,
    today: dt.date,
    on_error: str,
    frozen: FrozenPopulation | None,
    progress: Progress | None,
) -> tuple[list[FrozenPopulation | None], list[dict[int, BadRecord]], tuple[int, BadRecord] | None]:
    """The first pass, for the rulesets with population functions and no frozen population:
    the populations over the whole file, the rows set aside by a bad value a population reads,
    and under fail the first ruleset's first such row."""
    from rulekit.engines.python_stream import PopulationBuilder

    populations: list[FrozenPopulation | None] = [frozen for _ in loaded]
    set_aside: list[dict[int, BadRecord]] = [{} for _ in loaded]
    builders: dict[int, PopulationBuilder] = {}
    for k, rs in enumerate(loaded):
        if frozen is None and rs.compiled.pop_keys:
            aside = set_aside[k]

            def bad(i: int, e: Bad, rec: Any, aside: dict[int, BadRecord] = aside) -> None:
                record = BadRecord(i, e.field, e.value, e.reason, None)
                if on_error == "fail":
                    raise RecordError(record)
                aside.setdefault(i, record)

            builders[k] = PopulationBuilder(rs, today, bad)
    if not builders:
        return populations, set_aside, None
    failed: tuple[int, BadRecord] | None = None
    task = _task(progress, stream, "ranking")
    started, done = time.perf_counter(), 0
    for chunk in stream.chunks():
        for k, builder in list(builders.items()):
            if failed is not None and k >= failed[0]:
                continue
            try:
                records = _read_chunk(loaded[k], chunk.rows, rows.stream.options, chunk, False)
                builder.add(records, chunk.start)
            except RecordError as e:
                rows.remember(chunk, e.bad.index)
                failed = (k, e.bad)
        done += len(chunk.rows)
        _advance(progress, task, chunk, done, started)
        if failed is not None and failed[0] == 0:
            break
    if progress is not None and task is not None:
        progress.remove_task(task)
    for k, builder in builders.items():
        if failed is not None and k >= failed[0]:
            continue
        try:
            populations[k] = builder.frozen()
        except RecordError as e:  # a staged population's bad row (under fail)
            failed = (k, e.bad)
            rows.known.update(_lines_of(stream, [e.bad.index]))
    return populations, set_aside, failed


def _serial_warnings(loaded: Sequence[Ruleset], rows: StreamRows) -> None:
    """The Excel serial dates read, one warning per column (the first ruleset that read it)."""
    merged: dict[str, Any] = {}
    for rs in loaded:
        for column, note in _SEEN.get(rs.id, {}).items():
            merged.setdefault(column, note)
    if merged:
        rows.known.update(_lines_of(rows.stream, [n.first_index for n in merged.values()]))
        _warn_serial_dates(rows, merged)


def _lines_of(stream: TableStream, indexes: list[int]) -> dict[int, int]:
    wanted = set(indexes)
    found: dict[int, int] = {}
    for chunk in stream.chunks():
        for i in wanted:
            if chunk.lines is not None and chunk.start <= i < chunk.start + len(chunk.rows):
                found[i] = chunk.lines[i - chunk.start]
        if len(found) == len(wanted) or chunk.lines is None:
            break
    return found


def _read_chunk(
    rs: Ruleset,
    rows: list[dict[str, Any]],
    reading: ReadOptions,
    chunk: Chunk | None = None,
    count: bool = True,
) -> Any:
    """The chunk's rows as the ruleset reads them: a workbook's numbers in date columns as
    Excel serial dates, the value options (--na, --decimal-comma, --date-format) applied to
    its fields."""
    if chunk is not None and _SEEN.get("format") in WORKBOOKS:
        seen = _SEEN.setdefault(rs.id, {}) if count else {}  # counted in one pass only
        rows = _excel_dates(rs, rows, _SEEN["format"], chunk.start, seen)
    if reading.values_default:
        return rows
    from rulekit.model.intake import read_rows

    return read_rows(rows, rs.fields, reading)


def _classify_chunk(
    rs: Ruleset,
    chunk: Chunk,
    today: dt.date,
    on_error: str,
    population: FrozenPopulation | None,
    set_aside: dict[int, BadRecord],
    reading: ReadOptions,
) -> BatchResult:
    """One chunk on the Python engine; indexes in the result are the file's (0-based)."""
    from rulekit.engines.python import BatchResult

    start, end = chunk.start, chunk.start + len(chunk.rows)
    records = _read_chunk(rs, chunk.rows, reading, chunk)
    try:
        part = rs.classify_many(
            records, as_of=today, population=population, on_error=on_error, engine="python"
        )
    except RecordError as e:
        e.bad.index += start
        raise
    for bad in part.rejected:
        bad.index += start
    aside = [b for i, b in set_aside.items() if start <= i < end] if set_aside else []
    if not aside:
        return part
    decisions = list(part.decisions)
    for b in aside:
        decisions[b.index - start] = None
    merged = {r.index: r for r in part.rejected}
    merged.update({b.index: b for b in aside})
    return BatchResult(decisions, sorted(merged.values(), key=lambda r: r.index), today, rs)


def _tally(t: Tally, batch: BatchResult, rows: StreamRows, chunk: Chunk) -> None:
    from rulekit.engines.summary import label_counts

    t.per_label.update(label_counts(batch.decisions))
    t.rows_in += len(batch.decisions)
    t.labelled += sum(1 for d in batch.decisions if d is not None and d.labels)
    t.rejected += len(batch.rejected)
    for bad in batch.rejected:
        if len(t.first) >= max(KEEP, SET_ASIDE_SHOWN):
            break
        t.first.append(bad)
        rows.remember(chunk, bad.index)


def _rejected_row(rs: Ruleset, bad: BadRecord, column: str | None, chunk: Chunk) -> dict[str, Any]:
    from rulekit import io as rio
    from rulekit.engines.files import REJECTED_COLUMNS as meta

    value = (
        bad.value if bad.value is None or isinstance(bad.value, str) else rio.cell_text(bad.value)
    )
    i = bad.index - chunk.start
    return {
        "rejected_row": bad.index + 1,
        "rejected_line": chunk.lines[i] if chunk.lines else None,
        "rejected_ruleset": rs.id,
        "rejected_field": bad.field,
        "rejected_column": column,
        "rejected_value": value,
        "rejected_reason": bad.reason,
        **{c: v for c, v in chunk.rows[i].items() if c not in meta},
    }


def _quarantine(
    quarantine: list[TableWriter], out: str | None, stream: TableStream, rows: list[dict[str, Any]]
) -> None:
    """Append a chunk's rejected rows (by row, then ruleset) to the rejected-rows file."""
    from rulekit.engines.files import REJECTED_COLUMNS as meta
    from rulekit.engines.files import default_rejected
    from rulekit.io import TableWriter

    assert out is not None  # quarantine needs --out (checked by run)
    if not quarantine:
        path = default_rejected(Path(out))
        columns = meta + [c for c in stream.columns if c not in meta]
        quarantine.append(TableWriter(path, columns, bom=stream.bom))
    rows.sort(key=lambda r: (r["rejected_row"], r["rejected_ruleset"]))
    quarantine[0].write(rows)


def _write(
    writer: TableWriter, out: str | None, out_encoding: str, chunk: Chunk, extra: dict[str, Any]
) -> None:
    try:
        writer.write(chunk.rows, extra, chunk.arrow)
    except UnicodeEncodeError as e:
        raise Usage(
            f"--out {out}: the text {e.object[e.start : e.end]!r} cannot be written in "
            f"{out_encoding}; give --encoding utf-8-sig (Excel reads it too)"
        ) from None


def _display_names(rs: Ruleset, ids: list[Any]) -> list[Any]:
    """Label ids as their display names in the ruleset's language (lists under hit all)."""
    out: list[Any] = []
    for label in ids:
        if isinstance(label, list):
            out.append([rs.label_display(x) for x in label])
        else:
            out.append(rs.label_display(label))
    return out


def _reason_words(reason: str) -> str:
    from rulekit.engines.files import reason_words

    return reason_words(reason)


def _rejected_values(counts: Counter[tuple[str, str | None, str]]) -> list[RejectedValueCount]:
    """The rejected values counted per ruleset, column and reason (as the DuckDB path)."""
    return [
        {"ruleset": r, "column": c, "reason": w, "count": n}
        for (r, c, w), n in sorted(counts.items(), key=lambda kv: (kv[0][0], -kv[1], str(kv[0])))
    ]


def _task(progress: Progress | None, stream: TableStream, what: str) -> TaskID | None:
    """A progress task: by rows when the file's rows are known (Parquet, a workbook), else by
    how far into the file the reading is (CSV, TSV; JSON Lines: no total)."""
    if progress is None:
        return None
    by_file = stream.total is None and stream.format in ("csv", "tsv")
    total = stream.total if stream.total is not None else (1000 if by_file else None)
    return progress.add_task(
        f"{what} {stream.path.name}", total=total, rows="0", rate="", by_file=by_file
    )


def _advance(
    progress: Progress | None, task: TaskID | None, chunk: Chunk, done: int, started: float
) -> None:
    """Rows done and rows per second; the bar by rows (total known) or by the file read."""
    if progress is None or task is None:
        return
    seconds = max(time.perf_counter() - started, 1e-9)
    fields: dict[str, Any] = {"rows": f"{done:,}", "rate": f"{done / seconds:,.0f}"}
    by_file = next(t for t in progress.tasks if t.id == task).fields.get("by_file")
    if by_file:
        if chunk.done is not None:
            fields["completed"] = int(chunk.done * 1000)
    else:
        fields["completed"] = done
    progress.update(task, **fields)
