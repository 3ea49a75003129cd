"""Tests for examples/generate_customers.py: determinism, the catalog's vocabulary, consistency,
the bundled sample files and every output format."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
DATA = EXAMPLES / "data"
CATALOG = ROOT.parent / "shared" / "catalog" / "schemes.md"

# The documented recipe of the bundled files (examples/README.md).
SEED = 42
AS_OF = dt.date(2024, 6, 30)
SAMPLE_ROWS = 2000
ZH_ROWS = 300
TX_CUSTOMERS = 300
MAX_FILE_BYTES = 1_600_000

# Vocabulary fields the engine computes from population functions (not generated).
POPULATION_FIELDS = {
    "monetary_percentile",
    "frequency_percentile",
    "profit_percentile",
    "aov_percentile",
    "value_score_percentile",
    "r_score",
    "f_score",
    "m_score",
}


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "generate_customers", EXAMPLES / "generate_customers.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


@pytest.fixture(scope="module")
def customers() -> list[dict]:
    return gen.generate_customers(SAMPLE_ROWS, SEED, AS_OF)


@pytest.fixture(scope="module")
def transactions(customers) -> list[dict]:
    return gen.generate_transactions(customers[:TX_CUSTOMERS], SEED, AS_OF)


def _vocabulary() -> dict[str, tuple[str, str]]:
    """name -> (type, kind) from the catalog's "Field vocabulary" table."""
    if not CATALOG.exists():
        pytest.skip(f"catalog not found at {CATALOG}")
    text = CATALOG.read_text(encoding="utf-8")
    section = text.split("\n## Field vocabulary", 1)[1].split("\n## ", 1)[0]
    fields = {}
    for line in section.splitlines():
        match = re.match(r"\| `(\w+)` \| ([^|]+?) \| [^|]*\| (\w+) \|", line)
        if match:
            fields[match.group(1)] = (match.group(2), match.group(3))
    assert len(fields) > 150, "could not read the vocabulary table"
    return fields


# --- determinism ------------------------------------------------------------------------------


def test_same_seed_gives_same_rows(customers):
    again = gen.generate_customers(SAMPLE_ROWS, SEED, AS_OF)
    assert again == customers
    assert gen.generate_customers(50, SEED + 1, AS_OF) != customers[:50]


def test_rows_are_prefix_stable(customers):
    assert gen.generate_customers(ZH_ROWS, SEED, AS_OF) == customers[:ZH_ROWS]


def test_transactions_are_deterministic(customers, transactions):
    assert gen.generate_transactions(customers[:TX_CUSTOMERS], SEED, AS_OF) == transactions
    assert gen.generate_transactions(customers[:TX_CUSTOMERS], SEED + 1, AS_OF) != transactions


def test_as_of_moves_dates_only():
    moved = gen.generate_customers(20, SEED, "2025-01-31")
    base = gen.generate_customers(20, SEED, AS_OF)
    assert all(row["as_of_date"] == dt.date(2025, 1, 31) for row in moved)
    assert [r["monetary"] for r in moved] == [r["monetary"] for r in base]


# --- vocabulary -------------------------------------------------------------------------------


def test_every_vocabulary_field_is_generated():
    vocabulary = _vocabulary()
    expected = set(vocabulary) - POPULATION_FIELDS
    assert set(gen.FIELD_NAMES) == expected
    for field in gen.FIELDS:
        assert (field.type, field.kind) == vocabulary[field.name], field.name


def test_rows_have_exactly_the_fields(customers):
    for row in customers[:100]:
        assert tuple(row) == gen.FIELD_NAMES


def test_values_have_their_field_types(customers):
    checks = {
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "decimal": lambda v: isinstance(v, float),
        "bool": lambda v: isinstance(v, bool),
        "date": lambda v: isinstance(v, dt.date),
        "string": lambda v: isinstance(v, str) and v != "",
        "list[string]": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    }
    for field in gen.FIELDS:
        check = checks.get(field.type, lambda v: isinstance(v, str))
        for row in customers:
            value = row[field.name]
            assert value is None or check(value), (field.name, value)


