"""The `rulekit` command line, through its entry point `rulekit.cli.main([...])`: every command
and option, and the error paths (exit 0 success, 1 rule/data errors, 2 usage errors)."""

from __future__ import annotations

import csv
import json

import pytest

import rulekit
import rulekit.cli.catalog as cli_catalog
import rulekit.cli.classify as cli_classify
from rulekit import io as rio

from .cli_support import AS_OF, FIXTURES, ROOT, cli_fixture  # noqa: F401

SAMPLE = "tests/fixtures/cli/customers_sample.csv"
ZH_SAMPLE = "tests/fixtures/cli/customers_zh_sample.csv"
ZH_RULES = "tests/fixtures/cli/zh_lifecycle.rules"
LIFECYCLE_SET = [
    "--set",
    "orders_count=12",
    "--set",
    "recency_days=20d",
    "--set",
    "tenure_days=700d",
    "--set",
    "frequency=3",
]


def sample_buyers() -> int:
    """Rows of SAMPLE with a purchase in the window: the customers rfm ranks."""
    return sum(1 for r in rio.read_table(ROOT / SAMPLE).rows if int(r["frequency"] or 0) > 0)


def bad_csv(tmp_path, rows=None):
    """The sample with `abc` in recency_days of data row 17 (line 18) and `12x` in row 20."""
    lines = list(csv.reader(open(ROOT / SAMPLE, encoding="utf-8")))
    i = lines[0].index("recency_days")
    lines[17][i] = "abc"
    lines[20][i] = "12x"
    path = tmp_path / "bad.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(lines)
    return path


# ================================================================ run


def test_run_previews_and_summarises(cli):
    r = cli("run", "lifecycle", "--data", SAMPLE, "--as-of", AS_OF, "--preview", "3")
    assert r.code == 0, r.err
    assert "customer_id" in r.out and "C000001" in r.out and "C000004" not in r.out
    assert "first 3 of 30 rows" in r.out
    rs = rulekit.load("lifecycle")
    rows = rio.read_table(ROOT / SAMPLE).rows
    batch = rs.classify_many(rows, as_of=AS_OF)
    c = batch.counts
    assert (
        f"rows in {c['rows_in']} = labelled {c['labelled']} + no label {c['unlabelled']} "
        f"+ set aside 0"
    ) in r.out
    for label in rs.labels:
        n = sum(1 for d in batch.decisions if d.label == label)
        assert any(
            line.split()[:1] == [label] and f" {n} " in line for line in r.out.splitlines()
        ), label
    assert "as of 2024-06-30 (pinned with --as-of)" in r.out


def test_run_summary_says_which_date_when_not_pinned(cli):
    import datetime as dt

    r = cli("run", "lifecycle", "--data", SAMPLE, "--preview", "0")
    assert r.code == 0
    assert f"as of {dt.date.today().isoformat()} (today; pin it with --as-of)" in r.out


def test_run_several_rulesets_give_one_column_pair_each(cli, tmp_path):
    out = tmp_path / "out.csv"
    r = cli(
        "run",
        "lifecycle",
        "rfm",
        "common_types_loyal_potential_price_sensitive",
        "--data",
        SAMPLE,
        "--out",
        out,
        "--as-of",
        AS_OF,
    )
    assert r.code == 0, r.err
    table = rio.read_table(out)
    src = rio.read_table(ROOT / SAMPLE)
    assert table.columns == src.columns + [
        "lifecycle_active_sleeping",
        "lifecycle_active_sleeping_rule",
        "rfm",
        "rfm_rule",
        *("rfm_r_score", "rfm_f_score", "rfm_m_score", "rfm_code", "rfm_action"),  # outputs
        "common_types_loyal_potential_price_sensitive",
        "common_types_loyal_potential_price_sensitive_rule",
    ]
    assert [r_[c] for r_ in table.rows for c in src.columns] == [
        r_[c] for r_ in src.rows for c in src.columns
    ]
    # hit all: the label cell is a list (JSON text in a CSV), the rules likewise
    multi = [
        json.loads(r_["common_types_loyal_potential_price_sensitive"])
        for r_ in table.rows
        if r_["common_types_loyal_potential_price_sensitive"]
    ]
    assert multi and all(isinstance(x, list) for x in multi)
    # the rule column names the deciding rule
    rs = rulekit.load("lifecycle")
    names = {ref.name for ref in rs.rule_refs}
    assert {r_["lifecycle_active_sleeping_rule"] for r_ in table.rows} - {None} <= names
    assert "wrote 30 rows to" in r.out


