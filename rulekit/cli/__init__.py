"""The `rulekit` command line: a thin layer over the public API. `main(argv) -> int`.

Exit codes: 0 success; 1 rule or data errors found (a rule file with errors, a bad record, a
failing example); 2 usage errors (an unknown option, a missing file, bad --record JSON, an
unknown field or label); 70 an internal error, which is a bug in rulekit and says where to report
it. No Python traceback reaches the user: it is saved to a file the message names.

The package, lowest first: output (consoles and printing), app (the typer app, Exit, Usage,
`main`), options (shared options), inputs (rulesets, files, dates), report, classify and files
(what `run` does and prints), then one module per command group, each registering its commands
on `app`: run, explain, check (check, test), catalog (list, show), batch (sql, profile,
freeze). `commands()` imports them in this order, which is the order `--help` lists them;
nothing below imports this module.

Start-up: importing this package loads nothing else. `rulekit --version` answers without typer;
every other command loads the app and its commands when `main` runs, and each command imports
the engines (DuckDB, pyarrow) only when it uses them.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rulekit.cli.app import Exit, Usage, app

__all__ = ["Exit", "Usage", "app", "main", "commands"]

# The modules that register commands, in the order --help lists their commands:
# run; explain; check, test; analyze, coverage, diff; list, show; sql, profile, freeze.
COMMAND_MODULES = ("run", "explain", "check", "analyze", "catalog", "batch")


def commands() -> Any:
    """Register every command on the app (once), in --help's order; returns the typer app."""
    cli_app = importlib.import_module("rulekit.cli.app")
    for name in COMMAND_MODULES:
        importlib.import_module(f"rulekit.cli.{name}")
    typer_app = cli_app.app
    # A command module imported on its own first (a test, a plugin) registered its commands
    # first: keep --help's order whatever the order of the imports was.
    rank = {f"rulekit.cli.{m}": i for i, m in enumerate(COMMAND_MODULES)}
    typer_app.registered_commands.sort(
        key=lambda c: rank.get(getattr(c.callback, "__module__", ""), len(rank))
    )
    globals().update(app=typer_app, Exit=cli_app.Exit, Usage=cli_app.Usage)
    return typer_app


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 rule/data errors, 2 usage errors)."""
    args = list(argv) if argv is not None else sys.argv[1:]
    if args == ["--version"]:  # answered before the app (typer, rich, pydantic) is loaded
        from rulekit import __version__

        sys.stdout.write(f"rulekit {__version__}\n")
        sys.stdout.flush()
        return 0
    commands()
    from rulekit.cli.app import main as run

    code: int = run(args)
    return code


def __getattr__(name: str) -> Any:
    if name in ("app", "Exit", "Usage"):
        commands()
        return globals()[name]
    # `out` and `err` were module-level consoles; they are the consoles of the current call.
    if name in ("out", "err"):
        from rulekit.cli.output import ui

        return getattr(ui, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
