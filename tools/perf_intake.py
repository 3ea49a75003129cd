"""Peak memory and time of `rulekit run` on large files, per engine and input format (issue 13):
each run is a child process measured by `/usr/bin/time -v` (wall clock, maximum resident set
size of the process). The data is tests/bench/bench_data.customers (seeded), written once as
Parquet and CSV to RULEKIT_BENCH_DIR (default /tmp/rulekit-bench).

    python tools/perf_intake.py ROWS [ROWS ...] [--engines python,duckdb] [--formats csv,parquet]

Prints one Markdown row per run (docs/performance.md, "Large files") and appends it, as JSON,
to RULEKIT_BENCH_DIR/perf_intake.jsonl as soon as it is measured.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RULES = ROOT / "tests" / "bench" / "lifecycle9.rules"


def data(rows: int, fmt: str) -> Path:
    from tests.bench import bench_data

    work = Path(os.environ.get("RULEKIT_BENCH_DIR", "/tmp/rulekit-bench"))
    work.mkdir(parents=True, exist_ok=True)
    parquet = work / f"customers-{rows}.parquet"
    if not parquet.exists():
        bench_data.customers(parquet, rows)
    if fmt == "parquet":
        return parquet
    csv = work / f"customers-{rows}.csv"
    if not csv.exists():
        import duckdb

        duckdb.connect().execute(f"COPY (FROM '{parquet}') TO '{csv}' (HEADER)")
    return csv


def measure(rows: int, engine: str, fmt: str) -> dict[str, object]:
    src = data(rows, fmt)
    out = src.with_name(f"out-{rows}-{engine}.{fmt}")
    command = [
        sys.executable, "-m", "rulekit", "run", str(RULES), "--data", str(src), "--out",
        str(out), "--as-of", "2024-06-30", "--engine", engine, "--on-error", "skip", "--quiet",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-v", *command], capture_output=True, text=True, env=env, check=False
    )
    seconds = time.perf_counter() - started
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    cpu = sum(
        float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", done.stderr)
    )
    out.unlink(missing_ok=True)
    return {
        "rows": rows,
        "engine": engine,
        "format": fmt,
        "code": done.returncode,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "peak_mb": round(int(peak.group(1)) / 1024) if peak else None,
        "load": os.getloadavg()[0],
        "command": "rulekit run tests/bench/lifecycle9.rules --data "
        f"{src.name} --out {out.name} --as-of 2024-06-30 --engine {engine} --on-error skip",
    }


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv if a.isdigit()]
    engines = ["python", "duckdb"]
    formats = ["csv", "parquet"]
    for a in argv:
        if a.startswith("--engines="):
            engines = a.split("=", 1)[1].split(",")
        if a.startswith("--formats="):
            formats = a.split("=", 1)[1].split(",")
    log = Path(os.environ.get("RULEKIT_BENCH_DIR", "/tmp/rulekit-bench")) / "perf_intake.jsonl"
    for rows in sizes:
        for engine in engines:
            for fmt in formats:
                r = measure(rows, engine, fmt)
                with log.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(r) + "\n")
                print(
                    f"| {rows:,} | {engine} | {fmt.upper()} → {fmt.upper()} | {r['seconds']} s "
                    f"| {r['cpu_seconds']} s | {r['peak_mb']} MB | {r['load']:.1f} | "
                    f"exit {r['code']} |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