def test_run_maps_chinese_headers_through_from(cli):
    r = cli("run", ZH_RULES, "--data", ZH_SAMPLE, "--as-of", AS_OF, "--preview", "2")
    assert r.code == 0, r.err
    assert "客户编号" in r.out and "生命周期" in r.out
    rs = rulekit.load(ROOT / ZH_RULES)
    batch = rs.classify_many(rio.read_table(ROOT / ZH_SAMPLE).rows, as_of=AS_OF)
    assert batch.counts["labelled"] == 30
    assert "rows in 30 = labelled 30 + no label 0 + set aside 0" in r.out
    assert "沉睡客户" in r.out


def test_run_warns_when_no_column_matches(cli):
    r = cli("run", "lifecycle", "--data", ZH_SAMPLE, "--as-of", AS_OF, "--preview", "0")
    assert r.code == 0
    assert "none of the columns ruleset lifecycle_active_sleeping reads" in r.err
    assert "from 最近购买天数" in r.err


def test_run_bad_record_fails_naming_row_line_and_field(cli, tmp_path):
    r = cli("run", "lifecycle", "--data", bad_csv(tmp_path), "--as-of", AS_OF)
    assert r.code == 1
    assert "bad.csv row 17 (line 18), field recency_days: 'abc' is not a duration" in r.err
    assert "--on-error skip" in r.err and "Traceback" not in r.err


def test_run_skip_sets_bad_rows_aside_and_counts_reconcile(cli, tmp_path):
    r = cli(
        "run",
        "lifecycle",
        "--data",
        bad_csv(tmp_path),
        "--as-of",
        AS_OF,
        "--on-error",
        "skip",
        "--preview",
        "0",
    )
    assert r.code == 0, r.err
    assert "set aside 2" in r.out
    line = next(x for x in r.out.splitlines() if x.startswith("rows in"))
    nums = [int(t.replace(",", "")) for t in line.split() if t.replace(",", "").isdigit()]
    assert nums[0] == sum(nums[1:]) == 30
    assert "set aside: ruleset lifecycle_active_sleeping: bad.csv row 20 (line 21)" in r.err


def test_run_quarantine_writes_rejected_rows_with_reasons(cli, tmp_path):
    out = tmp_path / "labelled.jsonl"
    r = cli(
        "run",
        "lifecycle",
        "--data",
        bad_csv(tmp_path),
        "--as-of",
        AS_OF,
        "--on-error",
        "quarantine",
        "--out",
        out,
    )
    assert r.code == 0, r.err
    rejected = tmp_path / "labelled.rejected.jsonl"
    assert f"wrote 2 rejected rows with their reasons to {rejected}" in r.out
    rows = rio.read_table(rejected).rows
    assert [
        (x["rejected_row"], x["rejected_line"], x["rejected_field"], x["rejected_value"])
        for x in rows
    ] == [(17, 18, "recency_days", "abc"), (20, 21, "recency_days", "12x")]
    assert "is not a duration" in rows[0]["rejected_reason"]
    assert rows[0]["customer_id"] == "C000017"
    labelled = rio.read_table(out).rows
    assert len(labelled) == 30 and labelled[16]["lifecycle_active_sleeping"] is None


def test_run_quarantine_needs_out(cli):
    r = cli("run", "lifecycle", "--data", SAMPLE, "--on-error", "quarantine")
    assert r.code == 2 and "needs --out FILE" in r.err


@pytest.mark.parametrize(
    "args,message",
    [
        (["--data", "nope.csv"], "--data nope.csv: no such file"),
        (["--data", "README.md"], "cannot tell the format from the extension '.md'"),
        (["--data", SAMPLE, "--out", "x.csv.7z"], "cannot tell the format from the extension"),
        (["--data", SAMPLE, "--out", "no/such/dir/x.csv"], "does not exist"),
        (["--data", SAMPLE, "--as-of", "2024/06/30"], "write it as YYYY-MM-DD"),
        (["--data", SAMPLE, "--on-error", "ignore"], "'ignore' is not one of"),
        (["--data", SAMPLE, "--engine", "gpu"], "'gpu' is not one of"),
        (["--data", SAMPLE, "--population", "nope.json"], "no such file"),
        ([], "give the customers with --data FILE, or raw orders with --transactions"),
    ],
)
def test_run_usage_errors_exit_2(cli, args, message):
    r = cli("run", "lifecycle", *args)
    assert r.code == 2, (r.out, r.err)
    assert message in r.err
    assert "Traceback" not in r.err + r.out


