"""The JSON documents (rulekit.documents): each is defined once, the API's to_dict() and the
command line's --format json give the same document, every document validates against its
type, and docs/schema/ holds the schemas the types generate."""

from __future__ import annotations

import json

import pytest

import rulekit
from rulekit import io as rio
from rulekit import render
from rulekit.documents import DOCUMENTS, show_path
from rulekit.documents.schema import SCHEMA_DIR, schema_texts, validate

from .cli_support import AS_OF, ROOT, cli_fixture  # noqa: F401

DATA = "examples/data/customers.csv"
FORMATS = {
    "decision": "rulekit-decision/1",
    "explanation": "rulekit-explanation/1",
    "why-not": "rulekit-why-not/1",
    "check": "rulekit-check/1",
    "run-summary": "rulekit-run-summary/1",
    "test": "rulekit-test/1",
    "analysis": "rulekit-analysis/1",
    "run-summaries": "rulekit-run-summaries/1",
}
UNIQUE = (
    'field a : integer "甲"\nhit unique\nif a > 1 then x\nif a > 2 then y\n'
    'example "冲突" given a = 5 expect x\n'
)


def _row(rows, ident: str) -> dict:
    return next(dict(r) for r in rows if r["customer_id"] == ident)


def _cli_json(cli, *args: str) -> dict:
    r = cli(*args, "--as-of", AS_OF, "--format", "json")
    assert r.code == 0, r.err
    return json.loads(r.out)


@pytest.mark.parametrize(
    ("ruleset", "ident", "label"),
    [
        ("lifecycle", "C000003", "active"),
        ("rfm", "C000002", "important_value"),
        ("value_tier", "C000010", None),
    ],
)
def test_explanation_to_dict_is_what_explain_prints(cli, ruleset, ident, label):
    args = ["explain", ruleset, "--data", DATA, "--id", ident]
    if label:
        args += ["--why-not", label]
    printed = _cli_json(cli, *args)
    rows = rio.read_table(ROOT / DATA).rows
    rs = rulekit.load(ruleset)
    record = _row(rows, ident)
    ex = rs.explain(record, as_of=AS_OF, batch=rows)
    assert printed.pop("input")["id"] == ident  # only the command line knows where it came from
    why = printed.pop("why_not", None)
    assert json.loads(json.dumps(ex.to_dict(), ensure_ascii=False)) == printed
    validate("explanation", ex.to_dict())
    if label:
        wn = rs.why_not(record, label, as_of=AS_OF, batch=rows)
        assert json.loads(json.dumps(wn.to_dict(), ensure_ascii=False)) == why
        validate("why-not", wn.to_dict())


def test_the_printed_explanation_validates_with_input_and_why_not(cli):
    printed = _cli_json(
        cli, "explain", "lifecycle", "--data", DATA, "--id", "C000003", "--why-not", "active"
    )
    validate("explanation", printed)
    assert printed["format"] == FORMATS["explanation"]
    assert printed["why_not"]["format"] == FORMATS["why-not"]


def test_decision_to_dict_is_the_decision_of_the_explanation():
    rs = rulekit.load("lifecycle")
    rec = {"orders_count": 3, "recency_days": 200, "tenure_days": 400, "frequency": 3}
    d = rs.classify(rec, as_of=AS_OF).to_dict()
    validate("decision", d)
    assert d.pop("format") == FORMATS["decision"]
    explained = rs.explain(rec, as_of=AS_OF).to_dict()["decision"]
    assert {k: explained[k] for k in d} == d


def test_a_conflict_and_hit_all_explain_as_valid_documents():
    rs = rulekit.compile(UNIQUE)
    ex = rs.explain({"a": 5})
    doc = ex.to_dict()
    validate("explanation", doc)
    assert doc["decision"]["error"] and doc["decision"]["labels"] == []
    many = rulekit.load("bank_transaction_anomaly")
    validate(
        "explanation",
        many.explain({"txn_amount": 50000, "hist_max_txn_amount": 1000}, as_of=AS_OF).to_dict(),
    )


def test_check_document_is_what_check_prints(cli):
    files = ["tests/fixtures/cli/broken.rules", "rulesets/lifecycle_active_sleeping.rules"]
    r = cli("check", "--strict", *files, "--format", "json")
    printed = json.loads(r.out)
    diagnostics = []
    for name in files:
        text = (ROOT / name).read_text(encoding="utf-8")
        diagnostics += rulekit.check_text(text, name, strict=True).diagnostics
    doc = render.check_json(files, diagnostics)
    assert doc == printed
    validate("check", doc)
    assert doc["format"] == FORMATS["check"] and doc["errors"] > 0


