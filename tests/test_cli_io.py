"""Data files in and out of `rulekit run`: CSV, JSON Lines, Parquet and Excel round trips (the
output read back equals the API's classify_many labels), text identifiers, encodings, and data
file errors that name the line."""

from __future__ import annotations

import json

import pytest

import rulekit
from rulekit import io as rio

from .cli_support import AS_OF, ROOT, cli_fixture  # noqa: F401

RULESETS = ["lifecycle", "rfm", "common_types_loyal_potential_price_sensitive"]
COLUMNS = [
    "customer_id",
    "orders_count",
    "recency_days",
    "tenure_days",
    "frequency",
    "monetary",
    "referrals_count",
    "loyalty_score",
    "price_sensitivity",
    "promo_purchase_ratio",
]


@pytest.fixture(scope="module")
def customers():
    return rio.read_table(ROOT / "examples" / "data" / "customers.csv")


def _labels_back(value, hit_all: bool):
    """A label cell read back from a file: None, a label, or (hit all) a list of labels."""
    if value in (None, ""):
        return None
    if hit_all and isinstance(value, str):
        value = json.loads(value)
    return list(value) if hit_all else value


@pytest.mark.parametrize("ext", ["csv", "jsonl", "parquet", "xlsx"])
def test_round_trip_equals_classify_many(cli, tmp_path, customers, ext):
    rows = [{c: r[c] for c in COLUMNS} for r in customers.rows[:300]]
    src = tmp_path / f"in.{ext}"
    rio.write_table(src, COLUMNS, rows)
    out = tmp_path / f"out.{ext}"
    r = cli("run", *RULESETS, "--data", src, "--out", out, "--as-of", AS_OF)
    assert r.code == 0, r.err
    back = rio.read_table(out)
    records = rio.read_table(src).rows
    assert len(back) == len(records) == 300
    for ref in RULESETS:
        rs = rulekit.load(ref)
        batch = rs.classify_many(records, as_of=AS_OF)
        hit_all = rs.hit == "all"
        want = [
            None if d is None or not d.labels else (list(d.labels) if hit_all else d.label)
            for d in batch.decisions
        ]
        got = [_labels_back(x[rs.id], hit_all) for x in back.rows]
        assert got == want, (ext, ref)
        rules = [None if d is None or not d.rules else d.rule.name for d in batch.decisions]
        if not hit_all:
            assert [x[rs.id + "_rule"] or None for x in back.rows] == rules
    # every input column survives, values included
    for c in COLUMNS:
        assert [rio.cell_text(x[c]) for x in back.rows] == [rio.cell_text(x[c]) for x in records]


def test_full_sample_round_trip_csv(cli, tmp_path, customers):
    out = tmp_path / "labelled.csv"
    r = cli(
        "run",
        "lifecycle",
        "rfm",
        "--data",
        "examples/data/customers.csv",
        "--out",
        out,
        "--as-of",
        AS_OF,
        "--on-error",
        "skip",
    )
    assert r.code == 0, r.err
    back = rio.read_table(out)
    assert back.columns[: len(customers.columns)] == customers.columns
    for ref in ("lifecycle", "rfm"):
        rs = rulekit.load(ref)
        want = rs.classify_many(customers.rows, as_of=AS_OF, on_error="skip").labels
        assert [x[rs.id] or None for x in back.rows] == want


def test_rfm_over_the_sample_labels_every_customer_as_duckdb_does(customers):
    # Its speed is measured in tests/bench (perf_rows: rfm on the Python engine), not here.
    rs = rulekit.load("rfm")
    py = rs.classify_many(customers.rows, as_of=AS_OF, on_error="skip")
    db = rs.classify_many(customers.rows, as_of=AS_OF, on_error="skip", engine="duckdb")
    assert len(py) == len(customers.rows) and not py.rejected
    assert [d.label for d in py] == [d.label for d in db]
    assert [d.rule and d.rule.line for d in py] == [d.rule and d.rule.line for d in db]
    assert sum(d.label is not None for d in py) > len(py) // 2


def test_identifiers_stay_text(cli, tmp_path):
    src = tmp_path / "ids.csv"
    src.write_text("id,recency_days,orders_count\n00123,200,3\n0042,10,1\n", encoding="utf-8")
    for ext in ("csv", "jsonl", "parquet", "xlsx"):
        out = tmp_path / f"o.{ext}"
        assert cli("run", "lifecycle", "--data", src, "--out", out, "--as-of", AS_OF).code == 0
        back = rio.read_table(out)
        assert [x["id"] for x in back.rows] == ["00123", "0042"], ext
        assert [x["lifecycle_active_sleeping"] for x in back.rows] == ["sleeping", "new"], ext