def test_run_unknown_ruleset_suggests(cli):
    r = cli("run", "lifecycel", "--data", SAMPLE)
    assert r.code == 2
    assert "did you mean 'lifecycle'?" in r.err


def test_run_same_ruleset_twice_is_a_usage_error(cli):
    r = cli("run", "lifecycle", "lifecycle_active_sleeping", "--data", SAMPLE)
    assert r.code == 2 and "both ruleset lifecycle_active_sleeping" in r.err


def test_run_rule_file_with_errors_exits_1(cli):
    r = cli("run", "tests/fixtures/cli/broken.rules", "--data", SAMPLE)
    assert r.code == 1
    assert "error[unknown-field]" in r.err and "broken.rules:12:14" in r.err


def test_run_quiet_prints_nothing(cli, tmp_path):
    r = cli("run", "lifecycle", "--data", SAMPLE, "--out", tmp_path / "o.csv", "-q")
    assert r.code == 0 and r.out == "" and r.err == ""
    assert (tmp_path / "o.csv").exists()


def test_run_with_a_frozen_population(cli, tmp_path):
    rs = rulekit.load("rfm")
    rows = rio.read_table(ROOT / SAMPLE).rows
    frozen = rs.freeze(rows, as_of=AS_OF)
    frozen.save(tmp_path / "pop.json")
    out = tmp_path / "o.csv"
    r = cli(
        "run",
        "rfm",
        "--data",
        SAMPLE,
        "--population",
        tmp_path / "pop.json",
        "--as-of",
        AS_OF,
        "--out",
        out,
    )
    assert r.code == 0, r.err
    expected = rs.classify_many(rows[:5], as_of=AS_OF, population=frozen).labels
    assert [x["rfm"] or None for x in rio.read_table(out).rows[:5]] == expected


@pytest.mark.parametrize("engine", ["python", "auto"])
def test_run_engine_python_and_auto(cli, engine, tmp_path):
    out = tmp_path / "o.csv"
    r = cli(
        "run", "lifecycle", "--data", SAMPLE, "--engine", engine, "--out", out, "--as-of", AS_OF
    )
    assert r.code == 0, r.err
    rows = rio.read_table(ROOT / SAMPLE).rows
    labels = rulekit.load("lifecycle").classify_many(rows, as_of=AS_OF).labels
    assert [x["lifecycle_active_sleeping"] or None for x in rio.read_table(out).rows] == labels


def test_run_engine_duckdb_without_backend_is_a_usage_error(cli, monkeypatch):
    import importlib

    real = importlib.import_module

    def fake(name, *a, **k):
        if name == "duckdb":
            raise ImportError("No module named 'duckdb'")
        return real(name, *a, **k)

    monkeypatch.setattr(cli_classify.importlib, "import_module", fake)
    r = cli("run", "lifecycle", "--data", SAMPLE, "--engine", "duckdb")
    assert r.code == 2 and "--engine duckdb is not available" in r.err
    r = cli("run", "lifecycle", "--data", SAMPLE, "--engine", "auto", "--preview", "0")
    assert r.code == 0, r.err


def test_run_output_is_atomic(cli, tmp_path, monkeypatch):
    import tempfile

    crash_dir = tmp_path / "crash"
    crash_dir.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(crash_dir))
    out = tmp_path / "o.csv"
    out.write_text("old content\n", encoding="utf-8")
    real = rio.cell_text
    calls = {"n": 0}

    def crash(value):
        calls["n"] += 1
        if calls["n"] > 50:
            raise RuntimeError("disk on fire")
        return real(value)

    monkeypatch.setattr(rio.writer, "cell_text", crash)  # what the writer calls
    r = cli(
        "run", "lifecycle", "--data", SAMPLE, "--out", out, "--as-of", AS_OF, "--engine", "python"
    )
    assert r.code == 70
    assert "internal error: RuntimeError: disk on fire" in r.err
    assert "Traceback" not in r.err and "report it on" in r.err
    assert out.read_text(encoding="utf-8") == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crash", "o.csv"]


