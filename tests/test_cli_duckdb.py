"""`rulekit run` on DuckDB, file to file (rulekit.cli.files, rulekit.engines.files): DuckDB reads
the input and writes the output itself, and everything the user gets — the output file, the
rejected-rows file, the preview, the summary, the notes and the errors — is what the Python
path gives, compared here byte for byte (timings aside)."""

from __future__ import annotations

import csv
import json
import re

import pyarrow.parquet as pq
import pytest

from rulekit import io as rio
from rulekit.cli import files as cli_files

from .cli_support import AS_OF, ROOT, cli_fixture  # noqa: F401

SAMPLE = ROOT / "examples" / "data" / "customers.csv"
RULESETS = ["lifecycle", "rfm", "common_types_loyal_potential_price_sensitive"]
TIMING = re.compile(
    r" \d+\.\d\d s(, peak memory [\d,]+ MB)?\)|classified with DuckDB in|classified in"
)


def messy(tmp_path, name="in.csv", rows=400):
    """The first rows of the sample with bad values, a Chinese quoted cell with a comma and a
    line break, an identifier with leading zeros, and blank cells."""
    lines = list(csv.reader(open(SAMPLE, encoding="utf-8")))[: rows + 1]
    head = lines[0]
    lines[5][head.index("recency_days")] = "abc"
    lines[9][head.index("monetary")] = "1,2"
    lines[30][head.index("frequency")] = "1.5"
    lines[12][head.index("customer_id")] = "00012"
    lines[14][head.index("city")] = "上海,\n浦东"
    lines[20][head.index("monetary")] = ""
    path = tmp_path / name
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(
            f, delimiter="\t" if name.endswith(".tsv") else ",", lineterminator="\n"
        ).writerows(lines)
    return path


def both(cli, tmp_path, data, out_ext, *args):
    """Run with each engine into its own file; (python result, file), (duckdb result, file)."""
    results = []
    for engine in ("python", "duckdb"):
        out = tmp_path / f"{engine}.{out_ext}"
        r = cli("run", *args, "--data", data, "--out", out, "--as-of", AS_OF, "--engine", engine)
        results.append((r, out))
    return results


def same_text(a: str, b: str) -> None:
    """The same output, but for timings and the output file's name (python.* / duckdb.*)."""

    def strip(text: str) -> list[str]:
        return [
            TIMING.sub("", line).replace("python.", "OUT.").replace("duckdb.", "OUT.")
            for line in text.splitlines()
        ]

    assert strip(a) == strip(b)


@pytest.mark.parametrize(
    "in_ext,out_ext",
    [("csv", "csv"), ("tsv", "tsv"), ("csv", "jsonl"), ("csv", "parquet"), ("tsv", "csv")],
)
def test_text_input_gives_the_python_output_byte_for_byte(cli, tmp_path, in_ext, out_ext):
    data = messy(tmp_path, f"in.{in_ext}")
    (py, py_out), (duck, duck_out) = both(
        cli, tmp_path, data, out_ext, *RULESETS, "--on-error", "skip"
    )
    assert py.code == duck.code == 0, (py.err, duck.err)
    assert "classified with DuckDB" in duck.out  # it did take the DuckDB path
    if out_ext == "parquet":
        assert pq.read_table(duck_out).to_pylist() == pq.read_table(py_out).to_pylist()
    elif out_ext == "jsonl":
        parse = [json.loads(x) for x in py_out.read_text(encoding="utf-8").splitlines()]
        assert [json.loads(x) for x in duck_out.read_text(encoding="utf-8").splitlines()] == parse
    else:
        assert duck_out.read_bytes() == py_out.read_bytes()
    same_text(py.out, duck.out)
    assert duck.err == py.err  # the set-aside notes, with rows and lines


