"""`rulekit run` file → Parquet against the hand-written DuckDB script in CPU seconds (the
process's, DuckDB's threads included), for a shared machine where wall time measures the load:

    RULEKIT_BENCH_DIR=/tmp/rulekit-bench-10m RULEKIT_BENCH_ROWS=10000000 \\
        nice python tests/bench/perf_cpu.py parquet csv jsonl

One round each, rulekit then the reference; labels compared row by row (positional join).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from perf_files import TYPES, jsonl_file  # noqa: E402
from perf_rows import AS_OF, LIFECYCLE, customers_files, data_dir  # noqa: E402
from test_bench_duckdb import handwritten_lifecycle  # noqa: E402


def _timed(f) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    cpu, wall = time.process_time(), time.perf_counter()
    f()
    return time.process_time() - cpu, time.perf_counter() - wall


def row(kind: str) -> str:
    import duckdb

    import rulekit
    from rulekit.engines import run_file

    parquet, csv = customers_files()
    src = {"parquet": parquet, "csv": csv, "jsonl": jsonl_file(parquet)}[kind]
    rs = rulekit.load(LIFECYCLE)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    hand_sql = handwritten_lifecycle(src, True)
    if kind == "csv":
        typed = f"read_csv('{src}', header = true, types = {TYPES})"
        hand_sql = hand_sql.replace(f"read_parquet('{src}')", typed)
    if kind == "jsonl":
        typed = f"read_json('{src}', format = 'newline_delimited', columns = {TYPES})"
        hand_sql = hand_sql.replace(f"read_parquet('{src}')", typed)
    rk_out, hand_out = (
        data_dir() / f"cpu_rk_{kind}.parquet",
        data_dir() / f"cpu_hand_{kind}.parquet",
    )
    rk = _timed(lambda: run_file(rs, src, rk_out, as_of=AS_OF))
    hand = _timed(lambda: con.execute(f"COPY ({hand_sql}) TO '{hand_out}' (FORMAT parquet)"))
    differ = con.execute(
        f"SELECT count(*) FROM (SELECT lifecycle9 AS a FROM '{rk_out}') POSITIONAL JOIN "
        f"(SELECT lifecycle9 AS b FROM '{hand_out}') WHERE CAST(a AS VARCHAR) IS DISTINCT FROM b"
    ).fetchone()
    rows = con.execute(f"SELECT count(*) FROM '{rk_out}'").fetchone()
    return (
        f"| `rulekit run` {kind.upper()} → PARQUET, {rows[0] if rows else 0:,} rows | "
        f"{rk[0]:.1f} s CPU ({rk[1]:.1f} s wall) | hand-written DuckDB, typed columns: "
        f"{hand[0]:.1f} s CPU ({hand[1]:.1f} s wall) | {rk[0] / hand[0]:.2f}× CPU | "
        f"{'yes' if differ and differ[0] == 0 else 'NO'} |"
    )


if __name__ == "__main__":
    print("| what | rulekit | reference | ratio | same labels |\n|---|---:|---|---:|:---:|")
    for kind in sys.argv[1:] or ["parquet", "csv"]:
        print(row(kind), flush=True)