def test_enum_values_are_in_their_sets_and_all_occur(customers):
    for field in gen.FIELDS:
        if not field.values:
            continue
        seen = {row[field.name] for row in customers} - {None}
        assert seen <= set(field.values), (field.name, seen - set(field.values))
        assert seen == set(field.values), (field.name, set(field.values) - seen)


def test_booleans_occur_both_ways(customers):
    for field in gen.FIELDS:
        if field.type == "bool":
            seen = {row[field.name] for row in customers}
            assert {True, False} <= seen, field.name


def test_ratings_spread_over_one_to_five(customers):
    for name in (
        "assertiveness",
        "sociability",
        "talkativeness",
        "price_sensitivity",
        "brand_loyalty",
    ):
        assert {row[name] for row in customers} - {None} == {1, 2, 3, 4, 5}, name


def test_chinese_headers_name_real_fields():
    assert set(gen.CHINESE_HEADERS) <= set(gen.FIELD_NAMES)
    assert len(set(gen.CHINESE_HEADERS.values())) == len(gen.CHINESE_HEADERS)
    assert gen.CHINESE_HEADERS["customer_id"] == "客户编号"
    assert gen.CHINESE_HEADERS["recency_days"] == "最近购买天数"


# --- consistency ------------------------------------------------------------------------------


def test_customer_ids_are_zero_padded_and_unique(customers):
    ids = [row["customer_id"] for row in customers]
    assert ids[0] == "C000001" and ids[-1] == f"C{SAMPLE_ROWS:06d}"
    assert len(set(ids)) == len(ids)


def test_purchase_invariants(customers):
    for row in customers:
        orders, freq = row["orders_count"], row["frequency"]
        recency, tenure = row["recency_days"], row["tenure_days"]
        assert 0 <= freq <= orders
        assert row["lifetime_monetary"] >= row["monetary"] >= 0
        if orders == 0:  # prospects
            assert recency is None and freq == 0
            assert row["monetary"] == 0 and row["lifetime_monetary"] == 0
            assert row["avg_order_value"] is None and row["order_size_usd"] is None
            continue
        assert 0 <= recency <= tenure
        assert (recency == tenure) == (orders == 1)
        if tenure < row["window_days"]:
            assert freq == orders
        if recency >= row["window_days"]:
            assert freq == 0
        if freq:
            assert abs(row["avg_order_value"] * freq - row["monetary"]) <= 0.01 * freq
            assert row["monetary"] > 0


def test_funnel_invariants(customers):
    for row in customers:
        sent, opened, replies = row["emails_sent"], row["emails_opened"], row["replies_count"]
        if None not in (sent, opened):
            assert opened <= sent
        if None not in (opened, replies):
            assert replies <= opened
        if replies is not None:
            assert row["replied"] == (replies >= 1)
        if row["contract_signed"] and row["deposit_paid"] is not None:
            assert row["deposit_paid"]
        if row["calls_count"] == 0 and row["call_outcome"] is not None:
            assert row["call_outcome"] == "none"
        for name in (
            "promo_purchase_ratio",
            "premium_purchase_ratio",
            "brand_share",
            "new_product_trial_ratio",
            "small_payment_share",
        ):
            assert row[name] is None or 0 <= row[name] <= 1


def test_region_zone_follows_province(customers):
    for row in customers:
        if row["region_zone"] is not None:
            assert row["country"] == "CN"
            assert gen.PROVINCE_ZONE[row["province"]] == row["region_zone"]


