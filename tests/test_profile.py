"""Customer profiles from transactions (DuckDB): the catalog's fields, exact definitions,
bad and late rows counted, identifiers kept as text, and profile → run in one go."""

from __future__ import annotations

import datetime as dt

import pytest

import rulekit
from rulekit import io as rio
from rulekit.cli import main
from rulekit.engines.profile import ProfileError, build_profile, window_days
from rulekit.errors import RecordError

from .conftest import EXAMPLES

AS_OF = dt.date(2024, 6, 30)
TX = EXAMPLES / "data" / "transactions.csv"


def _profile(tmp_path, text: str, **options):
    path = tmp_path / "tx.csv"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "profile.csv"
    result = build_profile(path, "customer", "date", "amount", out=out, **options)
    rows = {r["customer"]: r for r in rio.read_table(out).rows}
    return result, rows


def test_bundled_transactions_reproduce_the_customer_table(tmp_path):
    out = tmp_path / "profile.parquet"
    result = build_profile(
        TX,
        "customer_id",
        "order_date",
        "amount",
        order="order_id",
        as_of=AS_OF,
        window="365d",
        out=out,
    )
    assert result.rows_in == result.used and result.rejected == result.after_as_of == 0
    profile = {r["customer_id"]: r for r in rio.read_table(out).rows}
    customers = {
        r["customer_id"]: r for r in rio.read_table(EXAMPLES / "data" / "customers.csv").rows
    }
    assert len(profile) == result.customers > 100
    for cid, p in profile.items():
        c = customers[cid]
        assert p["recency_days"] == int(c["recency_days"]), cid
        assert p["tenure_days"] == int(c["tenure_days"]), cid
        assert p["orders_count"] == int(c["orders_count"]), cid
        assert p["frequency"] == int(c["frequency"]), cid
        assert p["monetary"] == float(c["monetary"] or 0), cid
        if p["frequency"]:  # to the cent, half away from zero (the generator rounds half
            # to even on the binary value, so an exact half cent may differ by one cent)
            assert abs(p["avg_order_value"] - float(c["avg_order_value"])) < 0.0101, cid
    assert set(result.columns) == set(next(iter(profile.values())))


def test_definitions(tmp_path):
    result, rows = _profile(
        tmp_path,
        (
            "customer,date,amount\n"
            "00001,2024-06-30,10\n"  # bought on the as-of date: recency 0
            "00001,2024-06-01,1,000.50\n"  # quoted below; amounts may carry thousands commas
            "00001,2023-01-01,5\n"  # outside a 365-day window
            "1,2024-05-01,7\n"  # a different customer from 00001
            "2,2024-07-01,99\n"  # after the as-of date: left out, counted
            "2,2024-06-20 18:30:00,3\n"  # a timestamp counts on its day
        ).replace("1,000.50", '"1,000.50"'),
        as_of=AS_OF,
        window="365d",
    )
    assert result.after_as_of == 1 and result.used == 5 and result.rows_in == 6
    a = rows["00001"]
    assert (a["first_purchase"], a["last_purchase"]) == ("2023-01-01", "2024-06-30")
    assert (a["recency_days"], a["tenure_days"], a["orders_count"]) == ("0", "546", "3")
    assert (a["frequency"], a["monetary"], a["avg_order_value"]) == ("2", "1010.5", "505.25")
    assert (a["orders_30d"], a["orders_90d"], a["orders_365d"]) == ("2", "2", "2")
    assert rows["1"]["recency_days"] == "60" and rows["1"]["orders_30d"] == "0"
    assert rows["2"]["monetary"] == "3.0" and rows["2"]["recency_days"] == "10"
    assert a["as_of_date"] == "2024-06-30" and a["window_days"] == "365"


def test_orders_and_whole_history(tmp_path):
    path = tmp_path / "tx.jsonl"
    path.write_text(
        '{"c": "x", "o": "A", "d": "2024-01-01", "a": 1.25}\n'
        '{"c": "x", "o": "A", "d": "2024-01-02", "a": 2}\n'
        '{"c": "x", "o": "B", "d": "2020-01-01", "a": 10}\n',
        encoding="utf-8",
    )
    out = tmp_path / "p.jsonl"
    build_profile(path, "c", "d", "a", order="o", as_of=AS_OF, out=out)
    (row,) = rio.read_table(out).rows
    assert row["orders_count"] == row["frequency"] == 2  # two orders; no window: all history
    assert row["monetary"] == 13.25 and row["avg_order_value"] == 6.63  # to the cent
    assert row["last_purchase"] == "2024-01-01"  # an order is dated by its earliest row


def test_bad_rows_follow_the_policy(tmp_path):
    text = "customer,date,amount\na,2024-01-01,5\n,2024-01-01,5\nb,2024-13-01,5\nc,2024-01-01,x\n"
    with pytest.raises(RecordError) as e:
        _profile(tmp_path, text, as_of=AS_OF)
    assert e.value.bad.index == 1 and e.value.bad.field == "customer"
    result, rows = _profile(tmp_path, text, as_of=AS_OF, on_error="skip")
    assert result.rejected == 3 and list(rows) == ["a"]
    assert [b.field for b in result.rejected_examples] == ["customer", "date", "amount"]
    assert "'2024-13-01' is not a date" in result.rejected_examples[1].reason
    result, _ = _profile(tmp_path, text, as_of=AS_OF, on_error="quarantine")
    bad = rio.read_table(result.rejected_path).rows
    assert [r["rejected_row"] for r in bad] == ["2", "3", "4"]
    assert result.rows_in == result.used + result.after_as_of + result.rejected


def test_windows_and_errors(tmp_path):
    assert window_days("365d") == 365 and window_days("12mo") == 360
    assert window_days("1y") == 365 and window_days(None) is None and window_days(30) == 30
    for bad in ("12h", "abc", "0d"):
        with pytest.raises(ProfileError):
            window_days(bad)
    with pytest.raises(ProfileError, match="no column 'nope'"):
        build_profile(TX, "nope", "order_date", "amount", as_of=AS_OF)


def test_profile_then_run(tmp_path, capsys):
    out = tmp_path / "profile.csv"
    assert (
        main(
            [
                "profile",
                str(TX),
                "--customer",
                "customer_id",
                "--date",
                "order_date",
                "--amount",
                "amount",
                "--order",
                "order_id",
                "--as-of",
                "2024-06-30",
                "--window",
                "365d",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "customers" in printed and "wrote" in printed
    rs = rulekit.load("rfm")
    table = rio.read_table(out)
    python = rs.classify_many(table.rows, as_of=AS_OF)
    duck = rs.classify_many(str(out), as_of=AS_OF, engine="duckdb")
    assert duck.labels == python.labels and python.counts["labelled"] > 100
    assert (
        main(
            [
                "profile",
                str(TX),
                "--customer",
                "x",
                "--date",
                "order_date",
                "--amount",
                "amount",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert (
        main(
            [
                "profile",
                str(TX),
                "--customer",
                "customer_id",
                "--date",
                "order_date",
                "--amount",
                "amount",
                "--out",
                str(tmp_path / "p.xyz"),
            ]
        )
        == 2
    )
