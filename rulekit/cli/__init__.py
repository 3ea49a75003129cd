"""The `rulekit` command line: a thin layer over the public API. `main(argv) -> int`.

Exit codes: 0 success; 1 rule or data errors found (a rule file with errors, a bad record, a
failing example); 2 usage errors (an unknown option, a missing file, bad --record JSON, an
unknown field or label); 70 an internal error, which is a bug in rulekit and says where to report
it. No Python traceback reaches the user: it is saved to a file the message names.

The package, lowest first: output (consoles and printing), app (the typer app, Exit, Usage,
`main`), options (shared options), inputs (rulesets, files, dates), report, classify and files
(what `run` does and prints), then one module per command group, each registering its commands
on `app`: run, explain, check (check, test), catalog (list, show), batch (sql, profile,
freeze). Importing them here, in this order, registers the commands in the order `--help` lists
them; nothing below imports this module.
"""

from __future__ import annotations

from rich.console import Console

from rulekit.cli.app import Exit, Usage, app, main
from rulekit.cli.output import ui

# The order of these imports is the order of the commands in --help.
# isort: off
from rulekit.cli import run as _run  # noqa: F401  run
from rulekit.cli import explain as _explain  # noqa: F401  explain
from rulekit.cli import check as _check  # noqa: F401  check, test
from rulekit.cli import analyze as _analyze  # noqa: F401  analyze
from rulekit.cli import catalog as _catalog  # noqa: F401  list, show
from rulekit.cli import batch as _batch  # noqa: F401  sql, profile, freeze
# isort: on

__all__ = ["Exit", "Usage", "app", "main"]


def __getattr__(name: str) -> Console:
    # `out` and `err` were module-level consoles; they are the consoles of the current call.
    if name in ("out", "err"):
        console: Console = getattr(ui, name)
        return console
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
