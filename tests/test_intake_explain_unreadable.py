"""explain shows a value it could not read in a field the decision did not need as that value,
unreadable, and why — not as "missing" (issue 13) — in English and Chinese, whether DuckDB
found the row (a plain file) or rulekit.io read it (a reading option given)."""

from __future__ import annotations

import json

import pytest

from tests.cli_support import AS_OF, cli_fixture  # noqa: F401 (the cli fixture)

ROWS = (
    "customer_id,orders_count,recency_days,tenure_days,frequency,monetary\n"
    "C1,2,200,300,xyz,5\n"  # sleeping: decided before any rule reads frequency
    "C2,1,20,30,2,5\n"
)


@pytest.mark.parametrize("reading", [[], ["--na", "NA"]], ids=["duckdb-lookup", "python-read"])
@pytest.mark.parametrize(
    ("lang", "shown"),
    [("en", "'xyz' (unreadable: is not a number)"), ("zh", "'xyz'（无法读取：不是数字）")],
)
def test_unreadable_value_not_needed_is_shown_as_written(cli, tmp_path, reading, lang, shown):
    data = tmp_path / "customers.csv"
    data.write_text(ROWS, encoding="utf-8")
    r = cli(
        "--lang", lang, "explain", "lifecycle", "--data", data, "--id", "C1", "--as-of", AS_OF,
        "--format", "json", *reading,
    )  # fmt: skip
    assert r.code == 0, r.err
    document = json.loads(r.out)
    assert document["decision"]["label"] == "sleeping"
    frequency = next(f for f in document["fields"] if f["name"] == "frequency")
    assert frequency["shown"] == "'xyz' (unreadable: is not a number)"  # JSON: the English
    assert frequency["value"] is None  # read as missing, as the engines do
    text = cli(
        "--lang", lang, "explain", "lifecycle", "--data", data, "--id", "C1", "--as-of", AS_OF,
        *reading,
    )  # fmt: skip
    assert shown in " ".join(text.out.split()).replace("（ ", "（")
