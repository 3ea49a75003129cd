"""What the CLI prints and where: the consoles of the current call (`ui`), exact text, JSON,
notes and warnings on stderr, and the progress display.

Every command prints through these helpers, so NO_COLOR, the terminal width and --quiet are
honoured the same way everywhere.
"""

from __future__ import annotations

import contextlib
import json
import os
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Literal

from rich.console import Console, RenderableType
from rich.text import Text

from rulekit.i18n import gettext

if TYPE_CHECKING:
    from rich.progress import Progress


class _UI:
    out: Console
    err: Console
    quiet: bool = False
    progress: bool | None = None  # --progress (forced, even when not a terminal), --no-progress


ui = _UI()


def _consoles() -> None:
    # Made per call, not at import: width (COLUMNS), NO_COLOR and the terminal are read anew.
    # NO_COLOR means no escape codes at all (rich alone would still send bold and dim).
    color: Literal["auto"] | None = None if os.environ.get("NO_COLOR") else "auto"
    ui.out = Console(highlight=False, emoji=False, soft_wrap=False, color_system=color)
    ui.err = Console(stderr=True, highlight=False, emoji=False, soft_wrap=False, color_system=color)
    ui.quiet = False
    ui.progress = None


_consoles()


def _print(renderable: RenderableType = "", soft_wrap: bool = False) -> None:
    # rich pads table cells to the table's width; drop the trailing blanks it leaves.
    console = ui.out
    with console.capture() as captured:
        console.print(renderable, soft_wrap=soft_wrap)
    text = "\n".join(line.rstrip() for line in captured.get().split("\n"))
    console.file.write(text)
    console.file.flush()


def _plain(text: str, err: bool = False) -> None:
    """Text printed exactly (carets under source lines must not be re-wrapped)."""
    (ui.err if err else ui.out).print(text, markup=False, soft_wrap=True)


def _json_out(obj: Any) -> None:
    ui.out.file.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")
    ui.out.file.flush()


def _note(message: str, style: str = "dim") -> None:
    if not ui.quiet:
        ui.err.print(Text(message, style=style), soft_wrap=True)


def _warn(message: str) -> None:
    if not ui.quiet:
        ui.err.print(Text(gettext("warning") + ": " + message, style="yellow"), soft_wrap=True)


def _progress() -> AbstractContextManager[Progress | None]:
    """A transient progress display on stderr: a bar, rows done, rows per second and the time
    left where the total is known. None (nothing shown) under --quiet or --no-progress, or
    when stderr is not a terminal (unless --progress forces it)."""
    if ui.quiet or ui.progress is False:
        return contextlib.nullcontext()
    console = ui.err
    if ui.progress:
        console = Console(
            stderr=True, force_terminal=True, highlight=False, emoji=False, color_system=None
        )
    elif not console.is_terminal:
        return contextlib.nullcontext()
    from rich.progress import (
        BarColumn,
        Progress,
        ProgressColumn,
        SpinnerColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    class Rows(ProgressColumn):
        """`1,234 rows · 5,678 rows/s` for a task that counts rows; else `n/total`."""

        def render(self, task: Task) -> Text:
            rows = task.fields.get("rows")
            if rows is not None:
                rate = task.fields.get("rate")
                text = gettext("{rows} rows").format(rows=rows)
                if rate:
                    text += " · " + gettext("{rate} rows/s").format(rate=rate)
                return Text(text)
            if task.total is None:
                return Text("")
            return Text(f"{int(task.completed):,}/{int(task.total):,}")

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        Rows(),
        TimeRemainingColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=not ui.progress,
    )
