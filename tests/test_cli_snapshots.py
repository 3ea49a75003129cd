"""Snapshots of what users read: explain (text and JSON, with why-not, a population, a Chinese
ruleset), check, test and a run summary. 100 columns, no color, a pinned --as-of; the expected
outputs are in tests/fixtures/cli/. After a deliberate change, regenerate and review the diff:

    RULEKIT_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_cli_snapshots.py
"""

from __future__ import annotations

import json

import pytest

from .cli_support import AS_OF, cli_fixture, snapshot  # noqa: F401

F = "tests/fixtures/cli/"
LIFECYCLE = [
    "explain",
    F + "lifecycle.rules",
    "--set",
    "orders_count=12",
    "--set",
    "recency_days=20d",
    "--set",
    "tenure_days=700d",
    "--set",
    "frequency=3",
    "--as-of",
    AS_OF,
    "--why-not",
    "active",
]
RFM = [
    "explain",
    F + "rfm.rules",
    "--data",
    F + "customers_sample.csv",
    "--id",
    "C000002",
    "--as-of",
    AS_OF,
    "--why-not",
    "important_value",
]
ZH = [
    "explain",
    F + "zh_lifecycle.rules",
    "--data",
    F + "customers_zh_sample.csv",
    "--id",
    "C000003",
    "--as-of",
    AS_OF,
    "--why-not",
    "重要客户",
]
MISSING = [
    "explain",
    F + "lifecycle.rules",
    "--record",
    '{"orders_count": 2, "recency_days": null, "tenure_days": 400}',
    "--as-of",
    AS_OF,
    "--why-not",
    "sleeping",
]

CASES = {
    "explain_lifecycle_why_not": LIFECYCLE,
    "explain_rfm_population": RFM,
    "explain_zh": ZH,
    "explain_missing_values": MISSING,
}


@pytest.mark.parametrize("name", list(CASES))
def test_explain_text(cli, name):
    r = cli(*CASES[name])
    assert r.code == 0, r.err
    snapshot(f"{name}.txt", r.out)


@pytest.mark.parametrize("name", ["explain_lifecycle_why_not", "explain_zh"])
def test_explain_json(cli, name):
    r = cli(*CASES[name], "--format", "json")
    assert r.code == 0, r.err
    json.loads(r.out)
    snapshot(f"{name}.json", r.out)


def test_check_text(cli):
    r = cli("check", F + "broken.rules", F + "broken_zh.rules")
    assert r.code == 1
    snapshot("check_broken.txt", r.out)


def test_check_json(cli):
    r = cli("check", F + "broken.rules", F + "broken_zh.rules", "--format", "json")
    assert r.code == 1
    snapshot("check_broken.json", r.out)


def test_run_summary_chinese(cli):
    r = cli(
        "run",
        F + "zh_lifecycle.rules",
        F + "rfm.rules",
        "--data",
        F + "customers_zh_sample.csv",
        "--as-of",
        AS_OF,
        "--preview",
        "5",
    )
    assert r.code == 0, r.err
    snapshot("run_zh_preview.txt", r.out)
    snapshot("run_zh_preview.err.txt", r.err)


def test_test_report(cli):
    r = cli("test", F + "lifecycle.rules", F + "zh_lifecycle.rules", F + "broken.rules")
    assert r.code == 1
    snapshot("test_report.txt", r.out)
