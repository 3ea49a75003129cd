"""DuckDB reading files itself (CSV, JSON Lines, Parquet) gives the Python engine's answer on
the rows `rulekit.io` reads from the same file: row for row, in input order, with the same
rejected rows, and counts that reconcile — through the API (classify_many on a path) and
file to file (run_file, COPY)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings

import rulekit
from rulekit import io as rio
from rulekit.engines import classify_with_engine, duckdb_engine, run_file
from rulekit.errors import RecordError

from .conftest import EXAMPLES, RULESETS
from .test_differential import AS_OF, record_batches

SETTINGS = dict(
    deadline=None,
    max_examples=8,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)

MIXED = """
ruleset mixed "混合"
hit first
default other
field amount : number "金额" from 金额
field visits : integer
field since : duration
field vip : boolean
field city : string
field kind : string one of ["a", "b", "c"]
field joined : date
let share = percentile(amount)
rule "大额" if amount >= 1000 and share > 50 then big
rule "常客" if visits >= 12 or since > 180d then loyal
rule "会员" if vip and city in ["北京", "上海"] then member
rule "新" if joined > 2024-01-01 and kind != "c" then fresh
"""


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, list):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def write(records: list[dict], path: Path) -> Path:
    columns = list(dict.fromkeys(k for r in records for k in r))
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(columns)
            for r in records:
                w.writerow([_text(r.get(c)) for c in columns])
    elif path.suffix == ".jsonl":
        with path.open("w", encoding="utf-8") as f:
            for r in records:
                f.write(
                    json.dumps(
                        {
                            k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v)
                            for k, v in r.items()
                        },
                        ensure_ascii=False,
                        allow_nan=False,
                    )
                    + "\n"
                )
    else:  # Parquet: a column keeps its type when it has one, else it is text
        arrays = {}
        for c in columns:
            values = [r.get(c) for r in records]
            kinds = {type(v) for v in values if v is not None}
            try:  # one Python type: a typed column (pyarrow would read ints as dates)
                if len(kinds) > 1:
                    raise pa.ArrowTypeError(c)
                arrays[c] = pa.array(values)
            except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
                arrays[c] = pa.array([None if v is None else _text(v) for v in values])
        pq.write_table(pa.table(arrays), path)
    return path


def python_answer(rs, path, on_error="skip"):
    rows = rio.read_table(path).rows
    try:
        result = rs.classify_many(rows, as_of=AS_OF, on_error=on_error)
    except RecordError as e:
        return ("stopped", e.bad.index, e.bad.field)
    return _summary(result)


def _summary(result):
    return (
        [None if d is None else (d.labels, [r.name for r in d.rules]) for d in result.decisions],
        [(b.index, b.field, b.reason) for b in result.rejected],
        result.counts,
    )


def duckdb_answer(rs, path, on_error="skip"):
    try:
        result = classify_with_engine(rs, str(path), AS_OF, None, on_error, "duckdb")
    except RecordError as e:
        return ("stopped", e.bad.index, e.bad.field)
    return _summary(result)


def _clean(records):
    """JSON holds no NaN or infinity (a file writes them as missing here)."""
    out = []
    for r in records:
        out.append(
            {
                k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in r.items()
            }
        )
    return out


FORMATS = [".csv", ".jsonl", ".parquet"]


@pytest.mark.parametrize("suffix", FORMATS)
def test_files_same_answer_as_python(tmp_path, suffix):
    rs = rulekit.compile(MIXED, "mixed.rules")

    @settings(**SETTINGS)
    @given(record_batches(rs.program, min_size=1, max_size=25))
    def check(records):
        path = write(_clean(records), tmp_path / f"data{suffix}")
        expected = python_answer(rs, path)
        assert duckdb_answer(rs, path) == expected
        assert duckdb_answer(rs, path, "fail") == python_answer(rs, path, "fail")
        # file to file: the rejected rows' reasons are worded by the SQL itself
        summary = run_file(rs, path, tmp_path / f"out{suffix}", as_of=AS_OF, on_error="quarantine")
        assert summary.counts == expected[2]
        if summary.rejected_path:
            rows = rio.read_table(summary.rejected_path).rows
            got = [
                (int(r["rejected_row"]) - 1, r["rejected_field"], r["rejected_reason"])
                for r in rows
            ]
            assert got == expected[1]

    check()


@pytest.mark.parametrize(
    "ruleset", ["rfm", "lifecycle_stage", "customer_value_assessment", "bank_transaction_anomaly"]
)
def test_bundled_customers_csv(ruleset):
    rs = rulekit.load(ruleset)
    path = EXAMPLES / "data" / "customers.csv"
    assert duckdb_answer(rs, path) == python_answer(rs, path)


def test_chinese_headers_from_columns():
    """customers_zh.csv names its columns in Chinese; `from` maps the fields to them."""
    rs = rulekit.compile(
        """
        field recency : duration from 最近购买天数
        field freq : integer from 购买次数
        field spend : number from 累计消费金额
        let r = score(-recency, 5)
        if r >= 4 and freq >= 3 then good
        if spend > 1000 then rich
        """,
        "zh.rules",
    )
    path = EXAMPLES / "data" / "customers_zh.csv"
    assert duckdb_answer(rs, path) == python_answer(rs, path)


@pytest.mark.parametrize("suffix", FORMATS)
def test_run_file_writes_python_labels_in_input_order(tmp_path, suffix):
    rs = rulekit.load(RULESETS / "rfm.rules")
    src = rio.read_table(EXAMPLES / "data" / "customers.csv")
    rows = src.rows[:600]
    data = write(rows, tmp_path / f"in{suffix}")
    out = tmp_path / f"out{suffix}"
    summary = run_file(rs, data, out, as_of=AS_OF)
    expected = rs.classify_many(rio.read_table(data).rows, as_of=AS_OF)
    got = rio.read_table(out)
    assert [r["customer_id"] for r in got.rows] == [r["customer_id"] for r in rows]
    labels = [r["rfm"] or None for r in got.rows]
    assert labels == expected.labels
    assert [r["rfm_rule"] or None for r in got.rows] == [
        d.rule.name if d.rule else None for d in expected.decisions
    ]
    assert summary.counts == expected.counts
    assert summary.rows_in == summary.labelled + summary.unlabelled + summary.rejected


def test_run_file_quarantine_reconciles(tmp_path):
    rs = rulekit.compile(MIXED, "mixed.rules")
    records = [
        {
            "金额": "1200",
            "visits": "3",
            "since": "20",
            "vip": "是",
            "city": "北京",
            "kind": "a",
            "joined": "2024-03-01",
        },
        {
            "金额": "abc",
            "visits": "3",
            "since": "20",
            "vip": "否",
            "city": "x",
            "kind": "a",
            "joined": "2023-03-01",
        },  # a bad population argument: rejected, out of the population
        {
            "金额": "10",
            "visits": "12.5",
            "since": "200",
            "vip": "",
            "city": "",
            "kind": "z",
            "joined": "",
        },
        {
            "金额": "5000",
            "visits": "30",
            "since": "6mo",
            "vip": "maybe",
            "city": "上海",
            "kind": "b",
            "joined": "2024-06-01",
        },
        {
            "金额": "",
            "visits": "",
            "since": "1y",
            "vip": "yes",
            "city": "上海",
            "kind": "c",
            "joined": "2024-02-30",
        },
    ]
    data = write(records, tmp_path / "in.csv")
    out = tmp_path / "out.csv"
    summary = run_file(rs, data, out, as_of=AS_OF, on_error="quarantine")
    expected = rs.classify_many(rio.read_table(data).rows, as_of=AS_OF, on_error="skip")
    assert summary.counts == expected.counts
    rejected = rio.read_table(Path(summary.rejected_path)).rows
    assert [
        (int(r["rejected_row"]) - 1, r["rejected_field"], r["rejected_reason"]) for r in rejected
    ] == [(b.index, b.field, b.reason) for b in expected.rejected]
    assert all(r["rejected_ruleset"] == "mixed" for r in rejected)
    assert [r["金额"] for r in rejected] == [records[b.index]["金额"] for b in expected.rejected]
    written = rio.read_table(out).rows  # every row, as `rulekit run` writes it
    assert len(written) == summary.rows_in == len(records)
    assert [r["mixed"] or None for r in written] == expected.labels
    assert all(
        not written[b.index]["mixed"] and not written[b.index]["mixed_rule"]
        for b in expected.rejected
    )
    with pytest.raises(RecordError) as stop:
        run_file(rs, data, tmp_path / "never.csv", as_of=AS_OF)
    assert stop.value.bad.index == 1 and stop.value.bad.field == "amount"
    assert not (tmp_path / "never.csv").exists()


def test_identifiers_keep_their_text(tmp_path):
    data = tmp_path / "ids.csv"
    data.write_text("customer_id,recency_days\n00001,200\n0042,10\n", encoding="utf-8")
    rs = rulekit.compile("IF recency_days > 180d THEN sleeping", "t.rules")
    out = tmp_path / "out.parquet"
    run_file(rs, data, out, as_of=AS_OF)
    table = pq.read_table(out).to_pylist()
    assert [r["customer_id"] for r in table] == ["00001", "0042"]
    assert [r[rs.id] for r in table] == ["sleeping", None]


def test_hit_all_and_unique_files(tmp_path):
    text = """field x : number
    field s : string
    rule "大" if x > 10 then big
    rule "很大" if x > 100 then big
    rule "北" if s = "北" then north
    """
    rows = [
        {"x": "5", "s": "北"},
        {"x": "500", "s": "北"},
        {"x": "", "s": ""},
        {"x": "50", "s": "南"},
    ]
    data = write(rows, tmp_path / "in.csv")
    for hit in ("all", "unique", "priority"):
        rs = rulekit.compile(f"hit {hit}\n{text}", "t.rules")
        assert duckdb_answer(rs, data) == python_answer(rs, data)
        out = tmp_path / f"out_{hit}.parquet"
        summary = run_file(rs, data, out, as_of=AS_OF, on_error="skip")
        expected = rs.classify_many(rio.read_table(data).rows, as_of=AS_OF, on_error="skip")
        assert summary.counts == expected.counts
        got = pq.read_table(out).to_pylist()
        assert len(got) == len(rows)  # a set-aside row stays, with no label
        if hit == "all":
            assert [r[rs.id] for r in got] == [
                list(d.labels) or None if d else None for d in expected.decisions
            ]
            assert [r[rs.id + "_rule"] for r in got] == [
                [x.name for x in d.rules] or None if d else None for d in expected.decisions
            ]
        else:
            assert [r[rs.id] for r in got] == expected.labels


def test_read_records_matches_cli_reader(tmp_path):
    rows = [{"a": "1", "b": "x"}, {"a": "", "b": "中文"}]
    for suffix in FORMATS:
        path = write(rows, tmp_path / f"r{suffix}")
        assert duckdb_engine.read_records(path) == rio.read_table(path).rows


def test_auto_engine_uses_duckdb_for_files_and_big_batches(tmp_path):
    from rulekit.engines import AUTO_MIN_ROWS, choose_engine

    assert choose_engine(str(tmp_path / "x.csv"), "auto") == "duckdb"
    assert choose_engine([{}] * 10, "auto") == "python"
    assert choose_engine([{}] * AUTO_MIN_ROWS, "auto") == "python"  # records stay in Python
    assert choose_engine([{}] * AUTO_MIN_ROWS, "auto", ranked=True) == "duckdb"  # …unless ranked
    assert choose_engine([{}] * (AUTO_MIN_ROWS - 1), "auto", ranked=True) == "python"
    assert choose_engine(iter([{}]), "auto") == "python"
    with pytest.raises(rulekit.RulekitError):
        choose_engine([], "spark")
