"""A data file read a chunk of rows at a time, in bounded memory: `open_table` reads what a
run needs first (the columns, the encoding, the delimiter, the notes of a workbook), then
`TableStream.chunks(n)` gives the rows in file order, n at a time, as many times as asked (a
run that ranks a population reads the file twice). `read_table` is the same reading
collected into one Table, so a file read whole and a file read in chunks give the same rows.

Memory: CSV, TSV and JSON Lines are decoded as a stream (a pass over the bytes first checks
the encoding); Parquet is read a record batch at a time; a workbook's cells are held by the
workbook reader (python-calamine reads a sheet whole; a sheet has at most 1,048,576 rows),
its rows made into records a chunk at a time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rulekit.io.base import (
    DataFileError,
    Row,
    Table,
    csv_rows,
    detect_delimiter,
    first_line,
    format_of,
    header_names,
    open_text,
    text_encoding,
    where,
    workbook_cell,
)
from rulekit.model.reading import ReadOptions

if TYPE_CHECKING:
    import pyarrow as pa

CHUNK_ROWS = 50_000  # rows per chunk; RULEKIT_CHUNK_ROWS overrides it


def chunk_rows() -> int:
    """Rows per chunk: RULEKIT_CHUNK_ROWS when set (a whole number from 1), else CHUNK_ROWS."""
    text = os.environ.get("RULEKIT_CHUNK_ROWS", "").strip()
    if text.isdigit() and int(text) > 0:
        return int(text)
    return CHUNK_ROWS


@dataclass
class Chunk:
    """Rows `start` … `start + len(rows) - 1` (0-based) of a file, with their first lines (or
    sheet rows) and, from Parquet, the record batch they were read from (typed output)."""

    start: int
    rows: list[Row]
    lines: list[int] | None
    arrow: pa.RecordBatch | None = None
    done: float | None = None  # how far into the file (0 … 1) this chunk ends, when known


@dataclass
class TableStream:
    """A data file opened for reading in chunks (see the module's docstring)."""

    path: Path
    format: str
    options: ReadOptions
    encoding: str = "utf-8"
    bom: bool = False
    notes: list[str] = field(default_factory=list)
    delimiter: str = ","
    total: int | None = None  # rows, when known before reading them (Parquet, a workbook)
    _codec: str = "utf-8-sig"
    _columns: list[str] | None = None
    _sheet: Any = None  # (sheet row of the header, header cells, body rows) of a workbook

    @property
    def columns(self) -> list[str]:
        """The column names (JSON Lines: every key of every line, in order of appearance,
        found by a first pass over the file)."""
        if self._columns is None:
            names: dict[str, None] = {}
            for _, value in self._jsonl():
                for key in value:
                    if key not in names:
                        names[key] = None
            self._columns = list(names)
        return self._columns

    def where(self, index: int, line: int | None) -> str:
        return where(self.path, self.format, index, line)

    def chunks(self, size: int | None = None) -> Iterator[Chunk]:
        """The rows in file order, `size` (default chunk_rows()) at a time."""
        size = size or chunk_rows()
        if self.format in ("csv", "tsv"):
            return self._csv_chunks(size)
        if self.format == "jsonl":
            return self._jsonl_chunks(size)
        if self.format == "parquet":
            return self._parquet_chunks(size)
        return self._workbook_chunks(size)

    # ---- CSV and TSV
    def _csv_chunks(self, size: int) -> Iterator[Chunk]:
        columns = self.columns
        width = len(columns)
        delimiter = self.delimiter
        name = self.path.name
        rows: list[Row] = []
        lines: list[int] = []
        start = 0
        with open_text(self.path, self._codec) as f:
            raw = f.buffer
            stream = csv_rows(f, self.format, name, delimiter)
            next(stream, None)  # the header
            for line, values in stream:
                if len(values) > width:
                    extra = values[width:]
                    if any(v.strip() for v in extra):
                        raise DataFileError(
                            f"{name} row {start + len(rows) + 1} (line {line}) has "
                            f"{len(values)} values but the header has {width} columns; quote "
                            f"values that contain "
                            f"{'tabs' if delimiter == chr(9) else repr(delimiter)}, or give "
                            "--delimiter"
                        )
                    values = values[:width]
                # an empty cell is missing (None), as DuckDB reads it; a short row: missing values
                rows.append(
                    {c: v if v != "" else None for c, v in zip(columns, values, strict=False)}
                )
                lines.append(line)
                if len(rows) >= size:
                    yield Chunk(start, rows, lines, done=self._done(raw))
                    start += len(rows)
                    rows, lines = [], []
        if rows:
            yield Chunk(start, rows, lines, done=1.0)

    def _done(self, raw: Any) -> float | None:
        size = self.path.stat().st_size
        try:
            fileobj = getattr(raw, "fileobj", None) or getattr(raw, "_fp", None) or raw
            return min(1.0, fileobj.tell() / size) if size else None
        except (OSError, ValueError, AttributeError):
            return None

    # ---- JSON Lines
    def _jsonl(self) -> Iterator[tuple[int, dict[str, Any]]]:
        name = self.path.name
        # lines end at \n, \r\n or \r only (as line_numbers and DuckDB read them): a U+2028 or
        # a \x85 inside a string value is part of the value, not the end of its line
        with open_text(self.path, self._codec, newline=None) as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as e:
                    raise DataFileError(
                        f"{name} line {number}, column {e.colno}: not valid JSON "
                        f"({e.msg}); each line must be one JSON object"
                    ) from None
                if not isinstance(value, dict):
                    raise DataFileError(
                        f"{name} line {number}: a JSON {type(value).__name__}, not "
                        "an object; each line must be one object such as "
                        '{"customer_id": "C1", "recency_days": 200}'
                    )
                yield number, value

    def _jsonl_chunks(self, size: int) -> Iterator[Chunk]:
        rows: list[Row] = []
        lines: list[int] = []
        start = 0
        for number, value in self._jsonl():
            rows.append(value)
            lines.append(number)
            if len(rows) >= size:
                yield Chunk(start, rows, lines)
                start += len(rows)
                rows, lines = [], []
        if rows:
            yield Chunk(start, rows, lines, done=1.0)

    # ---- Parquet
    def _parquet_chunks(self, size: int) -> Iterator[Chunk]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        start = 0
        try:
            batches = pq.ParquetFile(self.path).iter_batches(batch_size=size)
            for batch in batches:
                yield Chunk(
                    start,
                    batch.to_pylist(),
                    None,
                    batch,
                    done=(start + batch.num_rows) / self.total if self.total else None,
                )
                start += batch.num_rows
        except (pa.ArrowInvalid, OSError) as e:
            raise DataFileError(f"{self.path.name}: not a readable Parquet file ({e})") from None

    # ---- workbooks
    def _workbook_chunks(self, size: int) -> Iterator[Chunk]:
        columns = self.columns
        width = len(columns)
        _, body = self._sheet
        rows: list[Row] = []
        lines: list[int] = []
        start = 0
        for number, values in body:
            cells = list(values[:width]) + [None] * (width - len(values))
            rows.append({c: workbook_cell(v) for c, v in zip(columns, cells, strict=True)})
            lines.append(number)
            if len(rows) >= size:
                yield Chunk(start, rows, lines, done=(start + len(rows)) / (self.total or 1))
                start += len(rows)
                rows, lines = [], []
        if rows:
            yield Chunk(start, rows, lines, done=1.0)


def open_table(path: str | os.PathLike[str], options: ReadOptions | None = None) -> TableStream:
    """A data file opened for reading in chunks, by its extension (`options`: delimiter and
    encoding of a CSV file, sheet and header row of a workbook). What is wrong with the file
    as a whole (no such file, not a table, no header, an unknown sheet) is raised here; what
    is wrong with a row, when the chunks reach it."""
    path = Path(path)
    fmt = format_of(path)
    if not path.is_file():
        raise FileNotFoundError(path)
    options = options or ReadOptions()
    stream = TableStream(path, fmt, options)
    if fmt in ("csv", "tsv"):
        stream._codec, stream.encoding, stream.bom = text_encoding(path, options.encoding)
        delimiter = options.delimiter or detect_delimiter(first_line(path, stream._codec), fmt)
        if len(delimiter) != 1:
            raise DataFileError(
                f"{path.name}: the delimiter must be one character, not {delimiter!r} "
                "(e.g. --delimiter ';' or --delimiter tab)"
            )
        stream.delimiter = delimiter
        with open_text(path, stream._codec) as f:
            first = next(csv_rows(f, fmt, path.name, delimiter), None)
        if first is None:
            raise DataFileError(
                f"{path.name}: the file is empty; the first line must name the columns"
            )
        stream._columns = header_names(path, first[1], "line 1 (the header)")
    elif fmt == "jsonl":
        stream._codec, stream.encoding, stream.bom = text_encoding(path)
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            meta = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as e:
            raise DataFileError(f"{path.name}: not a readable Parquet file ({e})") from None
        stream._columns = header_names(path, meta.schema_arrow.names, "(the schema)")
        stream.total = meta.metadata.num_rows
    else:
        name, header_at, header, body, notes = _sheet(path, fmt, options)
        stream._columns = header_names(path, header, f"sheet {name!r} row {header_at} (the header)")
        stream._sheet = (header_at, body)
        stream.total = len(body)
        stream.notes = notes
    return stream


def _sheet(
    path: Path, fmt: str, options: ReadOptions
) -> tuple[str, int, list[Any], list[tuple[int, list[Any]]], list[str]]:
    from rulekit.io import excel

    try:
        return excel.read_sheet(path, options.sheet, options.header_row)
    except excel.SheetError as e:
        raise DataFileError(f"{path.name}: {e}") from None
    except Exception as e:  # calamine's own errors: not a workbook, damaged, encrypted
        if isinstance(e, DataFileError):
            raise
        raise DataFileError(
            f"{path.name}: not a readable .{fmt} workbook ({e}); save it from Excel as an "
            ".xlsx workbook"
        ) from None


def read_table(path: str | os.PathLike[str], options: ReadOptions | None = None) -> Table:
    """Read a data file into a Table, by its extension (`options`: delimiter and encoding of a
    CSV file, sheet and header row of a workbook): every chunk of open_table, collected."""
    stream = open_table(path, options)
    if stream.format == "parquet":
        return _read_parquet(stream)
    rows: list[Row] = []
    lines: list[int] = []
    columns: dict[str, None] = {}
    for chunk in stream.chunks(1 << 62):
        rows.extend(chunk.rows)
        lines.extend(chunk.lines or ())
        if stream.format == "jsonl":
            for row in chunk.rows:
                for key in row:
                    if key not in columns:
                        columns[key] = None
    if stream.format == "jsonl":
        stream._columns = list(columns)
    table = Table(
        stream.path,
        stream.format,
        stream.columns,
        rows,
        lines,
        encoding=stream.encoding,
        bom=stream.bom,
        notes=stream.notes,
    )
    table.delimiter = stream.delimiter
    return table


def _read_parquet(stream: TableStream) -> Table:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(stream.path)
    except (pa.ArrowInvalid, OSError) as e:
        raise DataFileError(f"{stream.path.name}: not a readable Parquet file ({e})") from None
    return Table(
        stream.path, "parquet", list(table.column_names), table.to_pylist(), None, arrow=table
    )


__all__ = ["CHUNK_ROWS", "Chunk", "TableStream", "chunk_rows", "open_table", "read_table"]
