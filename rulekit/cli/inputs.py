"""What commands read, checked as usage errors: rulesets (by path or id), rule files and
directories, data files, frozen populations and --as-of dates; the id column of a data file,
and did-you-mean suggestions for a mistyped name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import rulekit
from rulekit import render
from rulekit.cli.app import Usage
from rulekit.errors import LookupFailed
from rulekit.i18n import Msg
from rulekit.rulesets import read_rule_file

if TYPE_CHECKING:
    from rulekit import Ruleset
    from rulekit.engines.population import FrozenPopulation
    from rulekit.io import Table, TableStream
    from rulekit.model.reading import ReadOptions


class Rows(Protocol):
    """A data file's rows as `run`'s messages name them: a rulekit.io.Table (read in Python)
    or a rulekit.cli.files.FileRows (read by DuckDB)."""

    @property
    def path(self) -> Path: ...

    @property
    def columns(self) -> list[str]: ...

    def where(self, index: int) -> str: ...


def _load(ref: str, strict: bool = False, params: dict[str, str] | None = None) -> rulekit.Ruleset:
    from rulekit.model.params import ParamError

    try:
        if params:
            return rulekit.load(ref, strict=strict, params=params)
        return rulekit.load(ref, strict=strict)
    except (LookupFailed, ParamError) as e:
        raise Usage(str(e)) from None


def _as_of(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise Usage(
            Msg(
                "--as-of {text} is not a date; write it as YYYY-MM-DD, e.g. --as-of 2024-06-30",
                text=repr(text),
            )
        ) from None


def _read(path: str | Path, option: str = "--data", read: ReadOptions | None = None) -> Table:
    from rulekit import io as rio

    try:
        return rio.read_table(path, read)
    except FileNotFoundError:
        raise Usage(
            Msg(
                "{option} {path}: no such file; check the path (it is relative to {cwd})",
                option=option,
                path=str(path),
                cwd=str(Path.cwd()),
            )
        ) from None
    except rio.UnsupportedFormat as e:
        raise Usage(f"{option} {e}") from None


def _open(path: str | Path, read: ReadOptions | None = None) -> TableStream:
    """A data file opened for reading in chunks (rulekit.io.open_table), errors as _read's."""
    from rulekit import io as rio

    try:
        return rio.open_table(path, read)
    except FileNotFoundError:
        raise Usage(
            Msg(
                "{option} {path}: no such file; check the path (it is relative to {cwd})",
                option="--data",
                path=str(path),
                cwd=str(Path.cwd()),
            )
        ) from None
    except rio.UnsupportedFormat as e:
        raise Usage(f"--data {e}") from None


def _check_encoding(encoding: str) -> None:
    import codecs

    try:
        codecs.lookup(encoding)
    except LookupError:
        raise Usage(
            f"--encoding {encoding!r} is not an encoding Python knows; give e.g. utf-8, "
            "utf-8-sig or gbk"
        ) from None


def _rule_files(paths: list[str]) -> list[Path]:
    from rulekit.rulesets import resolve

    files: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(path.rglob("*.rules"))
            if not found:
                raise Usage(Msg("{path}: the directory holds no .rules files", path=p))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            try:
                files.append(resolve(p))
            except LookupFailed as e:
                raise Usage(str(e)) from None
    return files


def _read_rules(path: Path) -> str:
    return read_rule_file(path, render.show_path(path))


def _frozen(path: str) -> FrozenPopulation:
    from rulekit.engines.population import FrozenPopulation

    if not Path(path).is_file():
        raise Usage(
            Msg("--population {path}: no such file; create one with rulekit freeze", path=path)
        )
    try:
        return FrozenPopulation.load(path)
    except (ValueError, KeyError, TypeError):
        raise Usage(
            Msg(
                "--population {path}: not a rulekit population file; create one with rulekit "
                "freeze",
                path=path,
            )
        ) from None


ID_COLUMNS = ("customer_id", "id", "客户编号", "客户ID", "客户id", "客户号", "编号", "ID")


def _id_column(table: Rows) -> str:
    for name in ID_COLUMNS:
        if name in table.columns:
            return name
    return table.columns[0] if table.columns else "id"


