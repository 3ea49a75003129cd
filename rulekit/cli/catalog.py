"""`rulekit list` (the shipped rulesets) and `rulekit show` (one ruleset: description, fields,
labels, rules and examples).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

import rulekit
from rulekit import render
from rulekit.cli.app import Exit, Usage, app
from rulekit.cli.inputs import _read_rules
from rulekit.cli.options import Fmt, Format
from rulekit.cli.output import _json_out, _print
from rulekit.errors import LookupFailed, RuleError

if TYPE_CHECKING:
    from rulekit.model.program import Program


def _shipped() -> list[tuple[Path, Program]]:
    from rulekit.rulesets import shipped_dir

    out = []
    for path in sorted(shipped_dir().glob("*.rules")):
        out.append((path, rulekit.check_text(path.read_text(encoding="utf-8"), str(path))))
    return out


@app.command("list")
def list_cmd(
    fmt: Fmt = Format.text,
) -> None:
    """List the shipped rulesets: id, Chinese and English name, hit policy, labels, source.

    [bold]Examples[/bold]

    $ rulekit list
    $ rulekit list --format json
    """
    entries = [render.ruleset_entry(program, str(path)) for path, program in _shipped()]
    if fmt is Format.json:
        _json_out({"format": "rulekit-list/1", "rulesets": entries})
    else:
        _print(render.list_table(entries))
    raise Exit(0)


@app.command(no_args_is_help=True)
def show(
    ruleset: Annotated[
        str, typer.Argument(metavar="RULESET", help="A shipped ruleset id or a rule file.")
    ],
    fmt: Fmt = Format.text,
) -> None:
    """Show one ruleset: description, fields, labels with strategies, rules and examples.

    [bold]Examples[/bold]

    $ rulekit show rfm
    $ rulekit show lifecycle --format json
    """
    from rulekit.rulesets import resolve

    try:
        path = resolve(ruleset)
    except LookupFailed as e:
        raise Usage(str(e)) from None
    program = rulekit.check_text(_read_rules(path), str(path))
    if any(d.severity == "error" for d in program.diagnostics):
        raise RuleError(program.diagnostics)
    s = render.show_json(program)
    if fmt is Format.json:
        _json_out(s)
    else:
        _print(render.show_text(s))
    raise Exit(0)