def test_shares_are_realistic(customers):
    n = len(customers)
    prospects = sum(row["orders_count"] == 0 for row in customers)
    one_time = sum(row["orders_count"] == 1 for row in customers)
    assert 0.1 * n < prospects < 0.25 * n
    assert 0.1 * n < one_time < 0.3 * n
    spend = sorted((row["monetary"] for row in customers if row["monetary"]), reverse=True)
    assert sum(spend[: len(spend) // 5]) > 0.6 * sum(spend)  # Pareto-like
    may_be_missing = [f.name for f in gen.FIELDS if f.missing > 0]
    cells = [row[name] for row in customers for name in may_be_missing]
    assert 0.02 < cells.count(None) / len(cells) < 0.6
    assert any(row["province"] == "广东" and row["city"] == "深圳" for row in customers)
    assert {"CN", "US"} <= {row["country"] for row in customers}


def _ge(value, bound):
    return value is not None and value >= bound


def _le(value, bound):
    return value is not None and value <= bound


def _above(row, value, limit):
    return row[value] is not None and row[limit] is not None and row[value] > row[limit]


# Conditions from the catalog's schemes that need the tails of the distributions.
REACHED = {
    "recency > 365d": lambda r: _ge(r["recency_days"], 366),
    "sleeping 181..365d": lambda r: (
        r["recency_days"] is not None and 180 < r["recency_days"] <= 365
    ),
    "tenure <= 30d buyer": lambda r: r["orders_count"] > 0 and r["tenure_days"] <= 30,
    "frequency >= 12": lambda r: _ge(r["frequency"], 12),
    "active (recency <= 90d, frequency >= 4)": lambda r: (
        _ge(r["frequency"], 4) and _le(r["recency_days"], 90)
    ),
    "loyalty_score >= 70": lambda r: _ge(r["loyalty_score"], 70),
    "profit <= 0 buyer": lambda r: (
        r["orders_count"] > 0 and r["profit"] is not None and r["profit"] <= 0
    ),
    "order_size_usd >= 30000": lambda r: _ge(r["order_size_usd"], 30000),
    "order_size_usd 1000..29999": lambda r: (
        _ge(r["order_size_usd"], 1000) and r["order_size_usd"] < 30000
    ),
    "order_size_usd < 1000": lambda r: (
        r["order_size_usd"] is not None and r["order_size_usd"] < 1000
    ),
    "units_per_order <= 2": lambda r: _le(r["units_per_order"], 2),
    "visits_after_measurement >= 2": lambda r: _ge(r["visits_after_measurement"], 2),
    "designer_communications >= 2": lambda r: _ge(r["designer_communications"], 2),
    "complaints_count >= 3": lambda r: _ge(r["complaints_count"], 3),
    "extra_demands_count >= 3": lambda r: _ge(r["extra_demands_count"], 3),
    "days_without_response >= 365, nothing opened": lambda r: (
        _ge(r["days_without_response"], 365) and r["emails_opened"] == 0
    ),
    "quoted, no response, >= 3 days": lambda r: (
        r["quoted"] and r["responded_after_quote"] is False and _ge(r["days_since_quote"], 3)
    ),
    "txn_amount > single_txn_limit": lambda r: _above(r, "txn_amount", "single_txn_limit"),
    "txn_amount > hist_max_txn_amount": lambda r: _above(r, "txn_amount", "hist_max_txn_amount"),
    "txn_count_1d > max_txn_count_1d": lambda r: _above(r, "txn_count_1d", "max_txn_count_1d"),
    "consecutive_txn_count > max_txn_count_1d": lambda r: _above(
        r, "consecutive_txn_count", "max_txn_count_1d"
    ),
    "txn_count_period > mean + 3 sd": lambda r: (
        None not in (r["txn_count_period"], r["hist_same_period_mean"], r["hist_same_period_std"])
        and r["txn_count_period"] > r["hist_same_period_mean"] + 3 * r["hist_same_period_std"]
    ),
    "account_reports_count >= 2": lambda r: _ge(r["account_reports_count"], 2),
    "account_io_count_period > io_count_limit": lambda r: _above(
        r, "account_io_count_period", "io_count_limit"
    ),
    "account_io_amount_period > io_amount_limit": lambda r: _above(
        r, "account_io_amount_period", "io_amount_limit"
    ),
    "balance_increase_amount > limit": lambda r: _above(
        r, "balance_increase_amount", "balance_increase_limit"
    ),
    "card_cumulative_balance > limit": lambda r: _above(
        r, "card_cumulative_balance", "card_balance_limit"
    ),
    "card_over_balance_consecutive > limit": lambda r: _above(
        r, "card_over_balance_consecutive", "card_over_balance_limit"
    ),
    "|card_approval_rate_change| >= 20": lambda r: (
        r["card_approval_rate_change"] is not None and abs(r["card_approval_rate_change"]) >= 20
    ),
    "online_turnover_growth >= 3": lambda r: _ge(r["online_turnover_growth"], 3),
    "min_payment_interval_seconds < 60": lambda r: (
        r["min_payment_interval_seconds"] is not None and r["min_payment_interval_seconds"] < 60
    ),
    "counterparty >= 10 and deviating": lambda r: (
        _ge(r["counterparty_txn_count"], 10) and r["counterparty_pattern_deviates"]
    ),
    "strategy_change_pct >= 30": lambda r: _ge(r["strategy_change_pct"], 30),
    "driver (assertive, reserved)": lambda r: (
        _ge(r["assertiveness"], 4) and _le(r["sociability"], 2)
    ),
    "amiable (easy-going, sociable)": lambda r: (
        _le(r["assertiveness"], 2) and _ge(r["sociability"], 4)
    ),
    "peacock (fast, sociable)": lambda r: r["pace"] == "fast" and _ge(r["sociability"], 4),
    "owl (slow, reserved)": lambda r: r["pace"] == "slow" and _le(r["sociability"], 2),
    "premium_purchase_ratio >= 0.7": lambda r: _ge(r["premium_purchase_ratio"], 0.7),
    "browse_to_buy_minutes <= 10": lambda r: _le(r["browse_to_buy_minutes"], 10),
    "age <= 35": lambda r: _le(r["age"], 35),
}


@pytest.mark.parametrize("condition", REACHED)
def test_distributions_reach_every_scheme_threshold(customers, condition):
    assert any(REACHED[condition](row) for row in customers), condition


# --- transactions -----------------------------------------------------------------------------


def test_transactions_reproduce_each_customer(customers, transactions):
    by_customer = defaultdict(list)
    for order in transactions:
        by_customer[order["customer_id"]].append(order)
    assert len({order["order_id"] for order in transactions}) == len(transactions)
    assert 1000 < len(transactions) < 20000
    for row in customers[:TX_CUSTOMERS]:
        orders = by_customer.get(row["customer_id"], [])
        assert len(orders) == row["orders_count"]
        if not orders:
            continue
        days = [(AS_OF - order["order_date"]).days for order in orders]
        assert max(days) == row["tenure_days"] and min(days) == row["recency_days"]
        recent = [o for o, d in zip(orders, days, strict=True) if d < row["window_days"]]
        assert len(recent) == row["frequency"]
        assert round(sum(o["amount"] for o in recent) * 100) == round(row["monetary"] * 100)
        assert round(sum(o["amount"] for o in orders) * 100) == round(
            row["lifetime_monetary"] * 100
        )
        assert all(o["amount"] > 0 and round(o["amount"], 2) == o["amount"] for o in orders)
        assert [o["order_date"] for o in orders] == sorted(o["order_date"] for o in orders)


# --- bundled files ----------------------------------------------------------------------------


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def _as_text(rows: list[dict], names: list[str]) -> list[list[str]]:
    return [[gen.cell_text(row[name]) for name in names] for row in rows]


def test_bundled_customers_match_the_generator(customers):
    lines = _read_csv(DATA / "customers.csv")
    assert lines[0] == list(gen.FIELD_NAMES)
    assert lines[1:] == _as_text(customers, list(gen.FIELD_NAMES))


def test_bundled_chinese_customers_match_the_generator(customers):
    lines = _read_csv(DATA / "customers_zh.csv")
    assert lines[0] == [gen.CHINESE_HEADERS.get(name, name) for name in gen.FIELD_NAMES]
    assert "最近购买天数" in lines[0]
    assert lines[1:] == _as_text(customers[:ZH_ROWS], list(gen.FIELD_NAMES))


def test_bundled_transactions_match_the_generator(transactions):
    names = [name for name, _ in gen.TRANSACTION_FIELDS]
    lines = _read_csv(DATA / "transactions.csv")
    assert lines[0] == names
    assert lines[1:] == _as_text(transactions, names)


@pytest.mark.parametrize("name", ["customers.csv", "customers_zh.csv", "transactions.csv"])
def test_bundled_files_stay_small(name):
    assert (DATA / name).stat().st_size < MAX_FILE_BYTES


# --- output formats ---------------------------------------------------------------------------


def _read_back(path: Path) -> tuple[list[str], list[list[object]]]:
    """Header and rows of a written file, read with the format's own library."""
    suffix = path.suffix
    if suffix == ".csv":
        lines = _read_csv(path)
        return lines[0], lines[1:]
    if suffix == ".jsonl":
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        return list(records[0]), [list(record.values()) for record in records]
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        return table.column_names, [list(record.values()) for record in table.to_pylist()]
    if suffix == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True)
        lines = [list(line) for line in book.active.iter_rows(values_only=True)]
        book.close()
        width = len(lines[0])  # read-only mode drops a row's trailing empty cells
        return lines[0], [line + [None] * (width - len(line)) for line in lines[1:]]
    raise AssertionError(suffix)


def _expected(value: object, suffix: str) -> object:
    """A generated value as the format stores it."""
    if suffix == ".csv":
        return gen.cell_text(value)
    if suffix == ".jsonl" and isinstance(value, dt.date):
        return value.isoformat()
    if suffix == ".xlsx":
        if isinstance(value, list):
            return gen.cell_text(value)
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time())
    return value