def _suggest(name: str, candidates: Iterable[str]) -> str | None:
    """Did-you-mean: the nearest spelling, else the one candidate that contains the name
    (`recency` → `recency_days`)."""
    from rulekit.suggest import nearest

    candidates = list(candidates)
    guess = nearest(name, candidates)
    if guess is None and name:
        folded = name.replace("_", "").casefold()
        containing = [c for c in candidates if folded in c.replace("_", "").casefold()]
        if len(containing) == 1:
            guess = containing[0]
    return guess


def _reading(
    na: str | None = None,
    decimal_comma: bool = False,
    date_format: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
) -> ReadOptions:
    """The reading options of the command line (docs/data.md), checked."""
    import codecs

    from rulekit.model.reading import ReadOptions, split_tokens

    if delimiter is not None:
        delimiter = {"tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ",", "pipe": "|"}.get(
            delimiter.lower(), delimiter
        )
        if len(delimiter) != 1:
            raise Usage(
                f"--delimiter {delimiter!r}: give one character, e.g. --delimiter ';' or "
                "--delimiter tab"
            )
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise Usage(
                f"--data-encoding {encoding!r} is not an encoding Python knows; give e.g. gbk, "
                "utf-8, utf-16 or latin-1"
            ) from None
    if date_format is not None and "%" not in date_format:
        raise Usage(
            f"--date-format {date_format!r} has no % field; write it as for strptime, e.g. "
            "--date-format %d/%m/%Y"
        )
    return ReadOptions(
        na=split_tokens(na) if na is not None else None,
        decimal_comma=decimal_comma,
        date_format=date_format,
        delimiter=delimiter,
        encoding=encoding,
        sheet=sheet,
        header_row=header_row,
    )


def _read_values(rs: Ruleset, path: str | Path, option: str, read: ReadOptions) -> Table:
    """A data file read for `rs`: its rows with the declared fields' cells read by the value
    options (--na, --decimal-comma, --date-format), as `run` reads them."""
    from rulekit.model.intake import read_rows

    table = _read(path, option, read)
    seen: dict[str, Any] = {}
    table.rows = _excel_dates(rs, table.rows, table.format, 0, seen)
    _warn_serial_dates(table, seen)
    if not read.values_default:
        table.rows = read_rows(table.rows, rs.fields, read)
    return table


def _serial_kinds(rs: Ruleset) -> dict[str, str]:
    """The columns of the ruleset's date and timestamp fields: "date" or "timestamp"."""
    return {
        info.column: info.type.name
        for info in rs.fields.values()
        if info.type.element is None and info.type.name in ("date", "timestamp")
    }


def _excel_dates(
    rs: Ruleset, rows: list[dict[str, Any]], fmt: str, start: int = 0, seen: Any = None
) -> list[dict[str, Any]]:
    """A workbook's rows as `rs` reads them: a number in a date or timestamp column is an
    Excel serial date (docs/data.md); `seen` gathers what was read, for _warn_serial_dates."""
    from rulekit import io as rio

    if fmt not in rio.WORKBOOKS:
        return rows
    from rulekit.io.excel import read_serial_dates

    return read_serial_dates(rows, _serial_kinds(rs), start, seen)[0]


def _warn_serial_dates(table: Rows, seen: dict[str, Any]) -> None:
    """One warning per column whose numbers were read as Excel serial dates."""
    from rulekit.cli.output import _warn
    from rulekit.i18n import gettext

    for note in seen.values():
        more = (
            gettext(" (and {count} more cells in this column)").format(count=f"{note.count - 1:,}")
            if note.count > 1
            else ""
        )
        _warn(
            gettext(
                "{where}, column {column}: {value} is a number, not a date cell; read as the "
                "Excel serial date {date}{more}. Format the column as a date in Excel (Format "
                "Cells → Date) to read it without this warning"
            ).format(
                where=table.where(note.first_index),
                column=note.column,
                value=note.first_value,
                date=note.first_read.isoformat(),
                more=more,
            )
        )


def _duckdb_readable(path: Path, read: ReadOptions | None) -> Path:
    """`path` itself when DuckDB reads it as it is (UTF-8 CSV with commas, TSV, JSON Lines,
    Parquet, no delimiter or encoding given); else a UTF-8 CSV copy made by rulekit.io with
    the given delimiter, encoding, sheet and header row (removed at exit). The cells stay as
    written, so the value options (--na, --decimal-comma, --date-format) still apply."""
    import atexit
    import shutil
    import tempfile

    from rulekit import io as rio

    fmt = rio.format_of(path)
    plain = read is None or not (read.delimiter or read.encoding)
    if plain and fmt in ("parquet", "jsonl"):
        return path
    if plain and fmt in ("csv", "tsv") and rio.sniff_text(path)[0] and rio.own_delimiter(path):
        return path
    table = _read(path, read=read)
    work = Path(tempfile.mkdtemp(prefix="rulekit-read-"))
    atexit.register(shutil.rmtree, work, True)
    copy = work / (path.stem + ".csv")
    rio.write_table(
        copy, table.columns, [{k: rio.cell_text(v) for k, v in r.items()} for r in table.rows]
    )
    return copy


