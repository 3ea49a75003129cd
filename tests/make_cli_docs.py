"""Refresh the command examples in docs/cli.md (and the Chinese pages docs/zh/cli.md and
docs/zh/session.md, whose commands run with `--lang zh`) from real runs:
`python -m tests.make_cli_docs`.

A fenced block that starts with one `$ rulekit …` line and shows its whole output (no `…`) is
re-run from the repository root (100 columns, no color) and its output replaced, when the command
writes no file and every file it names is in the repository. Other blocks are written by hand. tests/test_docs_cli.py checks that every such block is current.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "cli.md"
# Every page whose `$ rulekit …` blocks are refreshed and checked.
DOCS = (DOC, ROOT / "docs" / "zh" / "cli.md", ROOT / "docs" / "zh" / "session.md")
BLOCK = re.compile(r"^```\n(\$ rulekit [^\n]*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
TIMING = re.compile(r"\d+\.\d\d s\)")


def run(command: str) -> str:
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "LINES"):
        env.pop(name, None)
    args = shlex.split(command[2:])
    done = subprocess.run(
        [sys.executable, "-m", "rulekit", *args[1:]],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )
    return "\n".join(line.rstrip() for line in done.stdout.rstrip("\n").split("\n")) + "\n"


def blocks(text: str):
    """(match, command, shown output) of every refreshable block."""
    for m in BLOCK.finditer(text):
        command, shown = m.group(1), m.group(2)
        if "…" in shown or "\n$ " in "\n" + shown or not _runnable(command):
            continue
        yield m, command, shown


def _runnable(command: str) -> bool:
    """Whether the command runs as shown here: it writes no file, and every file it names is
    in the repository (blocks about a user's own bad.csv are written by hand)."""
    args = shlex.split(command[2:])
    if "--out" in args or "-o" in args:
        return False
    files = [a for a in args if re.search(r"\.(csv|tsv|jsonl|parquet|xlsx|rules|json)$", a)]
    return all((ROOT / f).exists() for f in files)


def same(a: str, b: str) -> bool:
    return TIMING.sub("s)", a) == TIMING.sub("s)", b)


def main() -> None:
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        out, last = [], 0
        for m, command, _ in blocks(text):
            out.append(text[last : m.start(2)] + run(command))
            last = m.end(2)
        doc.write_text("".join(out) + text[last:], encoding="utf-8")


if __name__ == "__main__":
    main()
