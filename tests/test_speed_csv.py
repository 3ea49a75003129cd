"""CSV at DuckDB's speed gives the lenient reading's answers: plain cells take the fast path
(one cast), every other cell of the same column the full reading, and a clean file is written
in one pass whatever on_error says. Checked against the Python engine on the same file:
labels, rules, bad-record reasons, the quarantine file and the summary's counts."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import rulekit
from rulekit import RecordError
from rulekit import io as rio
from rulekit.compile.sql.duckdb import DuckDBGenerator
from rulekit.compile.sql.relation import Column, Relation, Source
from rulekit.engines import run_file
from rulekit.model.reading import ReadOptions

RULES = """
ruleset mixed "混合"
hit first
default regular
field recency : duration from recency_days
field frequency : integer
field monetary : number
field member : boolean
field joined : date
rule "prospect" if frequency = 0 then prospect
rule "churned" if recency > 365d then churned
rule "vip" if monetary >= 50000 then vip
rule "member" if member and joined >= 2024-01-01 then new_member
"""

AS_OF = "2024-06-30"

# per column: plain cells (the fast path) and cells only the full reading reads or rejects
CELLS = {
    "recency_days": ["12", "400", "-0", "0012", " 30 ", "200d", "5.", "NA", "１２", "", "1e3"],
    "frequency": ["0", "7", "25", "12.0", "12.5", "1,000", "+3", "inf", "n/a", "", "0x10"],
    "monetary": ["60000", "10.5", "¥1,200", "1.2万", "12%", "1.e5", "nan", "—", "", "5e4", "x"],
    "member": ["true", "False", "1", "0", "Y", "no", "是", " yes ", "maybe", "", "TRUE"],
    "joined": [
        "2024-03-01",
        "2023-12-31",
        "2024-1-5",
        "2024/02/03",
        "0000-01-01",
        "2024-02-30",
        "2024-05-06T10:00",
        "20240105",
        "",
        "null",
        "infinity",
    ],
}


def _write(path: Path, n: int = 121) -> None:
    """Every cell of every column meets every other column's cells (n rows, co-prime lengths
    would repeat; 11 × 11 = 121 covers each pair of the first two columns at least)."""
    names = list(CELLS)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", *names])
        for i in range(n):
            w.writerow(
                [f"{i:05d}", *(CELLS[c][(i * (k + 1) + i // 11) % 11] for k, c in enumerate(names))]
            )


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("speed") / "mixed.csv"
    _write(path)
    return path


@pytest.mark.parametrize("on_error", ["skip", "quarantine"])
def test_mixed_columns_read_as_the_python_engine_reads_them(data, tmp_path, on_error):
    rs = rulekit.compile(RULES)
    rows = rio.read_table(data).rows
    expected = rs.classify_many(rows, as_of=AS_OF, on_error="skip")
    out = tmp_path / "out.csv"
    summary = run_file(rs, data, out, as_of=AS_OF, on_error=on_error)
    got = rio.read_table(out).rows
    bad = {b.index for b in expected.rejected}
    assert bad, "the fixture must have bad rows"
    for i, (row, d) in enumerate(zip(got, expected.decisions, strict=True)):
        want = (None, None) if i in bad else (d.label, d.rule.name if d.rule else None)
        assert (row["mixed"] or None, row["mixed_rule"] or None) == want, (i, rows[i])
    assert summary.rejected == len(bad)
    assert summary.rows_in == len(rows)
    if on_error == "quarantine":
        rejected = rio.read_table(summary.rejected_path).rows
        assert [
            (int(r["rejected_row"]) - 1, r["rejected_field"], r["rejected_reason"])
            for r in rejected
        ] == [(b.index, b.field, b.reason) for b in expected.rejected]


def test_fail_stops_at_the_python_engines_first_bad_row(data, tmp_path):
    rs = rulekit.compile(RULES)
    rows = rio.read_table(data).rows
    with pytest.raises(RecordError) as python:
        rs.classify_many(rows, as_of=AS_OF, on_error="fail")
    out = tmp_path / "out.csv"
    with pytest.raises(RecordError) as duck:
        run_file(rs, data, out, as_of=AS_OF, on_error="fail")
    assert duck.value.bad.index == python.value.bad.index
    assert duck.value.bad.reason == python.value.bad.reason
    assert not out.exists()  # nothing written


def test_a_clean_file_is_written_in_one_pass(tmp_path, monkeypatch):
    """A clean file: one query writes the output (no checking pass, no pass for bad rows)."""
    import rulekit.engines.duckdb_copy as copy_mod
    import rulekit.engines.files as files

    path = tmp_path / "clean.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", *CELLS])
        for i in range(50):
            w.writerow([i, str(i * 20), str(i % 7), f"{i * 1500}.5", "true", "2024-02-03"])
    rs = rulekit.compile(RULES)
    seen: list[str] = []
    run = files._run

    def counting(con, sql, what):  # type: ignore[no-untyped-def]
        seen.append(what)
        return run(con, sql, what)

    monkeypatch.setattr(files, "_run", counting)
    monkeypatch.setattr(copy_mod, "_run", counting)
    for on_error in ("fail", "skip", "quarantine"):
        seen.clear()
        summary = run_file(rs, path, tmp_path / "out.parquet", as_of=AS_OF, on_error=on_error)
        assert summary.rejected == 0 and summary.rows_in == 50
        reads = [w for w in seen if "clean.csv" in w or w.startswith(("check", "write"))]
        assert reads == [f"write {tmp_path / 'out.parquet'}"], (on_error, seen)


def test_plain_cells_take_one_cast_and_the_others_the_full_reading():
    """The generated SQL: a plain-text test per typed text column, and the full reading's
    helpers only where it fails."""
    rs = rulekit.compile(RULES)
    gen = DuckDBGenerator(rs.program)
    cols = {c: Column(c, "text") for c in ["id", *CELLS]}
    sql = gen.labelled_sql(Source(Relation(path="x.csv", format="csv"), cols))
    assert sql.count("_fast") >= 5
    assert 'CASE WHEN "rk_1_fast" THEN CAST("frequency" AS BIGINT)' in sql
    assert 'CASE WHEN "rk_0_fast" THEN NULL ELSE' in sql  # no stripping of a plain cell


def test_options_that_change_plain_texts_turn_the_fast_path_off():
    rs = rulekit.compile(RULES)
    cols = {c: Column(c, "text") for c in CELLS}
    src = Source(Relation(path="x.csv", format="csv"), cols)
    for opts, column in [
        (ReadOptions(decimal_comma=True), "monetary"),
        (ReadOptions(na=("-1",)), "monetary"),
        (ReadOptions(date_format="%Y-%d-%m"), "joined"),
    ]:
        gen = DuckDBGenerator(rs.program)
        gen.read_options = opts
        sql = gen.labelled_sql(src)
        assert f'regexp_full_match("{column}", ' not in sql.split("rk_prep_2")[0], opts


def test_batches_stream_the_labels_of_classify_many(data, tmp_path):
    import pyarrow as pa

    rs = rulekit.compile(RULES)
    rows = rio.read_table(data).rows
    expected = rs.classify_many(rows, as_of=AS_OF, on_error="skip")
    bad = {b.index for b in expected.rejected}
    batches = list(rs.classify_batches(data, as_of=AS_OF, on_error="skip", batch_rows=50))
    assert all(isinstance(b, pa.RecordBatch) and b.num_rows <= 50 for b in batches)
    table = pa.Table.from_batches(batches)
    assert table.column_names == ["row", "mixed", "mixed_rule"]
    assert table.column("row").to_pylist() == list(range(len(rows)))
    want = [None if i in bad else d.label for i, d in enumerate(expected.decisions)]
    assert table.column("mixed").to_pylist() == want
    full = pa.Table.from_batches(
        rs.classify_batches(data, as_of=AS_OF, on_error="skip", columns="all")
    )
    assert full.column_names == ["id", *CELLS, "mixed", "mixed_rule"]
    assert full.column("id").to_pylist() == [r["id"] for r in rows]


def test_a_stream_stops_with_the_first_bad_rows_error(data):
    rs = rulekit.compile(RULES)
    rows = rio.read_table(data).rows
    with pytest.raises(RecordError) as python:
        rs.classify_many(rows, as_of=AS_OF)
    with pytest.raises(RecordError) as duck:
        for _ in rs.classify_batches(data, as_of=AS_OF):
            pass
    assert (duck.value.bad.index, duck.value.bad.reason) == (
        python.value.bad.index,
        python.value.bad.reason,
    )
    with pytest.raises(rulekit.RulekitError, match="quarantine"):
        rs.classify_batches(data, on_error="quarantine")


def test_importing_the_sql_compiler_does_not_scan_unicode():
    """The character tables (every code point scanned) are built on first use, not at import."""
    import subprocess
    import sys

    code = (
        "import importlib; importlib.import_module('rulekit.compile.sql.duckdb');"
        "r = importlib.import_module('rulekit.compile.sql.rawvalues');"
        "print(r._tables.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"
