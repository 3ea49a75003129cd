"""Measure the performance table of issue 15 and write it into docs/performance.md, between
the `<!-- perf:begin -->` and `<!-- perf:end -->` markers only (other sections of the page are
other benchmarks' and stay as they are).

    python tools/perf_table.py                  # measure, print, and rewrite the section
    python tools/perf_table.py --print          # measure and print only
    python tools/perf_table.py --files          # only the Files section (perf-files markers)
    python tools/perf_table.py --speed          # only the Session 6 section (perf-speed markers)
    RULEKIT_BENCH_ROWS=10000000 python tools/perf_table.py   # the file rows at 10M rows

Each row runs rulekit and its hand-written reference side by side in the same run (see
tests/bench/perf_rows.py); ratios are what to compare across runs and machines.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "bench"))

import perf_files  # noqa: E402
import perf_rows  # noqa: E402
import perf_speed  # noqa: E402

PAGE = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- perf:begin -->", "<!-- perf:end -->"


def section(text: str, begin: str = BEGIN, end: str = END, command: str = "") -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{begin}\n"
        f"Measured {dt.date.today().isoformat()} on {os.cpu_count()} cores "
        f"(load average {load:.1f} as this section was written), Python {platform.python_version()}, "
        f"{perf_rows.ROWS:,} rows for the file rows. Reproduce: `python tools/perf_table.py{command}`.\n\n"
        f"{text}\n{end}"
    )


def replace_section(page: str, new: str, begin: str = BEGIN, end: str = END) -> str:
    if begin in page and end in page:
        head, rest = page.split(begin, 1)
        _, tail = rest.split(end, 1)
        return head + new + tail
    return page.rstrip("\n") + "\n\n" + new + "\n"


def main(argv: list[str]) -> int:
    rows: list[perf_rows.Row] = []
    files, speed = "--files" in argv, "--speed" in argv
    begin, end = ("<!-- perf-files:begin -->", "<!-- perf-files:end -->") if files else (BEGIN, END)
    if speed:
        begin, end = "<!-- perf-speed:begin -->", "<!-- perf-speed:end -->"
    measurements = (
        perf_speed.measurements()
        if speed
        else perf_files.measurements()
        if files
        else perf_rows.measurements()
    )
    command = " --speed" if speed else " --files" if files else ""
    for measure in measurements:  # the section is rewritten after each row
        got = measure()
        rows.extend(got if isinstance(got, list) else [got])
        text = perf_rows.table(rows)
        print(text.splitlines()[-1], flush=True)
        if "--print" not in argv:
            page = PAGE.read_text(encoding="utf-8") if PAGE.exists() else "# Performance\n"
            PAGE.write_text(
                replace_section(page, section(text, begin, end, command), begin, end),
                encoding="utf-8",
            )
    print(perf_rows.table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
