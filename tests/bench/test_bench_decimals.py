"""What exact decimal numbers cost (issue 11 item 3, issue 15 item 8): a ruleset of decimal-literal
comparisons and number arithmetic (+ − × /) against the same hand-written references as the
other benchmarks: floats in Python, typed DOUBLE columns in a hand-written DuckDB query. Ratios
are measured in the same run and printed, never asserted. The rows where the references' binary
doubles give another label than exact decimals are counted (they are why this costs anything).

    python -m pytest tests/bench/test_bench_decimals.py --benchmark-only -s
"""

from __future__ import annotations

import random
import time
import timeit

import pytest

import rulekit
from rulekit.engines import run_file

N = 100_000
RULES = """ruleset dec5 "小数" en "Decimals"
hit first
default other
field price    : number
field qty      : integer
field discount : number
field amount   : number
let total = price * qty - discount
rule "big"   if amount + discount > 1000.5 then big
rule "mid"   if total >= 250.75 then mid
rule "cheap" if amount / qty < 19.99 then cheap
rule "promo" if price = 9.99 then promo
rule "small" if amount between 0.1 and 100.25 then small
"""


def make_rows(n: int = N, seed: int = 11) -> list[dict]:
    rnd = random.Random(seed)
    rows = []
    for _ in range(n):
        price = round(rnd.uniform(0.5, 60), 2)
        qty = rnd.randint(1, 9)
        discount = round(rnd.choice([0, 0, 0.1, 0.2, 0.3, 1.15, 5.5]), 2)
        amount = round(price * qty, 2)  # a stored amount, in cents
        rows.append({"price": price, "qty": qty, "discount": discount, "amount": amount})
    return rows


def handwritten(r: dict) -> str:
    """The hand-written float reference (binary doubles; every value present)."""
    price, qty, discount, amount = r["price"], r["qty"], r["discount"], r["amount"]
    if amount + discount > 1000.5:
        return "big"
    if price * qty - discount >= 250.75:
        return "mid"
    if amount / qty < 19.99:
        return "cheap"
    if price == 9.99:
        return "promo"
    if 0.1 <= amount <= 100.25:
        return "small"
    return "other"


HAND_SQL = """COPY (SELECT CASE
  WHEN amount + discount > 1000.5 THEN 'big'
  WHEN price * qty - discount >= 250.75 THEN 'mid'
  WHEN amount / qty < 19.99 THEN 'cheap'
  WHEN price = 9.99 THEN 'promo'
  WHEN amount BETWEEN 0.1 AND 100.25 THEN 'small'
  ELSE 'other' END AS dec5 FROM read_parquet('{src}')) TO '{out}' (FORMAT PARQUET)"""


@pytest.fixture(scope="module")
def rows():
    return make_rows()


@pytest.fixture(scope="module")
def ruleset():
    return rulekit.compile(RULES, "dec5.rules")


@pytest.fixture(scope="module")
def parquet(tmp_path_factory, rows):
    import duckdb

    path = tmp_path_factory.mktemp("dec") / "rows.parquet"
    con = duckdb.connect()
    con.execute("CREATE TABLE t (price DOUBLE, qty BIGINT, discount DOUBLE, amount DOUBLE)")
    con.executemany(
        "INSERT INTO t VALUES (?, ?, ?, ?)",
        [(r["price"], r["qty"], r["discount"], r["amount"]) for r in rows[:20_000]],
    )
    # 20k distinct rows repeated to N rows: the file is written fast, the query reads N rows
    con.execute(f"COPY (SELECT t.* FROM t, range({N // 20_000})) TO '{path}' (FORMAT PARQUET)")
    return path


def test_engines_agree(rows, ruleset):
    sample = rows[:5000]
    python = ruleset.classify_many(sample).labels
    assert ruleset.classify_many(sample, engine="duckdb").labels == python
    differ = sum(a != handwritten(r) for a, r in zip(python, sample, strict=True))
    print(f"\nrows where binary floats give another label: {differ} of {len(sample)}")


def test_python_classify_many(benchmark, rows, ruleset):
    reference = min(timeit.repeat(lambda: [handwritten(r) for r in rows], number=1, repeat=5))
    benchmark.pedantic(ruleset.classify_many, args=(rows,), rounds=5, iterations=1)
    ratio = benchmark.stats.stats.min / reference
    benchmark.extra_info.update(reference_s=reference, ratio=round(ratio, 3))
    print(
        f"\ndecimals, Python classify_many: {benchmark.stats.stats.min:.4f}s vs hand-written "
        f"floats {reference:.4f}s → ratio {ratio:.2f}×"
    )


def test_duckdb_file_to_file(benchmark, parquet, ruleset, tmp_path):
    import duckdb

    out_hand, out = tmp_path / "hand.parquet", tmp_path / "out.parquet"

    def hand() -> None:
        duckdb.connect().execute(HAND_SQL.format(src=parquet, out=out_hand))

    def ours() -> None:
        run_file(ruleset, parquet, out, rule_column=False)

    times_hand, times_ours = [], []
    for _ in range(3):  # alternating rounds, best of each
        for fn, acc in ((hand, times_hand), (ours, times_ours)):
            t = time.perf_counter()
            fn()
            acc.append(time.perf_counter() - t)
    benchmark.pedantic(ours, rounds=1, iterations=1)
    ratio = min(times_ours) / min(times_hand)
    benchmark.extra_info.update(hand_s=min(times_hand), ours_s=min(times_ours), ratio=ratio)
    print(
        f"\ndecimals, DuckDB Parquet → Parquet ({N:,} rows): {min(times_ours):.3f}s vs "
        f"hand-written DOUBLE SQL {min(times_hand):.3f}s → ratio {ratio:.2f}×"
    )
