"""`rulekit analyze` (what `check --analyze` runs): rules that can never fire, overlaps, gaps,
redundant conditions, duplicates and unused names, each proven by a solver and shown with an
example customer the engine reproduces."""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

import rulekit
from rulekit import render
from rulekit.analysis import RANK, TIMEOUT_MS, FileAnalysis, analysis_document
from rulekit.analysis.diff import Transitions, compare, diff_document, transitions, why_moved
from rulekit.cli.app import Exit, Usage, app
from rulekit.cli.classify import _engine
from rulekit.cli.inputs import _as_of, _load, _read, _read_rules, _rule_files
from rulekit.cli.options import (
    AsOf,
    Engine,
    Fmt,
    Format,
    Quiet,
    RulesetArg,
    as_of_option,
    data_option,
    engine_option,
)
from rulekit.cli.output import _json_out, _plain, _print
from rulekit.documents import json_value
from rulekit.errors import RuleError
from rulekit.render import analysis as view
from rulekit.render import analysis_html
from rulekit.source import Source


class AnalysisFormat(enum.StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"


class FailOn(enum.StrEnum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


AnalysisFmt = Annotated[
    AnalysisFormat,
    typer.Option("--format", help="text, json (rulekit-analysis/1) or sarif (SARIF 2.1.0)."),
]
FailOnOpt = Annotated[
    FailOn,
    typer.Option(
        "--fail-on",
        help="Exit 1 on an open finding this severe or worse: error (default), warning, info, "
        "never.",
    ),
]
Timeout = Annotated[
    int,
    typer.Option("--timeout", metavar="MS", help="Solver time limit per question, milliseconds."),
]
AnalysisAsOf = Annotated[
    str | None,
    as_of_option("Analyse `today` and days_since at this date only. Default: every date."),
]


def analyse_paths(
    paths: list[Path], as_of: str | None, timeout: int
) -> tuple[list[str], list[FileAnalysis], list[str]]:
    """Shown names, the analyses of the files that compile, and the rule errors of the others."""
    from rulekit.check.params import is_params_program

    shown: list[str] = []
    done: list[FileAnalysis] = []
    errors: list[str] = []
    for path in paths:
        name = render.show_path(path)
        shown.append(name)
        try:
            rs = rulekit.compile(_read_rules(path), name)
        except RuleError as e:
            errors.append(e.render())
            continue
        if is_params_program(rs.program):  # a parameters file: constants, nothing to analyse
            shown.pop()
            continue
        if rs.named:  # named decisions: one analysis each (analysis/decisions.py)
            from rulekit.analysis.analyzer import analyze_parts

            done.extend(analyze_parts(rs, as_of, timeout))
        else:
            done.append(rs.analyze(as_of=as_of, timeout_ms=timeout))
    return shown, done, errors


def print_analysis(
    done: list[FileAnalysis], fmt: AnalysisFormat, min_severity: str, quiet: bool
) -> None:
    doc = analysis_document(done)
    if fmt is AnalysisFormat.json:
        _json_out(doc)
        return
    if fmt is AnalysisFormat.sarif:
        _plain(json.dumps(view.sarif(doc, rulekit.__version__), ensure_ascii=False, indent=2))
        return
    for fa, file_doc in zip(done, doc["files"], strict=True):
        text = view.file_text(
            file_doc,
            Source(fa.ruleset.program.source.text, fa.file),
            "error" if quiet else min_severity,
        )
        if text:
            _plain(text)
            _plain("")
    c = view.counts(doc)
    if not quiet:
        _plain(
            f"analysis of {render.plural(len(done), 'file')}: "
            f"{render.plural(c['error'], 'error')}, {render.plural(c['warning'], 'warning')}, "
            f"{c['info']} info, {c['accepted']} accepted"
        )


def check_options(as_of: str | None, timeout: int) -> None:
    if timeout <= 0:
        raise Usage("--timeout must be a positive number of milliseconds, such as 2000")
    if as_of is not None:
        try:
            dt.date.fromisoformat(as_of)
        except ValueError:
            raise Usage(f"--as-of {as_of!r} is not a date; write it as YYYY-MM-DD") from None


def failed(done: list[FileAnalysis], fail_on: FailOn) -> bool:
    if fail_on is FailOn.never:
        return False
    return any(fa.fails(fail_on.value) for fa in done)


@app.command(no_args_is_help=True)
def analyze(
    files: Annotated[
        list[str],
        typer.Argument(metavar="FILE", help="Rule files, directories, or shipped ruleset ids."),
    ],
    fmt: AnalysisFmt = AnalysisFormat.text,
    fail_on: FailOnOpt = FailOn.error,
    as_of: AnalysisAsOf = None,
    timeout: Timeout = TIMEOUT_MS,
    quiet: Quiet = False,
) -> None:
    """Find rules that can never fire, overlaps, gaps and other silent mistakes, each with an
    example customer the engine reproduces (or the proof that none exists).

    Findings: unreachable, contradiction, overlap (errors); gap, redundant-condition,
    duplicate-rule, unused-label, unused-field (warnings); partially-shadowed (info). Accept an
    intentional one with a comment `# allow: KIND — reason` on or above the rule. Exits with 1
    on an open error (or on what --fail-on names). Same as `rulekit check --analyze`.

    [bold]Examples[/bold]

    $ rulekit analyze rulesets/
    $ rulekit analyze my_rules.rules --format sarif > rulekit.sarif
    """
    check_options(as_of, timeout)
    paths = _rule_files(files)
    _, done, errors = analyse_paths(paths, as_of, timeout)
    for e in errors:
        _plain(e, err=True)
    print_analysis(done, fmt, "info", quiet)
    raise Exit(1 if errors or failed(done, fail_on) else 0)


def severity_at_least(severity: str, floor: str) -> bool:
    return RANK[severity] >= RANK[floor]


# ================================================================ coverage


HtmlOpt = Annotated[
    Path | None,
    typer.Option("--html", metavar="FILE", help="Also write a self-contained HTML report."),
]


@app.command(no_args_is_help=True)
def coverage(
    ruleset: RulesetArg,
    data: Annotated[str, data_option("The data file (CSV, JSON Lines, Parquet, Excel).")],
    as_of: AsOf = None,
    engine: Annotated[
        Engine, engine_option("Engine of the decisions; auto uses DuckDB when available.")
    ] = Engine.auto,
    fmt: Fmt = Format.text,
    html: HtmlOpt = None,
    quiet: Quiet = False,
) -> None:
    """Which rules fire on real data: per rule the rows it matched and decided, the rules that
    never fired, the rows that fell to the default, and the label distribution.

    [bold]Examples[/bold]

    $ rulekit coverage lifecycle --data examples/data/customers.csv --as-of 2024-06-30
    $ rulekit coverage rfm --data customers.csv --html coverage.html
    """
    rs = _load(ruleset)
    today = _as_of(as_of) or dt.date.today()
    rows = _read(data).rows
    batch = rs.classify_many(rows, today, on_error="skip", engine=_engine(engine.value))
    doc = rs.coverage(rows, today, batch).to_dict()
    if html is not None:
        html.write_text(analysis_html.coverage_html(doc), encoding="utf-8")
    if fmt is Format.json:
        _json_out(doc)
        raise Exit(0)
    table = Table(
        title=f"coverage of {doc['ruleset']} on {doc['rows']:,} rows (as of {doc['as_of']})"
    )
    for col in ("rule", "line", "label", "matched", "decided"):
        table.add_column(col, justify="right" if col in ("line", "matched", "decided") else "left")
    for r in doc["rules"]:
        style = "red" if r["matched"] == 0 else None
        table.add_row(
            r["name"],
            str(r["line"]),
            r["label"],
            f"{r['matched']:,}",
            f"{r['decided']:,}",
            style=style,
        )
    _print(table)
    if not quiet:
        never = ", ".join(doc["never_fired"]) or "none"
        _plain(f"rules that never fired: {never}")
        _plain(
            f"rows decided by no rule: {doc['default_rows']:,} got the default "
            f"({doc['default'] or 'none'}), {doc['unlabelled_rows']:,} no label; "
            f"bad rows: {doc['bad_rows']:,}"
        )
        _plain("labels: " + ", ".join(f"{k} {v:,}" for k, v in doc["labels"].items()))
        if html is not None:
            _plain(f"HTML report written to {html}")
    raise Exit(0)


# ================================================================ diff


@app.command(no_args_is_help=True)
def diff(
    old: Annotated[str, typer.Argument(metavar="OLD", help="The old rule file (or ruleset id).")],
    new: Annotated[str, typer.Argument(metavar="NEW", help="The new rule file (or ruleset id).")],
    data: Annotated[
        str | None, data_option("Also classify this data with both and count who moves.")
    ] = None,
    as_of: AsOf = None,
    engine: Annotated[
        Engine, engine_option("Engine for the data; auto uses DuckDB when available.")
    ] = Engine.auto,
    fmt: Fmt = Format.text,
    html: HtmlOpt = None,
    examples: Annotated[
        int, typer.Option("--examples", metavar="N", help="Example customers per changed cell.")
    ] = 3,
    fail_on_change: Annotated[
        bool,
        typer.Option("--fail-on-change", help="Exit 1 when any customer would change label."),
    ] = False,
    quiet: Quiet = False,
) -> None:
    """What changed between two versions of a ruleset: rules added, removed, reordered and
    changed (thresholds moved), labels renamed; with --data, the label transition matrix
    (old → new counts) and example customers per changed cell with why each moved.

    [bold]Examples[/bold]

    $ rulekit diff old.rules new.rules
    $ rulekit diff old.rules new.rules --data customers.csv --as-of 2024-06-30 --fail-on-change
    """
    if fail_on_change and data is None:
        raise Usage("--fail-on-change needs --data FILE: the customers whose labels are compared")
    if examples < 0:
        raise Usage("--examples must be 0 or more")
    a, b = _load(old), _load(new)
    today = _as_of(as_of) or dt.date.today()
    changes = compare(a, b)
    trans = None
    shown: dict[tuple[str, str], list[dict[str, Any]]] = {}
    if data is not None:
        trans, shown = _data_diff(a, b, data, today, _engine(engine.value), examples)
    doc = diff_document(a, b, changes, trans, shown)
    if html is not None:
        html.write_text(analysis_html.diff_html(doc), encoding="utf-8")
    code = 1 if fail_on_change and trans is not None and trans.changed else 0
    if fmt is Format.json:
        _json_out(doc)
        raise Exit(code)
    _diff_text(doc, quiet)
    if html is not None and not quiet:
        _plain(f"HTML report written to {html}")
    raise Exit(code)


def _data_diff(
    a: rulekit.Ruleset, b: rulekit.Ruleset, data: str, today: dt.date, engine: str, n: int
) -> tuple[Transitions, dict[tuple[str, str], list[dict[str, Any]]]]:
    if not Path(data).exists():
        raise Usage(f"--data {data}: no such file; check the path (it is relative to {Path.cwd()})")
    if engine == "python":
        rows = _read(data).rows
        ba = a.classify_many(rows, today, on_error="skip")
        bb = b.classify_many(rows, today, on_error="skip")
    else:  # DuckDB reads the file itself: nothing is loaded into Python
        ba = a.classify_many(data, today, on_error="skip", engine="duckdb")
        bb = b.classify_many(data, today, on_error="skip", engine="duckdb")
        rows = None
    trans = transitions(ba, bb, n)
    wanted = sorted({i for ix in trans.examples.values() for i in ix})
    if not wanted:
        return trans, {}
    if rows is None:
        rows = _read(data).rows  # only to explain the examples
    versions = [(rs, rs.freeze(rows, today) if rs.compiled.pop_keys else None) for rs in (a, b)]
    shown: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for cell, ix in trans.examples.items():
        shown[cell] = [
            {"row": i, "record": _json_record(rows[i]), "why": why_moved(versions, rows[i], today)}
            for i in ix
        ]
    return trans, shown


def _json_record(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: json_value(v) for k, v in row.items() if v not in (None, "")}


def _diff_text(doc: dict[str, Any], quiet: bool) -> None:
    _plain(f"{doc['old']['file']} → {doc['new']['file']}")
    if doc["hit"]:
        _plain(f"  hit policy: {doc['hit'][0]} → {doc['hit'][1]}")
    if doc["default"]:
        _plain(f"  default: {doc['default'][0]} → {doc['default'][1]}")
    for r in doc["rules"]:
        where = f"line {r['old_line']}" if r["old_line"] else f"new line {r['new_line']}"
        if r["change"] == "added":
            _plain(f"  + rule {r['name']} ({where}): {r['new']}")
        elif r["change"] == "removed":
            _plain(f"  - rule {r['name']} ({where}): {r['old']}")
        elif r["change"] == "changed":
            moved = "; ".join(f"{t['old']} → {t['new']}" for t in r["thresholds"])
            _plain(f"  ~ rule {r['name']} ({where}): {r['old']}  →  {r['new']}")
            if moved:
                _plain(f"      thresholds moved: {moved}")
        else:
            _plain(f"  ~ rule {r['name']} ({where}) {r['change']}: {r['old']} → {r['new']}")
    for let in doc["lets"]:
        _plain(f"  ~ let {let['name']}: {let['old']} → {let['new']}")
    labels = doc["labels"]
    for x in labels["added"]:
        _plain(f"  + label {x}")
    for x in labels["removed"]:
        _plain(f"  - label {x}")
    for x in labels["renamed"]:
        _plain(f"  ~ label renamed: {x['old']} → {x['new']}")
    if not (doc["rules"] or doc["lets"] or doc["hit"] or doc["default"] or any(labels.values())):
        _plain("  no change to the rules")
    d = doc["data"]
    if d is None:
        return
    cells = {(t["from"], t["to"]): t["count"] for t in d["transitions"]}
    froms = sorted({a for a, _ in cells})
    tos = sorted({b for _, b in cells})
    table = Table(title=f"label transitions: {d['changed']:,} of {d['rows']:,} customers move")
    table.add_column("old \\ new")
    for t in tos:
        table.add_column(t, justify="right")
    for f in froms:
        table.add_row(
            f,
            *[
                (f"{cells[(f, t)]:,}" if (f, t) in cells else "·")
                + ("" if f == t or (f, t) not in cells else " *")
                for t in tos
            ],
        )
    _print(table)
    if quiet:
        return
    for ex in d["examples"]:
        _plain(f"{ex['from']} → {ex['to']}:")
        for row in ex["rows"]:
            w = row["why"]
            _plain(
                f"  row {row['row'] + 1}: before by {w['old']['rule'] or 'no rule'}"
                f" ({w['old']['condition'] or '-'}); after by {w['new']['rule'] or 'no rule'}"
                f" ({w['new']['condition'] or '-'})"
            )
