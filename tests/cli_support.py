"""Running the command line in tests: `rulekit.cli.main([...])` with a fixed terminal (100
columns, no color, not a TTY) from the repository root, so paths and output are deterministic."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from rulekit.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "cli"
AS_OF = "2024-06-30"
UPDATE = os.environ.get("RULEKIT_UPDATE_SNAPSHOTS") == "1"


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture(name="cli")
def cli_fixture(capsys, monkeypatch):
    """cli("run", "lifecycle", ...) → Result(code, out, err)."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("NO_COLOR", "1")
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "LINES"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def snapshot(name: str, text: str) -> None:
    """Compare with tests/fixtures/cli/NAME; RULEKIT_UPDATE_SNAPSHOTS=1 rewrites it."""
    path = FIXTURES / name
    if UPDATE or not path.exists():
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"{name} did not exist and was written; review it and run again")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs; rerun with RULEKIT_UPDATE_SNAPSHOTS=1 to update"
