"""Read and write data tables — CSV, JSON Lines, Parquet, Excel (.xlsx; .xls and .ods read) —
chosen by file extension (`.gz`, `.bz2`, `.zst` after it: compressed), with every output
written atomically (a temporary file, then one rename). ReadOptions (model/reading.py) choose
the delimiter and encoding of a CSV file, and the sheet and header row of a workbook.

Values are kept as the file gives them: CSV cells are read as text (the engine coerces each field
by its declared type, so an identifier such as `00123` stays `00123`; an empty cell is missing,
None), JSON Lines as JSON values, Parquet and Excel as their typed cells. Each row remembers where it came from (`Table.where`), so
an error can name `customers.csv row 17 (line 18)` rather than a record index.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rulekit.errors import RulekitError
from rulekit.model.reading import ReadOptions

if TYPE_CHECKING:
    import pyarrow as pa

# A row as read: column -> value, the value as the file gives it.
Row = dict[str, Any]

# extension → format
FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".ods": "ods",
}
SUPPORTED = ".csv, .tsv, .jsonl, .ndjson, .parquet, .xlsx, .xls, .ods (+ .gz, .bz2, .zst)"
WORKBOOKS = ("xlsx", "xls", "ods")
COMPRESSIONS = (".gz", ".bz2", ".zst")


class DataFileError(RulekitError):
    """A data file that cannot be read as a table (bad JSON line, duplicate header, …)."""


class UnsupportedFormat(RulekitError):
    """A file extension rulekit does not read or write."""


def format_of(path: str | Path) -> str:
    """The table format of a path, by its extension."""
    suffix = Path(path).suffix.lower()
    if suffix in COMPRESSIONS:
        suffix = Path(Path(path).stem).suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        raise UnsupportedFormat(
            f"{path}: rulekit cannot tell the format from the extension "
            f"{suffix or '(none)'!r}; use one of {SUPPORTED}"
        )
    return fmt


@dataclass
class Table:
    """Rows of a data file as dicts (column → value), with where each row came from."""

    path: Path
    format: str
    columns: list[str]
    rows: list[Row]
    lines: list[int] | None = None  # first physical line (CSV, JSONL) or sheet row (XLSX)
    arrow: pa.Table | None = None  # the pyarrow table a Parquet file was read as (typed output)
    encoding: str = "utf-8"
    bom: bool = False
    notes: list[str] = field(default_factory=list)
    delimiter: str = ","

    def __len__(self) -> int:
        return len(self.rows)

    def where(self, index: int) -> str:
        """`customers.csv row 17 (line 18)` for the 0-based record index."""
        name = self.path.name
        row = f"{name} row {index + 1}"
        if self.lines is None or index >= len(self.lines):
            return row
        if self.format in WORKBOOKS:
            return f"{row} (sheet row {self.lines[index]})"
        return f"{row} (line {self.lines[index]})"


# ---------------------------------------------------------------- reading


def read_table(path: str | os.PathLike[str], options: ReadOptions | None = None) -> Table:
    """Read a data file into a Table, by its extension (`options`: delimiter and encoding of a
    CSV file, sheet and header row of a workbook)."""
    path = Path(path)
    fmt = format_of(path)
    if not path.is_file():
        raise FileNotFoundError(path)
    options = options or ReadOptions()
    if fmt in ("csv", "tsv"):
        return _read_csv(path, fmt, options)
    if fmt in WORKBOOKS:
        return _read_workbook(path, fmt, options)
    if fmt == "jsonl":
        return _read_jsonl(path, fmt)
    return _read_parquet(path, fmt)


def read_bytes(path: Path) -> bytes:
    """The bytes of a file, decompressed when its name ends in .gz, .bz2 or .zst."""
    suffix = path.suffix.lower()
    if suffix == ".gz":
        import gzip

        return gzip.decompress(path.read_bytes())
    if suffix == ".bz2":
        import bz2

        return bz2.decompress(path.read_bytes())
    if suffix == ".zst":
        import zstandard

        with open(path, "rb") as f:
            return zstandard.ZstdDecompressor().stream_reader(f).read()
    return path.read_bytes()


def _decode(path: Path, encoding: str | None = None) -> tuple[str, str, bool]:
    """File text, its encoding and whether it had a UTF-8 BOM. Chinese spreadsheets are often
    exported as GBK, so GB18030 (a superset) is tried when the bytes are not UTF-8."""
    try:
        raw = read_bytes(path)
    except (OSError, EOFError, ValueError) as e:
        raise DataFileError(f"{path.name}: cannot decompress the file ({e})") from None
    bom = raw.startswith(b"\xef\xbb\xbf")
    if encoding is not None:
        try:
            return raw.decode(encoding), encoding, bom
        except LookupError:
            raise DataFileError(
                f"{path.name}: {encoding!r} is not an encoding Python knows; give e.g. "
                "--data-encoding gbk, utf-8 or latin-1"
            ) from None
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            raise DataFileError(
                f"{path.name} line {line}: the bytes are not {encoding} text; leave out "
                "--data-encoding to let rulekit detect UTF-8 or GBK"
            ) from None
    try:
        return raw.decode("utf-8-sig"), "utf-8", bom
    except UnicodeDecodeError as e:
        first_error = e
    try:
        return raw.decode("gb18030"), "gb18030", False
    except UnicodeDecodeError:
        line = raw[: first_error.start].count(b"\n") + 1
        raise DataFileError(
            f"{path.name} line {line}: the file is neither UTF-8 nor GB18030 "
            "text; save it as UTF-8 (CSV UTF-8 in Excel)"
        ) from None


def _header(path: Path, names: Sequence[Any], where: str) -> list[str]:
    columns = []
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        text = "" if name is None else str(name).strip()
        if not text:
            text = f"column_{i + 1}"
        if text in seen:
            raise DataFileError(
                f"{path.name} {where}: column {text!r} appears twice (columns "
                f"{seen[text] + 1} and {i + 1}); give each column its own name"
            )
        seen[text] = i
        columns.append(text)
    return columns


def detect_delimiter(first_line: str, fmt: str) -> str:
    """The delimiter of a CSV file from its header line: the most frequent of , ; tab and |
    (a .tsv file: tab)."""
    if fmt == "tsv":
        return "\t"
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def own_delimiter(path: str | Path) -> bool:
    """Whether a CSV file's header is delimited by commas, as DuckDB reads it without being
    told (a TSV file always is by tabs); a semicolon CSV is not."""
    path = Path(path)
    if format_of(path) != "csv":
        return True
    with open(path, encoding="utf-8-sig", errors="replace") as f:
        return detect_delimiter(f.readline(), "csv") == ","


def _csv_rows(
    stream: Iterable[str], fmt: str, name: str, delimiter: str | None = None
) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, values) of every non-blank CSV or TSV row, the header included."""
    reader = csv.reader(stream, delimiter=delimiter or ("\t" if fmt == "tsv" else ","))
    width = 0
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise DataFileError(
                f"{name} line {start}: {e}; check the quotes on that line"
            ) from None
        if not values:
            if width == 1:  # in a file of one column: a row whose value is empty, as
                yield start, [""]  # DuckDB reads it (and as a line holding `""` is)
            continue  # a blank line
        width = width or len(values)
        yield start, values