def test_duckdb_run_output_is_atomic(cli, tmp_path, monkeypatch):
    """DuckDB writes the output file itself: a crash after its COPY leaves the old file."""
    from rulekit.engines import duckdb_copy as files  # where the COPY runs

    out = tmp_path / "o.csv"
    out.write_text("old content\n", encoding="utf-8")
    real = files._run

    def crash(con, sql, what):
        result = real(con, sql, what)
        if sql.startswith("COPY"):
            assert any(p.name.endswith(".tmp") for p in tmp_path.iterdir())  # it was written
            raise RuntimeError("disk on fire")
        return result

    monkeypatch.setattr(files, "_run", crash)
    r = cli(
        "run", "lifecycle", "--data", SAMPLE, "--out", out, "--as-of", AS_OF, "--engine", "duckdb"
    )
    assert r.code == 70 and "internal error: RuntimeError: disk on fire" in r.err
    assert out.read_text(encoding="utf-8") == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.csv"]


def test_run_large_input_is_chunked_with_the_same_labels(cli, tmp_path, monkeypatch):
    """Chunked classification (used for the progress bar) ranks against the whole input."""
    import datetime as dt

    from rulekit.engines.python import BatchResult

    rows = [dict(r) for r in rio.read_table(ROOT / "examples/data/customers.csv").rows[:400]]
    for i, (column, value) in enumerate(
        [("recency_days", "abc"), ("monetary", "x"), ("frequency", "1.5"), ("orders_count", "?")]
    ):
        rows[7 + 50 * i][column] = value
    today = dt.date(2024, 6, 30)
    monkeypatch.setattr(cli_classify, "CHUNK", 64)

    class Progress:
        def add_task(self, *a, **k):
            return 1

        def advance(self, *a):
            pass

        def remove_task(self, *a):
            pass

    for ref in ("rfm", "lifecycle", "abc_analysis"):
        rs = rulekit.load(ref)
        got = cli_classify._classify(rs, rows, today, "skip", "python", None, Progress())
        want = rs.classify_many(rows, as_of=today, on_error="skip")
        assert isinstance(got, BatchResult)
        assert got.labels == want.labels, ref
        assert [(b.index, b.field) for b in got.rejected] == [
            (b.index, b.field) for b in want.rejected
        ], ref
        try:
            rs.classify_many(rows, as_of=today)
        except rulekit.RecordError as e:
            with pytest.raises(rulekit.RecordError) as got_error:
                cli_classify._classify(rs, rows, today, "fail", "python", None, Progress())
            assert (got_error.value.bad.index, got_error.value.bad.field) == (
                e.bad.index,
                e.bad.field,
            )


# ================================================================ explain


def test_explain_set_and_why_not(cli):
    r = cli("explain", "lifecycle", *LIFECYCLE_SET, "--as-of", AS_OF, "--why-not", "active")
    assert r.code == 0, r.err
    out = r.out
    assert out.index("decision") < out.index("Rules, in evaluation order")
    assert "old  老客户 · Old customer" in out
    assert "购买过多次  rulesets/lifecycle_active_sleeping.rules:48" in out
    assert "recency_days = 20 days, dormant_after = 180 days  → false" in out
    assert "frequency = 3 orders/window, needs ≥ 4 orders/window: 1 more" in out
    assert "Why not active" in out


def test_explain_marks_rules_never_reached(cli):
    r = cli(
        "explain",
        "lifecycle",
        "--set",
        "orders_count=3",
        "--set",
        "recency_days=200",
        "--as-of",
        AS_OF,
        "--why-not",
        "old",
    )
    assert r.code == 0, r.err
    assert "2. 刚开始购买或只买过一次 → new 新客户  line 46  not reached" in r.out
    assert "an earlier rule would still win (hit first): 购买过但长时间未购买 → sleeping" in r.out


def test_explain_agrees_with_run_for_every_row(cli, tmp_path):
    out = tmp_path / "o.csv"
    assert cli("run", "rfm", "--data", SAMPLE, "--out", out, "--as-of", AS_OF).code == 0
    for row in rio.read_table(out).rows[:8]:
        r = cli(
            "explain",
            "rfm",
            "--data",
            SAMPLE,
            "--id",
            row["customer_id"],
            "--as-of",
            AS_OF,
            "--format",
            "json",
        )
        assert r.code == 0, r.err
        assert json.loads(r.out)["decision"]["label"] == (row["rfm"] or None)


def test_explain_record_json(cli):
    r = cli(
        "explain",
        "lifecycle",
        "--record",
        '{"orders_count": 1, "recency_days": 200, "tenure_days": 200}',
        "--as-of",
        AS_OF,
        "--format",
        "json",
    )
    assert r.code == 0, r.err
    d = json.loads(r.out)
    assert d["format"] == "rulekit-explanation/1"
    assert d["decision"]["label"] == "sleeping"
    assert d["input"] == {"record": "given on the command line"}


