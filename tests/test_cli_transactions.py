"""`rulekit run RULESET --transactions …`: profile raw orders in DuckDB, then classify."""

import csv

from rulekit.cli import main

from .conftest import EXAMPLES

TX = str(EXAMPLES / "data" / "transactions.csv")


def test_run_on_transactions_writes_labels_per_customer(tmp_path, capsys):
    out = tmp_path / "rfm.csv"
    code = main(
        [
            "run",
            "rfm",
            "--transactions",
            TX,
            "--customer",
            "customer_id",
            "--date",
            "order_date",
            "--amount",
            "amount",
            "--as-of",
            "2024-06-30",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    with open(TX, encoding="utf-8") as f:
        customers = {r["customer_id"] for r in csv.DictReader(f)}
    assert {r["customer_id"] for r in rows} == customers  # ids keep their text
    assert all(r["rfm"] for r in rows) and "recency_days" in rows[0]


def test_run_needs_data_or_transactions(capsys):
    assert main(["run", "rfm"]) == 2
    assert "--data FILE, or raw orders with --transactions" in capsys.readouterr().err
    assert main(["run", "rfm", "--transactions", TX, "--customer", "customer_id"]) == 2
    assert "--transactions needs --date, --amount" in capsys.readouterr().err
