"""`rulekit run … --engine spark` against the DuckDB engine on the same Parquet file (the
must-show, small: the same rows, labels and rules in the output files), CSV in and out, a
quarantine file, and `--master` without `--engine spark`."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pyarrow.parquet as pq

from tests.cli_support import AS_OF, cli_fixture  # noqa: F401

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import bench_data  # noqa: E402


def test_rfm_spark_and_duckdb_write_the_same_file(spark, cli, tmp_path):
    src = bench_data.customers(tmp_path / "big.parquet", 3000)
    for engine in ("duckdb", "spark"):
        r = cli(
            "run",
            "rfm",
            "--data",
            src,
            "--engine",
            engine,
            "--as-of",
            AS_OF,
            "--out",
            tmp_path / f"{engine}.parquet",
            "-q",
        )
        assert r.code == 0, r.err
    duck = pq.read_table(tmp_path / "duckdb.parquet")
    spk = pq.read_table(tmp_path / "spark.parquet")
    assert duck.column_names == spk.column_names
    for col in ("customer_id", "rfm", "rfm_rule"):
        assert duck.column(col).to_pylist() == spk.column(col).to_pylist(), col


def test_csv_quarantine(spark, cli, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(
        'customer_id,recency_days,frequency,monetary\na,10,5,900\nb,x,3,100\nc,400,1,"1,200"\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    r = cli(
        "run",
        "lifecycle",
        "--data",
        src,
        "--engine",
        "spark",
        "--as-of",
        AS_OF,
        "--out",
        out,
        "--on-error",
        "quarantine",
        "-q",
    )
    assert r.code == 0, r.err
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [row["customer_id"] for row in rows] == ["a", "b", "c"]
    assert rows[1]["lifecycle_active_sleeping"] == ""
    bad = list(csv.DictReader((tmp_path / "out.rejected.csv").open(encoding="utf-8")))
    assert [(b["rejected_row"], b["rejected_field"]) for b in bad] == [("2", "recency_days")]
    r = cli("run", "lifecycle", "--data", src, "--engine", "spark", "--as-of", AS_OF, "--out", out)
    assert r.code == 1 and "row 2" in r.err and "recency_days" in r.err


def test_master_needs_engine_spark(cli, tmp_path):
    r = cli("run", "rfm", "--data", "examples/data/customers.csv", "--master", "local[1]")
    assert r.code != 0 and "--engine spark" in r.err
