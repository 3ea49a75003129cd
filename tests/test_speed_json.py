"""JSON Lines at DuckDB's speed gives the lenient reading's answers: a plain value (a missing
key, `null`, plain digits, `true`/`false`, a string without escapes, an ISO date) takes the fast
path (one cast of its JSON text), every other value of the same column the full reading.
Checked against the Python engine on the same file: labels, rules, bad-record reasons, the
quarantine file and the summary's counts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import rulekit
from rulekit import RecordError
from rulekit import io as rio
from rulekit.compile.sql.duckdb import DuckDBGenerator
from rulekit.compile.sql.relation import Column, Relation, Source
from rulekit.engines import run_file
from rulekit.model.reading import ReadOptions

RULES = """
ruleset mixed "混合"
hit first
default regular
field recency : duration from recency_days
field frequency : integer
field monetary : number
field member : boolean
field joined : date
field region : text
rule "prospect" if frequency = 0 then prospect
rule "churned" if recency > 365d then churned
rule "vip" if monetary >= 50000 then vip
rule "member" if member and joined >= 2024-01-01 then new_member
rule "north" if region = "north" then northern
"""

AS_OF = "2024-06-30"
_ABSENT = object()  # the key is left out of the object

# per column: plain values (the fast path) and values only the full reading reads or rejects
VALUES: dict[str, list[Any]] = {
    "recency_days": [
        12,
        400,
        None,
        _ABSENT,
        " 30 ",
        "200d",
        5.0,
        "NA",
        "１２",
        "",
        1e300,
        -0.0,
        1e3,
    ],
    "frequency": [0, 7, 25, 12.0, 12.5, "1,000", "+3", True, None, "", "0x10", 2**70, "7"],
    "monetary": [
        60000,
        10.5,
        "¥1,200",
        "1.2万",
        "12%",
        1e5,
        "nan",
        "—",
        _ABSENT,
        5e4,
        "x",
        [1],
        -3,
    ],
    "member": [True, False, 1, 0, "Y", "no", "是", " yes ", "maybe", None, "TRUE", 1.0, {"a": 1}],
    "joined": [
        "2024-03-01",
        "2023-12-31",
        "2024-1-5",
        "2024/02/03",
        "0000-01-01",
        "2024-02-30",
        "2024-05-06T10:00",
        "20240105",
        "",
        None,
        20240105,
        _ABSENT,
        "2024-03-01 ",
    ],
    "region": [
        "north",
        "south",
        "",
        "no\\rth",
        'n"orth',
        12,
        1.5,
        None,
        True,
        "北",
        " north",
        [],
        _ABSENT,
    ],
}
N = 13


def _write(path: Path, n: int = N * N) -> None:
    """Every value of every column meets every other column's values (13 is prime: each pair of
    the first two columns meets once in 169 rows)."""
    names = list(VALUES)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            row: dict[str, Any] = {"id": f"{i:05d}"}
            for k, c in enumerate(names):
                value = VALUES[c][(i * (k + 1) + i // N) % N]
                if value is not _ABSENT:
                    row[c] = value
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("speed") / "mixed.jsonl"
    _write(path)
    return path


@pytest.mark.parametrize("on_error", ["skip", "quarantine"])
def test_mixed_values_read_as_the_python_engine_reads_them(data, tmp_path, on_error):
    rs = rulekit.compile(RULES)
    rows = rio.read_table(data).rows
    expected = rs.classify_many(rows, as_of=AS_OF, on_error="skip")
    out = tmp_path / "out.jsonl"
    summary = run_file(rs, data, out, as_of=AS_OF, on_error=on_error)
    got = rio.read_table(out).rows
    bad = {b.index for b in expected.rejected}
    assert 0 < len(bad) < len(rows), "the fixture must have good and bad rows"
    assert len(got) == len(rows)
    for i, (row, d) in enumerate(zip(got, expected.decisions, strict=True)):
        want = (None, None) if i in bad else (d.label, d.rule.name if d.rule else None)
        assert (row["mixed"] or None, row["mixed_rule"] or None) == want, (i, rows[i])
    assert summary.rejected == len(bad)
    if on_error == "quarantine":
        rejected = rio.read_table(summary.rejected_path).rows
        assert [
            (int(r["rejected_row"]) - 1, r["rejected_field"], r["rejected_reason"])
            for r in rejected
        ] == [(b.index, b.field, b.reason) for b in expected.rejected]


def test_classify_many_of_the_path_on_duckdb_agrees(data):
    rs = rulekit.compile(RULES)
    rows = rio.read_table(data).rows
    expected = rs.classify_many(rows, as_of=AS_OF, on_error="skip")
    duck = rs.classify_many(str(data), as_of=AS_OF, on_error="skip", engine="duckdb")
    assert duck.labels == expected.labels
    assert [d.rule.name if d and d.rule else None for d in duck.decisions] == [
        d.rule.name if d and d.rule else None for d in expected.decisions
    ]
    assert [(b.index, b.field, b.reason) for b in duck.rejected] == [
        (b.index, b.field, b.reason) for b in expected.rejected
    ]


ONE_FIELD = {
    "recency_days": ("duration", "x > 365d"),
    "frequency": ("integer", "x > 10"),
    "monetary": ("number", "x >= 50000"),
    "member": ("boolean", "x"),
    "joined": ("date", "x >= 2024-01-01"),
    "region": ("text", 'x = "north"'),
}


@pytest.mark.parametrize("column", list(ONE_FIELD))
def test_each_value_alone_reads_as_on_the_python_engine(data, column):
    """One field at a time, so that no earlier bad field hides a value's reading."""
    type_, cond = ONE_FIELD[column]
    rs = rulekit.compile(
        f"ruleset one\nhit first\ndefault no\nfield x : {type_} from {column}\n"
        f'rule "yes" if {cond} then yes\nrule "gone" if x is missing then gone\n'
    )
    rows = rio.read_table(data).rows
    expected = rs.classify_many(rows, as_of=AS_OF, on_error="skip")
    duck = rs.classify_many(str(data), as_of=AS_OF, on_error="skip", engine="duckdb")
    assert duck.labels == expected.labels
    assert [(b.index, b.reason) for b in duck.rejected] == [
        (b.index, b.reason) for b in expected.rejected
    ]


