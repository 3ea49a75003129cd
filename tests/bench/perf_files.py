"""The file rows of docs/performance.md's "Files" section (issue 15, items 1 and 2): rulekit
against a hand-written DuckDB script in the same run, labels compared on every row.

    python tools/perf_table.py --files          # measure and rewrite the Files section

* `rulekit run` CSV / Parquet / JSON Lines → Parquet (and CSV → CSV) vs the same job written by
  hand in DuckDB over typed columns (the CSV and JSON readers given the column types);
* `classify_many(path, engine="duckdb")` vs the generated SQL run directly (into Arrow);
* `Ruleset.classify_batches(path)` vs the hand-written query streamed as Arrow batches.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from perf_rows import AS_OF, LIFECYCLE, Row, _best, customers_files, data_dir, run_file_row
from test_bench_duckdb import handwritten_lifecycle

TYPES = (
    "{'customer_id': 'VARCHAR', 'recency_days': 'BIGINT', 'tenure_days': 'BIGINT', "
    "'frequency': 'BIGINT', 'monetary': 'DOUBLE', 'avg_order_value': 'DOUBLE', "
    "'returns': 'BIGINT', 'region': 'VARCHAR', 'is_member': 'BOOLEAN'}"
)


def jsonl_file(parquet: Path) -> Path:
    """The customers as JSON Lines (made once beside the Parquet file)."""
    import duckdb

    path = parquet.with_suffix(".jsonl")
    if not path.exists():
        con = duckdb.connect()
        con.execute(f"COPY (SELECT * FROM '{parquet}') TO '{path}' (FORMAT json)")
    return path


def jsonl_row(src: Path, rounds: int = 2) -> Row:
    """`rulekit run` JSON Lines → Parquet vs read_json with the column types, by hand."""
    import duckdb

    import rulekit
    from rulekit.engines import run_file

    rs = rulekit.load(LIFECYCLE)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    typed = f"read_json('{src}', format = 'newline_delimited', columns = {TYPES})"
    hand_sql = handwritten_lifecycle(src, True).replace(f"read_parquet('{src}')", typed)
    rk_out, hand_out = data_dir() / "rk_json_out.parquet", data_dir() / "hand_json_out.parquet"
    rk, hand = _best(
        [
            (
                lambda: run_file(rs, src, rk_out, as_of=AS_OF),
                lambda: con.execute(f"COPY ({hand_sql}) TO '{hand_out}' (FORMAT parquet)"),
            )
        ],
        rounds,
    )
    a = con.execute(f"SELECT lifecycle9 FROM '{rk_out}'").fetchall()
    b = con.execute(f"SELECT lifecycle9 FROM '{hand_out}'").fetchall()
    return Row(
        f"`rulekit run` JSONL → PARQUET, {len(a):,} rows (9-rule first-match table)",
        rk,
        "hand-written DuckDB query, typed columns",
        hand,
        a == b,
    )


def classify_generated_row(src: Path, rounds: int = 3) -> Row:
    """classify_many(path, engine="duckdb") vs its generated SQL run directly into Arrow."""
    import duckdb

    import rulekit
    from rulekit.engines.duckdb_population import prepare
    from rulekit.engines.duckdb_sources import file_source
    from rulekit.engines.python import as_date

    rs = rulekit.load(LIFECYCLE)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    source = file_source(con, src)
    sql = prepare(con, rs, source, as_date(AS_OF), None, "needed").decisions_sql(source)
    labels = [d.label for d in rs._table]  # type: ignore[attr-defined]
    got: dict[str, Any] = {}

    def mine() -> None:
        got["rk"] = rs.classify_many(str(src), as_of=AS_OF, engine="duckdb").labels

    def direct() -> None:
        got["sql"] = con.sql(sql).to_arrow_table().column(1)

    rk, ref = _best([(mine, direct)], rounds)
    same = got["rk"] == [labels[-1 if p is None else p] for p in got["sql"].to_pylist()]
    return Row(
        f'`classify_many(path, engine="duckdb")` from {src.suffix[1:].upper()}, '
        f"{len(got['rk']):,} rows",
        rk,
        "the same generated SQL run directly (into Arrow)",
        ref,
        same,
    )


def batches_row(src: Path, rounds: int = 3) -> Row:
    """classify_batches(path) vs the hand-written query streamed as Arrow batches."""
    import duckdb

    import rulekit

    rs = rulekit.load(LIFECYCLE)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    hand_sql = f"SELECT lifecycle9 FROM ({handwritten_lifecycle(src, False)})"
    got: dict[str, list[Any]] = {}

    def mine() -> None:
        got["rk"] = [b.column(1) for b in rs.classify_batches(src, as_of=AS_OF, batch_rows=100_000)]

    def hand() -> None:
        got["hand"] = [b.column(0) for b in con.sql(hand_sql).to_arrow_reader(100_000)]

    rk, ref = _best([(mine, hand)], rounds)
    a = [x for c in got["rk"] for x in c.to_pylist()]
    b = [x for c in got["hand"] for x in c.to_pylist()]
    return Row(
        f"`rs.classify_batches(path)` from {src.suffix[1:].upper()}, {len(a):,} rows "
        "(Arrow batches of 100,000)",
        rk,
        "hand-written DuckDB query streamed as Arrow batches",
        ref,
        a == b,
    )


def measurements() -> list[Callable[[], Row | list[Row]]]:
    """The rows in the table's order; RULEKIT_BENCH_ONLY=name,… keeps only those rows (names:
    csv-parquet, csv-csv, parquet-parquet, jsonl-parquet, classify-parquet, classify-csv,
    batches-parquet)."""
    parquet, csv = customers_files()
    rows: dict[str, Callable[[], Row | list[Row]]] = {
        "csv-parquet": lambda: run_file_row(csv, ".parquet"),
        "csv-csv": lambda: run_file_row(csv, ".csv"),
        "parquet-parquet": lambda: run_file_row(parquet, ".parquet"),
        "jsonl-parquet": lambda: jsonl_row(jsonl_file(parquet)),
        "classify-parquet": lambda: classify_generated_row(parquet),
        "classify-csv": lambda: classify_generated_row(csv),
        "batches-parquet": lambda: batches_row(parquet),
    }
    only = [n for n in os.environ.get("RULEKIT_BENCH_ONLY", "").split(",") if n]
    return [rows[n] for n in only] if only else list(rows.values())
