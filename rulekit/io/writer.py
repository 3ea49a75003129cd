"""Writing a table a chunk of rows at a time, atomically: `TableWriter` opens a temporary file
beside the output, takes the rows chunk by chunk, and renames it over the output only when the
whole table was written (`commit`); an error or an interrupted run leaves no half file.
`write_table` is the same writer given every row at once, so a table written whole and a
table written in chunks are the same file.

CSV, TSV, JSON Lines and .xlsx (openpyxl's write-only mode) are written row by row. A Parquet
file needs each column's type before its first row, and rulekit infers it from the values (a
column of mixed types is written as text): a single chunk is written directly; several are
first written to temporary Parquet files, one per chunk, and then copied into the output with
each column's type over the whole table (a column whose type differs between chunks is
inferred again from its values).
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from rulekit.io.base import (
    COMPRESSIONS,
    WORKBOOKS,
    UnsupportedFormat,
    arrow_array,
    cell_text,
    format_of,
    json_default,
)

if TYPE_CHECKING:
    import pyarrow as pa

    from rulekit.io.excel import XlsxWriter

Extra = Mapping[str, Sequence[Any]]
Arrow = Any  # a pyarrow Table or RecordBatch


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


class TableWriter:
    """A table written chunk by chunk (see the module's docstring). `columns`: the input's
    columns; `extra`: the names of the columns added to each row (an extra column named like an
    input column replaces it). `encoding`: of a CSV or TSV output (default UTF-8, with a BOM
    when `bom`)."""

    def __init__(
        self,
        path: str | Path,
        columns: Sequence[str],
        extra: Sequence[str] = (),
        *,
        bom: bool = False,
        encoding: str | None = None,
    ):
        self.path = Path(path)
        self.format = format_of(self.path)
        if self.format in WORKBOOKS and self.format != "xlsx":
            raise UnsupportedFormat(
                f"{self.path}: rulekit reads .{self.format} workbooks but writes .xlsx"
            )
        self.extra = list(extra)
        self.base = [c for c in columns if c not in self.extra]
        self.names = self.base + self.extra
        self.rows = 0
        if not self.path.parent.exists():
            raise FileNotFoundError(self.path.parent)
        self.tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        self._text: IO[str] | None = None
        self._csv: Any = None
        self._xlsx: XlsxWriter | None = None
        self._parquet: list[tuple[Sequence[Mapping[str, Any]], Extra, Arrow | None]] = []
        self._spill: Path | None = None
        self._spilled = 0
        if self.format in ("csv", "tsv"):
            self._text = open(  # noqa: SIM115 (closed by commit/abort)
                self.tmp, "w", encoding=encoding or ("utf-8-sig" if bom else "utf-8"), newline=""
            )
            self._csv = csv.writer(
                self._text, delimiter="\t" if self.format == "tsv" else ",", lineterminator="\n"
            )
            self._csv.writerow(self.names)
        elif self.format == "jsonl":
            self._text = open(self.tmp, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        elif self.format == "xlsx":
            from rulekit.io.excel import XlsxWriter

            self._xlsx = XlsxWriter(self.names, cell_text)

    def write(
        self, rows: Sequence[Mapping[str, Any]], extra: Extra | None = None, arrow: Arrow = None
    ) -> None:
        """Append rows (the extra columns: a list per name, aligned with the rows; `arrow`: the
        Parquet record batch the rows were read from, whose column types a Parquet output
        keeps)."""
        extra = extra or {}
        cols = [extra[name] for name in self.extra]
        base = self.base
        self.rows += len(rows)
        if self.format == "parquet":
            self._parquet.append((rows, {k: extra[k] for k in self.extra}, arrow))
            if len(self._parquet) > 1 or self._spill is not None:
                self._spill_parquet()
            return
        values = (
            [row.get(c) for c in base] + [col[i] for col in cols] for i, row in enumerate(rows)
        )
        if self._xlsx is not None:
            for v in values:
                self._xlsx.append(v)
        elif self.format == "jsonl":
            assert self._text is not None
            names = self.names
            for v in values:
                self._text.write(
                    json.dumps(
                        dict(zip(names, v, strict=True)), ensure_ascii=False, default=json_default
                    )
                )
                self._text.write("\n")
        else:
            writerow = self._csv.writerow
            for v in values:
                writerow([cell_text(x) for x in v])

    def commit(self) -> int:
        """Finish the file and rename it over the output; the number of rows written."""
        try:
            if self._text is not None:
                self._text.close()
            elif self._xlsx is not None:
                self._xlsx.save(self.tmp)
            elif self.format == "parquet":
                self._finish_parquet()
            _compress(self.tmp, self.path.suffix.lower())
            with open(self.tmp, "rb+") as f:
                os.fsync(f.fileno())
            os.replace(self.tmp, self.path)
        finally:
            self.abort()
        return self.rows

    def abort(self) -> None:
        """Drop what was written (the output is left as it was)."""
        if self._text is not None and not self._text.closed:
            self._text.close()
        if self._spill is not None:
            shutil.rmtree(self._spill, ignore_errors=True)
            self._spill = None
        with contextlib.suppress(FileNotFoundError):
            self.tmp.unlink()

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()

    # ---- Parquet
    def _spill_parquet(self) -> None:
        import pyarrow.parquet as pq

        if self._spill is None:
            self._spill = Path(tempfile.mkdtemp(prefix="rulekit-parquet-"))
        for rows, extra, arrow in self._parquet:
            table = _parquet_table(self.base, rows, extra, arrow, fix_null=False)
            pq.write_table(table, str(self._spill / f"{self._spilled:08d}.parquet"))
            self._spilled += 1
        self._parquet = []

    def _finish_parquet(self) -> None:
        import pyarrow.parquet as pq

        if self._spill is None:
            rows, extra, arrow = self._parquet[0] if self._parquet else ([], {}, None)
            if not self._parquet:
                extra = {k: [] for k in self.extra}
            pq.write_table(_parquet_table(self.base, rows, extra, arrow), str(self.tmp))
            return
        self._spill_parquet()
        _merge_parquet(sorted(self._spill.glob("*.parquet")), self.tmp, set(self.extra))


def _parquet_table(
    base: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    extra: Extra,
    arrow: Arrow | None,
    fix_null: bool = True,
) -> pa.Table:
    import pyarrow as pa

    if arrow is not None and arrow.num_rows == len(rows):
        if isinstance(arrow, pa.RecordBatch):
            arrow = pa.Table.from_batches([arrow])
        table = arrow.select(list(base))
    else:
        table = (
            pa.table({c: arrow_array([r.get(c) for r in rows]) for c in base})
            if base
            else pa.table({})
        )
    for name, values in extra.items():
        array = arrow_array([list(v) if isinstance(v, tuple) else v for v in values])
        if fix_null and pa.types.is_null(array.type):
            array = pa.array(values, pa.string())
        if table.num_columns == 0:
            table = pa.table({name: array})
        else:
            table = table.append_column(name, array)
    return table


def _merge_parquet(parts: list[Path], out: Path, extra: set[str]) -> None:
    """The chunk files as one Parquet file, each column of the type the whole column has."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schemas = [pq.read_schema(p) for p in parts]
    first = schemas[0]
    fields = []
    redo: dict[str, pa.Array[Any]] = {}  # columns inferred again from all their values
    for i, name in enumerate(first.names):
        kinds = {s.field(i).type for s in schemas} - {pa.null()}
        if len(kinds) > 1:
            values: list[Any] = []
            for p in parts:
                values.extend(pq.read_table(p, columns=[name]).column(0).to_pylist())
            array = arrow_array(values)
            redo[name] = array
            kind = array.type
        else:
            kind = next(iter(kinds), pa.null())
        if pa.types.is_null(kind) and name in extra:
            kind = pa.string()
        fields.append(first.field(i).with_type(kind))
    schema = pa.schema(fields, metadata=first.metadata)  # type: ignore[arg-type]
    offset = 0
    with pq.ParquetWriter(str(out), schema) as writer:
        for p in parts:
            table = pq.read_table(p)
            columns: list[Any] = []
            for i, name in enumerate(schema.names):
                if name in redo:
                    columns.append(redo[name].slice(offset, table.num_rows))
                else:
                    columns.append(table.column(i).cast(schema.field(i).type))
            writer.write_table(pa.Table.from_arrays(columns, schema=schema))
            offset += table.num_rows


def write_table(
    path: str | Path,
    columns: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    extra: Extra | None = None,
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
    extra = dict(extra or {})
    with TableWriter(path, columns, list(extra), bom=bom, encoding=encoding) as writer:
        writer.write(rows, extra, arrow)
    return len(rows)


def _compress(tmp: Path, suffix: str) -> None:
    """Compress a written file in place when the output's name ends in .gz, .bz2 or .zst."""
    if suffix not in COMPRESSIONS:
        return
    packed = tmp.with_name(tmp.name + suffix)
    with open(tmp, "rb") as src:
        if suffix == ".gz":
            import gzip

            with gzip.open(packed, "wb") as dst:
                shutil.copyfileobj(src, dst)
        elif suffix == ".bz2":
            import bz2

            with bz2.open(packed, "wb") as dst:
                shutil.copyfileobj(src, dst)
        else:
            import zstandard

            with open(packed, "wb") as raw:
                zstandard.ZstdCompressor().copy_stream(src, raw)
    os.replace(packed, tmp)


__all__ = ["TableWriter", "atomic_path", "write_table"]
