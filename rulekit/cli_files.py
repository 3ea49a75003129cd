"""`rulekit run` on DuckDB, file to file: CSV, TSV, JSON Lines and Parquet are read by DuckDB
itself and the output is written by it (rulekit.backends.files), so the rows never pass
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

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text

from . import io as rio
from . import render
from .errors import RecordError

DUCKDB_FORMATS = {"csv": "csv", "tsv": "tsv", "jsonl": "json", "parquet": "parquet"}
AUTO_ROWS = 10_000  # from about here DuckDB is faster end to end (see above)


@dataclass
class FileRows:
    """An input file as `run`'s messages name its rows (rulekit.io.Table's `where`), without
    reading the rows: line numbers are found by streaming the file when a message needs one."""

    path: Path
    format: str
    columns: list[str]
    source: Any = None  # how DuckDB reads it (rulekit.backends.sql.Source)

    def where(self, index: int) -> str:
        row = f"{self.path.name} row {index + 1}"
        line = rio.line_numbers(self.path, [index]).get(index)
        return row if line is None else f"{row} (line {line})"

    def lines(self, indexes: list[int]) -> dict[int, int]:
        return rio.line_numbers(self.path, indexes)


def streams(engine: str, data: str, out: str | None) -> FileRows | None:
    """The input as FileRows when `run` can go file to file on DuckDB; else None."""
    if engine not in ("auto", "duckdb"):
        return None
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
    if fmt != "parquet" and not rio.sniff_text(path)[0]:
        return None  # GB18030 and other encodings: rulekit.io decodes them
    from .backends.duckdb_engine import EngineError, connect, file_source

    try:
        source = file_source(connect(), path, DUCKDB_FORMATS[fmt])
    except EngineError:
        return None  # rulekit.io reads it, or says what is wrong, line by line
    columns = list(source.columns)
    if fmt in ("csv", "tsv") and rio.header(path) != columns:
        return None  # a blank header name: rulekit.io names it its own way
    return FileRows(path, fmt, columns, source)


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


def run_streaming(cli, loaded, rows: FileRows, out: str | None, today, on_error: str, frozen,
                  preview: int, pinned: bool, engine: str) -> None:
    """Run `loaded` over the file with DuckDB and print what `run` prints; exits (cli.Exit).
    `cli` is the cli module (its consoles, helpers and exits). Under engine auto, a file DuckDB
    cannot read returns instead, for `run` to read it in Python (which says what is wrong, by
    line, or reads it)."""
    from .backends.duckdb_engine import EngineError
    from .backends.files import run_files

    work = Path(tempfile.mkdtemp(prefix="rulekit-"))
    target = Path(out) if out is not None else work / "preview.parquet"
    try:
        with cli._progress() as progress:
            task = progress.add_task(f"classifying {rows.path.name} (duckdb)", total=None) \
                if progress else None
            try:
                summaries = run_files(
                    loaded, rows.path, target, as_of=today, population=frozen,
                    on_error=on_error, input_format=DUCKDB_FORMATS[rows.format],
                    bom=rows.format != "parquet" and rio.sniff_text(rows.path)[1],
                    line_numbers=rows.lines if rows.format != "parquet" else None,
                    source=rows.source)
            except RecordError as e:
                rs = next(r for r in loaded if r.id == getattr(e, "ruleset", loaded[0].id))
                _check(cli, loaded, rows)
                cli.report_bad_record(rs, e.bad, rows)
                raise cli.Exit(1) from None
            except EngineError as e:
                if engine != "auto":
                    raise
                cli._note(f"engine auto: {e}; reading {rows.path.name} in Python instead")
                return
            finally:
                if task is not None:
                    progress.remove_task(task)
        _check(cli, loaded, rows)
        if cli.ui.quiet:
            raise cli.Exit(0)
        if out is None:
            _preview(cli, loaded, rows, target, preview, summaries[0].rows_in)
        for rs, s in zip(loaded, summaries, strict=True):
            cli._print(render.summary_text(render.summary_of_counts(rs, s.labels, s.counts,
                                                                    s.as_of)))
            cli._print()
            if s.first_rejected and on_error == "skip":
                for bad in s.first_rejected:
                    cli._note("set aside: " + cli._bad_record_text(rs, bad, rows),
                              style="yellow")
                if s.rejected > len(s.first_rejected):
                    cli._note(f"… and {s.rejected - len(s.first_rejected):,} more; write them "
                              "all with --on-error quarantine --out FILE", style="yellow")
        first = summaries[0]
        note = "pinned with --as-of" if pinned else "today; pin it with --as-of"
        cli._print(Text(f"as of {today.isoformat()} ({note})"), soft_wrap=True)
        if out is not None:
            cli._print(Text(f"wrote {first.rows_in:,} rows to {out} ({len(first.columns):,} "
                            f"columns; classified with DuckDB in {first.seconds:.2f} s, peak "
                            f"memory {first.peak_rss_mb:,.0f} MB)"), soft_wrap=True)
        if first.rejected_path is not None:
            count = sum(s.rejected for s in summaries)
            cli._print(Text(f"wrote {render.plural(count, 'rejected row')} with their reasons "
                            f"to {first.rejected_path}"), soft_wrap=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    raise cli.Exit(0)


def _check(cli, loaded, rows: FileRows) -> None:
    """`run`'s warnings about the input's columns."""
    for rs in loaded:
        cli._check_columns(rs, rows)
        for name in (rs.id, rs.id + "_rule"):
            if name in rows.columns:
                cli._warn(f"the input already has a column {name!r}; the output replaces it")


def _preview(cli, loaded, rows: FileRows, path: Path, limit: int, total: int) -> None:
    """The first rows of the (temporary) output, as the Python path previews them."""
    if limit <= 0 or not total:
        return
    import pyarrow.parquet as pq

    id_col = cli._id_column(rows)
    first = next(pq.ParquetFile(path).iter_batches(batch_size=limit)).to_pylist()
    ids = [rio.cell_text(r.get(id_col)) for r in first]

    def text(value) -> str:
        return ", ".join(value) if isinstance(value, list) else value or ""

    cells = [[(text(r[rs.id]), text(r[rs.id + "_rule"])) for rs in loaded] for r in first]
    cli._print(render.preview_table(id_col, ids, [rs.id for rs in loaded], cells, total))
    cli._print()
