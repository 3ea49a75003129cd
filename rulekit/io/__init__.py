"""Read and write data tables — CSV, JSON Lines, Parquet, Excel (.xlsx; .xls and .ods read) —
chosen by file extension (`.gz`, `.bz2`, `.zst` after it: compressed), with every output
written atomically (a temporary file, then one rename). ReadOptions (model/reading.py) choose
the delimiter and encoding of a CSV file, and the sheet and header row of a workbook.

Values are kept as the file gives them: CSV cells are read as text (the engine coerces each field
by its declared type, so an identifier such as `00123` stays `00123`; an empty cell is missing,
None), JSON Lines as JSON values, Parquet and Excel as their typed cells. Each row remembers where it came from (`Table.where`), so
an error can name `customers.csv row 17 (line 18)` rather than a record index.

A file can be read and written a chunk of rows at a time, in bounded memory: `open_table`
(chunks.py) and `TableWriter` (writer.py); `read_table` and `write_table` are the same
reading and writing done whole.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from rulekit.io.base import (
    BLOCK,
    COMPRESSIONS,
    FORMATS,
    SUPPORTED,
    WORKBOOKS,
    DataFileError,
    Row,
    Table,
    UnsupportedFormat,
    cell_text,
    csv_rows,
    detect_delimiter,
    format_of,
    header_names,
    read_bytes,
)
from rulekit.io.chunks import CHUNK_ROWS, Chunk, TableStream, chunk_rows, open_table, read_table
from rulekit.io.writer import TableWriter, atomic_path, write_table
from rulekit.model.reading import ReadOptions

__all__ = [
    "BLOCK",
    "CHUNK_ROWS",
    "COMPRESSIONS",
    "FORMATS",
    "SUPPORTED",
    "WORKBOOKS",
    "Chunk",
    "DataFileError",
    "ReadOptions",
    "Row",
    "Table",
    "TableStream",
    "TableWriter",
    "UnsupportedFormat",
    "atomic_path",
    "cell_text",
    "chunk_rows",
    "detect_delimiter",
    "format_of",
    "header",
    "line_numbers",
    "open_table",
    "own_delimiter",
    "read_bytes",
    "read_table",
    "sniff_text",
    "write_table",
]


def own_delimiter(path: str | Path) -> bool:
    """Whether a CSV file's header is delimited by commas, as DuckDB reads it without being
    told (a TSV file always is by tabs); a semicolon CSV is not."""
    path = Path(path)
    if format_of(path) != "csv":
        return True
    with open(path, encoding="utf-8-sig", errors="replace") as f:
        return detect_delimiter(f.readline(), "csv") == ","


def line_numbers(path: str | Path, indexes: Sequence[int]) -> dict[int, int]:
    """The first physical line of the rows at these 0-based indexes of a UTF-8 CSV, TSV or
    JSON Lines file, as read_table numbers them, reading only as far as the last one (the file
    is streamed, never held). Rows past the end are left out."""
    path = Path(path)
    fmt = format_of(path)
    wanted = set(indexes)
    if not wanted or fmt not in ("csv", "tsv", "jsonl"):
        return {}
    last = max(wanted)
    found: dict[int, int] = {}
    with open(path, encoding="utf-8-sig", newline="" if fmt != "jsonl" else None) as f:
        rows: Iterator[tuple[int, object]]
        if fmt == "jsonl":
            rows = ((number, line) for number, line in enumerate(f, 1) if line.strip())
        else:
            rows = csv_rows(f, fmt, path.name)
            next(rows, None)  # the header
        for index, (line, _) in enumerate(rows):
            if index in wanted:
                found[index] = line
            if index >= last:
                break
    return found


def sniff_text(path: str | Path, size: int = 1 << 20) -> tuple[bool, bool]:
    """(whether the start of the file is UTF-8 text, whether it has a UTF-8 BOM)."""
    import codecs

    with open(path, "rb") as f:
        head = f.read(size)
    bom = head.startswith(b"\xef\xbb\xbf")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < size)
    except UnicodeDecodeError:
        return False, bom
    return True, bom


def header(path: str | Path) -> list[str]:
    """The column names of a UTF-8 CSV or TSV file, checked as read_table checks them."""
    path = Path(path)
    with open(path, encoding="utf-8-sig", newline="") as f:
        first = next(csv_rows(f, format_of(path), path.name), None)
    if first is None:
        raise DataFileError(f"{path.name}: the file is empty; the first line must name the columns")
    return header_names(path, first[1], "line 1 (the header)")
