"""`rulekit run` on DuckDB, file to file: CSV, TSV, JSON Lines and Parquet are read by DuckDB
itself and the output is written by it (rulekit.engines.files), so the rows never pass
through Python. What the user sees is what the Python path shows: the same output file, the
same preview, summary, set-aside notes and error messages (naming the file's row and line).

`streams()` says when this path is taken: the DuckDB engine (duckdb, or auto for an input of
AUTO_ROWS rows or more), an input and an output DuckDB reads and writes as rulekit.io does
(UTF-8 text; not Excel; not JSON Lines into Parquet, whose column types only Python infers as
rulekit.io does), and a header DuckDB reads the same way. Otherwise `run` reads the file in
Python.

Why a threshold for auto: DuckDB costs about a second to start and plan (importing it, reading
the schema, one query per pass), then little per row; Python costs little to start and about
40 µs per row read, classified and written. Measured end to end with `rulekit run lifecycle
rfm ... --out o.csv` (2 cores): 5,000 narrow rows 0.91 s (Python) vs 1.29 s (DuckDB); 20,000
rows 1.70 s vs 1.30 s; 100,000 rows 4.93 s vs 1.75 s; the 2,000-row, 199-column sample 0.89 s
vs 1.38 s.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rulekit import io as rio
from rulekit import render
from rulekit.cli.app import Exit
from rulekit.cli.inputs import _id_column
from rulekit.cli.output import _note, _progress, ui
from rulekit.cli.report import (
    SET_ASIDE_SHOWN,
    _check_columns,
    _print_preview,
    _print_report,
    _print_written,
    _warn_replaced,
    report_bad_record,
)
from rulekit.errors import RecordError

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection
    from rich.progress import Progress, TaskID

    from rulekit import Ruleset
    from rulekit.compile.sql import Source
    from rulekit.engines.population import FrozenPopulation
    from rulekit.model.reading import ReadOptions

DUCKDB_FORMATS = {"csv": "csv", "tsv": "tsv", "jsonl": "json", "parquet": "parquet"}
AUTO_ROWS = 10_000  # from about here DuckDB is faster end to end (see above)


@dataclass
class FileRows:
    """An input file as `run`'s messages name its rows (rulekit.io.Table's `where`), without
    reading the rows: line numbers are found by streaming the file when a message needs one,
    for all the rows it needs at once, and kept."""

    path: Path
    format: str
    columns: list[str]
    source: Source | None = None  # how DuckDB reads it
    bom: bool = False  # a UTF-8 text file that starts with a BOM (kept in a text output)
    known: dict[int, int] = field(default_factory=dict)  # row index -> first line

    def where(self, index: int) -> str:
        row = f"{self.path.name} row {index + 1}"
        line = self.lines([index]).get(index)
        return row if line is None else f"{row} (line {line})"

    def lines(self, indexes: list[int]) -> dict[int, int]:
        if self.format == "parquet":
            return {}
        wanted = [i for i in indexes if i not in self.known]
        if wanted:
            self.known.update(rio.line_numbers(self.path, wanted))
        return {i: self.known[i] for i in indexes if i in self.known}


def streams(
    engine: str, data: str, out: str | None, reading: ReadOptions | None = None
) -> FileRows | None:
    """The input as FileRows when `run` can go file to file on DuckDB; else None (a delimiter
    or an encoding given or detected other than DuckDB reads: rulekit.io reads the file)."""
    if engine not in ("auto", "duckdb"):
        return None
    if reading is not None and (reading.delimiter or reading.encoding):
        return None
    if out is not None and Path(out).suffix.lower() in rio.COMPRESSIONS:
        return None  # rulekit.io compresses the output it writes
    path = Path(data)
    try:
        fmt = rio.format_of(path)
        out_fmt = rio.format_of(out) if out is not None else "parquet"
    except rio.UnsupportedFormat:
        return None  # `run` says so, in its words
    if fmt not in DUCKDB_FORMATS or out_fmt not in DUCKDB_FORMATS or not path.is_file():
        return None
    if fmt == "jsonl" and out_fmt == "parquet":
        return None
    if engine == "auto" and estimated_rows(path, fmt) < AUTO_ROWS:
        return None
    utf8, bom = rio.sniff_text(path) if fmt != "parquet" else (True, False)
    if not utf8:
        return None  # GB18030 and other encodings: rulekit.io decodes them
    if not rio.own_delimiter(path):
        return None  # a semicolon (or other) CSV: rulekit.io reads it
    from rulekit.engines.duckdb_engine import EngineError, connect, file_source

    try:
        source = file_source(connect(), path, DUCKDB_FORMATS[fmt])
    except EngineError:
        return None  # rulekit.io reads it, or says what is wrong, line by line
    columns = list(source.columns or {})
    if fmt in ("csv", "tsv") and columns != [c.name for c in (source.columns or {}).values()]:
        return None  # a blank header name, or two differing in case: DuckDB renames them
    return FileRows(path, fmt, columns, source, bom)


def estimated_rows(path: Path, fmt: str) -> int:
    """The rows of a file: exact for Parquet (its footer), else from the size of its first lines."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        try:
            return pq.ParquetFile(path).metadata.num_rows
        except Exception:  # not readable: rulekit.io says why
            return 0
    with open(path, "rb") as f:
        head = f.read(1 << 20)
    lines = head.count(b"\n")
    if len(head) < 1 << 20 or not lines:
        return lines
    return path.stat().st_size * lines // len(head)