@pytest.mark.parametrize("out_ext", ["csv", "jsonl", "parquet"])
def test_parquet_input(cli, tmp_path, out_ext):
    rows = rio.read_table(SAMPLE).rows[:300]
    rows[3]["recency_days"] = "never"
    src = tmp_path / "in.parquet"
    rio.write_table(src, list(rows[0]), rows)
    (py, py_out), (duck, duck_out) = both(
        cli, tmp_path, src, out_ext, *RULESETS, "--on-error", "skip"
    )
    assert py.code == duck.code == 0, (py.err, duck.err)
    assert "classified with DuckDB" in duck.out
    if out_ext == "csv":
        assert duck_out.read_bytes() == py_out.read_bytes()
    else:
        assert rio.read_table(duck_out).rows == rio.read_table(py_out).rows
    same_text(py.out, duck.out)


def test_jsonl_input(cli, tmp_path):
    src = tmp_path / "in.jsonl"
    rows = [
        {
            "customer_id": "007",
            "recency_days": 200,
            "orders_count": 3,
            "tenure_days": 900,
            "frequency": 2,
            "note": {"a": [1, 2]},
        },
        {"customer_id": "008", "recency_days": "5", "orders_count": 1, "frequency": 1.0},
        {"customer_id": "009", "recency_days": True, "orders_count": None, "vip": "是"},
    ]
    src.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n", encoding="utf-8"
    )
    for out_ext in ("jsonl", "csv"):
        (py, py_out), (duck, duck_out) = both(
            cli, tmp_path, src, out_ext, "lifecycle", "--on-error", "quarantine"
        )
        assert py.code == duck.code == 0, (py.err, duck.err)
        assert "classified with DuckDB" in duck.out
        assert rio.read_table(duck_out).rows == rio.read_table(py_out).rows
        rejected = [p.with_name(p.stem + ".rejected" + p.suffix) for p in (py_out, duck_out)]
        assert rio.read_table(rejected[1]).rows == rio.read_table(rejected[0]).rows
        assert rio.read_table(rejected[1]).rows[0]["rejected_line"] in (3, "3")


def test_quarantine_file_is_the_same(cli, tmp_path):
    data = messy(tmp_path)
    (py, py_out), (duck, duck_out) = both(
        cli, tmp_path, data, "csv", *RULESETS, "--on-error", "quarantine"
    )
    assert py.code == duck.code == 0, (py.err, duck.err)
    rejected = [p.with_name(p.stem + ".rejected.csv") for p in (py_out, duck_out)]
    assert rejected[1].read_bytes() == rejected[0].read_bytes()
    back = rio.read_table(rejected[1]).rows
    # the quoted line break moves every later row down a line: the lines are the file's
    assert [(r["rejected_row"], r["rejected_line"], r["rejected_ruleset"]) for r in back][:2] == [
        ("5", "6", "lifecycle_active_sleeping"),
        ("5", "6", "rfm"),
    ]
    assert back[-1]["rejected_line"] == str(int(back[-1]["rejected_row"]) + 2)
    same_text(py.out, duck.out)


def test_fail_stops_with_the_same_message_and_writes_nothing(cli, tmp_path):
    data = messy(tmp_path)
    (py, py_out), (duck, duck_out) = both(cli, tmp_path, data, "csv", *RULESETS)
    assert py.code == duck.code == 1
    assert duck.err == py.err
    assert "in.csv row 5 (line 6), field recency_days: 'abc' is not a duration" in duck.err
    assert not duck_out.exists() and not py_out.exists()


def test_preview_and_summary_are_the_same(cli, tmp_path):
    data = messy(tmp_path)
    out = {}
    for engine in ("python", "duckdb"):
        r = cli(
            "run",
            *RULESETS,
            "--data",
            data,
            "--as-of",
            AS_OF,
            "--engine",
            engine,
            "--on-error",
            "skip",
            "--preview",
            "12",
        )
        assert r.code == 0, r.err
        out[engine] = r
    assert out["duckdb"].out == out["python"].out
    assert "first 12 of 400 rows" in out["duckdb"].out


def test_utf8_bom_and_replaced_columns(cli, tmp_path):
    src = tmp_path / "bom.csv"
    src.write_bytes(
        "\ufeffid,recency_days,orders_count,lifecycle_active_sleeping\n"
        "00001,200,3,old\n0042,10,1,\n".encode()
    )
    (py, py_out), (duck, duck_out) = both(cli, tmp_path, src, "csv", "lifecycle")
    assert py.code == duck.code == 0
    assert duck_out.read_bytes() == py_out.read_bytes()
    assert duck_out.read_bytes().startswith(b"\xef\xbb\xbfid,recency_days,orders_count,")
    assert "already has a column 'lifecycle_active_sleeping'" in duck.err == py.err


