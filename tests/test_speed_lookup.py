"""`rulekit explain --data FILE --id X` finds the row with DuckDB (or a byte search of a plain
CSV) instead of reading the file into Python: the output must be exactly what the Python
reading gives — the same record, row and line, population figures, notes and errors."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import rulekit.cli.explain as cli_explain
from rulekit.cli.inputs import ID_COLUMNS
from rulekit.engines import duckdb_lookup
from tests.cli_support import AS_OF, ROOT, cli_fixture  # noqa: F401

LIFECYCLE = ROOT / "tests" / "bench" / "lifecycle9.rules"
RFM3 = ROOT / "tests" / "bench" / "rfm3.rules"
COLUMNS = ["customer_id", "recency_days", "tenure_days", "frequency", "monetary",
           "avg_order_value", "returns", "region", "is_member"]  # fmt: skip


def _rows(n: int = 300, seed: int = 4) -> list[list[str]]:
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        rows.append(
            [
                f"{i:08d}",
                rnd.choice(["", "12", "200", "400", " 30 "]),
                rnd.choice(["", "5", "700"]),
                rnd.choice(["0", "3", "12", "25"]),
                rnd.choice(["", "10.5", "60000", "12000"]),
                rnd.choice(["", "20", "80"]),
                rnd.choice(["0", "5"]),
                rnd.choice(["north", "overseas", ""]),
                rnd.choice(["true", "false", ""]),
            ]
        )
    rows[7][3] = "many"  # a bad value: row 8
    rows[9][0] = rows[8][0]  # a repeated id
    return rows


def _write_csv(path: Path, rows: list[list[str]], sep: str = ",", crlf: bool = False) -> Path:
    end = "\r\n" if crlf else "\n"
    path.write_text(sep.join(COLUMNS) + end + "".join(sep.join(r) + end for r in rows))
    return path


def _write_parquet(path: Path, rows: list[list[str]]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    def num(x: str, kind: type) -> object:
        try:
            return kind(x)
        except ValueError:
            return None

    table = pa.table(
        {
            "customer_id": [r[0] for r in rows],
            "recency_days": [num(r[1], int) for r in rows],
            "tenure_days": [num(r[2], int) for r in rows],
            "frequency": [num(r[3], int) for r in rows],
            "monetary": [num(r[4], float) for r in rows],
            "avg_order_value": [num(r[5], float) for r in rows],
            "returns": [num(r[6], int) for r in rows],
            "region": [r[7] or None for r in rows],
            "is_member": [None if not r[8] else r[8] == "true" for r in rows],
        }
    )
    pq.write_table(table, path, row_group_size=64)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("lookup")
    rows = _rows()
    quoted = [list(r) for r in rows]
    quoted[3][7] = '"north, west"'  # quotes: DuckDB reads the file
    broken = [list(r) for r in quoted]
    broken[5][7] = '"north\nwest"'  # a quoted line break: the Python reading
    return {
        "broken": _write_csv(base / "b.csv", broken),
        "csv": _write_csv(base / "c.csv", rows),
        "crlf": _write_csv(base / "crlf.csv", rows, crlf=True),
        "tsv": _write_csv(base / "c.tsv", rows, sep="\t"),
        "quoted": _write_csv(base / "q.csv", quoted),
        "parquet": _write_parquet(base / "c.parquet", rows),
    }


def _both(cli, monkeypatch, *args: str):
    fast = cli(*args)
    with monkeypatch.context() as m:
        m.setattr(cli_explain, "_find_fast", lambda *a: None)  # the Python reading
        slow = cli(*args)
    return fast, slow


@pytest.mark.parametrize("kind", ["csv", "crlf", "tsv", "quoted", "broken", "parquet"])
@pytest.mark.parametrize("rules", [LIFECYCLE, RFM3])
@pytest.mark.parametrize(
    "extra",
    [
        ("--id", "00000042"),
        ("--id", " 00000150 ", "--format", "json"),
        ("--id", "00000299", "--why-not", "vip"),
        ("--id", "00000008"),  # bad value (text) or a repeated id
        ("--id", "00000007"),
        ("--id", "00000007", "--set", "frequency=4"),
        ("--id", "99999999"),
        ("--id", "0000004"),
        ("--id", "north", "--id-column", "region"),
        ("--id", "x", "--id-column", "nope"),
    ],
)
def test_fast_lookup_explains_as_the_python_reading(cli, monkeypatch, files, kind, rules, extra):
    if "--why-not" in extra and rules == RFM3:
        extra = (*extra[:2], "--why-not", "important_value")
    args = ("explain", str(rules), "--data", str(files[kind]), "--as-of", AS_OF, *extra)
    fast, slow = _both(cli, monkeypatch, *args)
    assert (fast.code, fast.out, fast.err) == (slow.code, slow.out, slow.err)


def test_the_lookup_takes_the_fast_path(files):
    for kind in ("csv", "crlf", "tsv", "parquet"):
        found = duckdb_lookup.find_row(files[kind], "00000042")
        assert found is not None and found.indexes == [42] and found.rows == 300
        assert found.row["customer_id"] == "00000042"
    assert duckdb_lookup.find_row(files["csv"], "00000042").where(42) == "c.csv row 43 (line 44)"
    assert duckdb_lookup.find_row(files["parquet"], "00000042").where(42) == "c.parquet row 43"
    assert duckdb_lookup.find_row(files["csv"], "00000008").indexes == [8, 9]
    quoted = duckdb_lookup.find_row(files["quoted"], "00000042")  # read by DuckDB
    assert quoted is not None and quoted.indexes == [42]
    assert quoted.where(42) == "q.csv row 43 (line 44)"
    assert duckdb_lookup.find_row(files["quoted"], "00000003").row["region"] == "north, west"
    assert duckdb_lookup.find_row(files["broken"], "00000042") is None


def test_the_default_id_columns_are_the_command_lines():
    columns = list(ID_COLUMNS)
    for i, name in enumerate(columns):
        assert duckdb_lookup.default_id_column(["zzz", *columns[i:]]) == name
