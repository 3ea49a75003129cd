"""`rulekit analyze` (what `check --analyze` runs): rules that can never fire, overlaps, gaps,
redundant conditions, duplicates and unused names, each proven by a solver and shown with an
example customer the engine reproduces."""

from __future__ import annotations

import datetime as dt
import enum
import json
from pathlib import Path
from typing import Annotated

import typer

import rulekit
from rulekit import render
from rulekit.analysis import RANK, TIMEOUT_MS, FileAnalysis, analysis_document
from rulekit.cli.app import Exit, Usage, app
from rulekit.cli.inputs import _read_rules, _rule_files
from rulekit.cli.options import Quiet, as_of_option
from rulekit.cli.output import _json_out, _plain
from rulekit.errors import RuleError
from rulekit.render import analysis as view
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