def test_hit_all_lists_in_csv(cli, tmp_path):
    data = messy(tmp_path)
    (py, py_out), (duck, duck_out) = both(
        cli, tmp_path, data, "csv", "bank_transaction_anomaly", "--on-error", "skip"
    )
    assert py.code == duck.code == 0
    assert duck_out.read_bytes() == py_out.read_bytes()
    assert '"[""' in duck_out.read_text(encoding="utf-8")  # a JSON list, quoted in CSV
    assert any(
        (r["bank_transaction_anomaly"] or "").startswith('["')
        and '","' in r["bank_transaction_anomaly"]
        for r in rio.read_table(duck_out).rows
    )


def test_when_python_reads_the_file(tmp_path):
    """GB18030 text, Excel, a blank header name, and JSON Lines into Parquet go through
    rulekit.io; the DuckDB engine is still used for the classification."""
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("客户编号,最近购买天数\nA1,200\n".encode("gb18030"))
    blank = tmp_path / "blank.csv"
    blank.write_text("id,,recency_days\n1,2,3\n", encoding="utf-8")
    plain = tmp_path / "plain.csv"
    plain.write_text("id,recency_days\n1,2\n", encoding="utf-8")
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text('{"id": 1}\n', encoding="utf-8")
    assert cli_files.streams("duckdb", str(gbk), None) is None
    assert cli_files.streams("duckdb", str(blank), None) is None  # rulekit.io: column_2
    assert cli_files.streams("duckdb", str(jsonl), str(tmp_path / "o.parquet")) is None
    assert cli_files.streams("duckdb", str(plain), str(tmp_path / "o.xlsx")) is None
    assert cli_files.streams("python", str(plain), None) is None
    assert cli_files.streams("duckdb", str(plain), str(tmp_path / "o.csv")).columns == [
        "id",
        "recency_days",
    ]


def test_auto_uses_duckdb_from_about_ten_thousand_rows(tmp_path, monkeypatch):
    small = messy(tmp_path, rows=50)
    assert cli_files.estimated_rows(small, "csv") == 52  # the header and a quoted line break
    assert cli_files.streams("auto", str(small), None) is None
    assert cli_files.streams("duckdb", str(small), None) is not None
    big = tmp_path / "big.csv"
    line = "C0000001,3,200,900,2,1234.50\n"
    big.write_text(
        "customer_id,orders_count,recency_days,tenure_days,frequency,monetary\n" + line * 60_000,
        encoding="utf-8",
    )
    assert abs(cli_files.estimated_rows(big, "csv") - 60_001) < 100
    assert cli_files.streams("auto", str(big), None) is not None
    parquet = tmp_path / "big.parquet"
    rio.write_table(parquet, ["a"], [{"a": i} for i in range(12_000)])
    assert cli_files.estimated_rows(parquet, "parquet") == 12_000
    assert cli_files.streams("auto", str(parquet), None) is not None


def test_typed_parquet_cells_in_text_outputs(cli, tmp_path):
    """Timestamps (with and without microseconds), dates, doubles, decimals and booleans are
    written as rulekit.io writes them."""
    import datetime as dt
    from decimal import Decimal

    import pyarrow as pa

    src = tmp_path / "types.parquet"
    pq.write_table(
        pa.table(
            {
                "id": ["a", "b", "c"],
                "ts": [
                    dt.datetime(2024, 1, 1, 8),
                    dt.datetime(1969, 12, 31, 23, 59, 59, 123400),
                    None,
                ],
                "d": [dt.date(2024, 1, 1), None, dt.date(1999, 12, 31)],
                "x": [1.0, 0.1, 1e20],
                "n": [1, None, -5],
                "b": [True, False, None],
                "dec": pa.array([Decimal("1.50"), Decimal("2"), None], pa.decimal128(10, 2)),
                "recency_days": [200, 10, None],
                "orders_count": [3, 1, 0],
            }
        ),
        src,
    )
    for ext in ("csv", "tsv", "jsonl"):
        (py, py_out), (duck, duck_out) = both(cli, tmp_path, src, ext, "lifecycle")
        assert py.code == duck.code == 0, (py.err, duck.err)
        if ext == "jsonl":  # the same JSON values (2 and 2.0, 1e+20 and 1e20 are equal)
            assert [json.loads(x) for x in duck_out.read_text(encoding="utf-8").splitlines()] == [
                json.loads(x) for x in py_out.read_text(encoding="utf-8").splitlines()
            ]
        else:
            assert duck_out.read_bytes() == py_out.read_bytes()
        assert "1969-12-31T23:59:59.123400" in duck_out.read_text(encoding="utf-8")


