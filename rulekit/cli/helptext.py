"""The command line's help in the interface language: the help texts (command docstrings,
option and argument helps) are English message ids, looked up in the catalog when the click
command is built for a call (`localized_command`), so `rulekit --lang zh run --help` is Chinese
whatever language the modules were imported under.

`help_texts` lists those texts; the Babel extractor tests/babel_help.py (see babel.cfg) puts
them in the catalog without repeating them in code.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer
import typer.main
import typer.rich_utils as rich_utils

from rulekit.i18n import N_, Lang, gettext

# Words of typer's and click's own help, marked for the catalog.
PANEL_TITLES = {
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "DEFAULT_STRING": N_("[default: {}]"),
}
BUILTIN_HELP = (N_("Show this message and exit."),)


def _texts(command: Any) -> Iterator[tuple[Any, str]]:
    """(object, attribute) of every help text of a click command tree."""
    for attr in ("help", "short_help"):
        if getattr(command, attr, None):
            yield command, attr
    for param in command.params:
        if getattr(param, "help", None):
            yield param, "help"
    for sub in getattr(command, "commands", {}).values():
        yield from _texts(sub)


def localized_command(app: typer.Typer, lang: Lang) -> Any:
    """The click command of `app` with its help texts (and typer's panel titles) in `lang`."""
    command = typer.main.get_command(app)
    for name, text in PANEL_TITLES.items():
        setattr(rich_utils, name, gettext(text, lang))
    if lang != "en":
        for obj, attr in _texts(command):
            setattr(obj, attr, gettext(getattr(obj, attr), lang))
        for cmd in _commands(command):
            _localize_help_option(cmd, lang)
    return command


def _commands(command: Any) -> Iterator[Any]:
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from _commands(sub)


def _localize_help_option(command: Any, lang: Lang) -> None:
    """click makes the --help option when it is first asked for: translate its help then."""
    original = command.get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = original(ctx)
        if option is not None:
            option.help = gettext(BUILTIN_HELP[0], lang)
        return option

    command.get_help_option = get_help_option


def help_texts(app: typer.Typer) -> list[str]:
    """Every help text of the app, in English, in order, each once."""
    seen: dict[str, None] = {}
    for obj, attr in _texts(typer.main.get_command(app)):
        seen.setdefault(getattr(obj, attr), None)
    return list(seen)