def test_fail_stops_at_the_python_engines_first_bad_row(data, tmp_path):
    rs = rulekit.compile(RULES)
    rows = rio.read_table(data).rows
    with pytest.raises(RecordError) as python:
        rs.classify_many(rows, as_of=AS_OF, on_error="fail")
    out = tmp_path / "out.parquet"
    with pytest.raises(RecordError) as duck:
        run_file(rs, data, out, as_of=AS_OF, on_error="fail")
    assert (duck.value.bad.index, duck.value.bad.reason) == (
        python.value.bad.index,
        python.value.bad.reason,
    )


def test_plain_values_take_one_cast_and_the_others_the_full_reading():
    """The generated SQL: a plain-value test per JSON column, and the full reading's type tag
    and text only where it fails."""
    rs = rulekit.compile(RULES)
    gen = DuckDBGenerator(rs.program)
    cols = {c: Column(c, "json") for c in ["id", *VALUES]}
    sql = gen.labelled_sql(Source(Relation(path="x.jsonl", format="json"), cols))
    assert sql.count('_fast" THEN') >= 6
    assert 'TRY_CAST(CAST("frequency" AS VARCHAR) AS BIGINT)' in sql
    assert 'CASE WHEN "rk_1_fast" THEN NULL ELSE CASE json_type("frequency")' in sql


def test_options_that_change_plain_numbers_turn_the_fast_path_off():
    rs = rulekit.compile(RULES)
    cols = {c: Column(c, "json") for c in VALUES}
    src = Source(Relation(path="x.jsonl", format="json"), cols)
    for opts in [ReadOptions(decimal_comma=True), ReadOptions(na=("-1",))]:
        gen = DuckDBGenerator(rs.program)
        gen.read_options = opts
        sql = gen.labelled_sql(src)
        assert 'TRY_CAST(CAST("monetary" AS VARCHAR) AS DOUBLE)' not in sql, opts
