"""`rulekit run --engine python` reads, classifies and writes in chunks (issue 13 item 6): the
same output file, rejected-rows file, summary JSON and messages whether the file is one chunk
or many (RULEKIT_CHUNK_ROWS), in input order, under every --on-error; and the progress bar
(forced with --progress, as on a terminal)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from rulekit import io as rio
from tests.cli_support import AS_OF, ROOT, cli_fixture  # noqa: F401 (the cli fixture)

SAMPLE = ROOT / "tests" / "fixtures" / "cli" / "customers_sample.csv"
BAD = {4: ("recency_days", "abc"), 11: ("monetary", "12,34"), 23: ("orders_count", "many")}


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 30 sample customers twice (60 rows), three of them with a value no policy reads."""
    rows = list(csv.DictReader(SAMPLE.open(encoding="utf-8")))
    rows = [dict(r, customer_id=f"{r['customer_id']}-{k}") for k in (1, 2) for r in rows]
    for i, (column, value) in BAD.items():
        rows[i][column] = value
    path = tmp_path_factory.mktemp("stream") / "customers.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _as(path: Path, fmt: str, work: Path) -> Path:
    """The CSV as another input format (typed values in Parquet and JSON Lines)."""
    table = rio.read_table(path)
    target = work / f"customers.{fmt}"
    if fmt == "jsonl":
        with target.open("w", encoding="utf-8") as f:
            for row in table.rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        rio.write_table(target, table.columns, table.rows)
    return target


def _run(cli, monkeypatch, chunk: str, data: Path, out: Path, *extra: str):
    monkeypatch.setenv("RULEKIT_CHUNK_ROWS", chunk)
    summary = out.with_name(out.name + ".summary.json")
    r = cli(
        "run", "lifecycle", "rfm", "--data", data, "--out", out, "--as-of", AS_OF,
        "--engine", "python", "--summary-json", summary, *extra,
    )  # fmt: skip
    files = {}
    for p in sorted(out.parent.glob("o.*")):
        if p.suffix == ".json":
            document = json.loads(p.read_text(encoding="utf-8"))
            document["output"] = None  # one/ or many/
            for s in document["rulesets"]:
                s["seconds"] = None
            files[p.name] = document
        else:
            files[p.name] = rio.read_table(p).rows
    return r, files


def test_chunks_are_the_file_in_order(messy):
    stream = rio.open_table(messy)
    chunks = list(stream.chunks(7))
    assert [len(c.rows) for c in chunks] == [7] * 8 + [4]
    assert [c.start for c in chunks] == list(range(0, 60, 7))
    whole = rio.read_table(messy)
    assert [r for c in chunks for r in c.rows] == whole.rows
    assert [line for c in chunks for line in c.lines or ()] == whole.lines


@pytest.mark.parametrize(
    ("fmt", "out_fmt"),
    [("csv", "csv"), ("jsonl", "parquet"), ("parquet", "parquet"), ("xlsx", "xlsx")],
)
@pytest.mark.parametrize("on_error", ["skip", "quarantine"])
def test_many_chunks_give_the_one_chunk_output(
    cli, monkeypatch, tmp_path, messy, fmt, out_fmt, on_error
):
    data = messy if fmt == "csv" else _as(messy, fmt, tmp_path)
    (tmp_path / "one").mkdir()
    (tmp_path / "many").mkdir()
    args = ("--on-error", on_error)
    one, files_one = _run(cli, monkeypatch, "1000", data, tmp_path / "one" / f"o.{out_fmt}", *args)
    many, files_many = _run(cli, monkeypatch, "7", data, tmp_path / "many" / f"o.{out_fmt}", *args)
    assert one.code == many.code == 0, one.err + many.err
    assert files_many == files_one
    assert (
        many.out.replace("/many/", "/one/").split("classified in")[0]
        == (one.out.split("classified in")[0])
    )
    rows = files_one[f"o.{out_fmt}"]
    assert [r["customer_id"] for r in rows] == [r["customer_id"] for r in rio.read_table(data).rows]
    labelled = [r["rfm"] for i, r in enumerate(rows) if i not in BAD]
    assert any(labelled)  # rfm ranked against the whole file's populations
    assert not rows[4]["lifecycle_active_sleeping"] and not rows[11]["rfm"]  # set aside
    if on_error == "quarantine":
        rejected = files_one[f"o.rejected.{out_fmt}"]
        assert sorted({int(r["rejected_row"]) for r in rejected}) == [i + 1 for i in sorted(BAD)]
    summary = files_one[f"o.{out_fmt}.summary.json"]["rulesets"][0]
    assert (
        summary["rows_in"]
        == 60
        == summary["labelled"] + summary["unlabelled"] + summary["rejected"]
    )


def test_fail_stops_at_the_first_bad_row_in_any_chunk(cli, monkeypatch, tmp_path, messy):
    out = tmp_path / "o.csv"
    r, _ = _run(cli, monkeypatch, "3", messy, out)
    assert r.code == 1
    assert "customers.csv row 5 (line 6), field recency_days" in r.err
    assert not out.exists()  # nothing half-written


def test_progress_is_drawn_when_forced(cli, monkeypatch, tmp_path, messy):
    monkeypatch.setenv("RULEKIT_CHUNK_ROWS", "7")
    r = cli(
        "run", "lifecycle", "--data", messy, "--out", tmp_path / "o.csv", "--as-of", AS_OF,
        "--engine", "python", "--on-error", "skip", "--progress",
    )  # fmt: skip
    assert r.code == 0
    assert "classifying customers.csv" in r.err
    assert "60 rows" in r.err and "rows/s" in r.err
    quiet = cli(
        "run", "lifecycle", "--data", messy, "--out", tmp_path / "o.csv", "--as-of", AS_OF,
        "--engine", "python", "--on-error", "skip",
    )  # fmt: skip
    assert "rows/s" not in quiet.err  # not a terminal: no bar
