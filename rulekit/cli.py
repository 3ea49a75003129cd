"""The `rulekit` command line: a thin layer over the public API. `main(argv) -> int`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

import rulekit

from .errors import RuleError, RulekitError

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode="rich",
                  help="rulekit — classify customers with plain-text rules, and explain why.")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class Exit(Exception):
    def __init__(self, code: int):
        self.code = code


def _rule_files(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files.extend(sorted(path.rglob("*.rules")))
        elif path.exists():
            files.append(path)
        else:
            from .rulesets import resolve

            files.append(resolve(p))
    return files


@app.command()
def check(
    files: list[str] = typer.Argument(..., help="Rule files, directories or shipped ruleset ids."),
    strict: bool = typer.Option(False, "--strict", help="Also require declarations."),
    fmt: str = typer.Option("text", "--format", help="text or json"),
):
    """Check rule files and report every problem with file:line:col and a hint.

    [bold]Example[/bold]: rulekit check rulesets/rfm.rules --strict
    """
    all_diags = []
    for path in _rule_files(files):
        program = rulekit.check_text(path.read_text(encoding="utf-8"), str(path), strict)
        all_diags.extend(program.diagnostics)
    errors = sum(d.severity == "error" for d in all_diags)
    warnings = len(all_diags) - errors
    if fmt == "json":
        out.print_json(json.dumps({"diagnostics": [d.to_dict() for d in all_diags],
                                   "errors": errors, "warnings": warnings}, ensure_ascii=False))
    else:
        for d in all_diags:
            out.print(d.render(), markup=False)
            out.print()
        out.print(f"{len(_rule_files(files))} file(s) checked: {errors} error(s), "
                  f"{warnings} warning(s)", markup=False)
    raise Exit(1 if errors else 0)


@app.command("test")
def test_cmd(
    paths: list[str] = typer.Argument(..., help="Rule files or directories."),
):
    """Run every `example` in the given rule files.

    [bold]Example[/bold]: rulekit test rulesets/
    """
    failed = total = 0
    for path in _rule_files(paths):
        try:
            rs = rulekit.load(path)
        except RuleError as e:
            out.print(e.render(), markup=False)
            failed += 1
            continue
        for r in rs.test():
            total += 1
            if not r.passed:
                failed += 1
                out.print("FAIL " + r.describe(), markup=False)
    out.print(f"{total - failed} passed, {failed} failed", markup=False)
    raise Exit(1 if failed else 0)


def main(argv: Optional[list[str]] = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 rule/data errors, 2 usage errors)."""
    try:
        app(args=argv if argv is not None else sys.argv[1:], standalone_mode=False)
        return 0
    except Exit as e:
        return e.code
    except RuleError as e:
        err.print(e.render(), markup=False)
        return 1
    except RulekitError as e:
        err.print(f"error: {e}", markup=False)
        return 1
    except Exception as e:  # click usage errors and our own bugs
        import click

        if isinstance(e, click.exceptions.UsageError):
            err.print(f"usage error: {e.format_message()}", markup=False)
            return 2
        if isinstance(e, click.exceptions.Abort):
            return 130
        err.print(f"internal error: {type(e).__name__}: {e}. This is a bug in rulekit; "
                  "please report it with the command you ran.", markup=False)
        return 70


# Batch commands (sql, profile, freeze) live in their own module and register on `app`.
from . import cli_batch  # noqa: E402,F401