def test_diagnostic_to_dict_is_the_check_documents_diagnostic():
    program = rulekit.check_text('field a : number "甲"\nif b > 1 then x\n', "t.rules")
    d = program.diagnostics[0]
    assert d.to_dict() == render.check_json(["t.rules"], [d])["diagnostics"][0]
    assert d.to_dict()["end"] == {"line": 2, "column": 5}


def test_test_document_is_what_test_prints_and_examples_match_the_api(cli, tmp_path):
    failing = tmp_path / "failing.rules"
    failing.write_text(UNIQUE + 'example "错" given a = 0 expect y\n', encoding="utf-8")
    files = ["rulesets/lifecycle_active_sleeping.rules", str(failing)]
    r = cli("test", *files, "--format", "json")
    assert r.code == 1
    printed = json.loads(r.out)
    validate("test", printed)
    assert printed["format"] == FORMATS["test"] and printed["failed"] >= 1
    for f, name in zip(printed["files"], files, strict=True):
        results = rulekit.load(ROOT / name if not name.startswith("/") else name).test()
        assert f["examples"] == [e.to_dict() for e in results]
    failed = [e for f in printed["files"] for e in f["examples"] if not e["passed"]]
    assert failed and all(e["explanation"] is not None for e in failed)


def test_run_summary_of_a_batch():
    rows = rio.read_table(ROOT / DATA).rows
    rows = [dict(r) for r in rows[:50]] + [{"orders_count": "many"}]
    rs = rulekit.load("lifecycle")
    batch = rs.classify_many(rows, as_of=AS_OF, on_error="skip")
    s = batch.summary()
    validate("run-summary", s)
    assert s == render.summary_json(rs, batch)  # what `rulekit run` draws its table from
    assert s["format"] == FORMATS["run-summary"]
    assert s["rows_in"] == s["labelled"] + s["unlabelled"] + s["rejected"] == 51
    assert s["rejected"] == 1 and s["first_rejected"][0]["index"] == 50
    assert sum(x["count"] for x in s["labels"]) == s["labelled"]
    duck = rs.classify_many(rows, as_of=AS_OF, on_error="skip", engine="duckdb").summary()
    assert duck == s


def test_run_summary_of_a_file_run(tmp_path):
    rs = rulekit.load("lifecycle")
    out = tmp_path / "out.csv"
    summary = rulekit.engines.run_file(rs, ROOT / DATA, out, as_of=AS_OF)
    doc = summary.to_dict()
    validate("run-summary", doc)
    batch = rs.classify_many(rio.read_table(ROOT / DATA).rows, as_of=AS_OF)
    expected = batch.summary(summary.seconds)
    assert doc.pop("files") == {"input": str(ROOT / DATA), "output": str(out), "rejected": None}
    assert doc == expected


def test_a_document_with_an_unknown_key_or_no_format_does_not_validate():
    from pydantic import ValidationError

    doc = rulekit.load("lifecycle").classify({"orders_count": 1}, as_of=AS_OF).to_dict()
    with pytest.raises(ValidationError):
        validate("decision", {**doc, "extra": 1})
    del doc["format"]  # type: ignore[misc]
    with pytest.raises(ValidationError):
        validate("decision", doc)


def test_every_document_has_a_format_and_a_schema_file():
    assert set(DOCUMENTS) == set(FORMATS)
    for name, fmt in FORMATS.items():
        schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert schema["properties"]["format"] == {"const": fmt, "title": "Format", "type": "string"}


def test_schema_files_match_the_types():
    """docs/schema/ is generated: after changing a document type run
    `python -m rulekit.documents` and commit the result."""
    expected = schema_texts()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in SCHEMA_DIR.glob("*.schema.json")}
    assert on_disk == expected, "docs/schema/ is stale: run `python -m rulekit.documents`"


def test_show_path_is_relative_inside_the_current_directory(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert show_path(ROOT / "rulesets" / "x.rules") == "rulesets/x.rules"
    assert show_path("<string>") == "<string>"


def test_the_document_types_import_nothing_heavy():
    """rulekit.documents is foundation: loaded on its own (with its own submodules, imported
    relatively) it needs neither rulekit nor pydantic."""
    import subprocess
    import sys

    code = (
        "import importlib.util, sys\n"
        "spec = importlib.util.spec_from_file_location('d', 'rulekit/documents/__init__.py',\n"
        "    submodule_search_locations=['rulekit/documents'])\n"
        "module = sys.modules['d'] = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('pydantic', 'rulekit'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stderr