def run_streaming(
    loaded: Sequence[Ruleset],
    rows: FileRows,
    out: str | None,
    today: dt.date,
    on_error: str,
    frozen: FrozenPopulation | None,
    preview: int,
    pinned: bool,
    engine: str,
    reading: ReadOptions | None = None,
    summary_json: str | None = None,
    memory_limit: str | None = None,
    bom: bool | None = None,
) -> None:
    """Run `loaded` over the file with DuckDB and print what `run` prints; exits (Exit).
    Under engine auto, a file DuckDB cannot read returns instead, for `run` to read it in
    Python (which says what is wrong, by line, or reads it)."""
    from rulekit.engines.duckdb_engine import EngineError
    from rulekit.engines.files import run_files

    work = Path(tempfile.mkdtemp(prefix="rulekit-"))
    target = Path(out) if out is not None else work / "preview.parquet"
    try:
        with _progress() as progress:
            task = (
                progress.add_task(f"classifying {rows.path.name} (duckdb)", total=100)
                if progress
                else None
            )
            con, stop = _watch(progress, task, rows, memory_limit)
            try:
                summaries = run_files(
                    loaded,
                    rows.path,
                    target,
                    as_of=today,
                    population=frozen,
                    on_error=on_error,
                    input_format=DUCKDB_FORMATS[rows.format],
                    bom=rows.bom if bom is None else bom,
                    line_numbers=rows.lines,
                    sample=SET_ASIDE_SHOWN,
                    source=rows.source,
                    reading=reading,
                    memory_limit=memory_limit,
                    con=con,
                )
            except RecordError as e:
                rs = next(r for r in loaded if r.id == getattr(e, "ruleset", loaded[0].id))
                _check_all_columns(loaded, rows)
                report_bad_record(rs, e.bad, rows)
                raise Exit(1) from None
            except EngineError as e:
                if engine != "auto":
                    raise
                _note(f"engine auto: {e}; reading {rows.path.name} in Python instead")
                return
            finally:
                stop.set()
                if progress is not None and task is not None:
                    progress.remove_task(task)
        _check_all_columns(loaded, rows)
        _warn_replaced(loaded, rows.columns)
        if summary_json is not None:
            from rulekit.cli.run_summary import write_summary_json

            write_summary_json(
                summary_json,
                str(rows.path),
                out,
                [s.to_dict() for s in summaries],
                [v for s in summaries for v in s.rejected_values],  # type: ignore[misc]
            )
        if ui.quiet:
            raise Exit(0)
        first = summaries[0]
        if out is None and preview > 0 and first.rows_in:
            import pyarrow.parquet as pq

            head = next(pq.ParquetFile(target).iter_batches(batch_size=preview)).to_pylist()
            _print_preview(_id_column(rows), head, loaded, first.rows_in)
        rows.lines([b.index for s in summaries for b in s.first_rejected])  # in one pass
        _print_report(
            rows,
            [
                (
                    rs,
                    render.summary_of_counts(rs, s.labels, s.counts, s.as_of),
                    s.first_rejected,
                    s.rejected,
                )
                for rs, s in zip(loaded, summaries, strict=True)
            ],
            on_error,
            today,
            pinned,
        )
        _print_written(
            out,
            first.rows_in,
            len(first.columns),
            f"classified with DuckDB in {first.seconds:.2f} s, peak memory "
            f"{first.peak_rss_mb:,.0f} MB",
            first.rejected_path,
            sum(s.rejected for s in summaries),
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    raise Exit(0)


def _watch(
    progress: Progress | None, task: TaskID | None, rows: FileRows, memory_limit: str | None
) -> tuple[DuckDBPyConnection | None, threading.Event]:
    """With a progress display: a connection whose running query DuckDB reports on (its own
    bar not printed), and a thread that shows it as the bar (percent of the query) and the
    rows done (that share of the file's estimated rows) until the event is set."""
    stop = threading.Event()
    if progress is None or task is None:
        return None, stop
    from rulekit.engines.duckdb_engine import connect

    con = connect(memory_limit)
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    total = estimated_rows(rows.path, rows.format)
    started = time.perf_counter()

    def poll() -> None:
        while not stop.wait(0.25):
            try:
                percent = con.query_progress()
            except Exception:  # the connection closed, or a DuckDB without it
                return
            if percent >= 0:
                done = int(total * percent / 100)
                rate = done / max(time.perf_counter() - started, 1e-9)
                progress.update(task, completed=percent, rows=f"~{done:,}", rate=f"{rate:,.0f}")

    threading.Thread(target=poll, daemon=True).start()
    return con, stop


def _check_all_columns(loaded: Sequence[Ruleset], rows: FileRows) -> None:
    for rs in loaded:
        _check_columns(rs, rows)