FORMATS = [".csv", ".jsonl", ".parquet", ".xlsx"]


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize("chinese", [False, True], ids=["english", "chinese"])
def test_customer_files_round_trip(tmp_path, customers, suffix, chinese):
    rows = customers[:60]
    path = tmp_path / f"customers{suffix}"
    assert gen.write_rows(path, rows, chinese_headers=chinese) == len(rows)
    header, values = _read_back(path)
    headers = gen.CHINESE_HEADERS if chinese else {}
    assert header == [headers.get(name, name) for name in gen.FIELD_NAMES]
    expected = [[_expected(row[name], suffix) for name in gen.FIELD_NAMES] for row in rows]
    assert values == expected


@pytest.mark.parametrize("suffix", FORMATS)
def test_transaction_files_round_trip(tmp_path, transactions, suffix):
    rows = transactions[:200]
    path = tmp_path / f"orders{suffix}"
    gen.write_rows(path, rows, table="transactions")
    header, values = _read_back(path)
    names = [name for name, _ in gen.TRANSACTION_FIELDS]
    assert header == names
    assert values == [[_expected(row[name], suffix) for name in names] for row in rows]


def test_parquet_keeps_column_types(tmp_path, customers):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "customers.parquet"
    gen.write_rows(path, customers[:20])
    schema = pq.read_schema(path)
    assert schema.field("customer_id").type == pa.string()
    assert schema.field("recency_days").type == pa.int64()
    assert schema.field("monetary").type == pa.float64()
    assert schema.field("arrogant").type == pa.bool_()
    assert schema.field("as_of_date").type == pa.date32()
    assert schema.field("sales_regions").type == pa.list_(pa.string())