def _read_csv(path: Path, fmt: str, options: ReadOptions) -> Table:
    text, encoding, bom = _decode(path, options.encoding)
    delimiter = options.delimiter or detect_delimiter(text.split("\n", 1)[0], fmt)
    if len(delimiter) != 1:
        raise DataFileError(
            f"{path.name}: the delimiter must be one character, not {delimiter!r} "
            "(e.g. --delimiter ';' or --delimiter tab)"
        )
    rows: list[Row] = []
    lines: list[int] = []
    columns: list[str] | None = None
    width = 0
    stream = io.StringIO(text, newline="")
    for start, values in _csv_rows(stream, fmt, path.name, delimiter):
        if columns is None:
            columns = _header(path, values, "line 1 (the header)")
            width = len(columns)
            continue
        if len(values) > width:
            extra = values[width:]
            if any(v.strip() for v in extra):
                raise DataFileError(
                    f"{path.name} row {len(rows) + 1} (line {start}) has {len(values)} values "
                    f"but the header has {width} columns; quote values that contain "
                    f"{'tabs' if delimiter == chr(9) else repr(delimiter)}, or give "
                    "--delimiter"
                )
            values = values[:width]
        # an empty cell is missing (None), as DuckDB reads it; a short row: missing values
        rows.append({c: v if v != "" else None for c, v in zip(columns, values, strict=False)})
        lines.append(start)
    if columns is None:
        raise DataFileError(f"{path.name}: the file is empty; the first line must name the columns")
    table = Table(path, fmt, columns, rows, lines, encoding=encoding, bom=bom)
    table.delimiter = delimiter
    return table


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
            rows = _csv_rows(f, fmt, path.name)
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
        first = next(_csv_rows(f, format_of(path), path.name), None)
    if first is None:
        raise DataFileError(f"{path.name}: the file is empty; the first line must name the columns")
    return _header(path, first[1], "line 1 (the header)")


