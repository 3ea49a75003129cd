"""Public conformance suite: cases translated from public test material (the DMN TCK, SQL logic
tests on NULL, documented ranking examples), run on every engine: the Python engine, DuckDB on
in-memory records, and DuckDB over a JSON Lines file and over a CSV file (run_file). Expected
values come from the sources, never from rulekit; see README.md for where each case came from.

Case files (cases/*.json): {"source": ..., "skipped": [...], "cases": [case, ...]}; a case is
    name      unique within its file (the source's case id is in it)
    source    {"repo", "path", "case", ...}: where it came from
    rules     the rule file's text
    records   the records classified together (one run: population functions see them all)
    expect    per record: a label, null (no label), a list of labels (hit all), or
              {"bad": "<text in the reason>", "field": F} for a record the engine must set
              aside (field: optional, the field named)
    expect_rule  optional, per record: the deciding rule's name (null for none)
    xfail     optional: "<the rulekit bug in one line>", or {engine: reason} for some engines
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
from pathlib import Path

import pytest

import rulekit
from rulekit.engines import run_file

AS_OF = dt.date(2024, 6, 30)
CASES_DIR = Path(__file__).parent / "cases"
# duckdb-file: DuckDB reading a JSON Lines file (typed values); duckdb-csv: the same over CSV,
# where every value is text and a missing value is an empty cell
# spark: the Spark engine on a typed DataFrame of the records (tests/spark/support.py; every
# case runs in a few batched Spark jobs, once per test run; skipped without pyspark or Java)
ENGINES = ["python", "duckdb", "duckdb-file", "duckdb-csv", "spark"]
BAD = object()  # marks a record set aside as bad: (BAD, (reason, field))


def load_cases():
    out = []
    for path in sorted(CASES_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        names = set()
        for case in data["cases"]:
            assert case["name"] not in names, f"duplicate case {case['name']} in {path.name}"
            names.add(case["name"])
            out.append((path.stem, case))
    return out


CASES = load_cases()


SPARK_SUITES = {"ranking"}  # the suites run on Spark by default (see spark_results)


def _params():
    params = []
    for suite, case in CASES:
        xfail = case.get("xfail")
        for engine in ENGINES:
            reason = xfail.get(engine) if isinstance(xfail, dict) else xfail
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(
                pytest.param(case, engine, id=f"{suite}:{case['name']}:{engine}", marks=marks)
            )
    return params


def _in_memory(rs, records, engine):
    result = rs.classify_many(records, as_of=AS_OF, on_error="skip", engine=engine)
    bad = {b.index: (b.reason, b.field) for b in result.rejected}
    out = []
    for i, d in enumerate(result.decisions):
        if i in bad:
            out.append((BAD, bad[i]))
        elif d is None:
            out.append((None, (), None))
        else:
            out.append((d.label, tuple(d.labels), d.rule.name if d.rule else None))
    return out


def _jsonable(v):
    return v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(_jsonable(v))


def _write(records, path: Path) -> None:
    if path.suffix == ".csv":
        columns = list(dict.fromkeys(k for r in records for k in r))
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(columns)
            for r in records:
                w.writerow([_cell(r.get(c)) for c in columns])
        return
    with path.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps({k: _jsonable(v) for k, v in r.items()}, ensure_ascii=False))
            f.write("\n")


def _file(rs, records, tmp_path: Path, suffix: str):
    src = tmp_path / f"in{suffix}"
    _write(records, src)
    out = tmp_path / "out.jsonl"
    summary = run_file(rs, src, out, as_of=AS_OF, on_error="quarantine")
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line]
    assert len(rows) == len(records)
    bad = {}
    if summary.rejected_path:
        for line in Path(summary.rejected_path).read_text(encoding="utf-8").splitlines():
            if line:
                r = json.loads(line)
                bad[int(r["rejected_row"]) - 1] = (
                    r["rejected_reason"],
                    r["rejected_field"] or None,
                )
    got = []
    for i, row in enumerate(rows):
        if i in bad:
            got.append((BAD, bad[i]))
            continue
        label, rule = row.get(rs.id), row.get(rs.id + "_rule")
        if isinstance(label, list):  # hit all: the labels, and the matching rules
            got.append((label[0] if label else None, tuple(label), rule[0] if rule else None))
        else:
            got.append((label, () if label is None else (label,), rule))
    return got


@pytest.fixture(scope="session")
def spark_results():
    """Every case classified on Spark at once (batched), by case name."""
    from tests.spark.support import classify_cases, skip_reason

    reason = skip_reason()
    if reason:
        pytest.skip(f"Spark tests skipped: {reason}")
    import os

    # this machine's budget: the ranking cases by default; RULEKIT_SPARK_FULL=1 runs them all
    full = os.environ.get("RULEKIT_SPARK_FULL") == "1"
    return classify_cases([c for s, c in CASES if full or s in SPARK_SUITES], AS_OF)


@functools.lru_cache(maxsize=64)
def _compiled(rules: str) -> rulekit.Ruleset:
    """One compile per case, shared by its engines (a case's tests run one after another)."""
    return rulekit.compile(rules, "case.rules")


@pytest.mark.parametrize(("case", "engine"), _params())
def test_case(case, engine, tmp_path, request):
    rs = _compiled(case["rules"])
    records = case["records"]
    if engine == "spark":
        results = request.getfixturevalue("spark_results")
        if case["name"] not in results:
            pytest.skip("Spark: this suite runs with RULEKIT_SPARK_FULL=1")
        got = results[case["name"]]
        assert not isinstance(got, str), got
        got = [(BAD, g[1]) if len(g) == 2 else g for g in got]
    elif engine == "duckdb-file":
        got = _file(rs, records, tmp_path, ".jsonl")
    elif engine == "duckdb-csv":
        got = _file(rs, records, tmp_path, ".csv")
    else:
        got = _in_memory(rs, records, engine)
    expect_rule = case.get("expect_rule") or [None] * len(records)
    for i, (want, g) in enumerate(zip(case["expect"], got, strict=True)):
        where = f"record {i} {records[i]!r}"
        if isinstance(want, dict):
            assert g[0] is BAD, f"{where}: expected a bad record, got {g}"
            reason, field = g[1]
            assert want["bad"] in reason, f"{where}: reason {reason!r}"
            if "field" in want:
                assert field == want["field"], f"{where}: field {field!r}"
            continue
        assert g[0] is not BAD, f"{where}: set aside as bad: {g[1]}"
        if isinstance(want, list):
            assert list(g[1]) == want, f"{where}: labels"
        else:
            assert g[0] == want, f"{where}: label"
        if case.get("expect_rule"):
            assert g[2] == expect_rule[i], f"{where}: deciding rule"