def test_explain_data_row_by_id_with_population(cli):
    r = cli("explain", "rfm", "--data", SAMPLE, "--id", "C000002", "--as-of", AS_OF)
    assert r.code == 0, r.err
    assert "customers_sample.csv row 2 (line 3) · customer_id = C000002" in r.out
    flat = " ".join(r.out.split())  # the text wraps where the terminal width says
    assert f"= 3 of {sample_buyers()}" in flat and sample_buyers() < 30  # F, among buyers


def test_explain_id_column(cli):
    r = cli(
        "explain",
        ZH_RULES,
        "--data",
        ZH_SAMPLE,
        "--id",
        "7",
        "--id-column",
        "订单总数",
        "--as-of",
        AS_OF,
        "--format",
        "json",
    )
    assert r.code == 0, r.err
    d = json.loads(r.out)
    assert d["input"]["id_column"] == "订单总数"
    assert next(f for f in d["fields"] if f["name"] == "订单数")["value"] == 7


def test_explain_frozen_population(cli, tmp_path):
    rs = rulekit.load("rfm")
    rs.freeze(rio.read_table(ROOT / SAMPLE).rows, as_of=AS_OF).save(tmp_path / "pop.json")
    r = cli(
        "explain",
        "rfm",
        "--set",
        "recency_days=10",
        "--set",
        "frequency=9",
        "--set",
        "monetary=9000",
        "--population",
        tmp_path / "pop.json",
        "--as-of",
        AS_OF,
    )
    assert r.code == 0, r.err
    assert "frozen population pop.json (30 records, as of 2024-06-30)" in r.out
    assert f"of {sample_buyers()}\n" in r.out.replace(" customers", "")


def test_explain_let_can_be_given(cli):
    r = cli(
        "explain",
        "rfm",
        "--set",
        "r_score=5",
        "--set",
        "f_score=5",
        "--set",
        "m_score=1",
        "--as-of",
        AS_OF,
        "--format",
        "json",
    )
    assert r.code == 0, r.err
    d = json.loads(r.out)
    assert d["decision"]["label"] == "general_value"
    assert {x["name"]: x["given"] for x in d["lets"]}["r_score"] is True


def test_explain_missing_value(cli):
    r = cli(
        "explain",
        "lifecycle",
        "--set",
        "orders_count=2",
        "--set",
        "recency_days=missing",
        "--as-of",
        AS_OF,
    )
    assert r.code == 0, r.err
    assert "recency_days = missing" in r.out and "→ unknown" in r.out


@pytest.mark.parametrize(
    "args,message",
    [
        (["--record", "{recency: 200}"], "--record is not valid JSON"),
        (["--record", "[1, 2]"], "--record must be a JSON object"),
        (
            ["--record", '{"recency": 200}'],
            "no field or let 'recency'; did you mean 'recency_days'?",
        ),
        (["--set", "recency=200d"], "no field or let 'recency'; did you mean 'recency_days'?"),
        (["--set", "recency_days"], "write it as FIELD=VALUE"),
        (["--set", "recency_days=abc"], "'abc' is not a duration"),
        (
            ["--set", "orders_count=1", "--why-not", "actve"],
            "no label 'actve'; did you mean 'active'?",
        ),
        ([], "give the record to explain"),
        (["--id", "C000001"], "--id picks a row of a data file"),
        (
            ["--data", SAMPLE, "--id", "C999"],
            "no row of customers_sample.csv has customer_id = 'C999'",
        ),
        (
            ["--data", SAMPLE, "--id", "C1", "--id-column", "custmer_id"],
            "did you mean 'customer_id'",
        ),
        (["--data", "nope.csv", "--id", "C1"], "--data nope.csv: no such file"),
        (["--set", "orders_count=1", "--as-of", "30.6.2024"], "write it as YYYY-MM-DD"),
        (["--set", "orders_count=1", "--format", "yaml"], "'yaml' is not one of"),
    ],
)
def test_explain_usage_errors_exit_2(cli, args, message):
    r = cli("explain", "lifecycle", *args)
    assert r.code == 2, (r.out, r.err)
    assert message in r.err
    assert "Traceback" not in r.err


def test_explain_bad_row_in_data_names_row_and_field(cli, tmp_path):
    r = cli(
        "explain", "lifecycle", "--data", bad_csv(tmp_path), "--id", "C000017", "--as-of", AS_OF
    )
    assert r.code == 1
    assert "bad.csv row 17 (line 18), field recency_days: 'abc' is not a duration" in r.err
    assert "--set recency_days=VALUE" in r.err


