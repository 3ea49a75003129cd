"""The scripts in examples/ run as their docstrings show, and print what the engine computes."""

from __future__ import annotations

import subprocess
import sys

import pyarrow.parquet as pq

import rulekit
from rulekit import io as rio

from .conftest import EXAMPLES, ROOT

AS_OF = "2024-06-30"


def run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def test_classify_sample():
    out = run("classify_sample.py", "lifecycle")
    rows = rio.read_table(EXAMPLES / "data" / "customers.csv").rows
    counts = rulekit.load("lifecycle").classify_many(rows, as_of=AS_OF).counts
    assert f"rows in {counts['rows_in']} = labelled {counts['labelled']}" in out


def test_label_distribution_lists_every_shipped_ruleset():
    out = run("label_distribution.py")
    ids = [p.stem for p in (ROOT / "rulesets").glob("*.rules")]
    assert all(f"| {i} |" in out for i in ids)


def test_orders_to_labels_on_duckdb_equals_python(tmp_path):
    out = run("orders_to_labels.py", str(tmp_path))
    assert "into 249 customers" in out and "rows in 249 = labelled 249" in out
    profile = pq.read_table(tmp_path / "profile.parquet").to_pylist()
    labelled = pq.read_table(tmp_path / "labelled.parquet").to_pylist()
    for ref in ("rfm", "lifecycle"):
        rs = rulekit.load(ref)
        want = rs.classify_many(profile, as_of=AS_OF, engine="python").labels
        assert [r[rs.id] for r in labelled] == want
