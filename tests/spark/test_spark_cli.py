"""`rulekit run … --engine spark` against the DuckDB engine on the same Parquet file (the
must-show: the same rows, labels, rules and quarantine file; 2,000 rows here, 1,000,000 with
RULEKIT_SPARK_FULL=1, timed), CSV in and out, a quarantine file, and `--master` without
`--engine spark`."""

from __future__ import annotations

import csv
import os
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from tests.cli_support import AS_OF, cli_fixture  # noqa: F401

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import bench_data  # noqa: E402

FULL = os.environ.get("RULEKIT_SPARK_FULL") == "1"
ROWS = 1_000_000 if FULL else 2_000


def customers_with_bad_values(path: Path, rows: int) -> Path:
    """bench_data's customers with `frequency` as text, one row in 500 'abc' (a bad value in
    a population argument: the row is set aside before ranking)."""
    typed = bench_data.customers(path.with_suffix(".typed.parquet"), rows)
    duckdb.connect().execute(
        f"COPY (SELECT * REPLACE (CASE WHEN hash(customer_id) % 500 = 0 THEN 'abc' "
        f"ELSE CAST(frequency AS VARCHAR) END AS frequency) FROM read_parquet('{typed}')) "
        f"TO '{path}' (FORMAT parquet)"
    )
    return path


def test_rfm_spark_and_duckdb_write_the_same_files(spark, cli, tmp_path):
    # CI: typed columns (Spark plans rfm over a text column for minutes); the full run has a
    # text column with bad values, so that the quarantine files have rows to compare
    big = tmp_path / "big.parquet"
    src = customers_with_bad_values(big, ROWS) if FULL else bench_data.customers(big, ROWS)
    seconds = {}
    for engine in ("duckdb", "spark"):
        start = time.perf_counter()
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
            "--on-error",
            "quarantine",
            "-q",
        )
        seconds[engine] = time.perf_counter() - start
        assert r.code == 0, r.err
    for name in ("{}.parquet", "{}.rejected.parquet"):
        made = [(tmp_path / name.format(e)).exists() for e in ("duckdb", "spark")]
        assert made[0] == made[1], name
        if not made[0]:
            continue
        duck = pq.read_table(tmp_path / name.format("duckdb"))
        spk = pq.read_table(tmp_path / name.format("spark"))
        assert duck.column_names == spk.column_names, name
        assert duck.num_rows == spk.num_rows, name
        for col in duck.column_names:
            assert duck.column(col).to_pylist() == spk.column(col).to_pylist(), (name, col)
    if FULL:
        rejected = pq.read_table(tmp_path / "spark.rejected.parquet")
        assert 0 < rejected.num_rows < ROWS // 100
    labels = set(pq.read_table(tmp_path / "spark.parquet", columns=["rfm"]).column(0).to_pylist())
    assert len(labels) >= 8
    print(
        f"\nrfm, {ROWS:,} rows, --on-error quarantine: DuckDB {seconds['duckdb']:.1f} s, "
        f"Spark {seconds['spark']:.1f} s (this session's Spark, warm)"
    )


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