def test_explain_bad_data_row_can_be_overridden(cli, tmp_path):
    r = cli(
        "explain",
        "lifecycle",
        "--data",
        bad_csv(tmp_path),
        "--id",
        "C000017",
        "--set",
        "recency_days=10",
        "--as-of",
        AS_OF,
    )
    assert r.code == 0, r.err
    assert "with --set values" in r.out


def test_explain_why_not_default_label(cli):
    r = cli(
        "explain",
        "abc_analysis",
        "--set",
        "monetary=1",
        "--data",
        SAMPLE,
        "--why-not",
        "c_ordinary",
        "--as-of",
        AS_OF,
        "--format",
        "json",
    )
    assert r.code == 0, r.err
    d = json.loads(r.out)
    assert d["why_not"]["already"] is True


def test_explain_why_not_in_api_has_symbols_and_blockers():
    rs = rulekit.load("lifecycle")
    wn = rs.why_not(
        {"orders_count": 3, "recency_days": 200, "tenure_days": 500, "frequency": 1},
        "old",
        as_of=AS_OF,
    )
    (rule,) = wn.rules
    assert rule.result is True
    assert rule.blocking == [
        {"name": "购买过但长时间未购买", "file": rs.path, "line": 45, "label": "sleeping"}
    ]
    wn = rs.why_not(
        {"orders_count": 3, "recency_days": 20, "tenure_days": 500, "frequency": 1},
        "active",
        as_of=AS_OF,
    )
    assert [x.needs for x in wn.rules[0].needs] == [
        "frequency = 1 order/window, needs ≥ 4 orders/window: 3 more"
    ]


# ================================================================ check


def test_check_clean_files(cli):
    r = cli("check", "tests/fixtures/cli/lifecycle.rules", ZH_RULES, "--strict")
    assert r.code == 0
    assert r.out.strip() == "2 files checked: 0 errors, 0 warnings"


def test_check_reports_every_error_with_caret_and_hint(cli):
    r = cli("check", "tests/fixtures/cli/broken.rules")
    assert r.code == 1
    assert "--> tests/fixtures/cli/broken.rules:12:14" in r.out
    assert "^^^^^^^^" in r.out and "hint: did you mean `frequency`?" in r.out
    assert r.out.rstrip().endswith("1 file checked: 4 errors, 0 warnings")


def test_check_strict_requires_declarations(cli, tmp_path):
    path = tmp_path / "loose.rules"
    path.write_text("IF recency > 180d THEN sleeping\n", encoding="utf-8")
    assert cli("check", path).code == 0
    r = cli("check", path, "--strict")
    assert r.code == 1 and "error[undeclared]" in r.out


def test_check_json(cli):
    r = cli("check", "tests/fixtures/cli/broken.rules", "--format", "json")
    assert r.code == 1
    d = json.loads(r.out)
    assert d["errors"] == 4 and d["format"] == "rulekit-check/1"
    first = d["diagnostics"][0]
    assert set(first) == {
        "code",
        "severity",
        "file",
        "line",
        "column",
        "end",
        "message",
        "label",
        "hint",
    }
    assert first["end"] == {"line": 11, "column": 26}


def test_check_directory_and_shipped_id(cli):
    r = cli("check", "rulesets", "rfm", "-q")
    assert r.code == 0 and r.out == ""


def test_check_warnings_alone_exit_0(cli, tmp_path):
    path = tmp_path / "w.rules"
    path.write_text('label a "A"\nlabel b "B"\nIF x > 1 THEN a\n', encoding="utf-8")
    r = cli("check", path)
    assert r.code == 0 and "warning[unused-label]" in r.out
    assert "0 errors, 1 warning" in r.out


@pytest.mark.parametrize(
    "args,message",
    [
        (["nope.rules"], "nope.rules: no such rule file"),
        (["nosuchruleset"], "neither a rule file nor a shipped ruleset"),
    ],
)
def test_check_usage_errors(cli, args, message):
    r = cli("check", *args)
    assert r.code == 2 and message in r.err


def test_check_without_files_prints_help(cli):
    r = cli("check")
    assert r.code == 2 and "Examples" in r.out


def test_check_non_utf8_file(cli, tmp_path):
    # GBK, UTF-16 … are read (tests/test_trust.py); bytes no encoding explains are rejected.
    path = tmp_path / "bad.rules"
    path.write_bytes(b"IF a > 180d THEN \x80\xff\n")
    r = cli("check", path)
    assert r.code == 1 and "not UTF-8" in r.err