def test_formula_like_text_stays_text_in_xlsx(tmp_path):
    path = tmp_path / "f.xlsx"
    rio.write_table(path, ["a"], [{"a": "=1+1"}, {"a": '=HYPERLINK("x")'}])
    assert [x["a"] for x in rio.read_table(path).rows] == ["=1+1", '=HYPERLINK("x")']


def test_parquet_input_keeps_its_types(cli, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "in.parquet"
    pq.write_table(
        pa.table({"customer_id": ["a", "b"], "recency_days": [200, 10], "orders_count": [3, 1]}),
        src,
    )
    out = tmp_path / "out.parquet"
    assert cli("run", "lifecycle", "--data", src, "--out", out, "--as-of", AS_OF).code == 0
    table = pq.read_table(out)
    assert table.schema.field("recency_days").type == pa.int64()
    assert table.column("lifecycle_active_sleeping").to_pylist() == ["sleeping", "new"]


def test_hit_all_labels_are_lists_in_jsonl_and_parquet(cli, tmp_path, customers):
    rows = [{c: r[c] for c in COLUMNS} for r in customers.rows[:50]]
    src = tmp_path / "in.csv"
    rio.write_table(src, COLUMNS, rows)
    rs_id = "common_types_loyal_potential_price_sensitive"
    for ext in ("jsonl", "parquet"):
        out = tmp_path / f"o.{ext}"
        assert cli("run", rs_id, "--data", src, "--out", out, "--as-of", AS_OF).code == 0
        values = [x[rs_id] for x in rio.read_table(out).rows if x[rs_id] is not None]
        assert values and all(isinstance(v, list) for v in values)


def test_gb18030_csv_is_read(cli, tmp_path):
    src = tmp_path / "gbk.csv"
    src.write_bytes(
        "客户编号,最近购买天数,订单总数,累计消费金额\nA1,200,3,100\nA2,5,1,50\n".encode("gb18030")
    )
    out = tmp_path / "o.csv"
    r = cli(
        "run",
        "tests/fixtures/cli/zh_lifecycle.rules",
        "--data",
        src,
        "--out",
        out,
        "--as-of",
        AS_OF,
    )
    assert r.code == 0, r.err
    back = rio.read_table(out)
    assert [x["生命周期"] for x in back.rows] == ["沉睡客户", "新客户"]


def test_utf8_bom_is_kept(tmp_path):
    src = tmp_path / "bom.csv"
    src.write_bytes("\ufeffid,x\n1,2\n".encode())
    table = rio.read_table(src)
    assert table.columns == ["id", "x"] and table.bom
    out = tmp_path / "o.csv"
    rio.write_table(out, table.columns, table.rows, bom=table.bom)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("dup.csv", "id,x,x\n1,2,3\n", "column 'x' appears twice"),
        ("ragged.csv", "id,x\n1,2\n3,4,5\n", "dup row 2 (line 3) has 3 values"),
        ("empty.csv", "", "the file is empty"),
        ("bad.jsonl", '{"id": 1}\n\n{"id": 2,}\n', "bad.jsonl line 3, column 10: not valid JSON"),
        ("list.jsonl", "[1, 2]\n", "a JSON list, not an object"),
    ],
)
def test_data_file_errors_name_the_line_and_exit_1(cli, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    r = cli("run", "lifecycle", "--data", path)
    assert r.code == 1, r.err
    assert message.replace("dup row", name.split(".")[0] + ".csv row") in r.err
    assert "Traceback" not in r.err


def test_not_an_xlsx(cli, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("hello", encoding="utf-8")
    r = cli("run", "lifecycle", "--data", path)
    assert r.code == 1 and "not a readable .xlsx workbook" in r.err


def test_where_names_rows_by_format(tmp_path):
    src = tmp_path / "a.csv"
    src.write_text('id,note\n1,"two\nlines"\n2,x\n', encoding="utf-8")
    table = rio.read_table(src)
    assert table.where(0) == "a.csv row 1 (line 2)"
    assert table.where(1) == "a.csv row 2 (line 4)"
    xlsx = tmp_path / "a.xlsx"
    rio.write_table(xlsx, table.columns, table.rows)
    assert rio.read_table(xlsx).where(1) == "a.xlsx row 2 (sheet row 3)"
