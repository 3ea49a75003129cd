"""`rulekit check` (every problem in rule files, with file:line:col, a caret and a hint) and
`rulekit test` (every `example` in rule files run, and which rules no example exercises).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import RenderableType
from rich.padding import Padding
from rich.text import Text

import rulekit
from rulekit import render
from rulekit.analysis import TIMEOUT_MS, FileAnalysis
from rulekit.cli.analyze import (
    AnalysisAsOf,
    AnalysisFormat,
    FailOn,
    FailOnOpt,
    Timeout,
    analyse_paths,
    check_options,
    failed,
    print_analysis,
)
from rulekit.cli.app import Exit, app
from rulekit.cli.inputs import _read_rules, _rule_files, _test_overrides
from rulekit.cli.options import Fmt, Format, Params, Quiet
from rulekit.cli.output import _json_out, _plain, _print, ui
from rulekit.errors import Diagnostic, RuleError
from rulekit.i18n import gettext

if TYPE_CHECKING:
    from rulekit.engines.python import RuleRef


@app.command(no_args_is_help=True)
def check(
    files: Annotated[
        list[str],
        typer.Argument(metavar="FILE", help="Rule files, directories, or shipped ruleset ids."),
    ],
    strict: Annotated[
        bool, typer.Option("--strict", help="Also require every field and label to be declared.")
    ] = False,
    fmt: Fmt = Format.text,
    quiet: Quiet = False,
    analyze: Annotated[
        bool,
        typer.Option(
            "--analyze",
            help="Also prove which rules can never fire, overlaps, gaps and other silent "
            "mistakes (see rulekit analyze); --strict includes it. With --format json, prints "
            "the rulekit-analysis/1 document.",
        ),
    ] = False,
    fail_on: FailOnOpt = FailOn.error,
    as_of: AnalysisAsOf = None,
    timeout: Timeout = TIMEOUT_MS,
) -> None:
    """Check rule files: every problem with file:line:col, a caret under it, and a hint.

    Exits with 1 when any error is found (warnings alone exit 0). --strict also requires every field and label to be declared.

    [bold]Examples[/bold]

    $ rulekit check rulesets/ --strict
    $ rulekit check my_rules.rules --format json
    """
    ui.quiet = quiet
    paths = _rule_files(files)
    shown = [render.show_path(p) for p in paths]
    diags = []
    for path, name in zip(paths, shown, strict=True):
        diags.extend(rulekit.check_text(_read_rules(path), name, strict).diagnostics)
    errors = sum(d.severity == "error" for d in diags)
    analysed: list[FileAnalysis] = []
    if analyze or strict:
        check_options(as_of, timeout)
        clean = [p for p in paths if p not in _broken(paths, shown, diags)]
        analysed = analyse_paths(clean, as_of, timeout)[1]
    bad = errors or failed(analysed, fail_on)
    if fmt is Format.json:
        if analyze:
            print_analysis(analysed, AnalysisFormat.json, "info", quiet)
        else:
            _json_out(render.check_json(shown, diags))
        raise Exit(1 if bad else 0)
    for d in diags:
        if quiet and d.severity != "error":
            continue
        _plain(d.render())
        _plain("")
    if not quiet:
        _plain(
            gettext("{files} checked: {errors}, {warnings}").format(
                files=render.plural(len(paths), "file"),
                errors=render.plural(errors, "error"),
                warnings=render.plural(len(diags) - errors, "warning"),
            )
        )
    if analyze or any(fa.fails("error") for fa in analysed):
        # --strict alone shows the analysis's errors; --analyze shows every finding
        print_analysis(analysed, AnalysisFormat.text, "info" if analyze else "error", quiet)
    raise Exit(1 if bad else 0)


def _broken(paths: list[Path], shown: list[str], diags: list[Diagnostic]) -> set[Path]:
    """The files with an error (they are not analysed)."""
    names = {d.source.path for d in diags if d.severity == "error"}
    return {p for p, s in zip(paths, shown, strict=True) if s in names}


# ================================================================ test


@app.command("test", no_args_is_help=True)
def test_cmd(
    paths: Annotated[
        list[str],
        typer.Argument(metavar="FILE|DIR", help="Rule files, directories, or shipped ruleset ids."),
    ],
    fmt: Fmt = Format.text,
    quiet: Quiet = False,
    params: Params = None,
) -> None:
    """Run every `example` in the rule files, and report which rules no example exercises.

    A failure shows the expected and the actual label and the explanation of why the actual label was given. A rule is exercised when it decided at least one example. Exits with 1 on any failure.

    [bold]Examples[/bold]

    $ rulekit test rulesets/
    $ rulekit test my_rules.rules lifecycle
    """
    ui.quiet = quiet
    from rulekit.check.params import is_params_program

    files = _rule_files(paths)
    report: list[dict[str, Any]] = []
    overrides = _test_overrides(files, params)
    for path in list(files):
        name = render.show_path(path)
        try:
            rs = rulekit.compile(_read_rules(path), name, params=overrides.get(path))
        except RuleError as e:
            report.append({"file": name, "error": e.render(), "examples": [], "rules": []})
            continue
        if is_params_program(rs.program):  # a parameters file: no ruleset, nothing to test
            files.remove(path)
            continue
        results = rs.test()
        exercised: set[RuleRef] = set()
        for r in results:
            if r.explanation is not None and r.explanation.decision is not None:
                exercised.update(r.explanation.decision.rules)
        report.append(
            {
                "file": name,
                "ruleset": rs.id,
                "error": None,
                "examples": [r.to_dict() for r in results],
                "rules": [
                    {"name": ref.name, "line": ref.line, "exercised": ref in exercised}
                    for ref in rs.rule_refs
                ],
            }
        )
    examples = [e for f in report for e in f["examples"]]
    failed = sum(not e["passed"] for e in examples)
    broken = sum(f["error"] is not None for f in report)
    rules = [r for f in report for r in f["rules"]]
    covered = sum(r["exercised"] for r in rules)
    code = 1 if failed or broken else 0
    if fmt is Format.json:
        _json_out(
            {
                "format": "rulekit-test/1",
                "files": report,
                "passed": len(examples) - failed,
                "failed": failed,
                "broken_files": broken,
                "rules": len(rules),
                "rules_exercised": covered,
            }
        )
        raise Exit(code)
    for f in report:
        _print_test_file(f, quiet)
    if not quiet:
        _print(
            Text(
                gettext(
                    "{files}, {examples}; rules exercised by an example: {covered} of {rules}"
                ).format(
                    files=render.plural(len(files), "file"),
                    examples=render.plural(len(examples), "example"),
                    covered=f"{covered:,}",
                    rules=f"{len(rules):,}",
                )
            )
        )
    summary = gettext("{passed} passed, {failed} failed").format(
        passed=len(examples) - failed, failed=failed
    )
    if broken:
        summary += gettext(" ({files} with rule errors)").format(
            files=render.plural(broken, "file")
        )
    _plain(summary)
    raise Exit(code)


def _print_test_file(f: dict[str, Any], quiet: bool) -> None:
    if f["error"] is not None:
        _print(Text(gettext("ERROR") + " ", style="bold red").append(f["file"], style="bold"))
        _plain(f["error"])
        _plain("")
        return
    failed = [e for e in f["examples"] if not e["passed"]]
    missing = [r for r in f["rules"] if not r["exercised"]]
    if quiet and not failed:
        return
    n = len(f["examples"])
    head = Text("FAIL " if failed else "ok   ", style="bold red" if failed else "green")
    head.append(f["file"], style="bold")
    head.append(
        "  "
        + gettext("{passed}/{total} examples passed · rules exercised {covered}/{rules}").format(
            passed=n - len(failed),
            total=n,
            covered=len(f["rules"]) - len(missing),
            rules=len(f["rules"]),
        ),
        style="dim",
    )
    _print(head)
    for e in failed:
        _print(Padding(_failure_view(e), (0, 0, 0, 4)))
    if missing and not quiet:
        for r in missing:
            _print(
                Text(
                    "    "
                    + gettext("not exercised by any example: rule {name} ({where})").format(
                        name=r["name"], where=f"{f['file']}:{r['line']}"
                    ),
                    style="yellow",
                )
            )


def _failure_view(e: dict[str, Any]) -> RenderableType:
    from rich.console import Group

    def labels(xs: list[str]) -> str:
        return ", ".join(xs) if xs else gettext("none")

    head = Text("✗ " + gettext("example") + " ", style="red")
    head.append(e["name"], style="bold")
    head.append(f"  {e['file']}:{e['line']}", style="dim")
    parts: list[RenderableType] = [head]
    if e["error"]:
        parts.append(Text(f"  {gettext('error')}: " + e["error"], style="red"))
    else:
        parts.append(
            Text("  " + gettext("expected: {labels}").format(labels=labels(e["expected"])))
        )
        parts.append(Text("  " + gettext("actual:   {labels}").format(labels=labels(e["actual"]))))
    if e["explanation"] is not None:
        parts.append(
            Text("  " + gettext("why {labels}:").format(labels=labels(e["actual"])), style="bold")
        )
        parts.append(Padding(render.explanation_text(e["explanation"], compact=True), (0, 0, 0, 2)))
    return Group(*parts)