# ================================================================ test

FAILING = """ruleset t "测试"
field recency : duration "最近购买" unit "days"
field frequency : integer "购买次数" unit "orders"
rule "半年未购买" if recency > 180d then sleeping
rule "高频" if frequency >= 12 then active
rule "低频" if frequency < 2 then rare
example "ok" given recency = 200d, frequency = 3 as of 2024-06-30 expect sleeping
example "wrong" given recency = 20d, frequency = 13 as of 2024-06-30 expect sleeping
"""


def test_test_passes_and_reports_coverage(cli):
    r = cli("test", "tests/fixtures/cli/lifecycle.rules", ZH_RULES)
    assert r.code == 0, r.out
    assert "10/10 examples passed · rules exercised 4/4" in r.out
    assert r.out.rstrip().endswith("14 passed, 0 failed")


def test_test_failure_shows_expected_actual_and_why(cli, tmp_path):
    path = tmp_path / "t.rules"
    path.write_text(FAILING, encoding="utf-8")
    r = cli("test", path)
    assert r.code == 1
    assert "expected: sleeping" in r.out and "actual:   active" in r.out
    assert "why active:" in r.out
    assert "✓ 2. 高频 → active  line 5  decided" in r.out
    assert "not exercised by any example: rule 低频" in r.out
    assert r.out.rstrip().endswith("1 passed, 1 failed")


def test_test_json(cli, tmp_path):
    path = tmp_path / "t.rules"
    path.write_text(FAILING, encoding="utf-8")
    r = cli("test", path, "--format", "json")
    assert r.code == 1
    d = json.loads(r.out)
    assert (d["passed"], d["failed"], d["rules"], d["rules_exercised"]) == (1, 1, 3, 2)
    wrong = d["files"][0]["examples"][1]
    assert wrong["expected"] == ["sleeping"] and wrong["actual"] == ["active"]
    assert wrong["explanation"]["decision"]["label"] == "active"


def test_test_rule_errors_fail(cli):
    r = cli("test", "tests/fixtures/cli/broken.rules")
    assert r.code == 1 and "error[unknown-field]" in r.out
    assert "(1 file with rule errors)" in r.out


def test_test_shipped_directory(cli):
    r = cli("test", "rulesets", "-q")
    assert r.code == 0, r.out
    assert r.out.strip().endswith("0 failed")


def test_test_missing_path(cli):
    r = cli("test", "no/such/dir")
    assert r.code == 2


# ================================================================ list and show


def test_list(cli):
    r = cli("list")
    assert r.code == 0
    assert "abc_analysis" in r.out and "RFM分析法" in r.out and "(lifecycle)" in r.out
    assert "shipped rulesets; `rulekit show ID` shows one" in r.out


def test_list_json(cli):
    r = cli("list", "--format", "json")
    d = json.loads(r.out)
    ids = {e["id"] for e in d["rulesets"]}
    assert len(ids) == len(list((ROOT / "rulesets").glob("*.rules")))
    rfm = next(e for e in d["rulesets"] if e["id"] == "rfm")
    assert rfm["display"] == "RFM分析法" and rfm["hit"] == "first" and rfm["labels"] == 8


def test_show(cli):
    r = cli("show", "lifecycle")
    assert r.code == 0
    for text in (
        "lifecycle_active_sleeping",
        "Fields (4)",
        "距上次购买天数",
        "duration",
        "Labels (4)",
        "沉睡客户",
        "strategy:",
        "Rules (4, hit first)",
        "orders_count >= 2",
        "Examples (10)",
        "半年以上未购买",
    ):
        assert text in r.out, text


def test_show_json(cli):
    d = json.loads(cli("show", "rfm", "--format", "json").out)
    assert d["id"] == "rfm" and len(d["labels"]) == 8 and len(d["rules"]) == 8
    assert d["labels"][0]["strategy"]


def test_show_unknown(cli):
    r = cli("show", "rfn")
    assert r.code == 2 and "did you mean 'rfm'?" in r.err


# ================================================================ entry point


def test_no_arguments_prints_help(cli):
    r = cli()
    assert r.code == 2 and "run" in r.out and "explain" in r.out


def test_help_of_every_command_has_an_example(cli):
    for command in ("run", "explain", "check", "test", "list", "show"):
        r = cli(command, "--help")
        assert r.code == 0
        assert "Examples" in r.out and f"rulekit {command}" in r.out, command


def test_version(cli):
    r = cli("--version")
    assert r.code == 0 and r.out.strip() == f"rulekit {rulekit.__version__}"


