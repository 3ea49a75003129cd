"""What reading and writing share: the formats by extension, the Table, the errors, opening a
(compressed) file as a byte stream, the text encoding of a file checked without holding it,
CSV rows and header names, and how one value is written as a cell.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from rulekit.errors import RulekitError

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
BLOCK = 1 << 20  # bytes read at a time when a file is streamed


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
        return where(
            self.path,
            self.format,
            index,
            self.lines[index] if self.lines and index < len(self.lines) else None,
        )


def where(path: Path, fmt: str, index: int, line: int | None) -> str:
    """`customers.csv row 17 (line 18)` (a workbook: `(sheet row 18)`) for a 0-based index."""
    row = f"{path.name} row {index + 1}"
    if line is None:
        return row
    if fmt in WORKBOOKS:
        return f"{row} (sheet row {line})"
    return f"{row} (line {line})"


# ---------------------------------------------------------------- bytes and text


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes as a stream, decompressed when its name ends in .gz, .bz2 or .zst."""
    suffix = path.suffix.lower()
    if suffix == ".gz":
        import gzip

        return gzip.open(path, "rb")  # type: ignore[return-value]
    if suffix == ".bz2":
        import bz2

        return bz2.open(path, "rb")
    if suffix == ".zst":
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(open(path, "rb"), closefd=True)
    return open(path, "rb")


def read_bytes(path: Path) -> bytes:
    """The bytes of a file, decompressed when its name ends in .gz, .bz2 or .zst."""
    with open_binary(path) as f:
        return f.read()


def _first_bad_line(path: Path, codec: str) -> int | None:
    """None when the whole file decodes as `codec`; else the line of the first bad byte. The
    file is streamed (a block at a time), never held."""
    decoder = codecs.getincrementaldecoder(codec)()
    lines = 0
    try:
        with open_binary(path) as f:
            while True:
                block = f.read(BLOCK)
                try:
                    decoder.decode(block, final=not block)
                except UnicodeDecodeError as e:
                    return lines + block[: max(e.start, 0)].count(b"\n") + 1
                if not block:
                    return None
                lines += block.count(b"\n")
    except (OSError, EOFError, ValueError) as e:
        raise DataFileError(f"{path.name}: cannot decompress the file ({e})") from None


def text_encoding(path: Path, encoding: str | None = None) -> tuple[str, str, bool]:
    """(the codec to decode the file with, its encoding as reported, whether it starts with a
    UTF-8 BOM), checked over the whole file without holding it. Chinese spreadsheets are
    often exported as GBK, so GB18030 (a superset) is taken when the bytes are not UTF-8."""
    try:
        with open_binary(path) as f:
            bom = f.read(3) == b"\xef\xbb\xbf"
    except (OSError, EOFError, ValueError) as e:
        raise DataFileError(f"{path.name}: cannot decompress the file ({e})") from None
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise DataFileError(
                f"{path.name}: {encoding!r} is not an encoding Python knows; give e.g. "
                "--data-encoding gbk, utf-8 or latin-1"
            ) from None
        line = _first_bad_line(path, encoding)
        if line is not None:
            raise DataFileError(
                f"{path.name} line {line}: the bytes are not {encoding} text; leave out "
                "--data-encoding to let rulekit detect UTF-8 or GBK"
            )
        return encoding, encoding, bom
    utf8_line = _first_bad_line(path, "utf-8-sig")
    if utf8_line is None:
        return "utf-8-sig", "utf-8", bom
    if _first_bad_line(path, "gb18030") is None:
        return "gb18030", "gb18030", False
    raise DataFileError(
        f"{path.name} line {utf8_line}: the file is neither UTF-8 nor GB18030 "
        "text; save it as UTF-8 (CSV UTF-8 in Excel)"
    )


def open_text(path: Path, codec: str, newline: str | None = "") -> io.TextIOWrapper:
    """The file as text in `codec` (checked by text_encoding), streamed."""
    return io.TextIOWrapper(open_binary(path), encoding=codec, newline=newline)


def first_line(path: Path, codec: str) -> str:
    """The text before the first `\\n` of the file."""
    buf = ""
    with open_text(path, codec) as f:
        while "\n" not in buf:
            piece = f.read(1 << 16)
            if not piece:
                break
            buf += piece
    return buf.split("\n", 1)[0]


# ---------------------------------------------------------------- CSV


def header_names(path: Path, names: Sequence[Any], where: str) -> list[str]:
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


def csv_rows(
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


# ---------------------------------------------------------------- values


def workbook_cell(value: Any) -> Any:
    # Excel stores whole numbers as floats; give them back as ints so `12.0` is a whole number.
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


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
            default=json_default,
            separators=(",", ":"),
        )
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return str(value)


def json_default(value: Any) -> Any:
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


def arrow_array(values: list[Any]) -> pa.Array[Any]:
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
