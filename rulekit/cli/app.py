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
from rulekit.cli.helptext import localized_command
from rulekit.cli.output import _consoles, _plain, _print
from rulekit.errors import LookupFailed, RuleError, RulekitError
from rulekit.i18n import N_, Msg, check_lang, gettext, resolve, use

# Where users report bugs; the internal-error message names it.
REPORT_AT = N_("the rulekit issue tracker")

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
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="zh|en",
            help="Language of messages and help: zh or en. Default: RULEKIT_LANG, else the "
            "locale (LANG), else English; rule-file diagnostics then follow the file's keywords.",
        ),
    ] = None,
) -> None:
    # `--lang` is taken out of the arguments by `main` (it may stand anywhere); it is declared
    # here so that --help lists it.
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
    _plain(f"{gettext('error')}: {message}", err=True)
    if ctx is not None:
        _plain(ctx.get_usage(), err=True)
        _plain(
            gettext("Run '{command} --help' for the options and examples.").format(
                command=ctx.command_path
            ),
            err=True,
        )
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
            saved = gettext(" and the details saved in {path}").format(path=f.name)
    except OSError:
        pass
    _plain(f"{gettext('internal error')}: {type(e).__name__}: {e}", err=True)
    _plain(
        gettext(
            "This is a bug in rulekit, not a problem with your rules or data. Please report it "
            "on {where} with the command you ran{saved}."
        ).format(where=gettext(REPORT_AT), saved=saved),
        err=True,
    )
    return 70


def take_lang(args: list[str]) -> tuple[list[str], str | None]:
    """The arguments without `--lang X` / `--lang=X` (wherever it stands, before `--`), and X."""
    out: list[str] = []
    lang = None
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            out.extend(args[i:])
            break
        if arg == "--lang" and i + 1 < len(args):
            lang, i = args[i + 1], i + 2
            continue
        if arg.startswith("--lang="):
            lang, i = arg.partition("=")[2], i + 1
            continue
        out.append(arg)
        i += 1
    return out, lang


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 rule/data errors, 2 usage errors). The
    interface language is `--lang`, else as rulekit.i18n.resolve decides."""
    _consoles()
    args, lang = take_lang(list(argv) if argv is not None else sys.argv[1:])
    if lang is not None:
        try:
            check_lang(lang)
        except ValueError:
            _plain(
                gettext("error: unknown language {lang!r} for --lang: use zh or en").format(
                    lang=lang
                ),
                err=True,
            )
            return 2
    with use(lang):
        return _run(args)


def _run(args: list[str]) -> int:
    usage_errors, click_errors, aborts = _click_errors()
    interrupts: tuple[type[BaseException], ...] = (KeyboardInterrupt, *aborts)
    try:
        command = localized_command(app, resolve())
        rv = command.main(args=args, prog_name="rulekit", standalone_mode=False)
        return rv if isinstance(rv, int) else 0
    except Exit as e:
        return e.code
    except Usage as e:
        _plain(f"{gettext('error')}: {_text(e)}", err=True)
        return 2
    except RuleError as e:
        _plain(e.render(), err=True)
        n = len(e.errors)
        _plain(
            "\n"
            + (
                Msg(
                    "{count} in the rule file; fix it and run again (rulekit check FILE checks "
                    "it alone)",
                    count=render.plural(n, "error"),
                )
                if n == 1
                else Msg(
                    "{count} in the rule file; fix them and run again (rulekit check FILE "
                    "checks it alone)",
                    count=render.plural(n, "error"),
                )
            ).render(),
            err=True,
        )
        return 1
    except (LookupFailed, FileNotFoundError) as e:
        _plain(f"{gettext('error')}: {_text(e)}", err=True)
        return 2
    except BrokenPipeError:
        return 0
    except OSError as e:  # permission denied, disk full …: the machine's, not rulekit's fault
        where = f" {e.filename}" if e.filename else ""
        _plain(
            gettext("error: cannot read or write{where}: {reason}").format(
                where=where, reason=e.strerror or e
            ),
            err=True,
        )
        return 1
    except RulekitError as e:
        _plain(f"{gettext('error')}: {_text(e)}", err=True)
        return 1
    except usage_errors as e:
        return _usage_error(e)
    except click_errors as e:
        message = cast(_ClickException, e).format_message()
        _plain(f"{gettext('error')}: {message}", err=True)
        return getattr(e, "exit_code", 1) or 1
    except interrupts:
        _plain(gettext("interrupted"), err=True)
        return 130
    except Exception as e:  # a bug in rulekit
        return _internal_error(e)


def _text(e: BaseException) -> str:
    """An error's message in the interface language: a `Msg` argument is rendered again, a plain
    text is looked up in the catalog (and shown as it is when it has no translation)."""
    arg = e.args[0] if len(e.args) == 1 else None
    if isinstance(arg, Msg):
        return arg.render()
    return gettext(str(e)) if isinstance(arg, str) else str(e)
