"""The typer app every command registers on, the two ways a command ends (Exit, Usage), and
`main`: it runs the app and turns every outcome into an exit code and a message.

Exit codes: 0 success; 1 rule or data errors found (a rule file with errors, a bad record, a
failing example); 2 usage errors (an unknown option, a missing file, bad --record JSON, an
unknown field or label); 70 an internal error, which is a bug in rulekit and says where to report
it. No Python traceback reaches the user: it is saved to a file the message names.

The commands live in their own modules (rulekit.cli.run, explain, check, catalog, batch);
importing rulekit.cli registers them all.
"""

from __future__ import annotations

import importlib
import sys
from typing import Annotated, Any, Protocol, cast

import typer

import rulekit
from rulekit import render
from rulekit.cli.output import _consoles, _plain, _print
from rulekit.errors import LookupFailed, RuleError, RulekitError

# Where users report bugs; the internal-error message names it.
REPORT_AT = "the rulekit issue tracker"

app = typer.Typer(
    name="rulekit",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    help="rulekit — classify customers with plain-text rules, and explain why.\n\n"
    "RULESET, wherever it appears, is a path to a rule file or the id of a shipped "
    "ruleset (see [bold]rulekit list[/bold]).",
)


class Exit(Exception):
    """Leave a command with this exit code (everything has been printed)."""

    def __init__(self, code: int):
        self.code = code


class Usage(Exception):
    """A usage error (exit 2): the message says what was wrong and how to write it."""


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False,
) -> None:
    if version:
        _print(f"rulekit {rulekit.__version__}")
        raise Exit(0)


# ================================================================ entry point


class _ClickException(Protocol):
    """What the CLI reads of click's exceptions (click's own or typer's vendored copy, which
    share no base class but Exception)."""

    def format_message(self) -> str: ...


def _click_errors() -> tuple[
    tuple[type[Exception], ...], tuple[type[Exception], ...], tuple[type[BaseException], ...]
]:
    """The click exception classes: typer ≥ 0.16 vendors click as typer._click."""
    usage: list[type[Exception]] = []
    click_exc: list[type[Exception]] = []
    abort: list[type[BaseException]] = [typer.Abort]
    for name in ("typer._click.exceptions", "click.exceptions"):
        try:
            mod = importlib.import_module(name)
        except ImportError:
            continue
        usage.append(mod.UsageError)
        click_exc.append(mod.ClickException)
        if hasattr(mod, "Abort"):
            abort.append(mod.Abort)
    return tuple(usage), tuple(click_exc), tuple(abort)


def _usage_error(e: Exception) -> int:
    ctx: Any = getattr(e, "ctx", None)
    message = cast(_ClickException, e).format_message()
    if not message:  # `rulekit` alone: the help was printed
        return 2
    _plain(f"error: {message}", err=True)
    if ctx is not None:
        _plain(ctx.get_usage(), err=True)
        _plain(f"Run '{ctx.command_path} --help' for the options and examples.", err=True)
    return 2


def _internal_error(e: BaseException) -> int:
    import tempfile
    import traceback

    saved = ""
    try:
        with tempfile.NamedTemporaryFile(
            "w", prefix="rulekit-crash-", suffix=".txt", delete=False, encoding="utf-8"
        ) as f:
            f.write(f"rulekit {rulekit.__version__}, Python {sys.version.split()[0]}\n")
            f.write("command: rulekit " + " ".join(sys.argv[1:]) + "\n\n")
            traceback.print_exception(e, file=f)
            saved = f" and the details saved in {f.name}"
    except OSError:
        pass
    _plain(f"internal error: {type(e).__name__}: {e}", err=True)
    _plain(
        "This is a bug in rulekit, not a problem with your rules or data. Please report it "
        f"on {REPORT_AT} with the command you ran{saved}.",
        err=True,
    )
    return 70


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 rule/data errors, 2 usage errors)."""
    _consoles()
    usage_errors, click_errors, aborts = _click_errors()
    interrupts: tuple[type[BaseException], ...] = (KeyboardInterrupt, *aborts)
    try:
        rv = app(
            args=list(argv) if argv is not None else sys.argv[1:],
            prog_name="rulekit",
            standalone_mode=False,
        )
        return rv if isinstance(rv, int) else 0
    except Exit as e:
        return e.code
    except Usage as e:
        _plain(f"error: {e}", err=True)
        return 2
    except RuleError as e:
        _plain(e.render(), err=True)
        n = len(e.errors)
        _plain(
            f"\n{render.plural(n, 'error')} in the rule file; fix "
            f"{'it' if n == 1 else 'them'} and run again (rulekit check FILE checks it alone)",
            err=True,
        )
        return 1
    except (LookupFailed, FileNotFoundError) as e:
        _plain(f"error: {e}", err=True)
        return 2
    except BrokenPipeError:
        return 0
    except OSError as e:  # permission denied, disk full …: the machine's, not rulekit's fault
        where = f" {e.filename}" if e.filename else ""
        _plain(f"error: cannot read or write{where}: {e.strerror or e}", err=True)
        return 1
    except RulekitError as e:
        _plain(f"error: {e}", err=True)
        return 1
    except usage_errors as e:
        return _usage_error(e)
    except click_errors as e:
        _plain(f"error: {cast(_ClickException, e).format_message()}", err=True)
        return getattr(e, "exit_code", 1) or 1
    except interrupts:
        _plain("interrupted", err=True)
        return 130
    except Exception as e:  # a bug in rulekit
        return _internal_error(e)
