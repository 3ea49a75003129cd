"""`profile` and `freeze` speak Chinese under --lang zh (issue 13 item 7): every sentence,
table title, row and column header they print goes through the message catalog; what stays
in Latin letters is names (files, columns, rulesets, options) and numbers."""

from __future__ import annotations

import re

from tests.cli_support import AS_OF, ROOT, cli_fixture  # noqa: F401 (the cli fixture)

NAMES = {
    "rulekit", "run", "rfm", "csv", "json", "transactions", "customers", "customer_id",
    "order_id", "order_date", "amount", "cid", "recency_days", "frequency", "monetary", "among",
    "JSON", "percentile", "score", "top", "bottom", "cumulative_share",
}  # fmt: skip


def english_left(text: str) -> list[str]:
    """Latin words of three letters or more that are not names: untranslated English."""
    text = re.sub(r"(?<!\w)--[\w-]+", " ", text)  # options
    text = re.sub(r"\S*/\S*", " ", text)  # paths
    return [w for w in re.findall(r"[A-Za-z_]{3,}", text) if w not in NAMES]


def test_profile_in_chinese(cli, tmp_path):
    r = cli(
        "--lang", "zh", "profile", "examples/data/transactions.csv", "--customer", "customer_id",
        "--date", "order_date", "--amount", "amount", "--as-of", AS_OF, "--window", "365d",
        "--out", tmp_path / "p.csv",
    )  # fmt: skip
    assert r.code == 0, r.err
    assert "客户画像" in r.out and "时间窗" in r.out and "365 天" in r.out
    assert english_left(r.out + r.err) == []
    bad = cli(
        "--lang", "zh", "profile", "examples/data/transactions.csv", "--customer", "cid",
        "--date", "order_date", "--amount", "amount", "--out", tmp_path / "p.csv",
    )  # fmt: skip
    assert bad.code == 2 and "中没有列 'cid'" in bad.err
    assert english_left(bad.err) == []
    window = cli(
        "--lang", "zh", "profile", "examples/data/transactions.csv", "--customer", "customer_id",
        "--date", "order_date", "--amount", "amount", "--window", "0d", "--out", tmp_path / "p.csv",
    )  # fmt: skip
    assert window.code == 2 and english_left(window.err) == []


def test_freeze_in_chinese(cli, tmp_path):
    out = tmp_path / "pop.json"
    r = cli(
        "--lang", "zh", "freeze", "rfm", "--data", "examples/data/customers.csv", "--as-of", AS_OF,
        "--out", out,
    )  # fmt: skip
    assert r.code == 0, r.err
    assert "排名的值" in r.out and "已写入" in r.out
    assert english_left(r.out + r.err) == []
    for args in (["--out", tmp_path / "pop.txt"], ["--out", tmp_path / "no" / "pop.json"]):
        bad = cli("--lang", "zh", "freeze", "rfm", "--data", "examples/data/customers.csv", *args)
        assert bad.code == 2 and english_left(bad.err) == [], bad.err
    none = cli(
        "--lang", "zh", "freeze", "lifecycle", "--data", "examples/data/customers.csv",
        "--out", out,
    )  # fmt: skip
    assert none.code == 2 and english_left(none.err.replace("lifecycle_active_sleeping", "")) == []
