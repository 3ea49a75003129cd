"""Golden outputs of what users and scripts consume: `run` output files and summaries,
`explain --format json`, `check --format json` and `sql`, on the bundled examples and every
shipped ruleset. They pin behaviour across refactorings: a change here is a user-visible change
and belongs in CHANGELOG.md. After a deliberate change, regenerate and review the diff:

    RULEKIT_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import hashlib
import json
import os
import re

import pytest

from .cli_support import AS_OF, ROOT, cli_fixture  # noqa: F401

GOLDEN = ROOT / "tests" / "fixtures" / "golden"
UPDATE = os.environ.get("RULEKIT_UPDATE_SNAPSHOTS") == "1"
RULESETS = sorted(p.stem for p in (ROOT / "rulesets").glob("*.rules"))
DATA = "examples/data/customers.csv"


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"{name} did not exist and was written; review it and run again")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the golden output"


def _summary(out: str) -> str:
    """The run summary without the machine-dependent parts (seconds, memory, temp paths)."""
    out = re.sub(r"in [0-9.]+ s\b", "in N s", out)
    out = re.sub(r"peak memory [0-9.,]+ ?[MG]B", "peak memory N MB", out)
    return re.sub(r"to \S+/out\.(\w+)", r"to OUT.\1", out)


@pytest.mark.parametrize("engine", ["python", "duckdb"])
@pytest.mark.parametrize("ext", ["csv", "jsonl"])
def test_run_output(cli, tmp_path, engine, ext):
    out = tmp_path / f"out.{ext}"
    r = cli(
        "run",
        "lifecycle",
        "rfm",
        "value_tier",
        "--data",
        DATA,
        "--as-of",
        AS_OF,
        "--engine",
        engine,
        "--out",
        str(out),
    )
    assert r.code == 0, r.err
    data = out.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    golden(f"run_{ext}_{engine}.txt", f"sha256 {digest}\n{_summary(r.out)}")


def test_run_preview(cli):
    r = cli("run", "lifecycle", "--data", DATA, "--as-of", AS_OF, "--engine", "python")
    assert r.code == 0, r.err
    golden("run_preview.txt", _summary(r.out))


EXPLAIN = {
    "lifecycle_c3": [
        "explain",
        "lifecycle",
        "--data",
        DATA,
        "--id",
        "C000003",
        "--why-not",
        "active",
    ],
    "rfm_c2": ["explain", "rfm", "--data", DATA, "--id", "C000002", "--why-not", "important_value"],
    "value_tier_c10": ["explain", "value_tier", "--data", DATA, "--id", "C000010"],
    "bank_anomaly": [
        "explain",
        "bank_transaction_anomaly",
        "--record",
        '{"txn_amount": 50000, "hist_max_txn_amount": 1000}',
    ],
    "unknown_field": ["explain", "bank_transaction_anomaly", "--record", '{"amount": 5}'],
}


@pytest.mark.parametrize("name", list(EXPLAIN))
def test_explain_json(cli, name):
    r = cli(*EXPLAIN[name], "--as-of", AS_OF, "--format", "json")
    golden(f"explain_{name}.json", f"exit {r.code}\n{r.out}{r.err}")


def test_check_json_all_rulesets(cli):
    files = [f"rulesets/{name}.rules" for name in RULESETS]
    r = cli(
        "check",
        "--strict",
        *files,
        "tests/fixtures/cli/broken.rules",
        "tests/fixtures/cli/broken_zh.rules",
        "--format",
        "json",
    )
    json.loads(r.out)
    golden("check_all.json", f"exit {r.code}\n{r.out}")


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_sql_all_rulesets(cli, dialect):
    parts = []
    for name in RULESETS:
        r = cli("sql", name, "--dialect", dialect, "--as-of", AS_OF)
        parts.append(f"=== {name} exit {r.code}\n{r.out}{r.err}")
    golden(f"sql_{dialect}.txt", "\n".join(parts))