CELLS = [
    "",
    " ",
    "0",
    "12",
    "200",
    "1,200",
    "12.5",
    "abc",
    "是",
    "否",
    "true",
    "2024-06-30",
    "180d",
    "6mo",
    "-3",
    "1e3",
    "'quoted'",
    'say "hi"',
    "a,b",
    "line\nbreak",
    "中文",
    "\t tab",
    "NaN",
    "00012",
]


def test_any_csv_gives_the_python_output(cli, tmp_path):
    """Hypothesis: CSV files of tricky cells (quotes, commas, line breaks, blanks, bad values)
    give the same bytes, notes and summary on both engines, under each on_error policy."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    columns = [
        "customer_id",
        "orders_count",
        "recency_days",
        "tenure_days",
        "frequency",
        "monetary",
    ]
    row = st.lists(st.sampled_from(CELLS), min_size=len(columns), max_size=len(columns))

    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(row, min_size=1, max_size=12), st.sampled_from(["skip", "quarantine"]))
    def check(rows, on_error):
        data = tmp_path / "h.csv"
        with open(data, "w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\n").writerows([columns, *rows])
        (py, py_out), (duck, duck_out) = both(
            cli, tmp_path, data, "csv", "lifecycle", "rfm", "--on-error", on_error
        )
        assert py.code == duck.code, (py.err, duck.err)
        if py.code == 0:
            assert duck_out.read_bytes() == py_out.read_bytes()
            same_text(py.out, duck.out)
            assert duck.err == py.err
            if on_error == "quarantine":
                rejected = [p.with_name(p.stem + ".rejected.csv") for p in (py_out, duck_out)]
                assert rejected[0].exists() == rejected[1].exists()
                if rejected[0].exists():
                    assert rejected[1].read_bytes() == rejected[0].read_bytes()
                    for p in rejected:
                        p.unlink()

    check()


def test_frozen_population_and_transactions(cli, tmp_path):
    """--population and --transactions take the DuckDB path too, with the Python output."""
    data = messy(tmp_path, rows=200)
    pop = tmp_path / "pop.json"
    assert cli("freeze", "rfm", "--data", SAMPLE, "--as-of", AS_OF, "--out", pop).code == 0
    (py, py_out), (duck, duck_out) = both(
        cli, tmp_path, data, "csv", "rfm", "lifecycle", "--population", pop, "--on-error", "skip"
    )
    assert py.code == duck.code == 0, (py.err, duck.err)
    assert "classified with DuckDB" in duck.out
    assert duck_out.read_bytes() == py_out.read_bytes()
    same_text(py.out, duck.out)
    orders = ROOT / "examples" / "data" / "transactions.csv"
    args = [
        "--customer",
        "customer_id",
        "--date",
        "order_date",
        "--amount",
        "amount",
        "--order",
        "order_id",
        "--window",
        "365d",
        "--as-of",
        AS_OF,
    ]
    outs = {}
    for engine in ("python", "duckdb"):
        out = tmp_path / f"t_{engine}.csv"
        r = cli("run", "rfm", "--transactions", orders, *args, "--out", out, "--engine", engine)
        assert r.code == 0, r.err
        outs[engine] = out.read_bytes()
    assert outs["duckdb"] == outs["python"] and outs["python"].count(b"\n") == 250