def test_unknown_command_and_option(cli):
    r = cli("classify")
    assert r.code == 2 and "No such command 'classify'" in r.err
    r = cli("list", "--bogus")
    assert r.code == 2 and "No such option: --bogus" in r.err
    assert "rulekit list --help" in r.err


def test_internal_error_says_so_without_traceback(cli, monkeypatch, tmp_path):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def boom(*a, **k):
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(cli_catalog.render, "ruleset_entry", boom)
    r = cli("list")
    assert r.code == 70
    assert "internal error: ZeroDivisionError: oops" in r.err
    assert "This is a bug in rulekit" in r.err and "Traceback" not in r.err
    saved = r.err.split("details saved in ")[1].split()[0].rstrip(".")
    assert "ZeroDivisionError" in open(saved, encoding="utf-8").read()


def test_no_color_and_non_tty_output_is_plain(cli, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    r = cli("explain", "lifecycle", *LIFECYCLE_SET, "--as-of", AS_OF)
    assert r.code == 0 and "\x1b[" not in r.out
    monkeypatch.delenv("NO_COLOR")
    r = cli("explain", "lifecycle", *LIFECYCLE_SET, "--as-of", AS_OF)
    assert "\x1b[" in r.out  # FORCE_COLOR without NO_COLOR does color


def test_chinese_aligns_in_tables_by_display_width(cli):
    from rich.cells import cell_len

    r = cli("run", ZH_RULES, "--data", ZH_SAMPLE, "--as-of", AS_OF, "--preview", "0")
    rows = [
        line
        for line in r.out.splitlines()
        if line.split()[:1] and line.split()[0] in ("沉睡客户", "重要客户", "新客户", "普通客户")
    ]
    assert len(rows) == 4
    # the count column ends in the same display cell on every row
    ends = {cell_len(line[: line.index("%") + 1]) for line in rows}
    assert len(ends) == 1


def test_python_m_rulekit_entry_point():
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "rulekit", "check", "rfm"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert proc.returncode == 0 and "1 file checked: 0 errors" in proc.stdout
    assert FIXTURES.is_dir()


# ================================================================ more paths


def test_run_hit_unique_conflict_names_the_rules(cli, tmp_path):
    rules = tmp_path / "u.rules"
    rules.write_text("hit unique\nif x > 1 then a\nif x > 2 then b\n", encoding="utf-8")
    data = tmp_path / "u.csv"
    data.write_text("x\n5\n1\n", encoding="utf-8")
    r = cli("run", rules, "--data", data)
    assert r.code == 1
    assert "u.csv row 1 (line 2): hit unique: more than one rule matched" in r.err
    assert "Make the rules exclusive" in r.err
    r = cli("run", rules, "--data", data, "--on-error", "skip", "--preview", "0")
    assert r.code == 0 and "rows in 2 = labelled 0 + no label 1 + set aside 1" in r.out


def test_explain_population_from_another_data_file(cli):
    r = cli(
        "explain",
        "rfm",
        "--set",
        "recency_days=10",
        "--set",
        "frequency=9",
        "--set",
        "monetary=9000",
        "--population",
        SAMPLE,
        "--as-of",
        AS_OF,
        "--format",
        "json",
    )
    assert r.code == 0, r.err
    d = json.loads(r.out)
    assert d["input"]["population"] == "customers_sample.csv (30 rows)"
    assert {p["of"] for let in d["lets"] for p in let["population"]} == {sample_buyers()}


def test_explain_rule_file_with_errors_exits_1(cli):
    r = cli("explain", "tests/fixtures/cli/broken.rules", "--set", "recency=1")
    assert r.code == 1 and "error[type-mismatch]" in r.err
    assert "4 errors in the rule file" in r.err


def test_explain_without_population_notes_it(cli):
    r = cli("explain", "rfm", "--set", "recency_days=10", "--as-of", AS_OF)
    assert r.code == 0
    assert "ranked only against itself" in r.err
    assert "population  the record alone" in r.out


def test_unwritable_output_is_an_error_not_a_crash(cli, tmp_path, monkeypatch):
    def denied(*a, **k):
        raise PermissionError(13, "Permission denied", str(tmp_path / "o.csv"))

    monkeypatch.setattr(rio.TableWriter, "__init__", denied)  # every output goes through it
    r = cli("run", "lifecycle", "--data", SAMPLE, "--out", tmp_path / "o.csv")
    assert r.code == 1
    assert "cannot read or write" in r.err and "Permission denied" in r.err