def _stdin_file(data_format: str | None) -> Path:
    """Standard input saved to a temporary file named for its format (removed at exit)."""
    import atexit
    import shutil
    import sys
    import tempfile

    fmt = (data_format or "csv").lower().lstrip(".")
    if fmt not in ("csv", "tsv", "jsonl", "ndjson", "parquet", "xlsx", "xls", "ods"):
        raise Usage(
            f"--data-format {data_format!r}: give csv, tsv, jsonl, parquet or xlsx (the format "
            "of standard input)"
        )
    work = Path(tempfile.mkdtemp(prefix="rulekit-stdin-"))
    atexit.register(shutil.rmtree, work, True)
    path = work / f"stdin.{fmt}"
    with open(path, "wb") as f:
        shutil.copyfileobj(sys.stdin.buffer, f)
    return path


def _param_overrides(values: list[str] | None) -> dict[str, str]:
    """`--param NAME=VALUE` options → name → value text (a usage error without `=`)."""
    out: dict[str, str] = {}
    for item in values or []:
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise Usage(
                Msg(
                    "--param {item}: write it as NAME=VALUE, e.g. --param sleeping_after=200d",
                    item=repr(item),
                )
            )
        out[name.strip()] = value.strip()
    return out


def _load_with_params(refs: list[str], values: list[str] | None) -> list[rulekit.Ruleset]:
    """Load rulesets with `--param` overrides: each ruleset takes the overrides of the params
    it has; a name that none of them has is a usage error (with did-you-mean)."""
    from rulekit.model.params import ParamError, unknown_params

    overrides = _param_overrides(values)
    if not overrides:
        return _not_params_files(refs, [_load(r) for r in refs])
    if len(refs) == 1:
        return _not_params_files(refs, [_load(refs[0], params=overrides)])
    known: dict[str, object] = {}
    for ref in refs:
        known.update(_param_names(ref))
    try:
        unknown_params(overrides, known, ", ".join(refs))
    except ParamError as e:
        raise Usage(str(e)) from None
    out = []
    for ref in refs:
        names = _param_names(ref)
        out.append(_load(ref, params={k: v for k, v in overrides.items() if k in names}))
    return _not_params_files(refs, out)


def _not_params_files(refs: list[str], loaded: list[rulekit.Ruleset]) -> list[rulekit.Ruleset]:
    """A parameters file given where a ruleset is expected is a usage error."""
    from rulekit.check.params import is_params_program

    for ref, rs in zip(refs, loaded, strict=True):
        if is_params_program(rs.program):
            raise Usage(
                Msg(
                    "{ref} is a parameters file (only `param` statements), not a ruleset; "
                    'give a rule file that reads it with `use "…"`',
                    ref=ref,
                )
            )
    return loaded


def _param_names(ref: str) -> dict[str, object]:
    """The params a rule file sees (checked without compiling)."""
    from rulekit.rulesets import resolve

    try:
        path = resolve(ref)
    except LookupFailed as e:
        raise Usage(str(e)) from None
    return dict(rulekit.check_text(_read_rules(path), str(path)).params)


def _test_overrides(files: list[Path], values: list[str] | None) -> dict[Path, dict[str, str]]:
    """`rulekit test --param …`: each file's overrides (those of the params it has); a name
    that no file has is a usage error (with did-you-mean)."""
    from rulekit.model.params import ParamError, unknown_params

    overrides = _param_overrides(values)
    if not overrides:
        return {}
    out: dict[Path, dict[str, str]] = {}
    known: dict[str, object] = {}
    for path in files:
        names = rulekit.check_text(_read_rules(path), render.show_path(path)).params
        known.update(names)
        out[path] = {k: v for k, v in overrides.items() if k in names}
    try:
        unknown_params(overrides, known, ", ".join(render.show_path(p) for p in files))
    except ParamError as e:
        raise Usage(str(e)) from None
    return out