def _read_jsonl(path: Path, fmt: str) -> Table:
    text, encoding, bom = _decode(path)
    rows: list[Row] = []
    lines: list[int] = []
    columns: dict[str, None] = {}
    # lines end at \n, \r\n or \r only (as line_numbers and DuckDB read them): a U+2028 or
    # a \x85 inside a string value is part of the value, not the end of its line
    physical = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(physical, 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as e:
            raise DataFileError(
                f"{path.name} line {number}, column {e.colno}: not valid JSON "
                f"({e.msg}); each line must be one JSON object"
            ) from None
        if not isinstance(value, dict):
            raise DataFileError(
                f"{path.name} line {number}: a JSON {type(value).__name__}, not "
                "an object; each line must be one object such as "
                '{"customer_id": "C1", "recency_days": 200}'
            )
        for key in value:
            if key not in columns:
                columns[key] = None
        rows.append(value)
        lines.append(number)
    return Table(path, fmt, list(columns), rows, lines, encoding=encoding, bom=bom)


def _read_parquet(path: Path, fmt: str) -> Table:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as e:
        raise DataFileError(f"{path.name}: not a readable Parquet file ({e})") from None
    _header(path, table.column_names, "(the schema)")
    return Table(path, fmt, list(table.column_names), table.to_pylist(), None, arrow=table)


def _read_workbook(path: Path, fmt: str, options: ReadOptions) -> Table:
    from rulekit.io import excel

    try:
        name, header_at, header, body, notes = excel.read_sheet(
            path, options.sheet, options.header_row
        )
    except excel.SheetError as e:
        raise DataFileError(f"{path.name}: {e}") from None
    except Exception as e:  # calamine's own errors: not a workbook, damaged, encrypted
        if isinstance(e, DataFileError):
            raise
        raise DataFileError(
            f"{path.name}: not a readable .{fmt} workbook ({e}); save it from Excel as an "
            ".xlsx workbook"
        ) from None
    columns = _header(path, header, f"sheet {name!r} row {header_at} (the header)")
    width = len(columns)
    rows: list[Row] = []
    lines: list[int] = []
    for number, values in body:
        cells = list(values[:width]) + [None] * (width - len(values))
        rows.append({c: _cell(v) for c, v in zip(columns, cells, strict=True)})
        lines.append(number)
    return Table(path, fmt, columns, rows, lines, notes=notes)


def _cell(value: Any) -> Any:
    # Excel stores whole numbers as floats; give them back as ints so `12.0` is a whole number.
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


# ---------------------------------------------------------------- writing


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside `path`; renamed over it only if the block completes."""
    if not path.parent.exists():
        raise FileNotFoundError(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_table(
    path: str | Path,
    columns: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    extra: Mapping[str, Sequence[Any]] | None = None,
    *,
    arrow: pa.Table | None = None,
    bom: bool = False,
    encoding: str | None = None,
) -> int:
    """Write `rows` (their `columns`, then the `extra` columns, each a list aligned with rows)
    to `path` in the format its extension names; returns the number of rows written.

    An extra column named like an input column replaces it. `arrow` (the pyarrow table a Parquet
    input was read as) keeps the input's column types in a Parquet output. `encoding`: of a CSV
    or TSV output (default UTF-8, with a BOM when `bom`).
    """
    path = Path(path)
    fmt = format_of(path)
    extra = dict(extra or {})
    base = [c for c in columns if c not in extra]
    names = base + list(extra)
    with atomic_path(path) as tmp:
        if fmt == "parquet":
            _write_parquet(tmp, base, rows, extra, arrow)
        elif fmt == "xlsx":
            from rulekit.io.excel import write_xlsx

            write_xlsx(tmp, names, _row_values(base, rows, extra), cell_text)
        elif fmt in WORKBOOKS:
            raise UnsupportedFormat(f"{path}: rulekit reads .{fmt} workbooks but writes .xlsx")
        elif fmt == "jsonl":
            with open(tmp, "w", encoding="utf-8", newline="\n") as f:
                for values in _row_values(base, rows, extra):
                    f.write(
                        json.dumps(
                            dict(zip(names, values, strict=True)),
                            ensure_ascii=False,
                            default=_json_default,
                        )
                    )
                    f.write("\n")
        else:
            text_encoding = encoding or ("utf-8-sig" if bom else "utf-8")
            with open(tmp, "w", encoding=text_encoding, errors="strict", newline="") as f:
                writer = csv.writer(f, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n")
                writer.writerow(names)
                for values in _row_values(base, rows, extra):
                    writer.writerow([cell_text(v) for v in values])
        _compress(tmp, path.suffix.lower())
    return len(rows)


def _compress(tmp: Path, suffix: str) -> None:
    """Compress a written file in place when the output's name ends in .gz, .bz2 or .zst."""
    if suffix not in COMPRESSIONS:
        return
    data = tmp.read_bytes()
    if suffix == ".gz":
        import gzip

        data = gzip.compress(data)
    elif suffix == ".bz2":
        import bz2

        data = bz2.compress(data)
    else:
        import zstandard

        data = zstandard.ZstdCompressor().compress(data)
    tmp.write_bytes(data)


def _row_values(
    base: Sequence[str], rows: Sequence[Mapping[str, Any]], extra: Mapping[str, Sequence[Any]]
) -> Iterator[list[Any]]:
    cols = list(extra.values())
    for i, row in enumerate(rows):
        get = row.get
        yield [get(c) for c in base] + [col[i] for col in cols]


def cell_text(value: Any) -> str:
    """A value as the text of one CSV cell (lists as compact JSON, as DuckDB writes them;
    missing as empty)."""
    if value is None:
        return ""
    if value.__class__ is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(
            list(value) if isinstance(value, tuple) else value,
            ensure_ascii=False,
            default=_json_default,
            separators=(",", ":"),
        )
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return str(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    return str(value)


def _arrow_array(values: list[Any]) -> pa.Array[Any]:
    """An arrow array of the values; a column of mixed types is written as text."""
    import pyarrow as pa

    try:
        array: pa.Array[Any] = pa.array(values)
        return array
    except (
        pa.ArrowInvalid,
        pa.ArrowTypeError,
        pa.ArrowNotImplementedError,
        TypeError,
        OverflowError,
    ):
        return pa.array([None if v is None else cell_text(v) for v in values], pa.string())


def _write_parquet(
    tmp: Path,
    base: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    extra: Mapping[str, Sequence[Any]],
    arrow: pa.Table | None,
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if arrow is not None and arrow.num_rows == len(rows):
        table = arrow.select(list(base))
    else:
        table = (
            pa.table({c: _arrow_array([r.get(c) for r in rows]) for c in base})
            if base
            else pa.table({})
        )
    for name, values in extra.items():
        array = _arrow_array([list(v) if isinstance(v, tuple) else v for v in values])
        if pa.types.is_null(array.type):
            array = pa.array(values, pa.string())
        if table.num_columns == 0:
            table = pa.table({name: array})
        else:
            table = table.append_column(name, array)
    pq.write_table(table, str(tmp))