# --- command line -----------------------------------------------------------------------------


def test_cli_writes_customers_and_transactions(tmp_path, customers, capsys):
    out, orders = tmp_path / "c.parquet", tmp_path / "o.csv"
    code = gen.main(
        ["--rows", "40", "--seed", str(SEED), "--out", str(out), "--transactions", str(orders)]
    )
    assert code == 0
    assert "wrote 40 customers" in capsys.readouterr().err
    _, values = _read_back(out)
    assert values == [[row[name] for name in gen.FIELD_NAMES] for row in customers[:40]]
    lines = _read_csv(orders)
    expected = gen.generate_transactions(customers[:40], SEED, AS_OF)
    assert lines[1:] == _as_text(expected, [name for name, _ in gen.TRANSACTION_FIELDS])


def test_cli_chinese_headers_and_as_of(tmp_path):
    out = tmp_path / "zh.csv"
    assert (
        gen.main(["--rows", "5", "--out", str(out), "--chinese-headers", "--as-of", "2023-12-31"])
        == 0
    )
    lines = _read_csv(out)
    assert lines[0][:2] == ["客户编号", "统计日期"]
    assert {line[1] for line in lines[1:]} == {"2023-12-31"}


def test_cli_rejects_bad_input(tmp_path, capsys):
    assert gen.main(["--rows", "5", "--out", str(tmp_path / "c.txt")]) == 1
    assert "unknown file type" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        gen.main(["--rows", "5", "--out", str(tmp_path / "c.csv"), "--as-of", "30/06/2024"])
    with pytest.raises(SystemExit):
        gen.main(["--rows", "5"])
