"""Exports as customers have them (tests/data/messy/, made by make_messy.py): each file is
classified to the labels of its clean meaning on the Python and the DuckDB engine, row for row,
with no row lost and every rejected value explained (file, row, column, value, reason)."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import sys
from pathlib import Path

import pytest

import rulekit
from rulekit import io as rio
from rulekit.engines import run_file
from rulekit.model.reading import ReadOptions

from .cli_support import ROOT, cli_fixture  # noqa: F401

MESSY = ROOT / "tests" / "data" / "messy"
RULES = ROOT / "examples" / "quickstart.rules"
AS_OF = dt.date(2024, 6, 30)
sys.path.insert(0, str(MESSY))
from make_messy import clean  # noqa: E402

FILES = {
    "gbk_yuan.csv": ReadOptions(),
    "title_and_notes.xlsx": ReadOptions(),
    "semicolon_decimal_comma.csv": ReadOptions(decimal_comma=True),
    "tab_na.tsv": ReadOptions(),
}
BAD = (9, "recency", "'abc' is not a duration (write 200, 200d or 6mo)")  # row C10


@pytest.fixture(scope="module")
def rs():
    return rulekit.load(str(RULES))


@pytest.fixture(scope="module")
def expected(rs):
    """The labels of the clean meaning of the rows (C10's recency is bad: set aside)."""
    rows = clean()
    rows[9]["最近购买天数"] = 30  # any good value: C10 is rejected in every messy file
    labels = [d.label for d in rs.classify_many(rows, as_of=AS_OF)]
    labels[9] = None
    return labels


def _labels(result):
    return [None if d is None else d.label for d in result.decisions]


@pytest.mark.parametrize("name", list(FILES))
@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_each_export_gets_the_labels_of_its_clean_meaning(rs, expected, name, engine):
    options = FILES[name]
    table = rio.read_table(MESSY / name, options)
    assert len(table) == 10
    result = rs.classify_many(table.rows, as_of=AS_OF, on_error="skip", engine=engine, read=options)
    assert _labels(result) == expected
    assert [(b.index, b.field, b.reason) for b in result.rejected] == [BAD]
    assert table.where(9).startswith(f"{name} row 10")


def test_the_workbook_is_read_from_its_table_sheet_below_the_title(rs):
    table = rio.read_table(MESSY / "title_and_notes.xlsx")
    assert table.columns[:2] == ["customer_id", "最近购买天数"]
    assert table.lines[0] == 4  # sheet row 4: below the title, a blank row and the header
    assert any("'客户'" in n for n in table.notes)


def test_a_sheet_not_found_lists_the_sheets():
    with pytest.raises(rio.DataFileError) as e:
        rio.read_table(MESSY / "title_and_notes.xlsx", ReadOptions(sheet="orders"))
    assert "1: '说明', 2: '客户'" in str(e.value) and "--sheet" in str(e.value)
    by_number = rio.read_table(MESSY / "title_and_notes.xlsx", ReadOptions(sheet="2"))
    assert len(by_number) == 10


def test_decimal_commas_without_the_option_are_errors_naming_the_option(rs):
    table = rio.read_table(MESSY / "semicolon_decimal_comma.csv")
    result = rs.classify_many(table.rows, as_of=AS_OF, on_error="skip", validate="all")
    reasons = {b.index: b.reason for b in result.rejected}
    assert "--decimal-comma" in reasons[2] and reasons[2].startswith("'800,5' is ambiguous")


def _duckdb_file(rs, path: Path, tmp: Path, options: ReadOptions):
    out = tmp / "out.csv"
    summary = run_file(rs, path, out, as_of=AS_OF, on_error="quarantine", reading=options)
    rows = rio.read_table(out).rows
    rejected = rio.read_table(summary.rejected_path).rows
    return [r["lifecycle"] for r in rows], rejected, summary


@pytest.mark.parametrize("name", list(FILES))
def test_duckdb_file_to_file_gives_the_same_labels_and_reasons(rs, expected, name, tmp_path):
    """Each export as a plain UTF-8 CSV DuckDB reads itself: the SQL's own reading and
    reasons, row for row."""
    options = FILES[name]
    table = rio.read_table(MESSY / name, options)
    plain = tmp_path / "plain.csv"
    rio.write_table(
        plain, table.columns, [{k: rio.cell_text(v) for k, v in r.items()} for r in table.rows]
    )
    labels, rejected, summary = _duckdb_file(rs, plain, tmp_path, options)
    assert labels == expected
    assert [
        (r["rejected_row"], r["rejected_column"], r["rejected_value"], r["rejected_reason"])
        for r in rejected
    ] == [("10", "最近购买天数", "abc", BAD[2])]
    assert summary.rows_in == 10 and summary.rejected == 1
    assert summary.rejected_values == [
        {"ruleset": "lifecycle", "column": "最近购买天数", "reason": BAD[2][5:], "count": 1}
    ]


# ---------------------------------------------------------------------- the command line


def test_run_a_gbk_export_writes_utf8_with_bom_and_a_summary(cli, tmp_path):
    out, summary = tmp_path / "out.csv", tmp_path / "summary.json"
    r = cli(
        "run",
        RULES,
        "--data",
        MESSY / "gbk_yuan.csv",
        "--out",
        out,
        "--as-of",
        "2024-06-30",
        "--on-error",
        "quarantine",
        "--summary-json",
        summary,
        "--labels",
        "both",
    )
    assert r.code == 0, r.err
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel on Windows reads it
    rows = rio.read_table(out).rows
    assert rows[0]["lifecycle"] == "churned" and rows[0]["lifecycle_display"] == "流失客户"
    doc = json.loads(summary.read_text(encoding="utf-8"))
    assert doc["format"] == "rulekit-run-summaries/1"
    s = doc["rulesets"][0]
    assert (s["rows_in"], s["rejected"]) == (10, 1)
    assert s["labelled"] + s["unlabelled"] + s["rejected"] == 10
    assert doc["rejected_values"][0]["column"] == "最近购买天数"
    rejected = rio.read_table(tmp_path / "out.rejected.csv").rows
    assert rejected[0]["rejected_value"] == "abc" and rejected[0]["rejected_line"] == "11"


def test_run_semicolon_file_needs_the_decimal_comma(cli, tmp_path):
    data = MESSY / "semicolon_decimal_comma.csv"
    r = cli("run", RULES, "--data", data, "--as-of", "2024-06-30", "--engine", "python")
    assert r.code == 1
    assert "semicolon_decimal_comma.csv row 5 (line 6), field monetary: '3 000,00'" in r.err
    assert "--decimal-comma" in r.err
    out = tmp_path / "o.csv"
    r = cli(
        "run",
        RULES,
        "--data",
        data,
        "--out",
        out,
        "--as-of",
        "2024-06-30",
        "--decimal-comma",
        "--on-error",
        "skip",
    )
    assert r.code == 0, r.err
    assert len(rio.read_table(out).rows) == 10


def test_run_refuses_to_overwrite_its_input(cli, tmp_path):
    data = tmp_path / "in.tsv"
    data.write_bytes((MESSY / "tab_na.tsv").read_bytes())
    r = cli("run", RULES, "--data", data, "--out", data)
    assert r.code == 2 and "also an input" in r.err
    assert data.read_bytes() == (MESSY / "tab_na.tsv").read_bytes()


def test_run_reads_stdin_and_writes_stdout(cli, monkeypatch):
    text = (MESSY / "tab_na.tsv").read_text(encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    out = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(out))
    r = cli(
        "run",
        RULES,
        "--data",
        "-",
        "--data-format",
        "tsv",
        "--out",
        "-",
        "--as-of",
        "2024-06-30",
        "--on-error",
        "skip",
        "--engine",
        "python",
    )
    assert r.code == 0
    lines = out.getvalue().decode("utf-8").splitlines()
    assert lines[0].endswith("lifecycle,lifecycle_rule") and len(lines) == 11


def test_run_reads_a_gzip_file_and_names_the_sheet(cli, tmp_path):
    gz = tmp_path / "in.tsv.gz"
    gz.write_bytes(gzip.compress((MESSY / "tab_na.tsv").read_bytes()))
    out = tmp_path / "o.csv.gz"
    r = cli("run", RULES, "--data", gz, "--out", out, "--as-of", "2024-06-30", "--on-error", "skip")
    assert r.code == 0, r.err
    assert gzip.decompress(out.read_bytes()).decode().count("\n") == 11
    r = cli("run", RULES, "--data", MESSY / "title_and_notes.xlsx", "--sheet", "orders")
    assert r.code == 1 and "'说明'" in r.err and "'客户'" in r.err


def test_the_summary_json_validates_against_its_schema(cli, tmp_path):
    from rulekit.documents.schema import validate

    summary = tmp_path / "s.json"
    data = MESSY / "tab_na.tsv"
    r = cli(
        "run",
        RULES,
        "--data",
        data,
        "--out",
        tmp_path / "o.parquet",
        "--as-of",
        "2024-06-30",
        "--on-error",
        "skip",
        "--summary-json",
        summary,
        "--engine",
        "duckdb",
    )
    assert r.code == 0, r.err
    doc = json.loads(summary.read_text(encoding="utf-8"))
    validate("run-summaries", doc)
    assert doc["rulesets"][0]["rows_in"] == 10
    assert doc["rejected_values"] == [
        {"ruleset": "lifecycle", "column": "最近购买天数", "reason": BAD[2][5:], "count": 1}
    ]


# ---------------------------------------------------------------- the options on every command
def test_explain_reads_with_the_reading_options(cli):
    """explain --data had none of run's reading options: a decimal-comma file could not be
    explained (C3's monetary `800,5` was ambiguous)."""
    args = ["explain", str(RULES), "--data", str(MESSY / "semicolon_decimal_comma.csv")]
    args += ["--id", "C3", "--as-of", "2024-06-30", "--format", "json"]
    result = cli(*args, "--decimal-comma")
    assert result.code == 0, result.err
    fields = {f["name"]: f["value"] for f in json.loads(result.out)["fields"]}
    assert fields["monetary"] == 800.5 and fields["recency"] == 10
    without = cli(*args)  # `800,5` is unreadable, and not needed for C3's label: missing
    assert without.code == 0
    assert {f["name"]: f["value"] for f in json.loads(without.out)["fields"]}["monetary"] is None


POPULATION_RULES = (
    "ruleset ranked\nfield monetary : number\nlet p = percentile(monetary)\nIF p >= 50 THEN upper\n"
)


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_freeze_reads_with_the_reading_options(cli, tmp_path, engine):
    rules = tmp_path / "ranked.rules"
    rules.write_text(POPULATION_RULES, encoding="utf-8")
    out = tmp_path / "pop.json"
    data = MESSY / "semicolon_decimal_comma.csv"
    args = ["freeze", str(rules), "--data", str(data), "--out", str(out), "--engine", engine]
    result = cli(*args, "--as-of", "2024-06-30", "--decimal-comma", "--quiet")
    assert result.code == 0, result.err
    frozen = rulekit.FrozenPopulation.load(out)
    clean_values = sorted(r["monetary"] for r in clean() if r["monetary"] is not None)
    [pop] = frozen.populations.values()
    [values] = pop.groups.values()
    assert [float(v) for v in values.sorted] == clean_values  # `800,5` is 800.5, `12.000` 12000


def test_profile_reads_with_the_reading_options(cli, tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_bytes(
        "客户;日期;金额\nA;30/06/2024;12,50\nA;01/06/2024;7,50\nB;15/05/2024;3,25\n".encode("gbk")
    )
    out = tmp_path / "profile.csv"
    args = ["profile", str(orders), "--customer", "客户", "--date", "日期", "--amount", "金额"]
    args += ["--out", str(out), "--as-of", "2024-06-30", "--quiet"]
    result = cli(
        *args, "--delimiter", ";", "--data-encoding", "gbk", "--decimal-comma",
        "--date-format", "%d/%m/%Y",
    )  # fmt: skip
    assert result.code == 0, result.err
    rows = {r["客户"]: r for r in rio.read_table(out).rows}
    assert float(rows["A"]["monetary"]) == 20.0 and rows["A"]["last_purchase"] == "2024-06-30"
    assert float(rows["B"]["monetary"]) == 3.25 and rows["B"]["first_purchase"] == "2024-05-15"
    assert cli(*args).code != 0  # without the options the file is not what it says
