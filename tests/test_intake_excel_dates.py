"""A workbook cell holding a date as a number without a date format (45292 for 2024-01-01) in a
date or timestamp field is read as an Excel serial date, with one warning per column naming
the first such cell (issue 13): on both engines, in run and explain."""

from __future__ import annotations

import datetime as dt

import pytest

from rulekit import io as rio
from tests.cli_support import AS_OF, cli_fixture  # noqa: F401 (the cli fixture)

RULES = """
ruleset serial_dates
hit first
field last_order : date
field seen_at : timestamp
rule "recent" if last_order >= 2024-01-01 then recent
rule "morning" if seen_at < 2023-06-01T12:00 then morning
rule "old" if last_order < 2024-01-01 then old
"""


@pytest.fixture
def workbook(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["customer_id", "last_order", "seen_at"])
    sheet.append(["C1", 45292, None])  # 2024-01-01 as a bare number
    sheet.append(["C2", dt.date(2023, 5, 1), None])  # a real date cell
    sheet.append(["C3", "2024/3/1", None])  # text as exported
    sheet.append(["C4", 45000, 45078.25])  # 2023-03-15; 2023-06-01 06:00
    path = tmp_path / "orders.xlsx"
    book.save(path)
    (tmp_path / "serial.rules").write_text(RULES, encoding="utf-8")
    return path


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_serial_numbers_in_date_fields_are_excel_dates(cli, workbook, engine):
    out = workbook.with_name(f"out-{engine}.csv")
    r = cli(
        "run", workbook.with_name("serial.rules"), "--data", workbook, "--out", out,
        "--as-of", AS_OF, "--engine", engine,
    )  # fmt: skip
    assert r.code == 0, r.err
    labels = [row["serial_dates"] for row in rio.read_table(out).rows]
    assert labels == ["recent", "old", "recent", "morning"]
    warning = (
        "orders.xlsx row 1 (sheet row 2), column last_order: 45292 is a number, not a date "
        "cell; read as the Excel serial date 2024-01-01 (and 1 more cells in this column)"
    )
    assert warning in " ".join(r.err.split())
    assert "row 4 (sheet row 5), column seen_at: 45078.25" in " ".join(r.err.split())
    assert rio.read_table(out).rows[0]["last_order"] == "45292"  # the output keeps the cell


def test_explain_reads_the_serial_date(cli, workbook):
    r = cli(
        "explain", workbook.with_name("serial.rules"), "--data", workbook, "--id", "C1",
        "--as-of", AS_OF,
    )  # fmt: skip
    assert r.code == 0, r.err
    assert "recent" in r.out and "2024-01-01" in r.out


def test_serial_dates_are_counted_once_with_a_population(cli, workbook):
    """A ruleset that ranks reads the workbook twice (populations, then labels): the warning
    still counts each cell once, and the ranks see the dates."""
    rules = workbook.with_name("ranked.rules")
    rules.write_text(
        RULES.replace("ruleset serial_dates", "ruleset ranked_dates")
        + 'rule "late" if percentile(today - last_order) >= 100 then late\n',
        encoding="utf-8",
    )
    r = cli("run", rules, "--data", workbook, "--as-of", AS_OF, "--engine", "python")
    assert r.code == 0, r.err
    assert "(and 1 more cells in this column)" in " ".join(r.err.split())
