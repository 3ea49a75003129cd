"""Workbooks as users have them: .xlsx, .xlsm, .xls and .ods read with python-calamine, the
sheet chosen by name or number (or the first that holds a table), the header row found below
title and blank rows (or given), merged header cells named; .xlsx written with openpyxl with
a bold header and the first row frozen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

HEADER_SCAN = 30  # rows looked at to find the header


class SheetError(Exception):
    """A sheet or header that cannot be found (rulekit.io words it as a DataFileError)."""


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _filled(values: Sequence[Any]) -> int:
    return sum(not _blank(v) for v in values)


def choose_sheet(names: list[str], sheet: str | int | None, tables: Iterable[int]) -> int:
    """The index of the sheet to read: by name or number (from 1), else the first that holds
    a table (`tables`: the indexes of those, in order)."""
    if sheet is None:
        return next(iter(tables), 0)
    if isinstance(sheet, int) or sheet.strip().isdigit():
        number = int(sheet)
        if 1 <= number <= len(names):
            return number - 1
    elif sheet in names:
        return names.index(sheet)
    else:
        folded = [n.casefold().strip() for n in names]
        if sheet.casefold().strip() in folded:
            return folded.index(sheet.casefold().strip())
    listed = ", ".join(f"{i}: {n!r}" for i, n in enumerate(names, 1))
    raise SheetError(
        f"there is no sheet {sheet!r}; the workbook's sheets are {listed} "
        "(give --sheet NAME or --sheet N, counted from 1)"
    )


def find_header(rows: Sequence[Sequence[Any]]) -> int | None:
    """The index of the header row: the first of the first rows that fills at least 60% of the
    table's width with text, so a title row (one merged cell), notes and blank rows above it
    are skipped. None when there is none."""
    head = rows[:HEADER_SCAN]
    width = max((_filled(r) for r in head), default=0)
    for i, r in enumerate(head):
        filled = [v for v in r if not _blank(v)]
        if len(filled) >= max(1, -(-width * 3 // 5)) and all(isinstance(v, str) for v in filled):
            return i
    return None


def is_table(rows: Sequence[Sequence[Any]]) -> bool:
    """Whether a sheet holds a table: a header of two columns or more, and a row below it."""
    i = find_header(rows)
    return i is not None and _filled(rows[i]) >= 2 and any(_filled(r) for r in rows[i + 1 :])


def merged_names(header: list[Any], merged: list[tuple[int, int]]) -> list[Any]:
    """Header cells inside a merged range (first, last column) take the range's name with a
    number: `金额`, `金额_2`, `金额_3`."""
    names = list(header)
    for first, last in merged:
        if first < len(names) and not _blank(names[first]):
            for k, col in enumerate(range(first + 1, min(last, len(names) - 1) + 1), 2):
                if _blank(names[col]):
                    names[col] = f"{names[first]}_{k}"
    return names


def read_sheet(
    path: Path, sheet: str | int | None, header_row: int | None
) -> tuple[str, int, list[Any], list[tuple[int, list[Any]]], list[str]]:
    """(sheet name, header's sheet row, header cells, [(sheet row, values)], notes)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    names = list(book.sheet_names)
    notes: list[str] = []
    sheets: dict[int, list[list[Any]]] = {}

    def rows_of(i: int) -> list[list[Any]]:
        if i not in sheets:
            sheets[i] = book.get_sheet_by_index(i).to_python(skip_empty_area=False)
        return sheets[i]

    tables = (i for i in range(len(names)) if is_table(rows_of(i)))
    index = choose_sheet(names, sheet, tables)
    if sheet is None and index > 0:
        notes.append(
            f"read sheet {names[index]!r}: the sheets before it hold no table "
            "(choose one with --sheet)"
        )
    rows = rows_of(index)
    if header_row is not None:
        if not 1 <= header_row <= len(rows):
            raise SheetError(
                f"sheet {names[index]!r} has {len(rows)} rows, so --header-row {header_row} "
                "is past its end"
            )
        at: int | None = header_row - 1
    else:
        at = find_header(rows)
    if at is None:
        raise SheetError(
            f"sheet {names[index]!r} has no header row (a row naming the columns); "
            "give it with --header-row N"
        )
    if at > 0 and header_row is None:
        notes.append(
            f"sheet {names[index]!r}: the header is row {at + 1} (the rows above it are a "
            "title or notes; give --header-row N to choose another)"
        )
    merged = [
        (first[1], last[1])
        for first, last in (book.get_sheet_by_index(index).merged_cell_ranges or [])
        if first[0] == at
    ]
    header = merged_names(list(rows[at]), merged)
    while header and _blank(header[-1]):
        header.pop()
    body = [(number, r) for number, r in enumerate(rows[at + 1 :], at + 2) if _filled(r)]
    return names[index], at + 1, header, body, notes


def cell(value: Any) -> Any:
    """A workbook value as rulekit reads it: whole floats as ints (Excel stores 12 as 12.0)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel counts 1900-02-29)
FIRST_SERIAL, LAST_SERIAL = 61, 2958465  # 1900-03-01 … 9999-12-31: one meaning only


def serial_date(value: Any, kind: str) -> dt.date | dt.datetime | None:
    """An Excel serial date number (a cell holding a date without a date number format, e.g.
    45292 for 2024-01-01) as a date (kind "date": the day) or a timestamp (to the second);
    None when the value is not a number in 1900-03-01 … 9999-12-31."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not FIRST_SERIAL <= value < LAST_SERIAL + 1:
        return None
    moment = EXCEL_EPOCH + dt.timedelta(seconds=round(float(value) * 86400))
    return moment.date() if kind == "date" else moment


@dataclass
class SerialDates:
    """The cells of one column read as Excel serial dates: how many, and the first."""

    column: str
    count: int = 0
    first_index: int = 0
    first_value: Any = None
    first_read: Any = None


def read_serial_dates(
    rows: list[dict[str, Any]],
    kinds: dict[str, str],
    start: int = 0,
    seen: dict[str, SerialDates] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, SerialDates]]:
    """The rows of a workbook with the numbers in date and timestamp columns (`kinds`: column
    → "date" or "timestamp") read as Excel serial dates; a row changed is a copy (the rows
    given stay as the file has them). `seen` gathers, per column, what was read (for the
    warning), rows numbered from `start`."""
    seen = {} if seen is None else seen
    if not kinds:
        return rows, seen
    out = rows
    for i, row in enumerate(rows):
        copy = None
        for column, kind in kinds.items():
            value = row.get(column)
            read = serial_date(value, kind)
            if read is None:
                continue
            if copy is None:
                copy = dict(row)
                if out is rows:
                    out = list(rows)
                out[i] = copy
            copy[column] = read
            note = seen.setdefault(column, SerialDates(column))
            if not note.count:
                note.first_index, note.first_value, note.first_read = start + i, value, read
            note.count += 1
    return out, seen


class XlsxWriter:
    """An .xlsx workbook written row by row (openpyxl's write-only mode): a bold header, the
    first row frozen, values as cells (text that starts with `=` stays text, never a formula)."""

    def __init__(self, names: Sequence[str], cell_text: Callable[[Any], str]):
        import openpyxl
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        self._cell = WriteOnlyCell
        self.cell_text = cell_text
        self.book = openpyxl.Workbook(write_only=True)
        self.sheet = self.book.create_sheet()
        self.sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        head = []
        for name in names:
            c = WriteOnlyCell(self.sheet, value=name)
            c.font = bold
            head.append(c)
        self.sheet.append(head)

    def append(self, values: Iterable[Any]) -> None:
        out: list[Any] = []
        for value in values:
            if value is None or isinstance(value, (bool, int, float, Decimal)):
                out.append(value)
            elif isinstance(value, dt.datetime):
                out.append(value.isoformat() if value.tzinfo else value)
            elif isinstance(value, (dt.date, dt.time)):
                out.append(value)
            else:
                text = value if isinstance(value, str) else self.cell_text(value)
                if text.startswith("="):
                    c = self._cell(self.sheet, value=text)
                    c.data_type = "s"
                    out.append(c)
                else:
                    out.append(text)
        self.sheet.append(out)

    def save(self, tmp: Path) -> None:
        self.book.save(str(tmp))


def write_xlsx(
    tmp: Path, names: Sequence[str], rows: Iterable[list[Any]], cell_text: Callable[[Any], str]
) -> None:
    """An .xlsx workbook of these rows (XlsxWriter)."""
    writer = XlsxWriter(names, cell_text)
    for values in rows:
        writer.append(values)
    writer.save(tmp)


__all__ = [
    "SerialDates",
    "SheetError",
    "XlsxWriter",
    "read_serial_dates",
    "read_sheet",
    "serial_date",
    "write_xlsx",
]
