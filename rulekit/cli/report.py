"""What `run` prints, whichever engine classified the rows: the preview of the first output
rows, each ruleset's summary, the rows set aside, what was written, and the error of a run
stopped by a bad row; and the warnings about the input's columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text

from rulekit import render
from rulekit.cli.inputs import Rows
from rulekit.cli.output import _note, _plain, _print, _warn
from rulekit.i18n import gettext

if TYPE_CHECKING:
    from rulekit import Ruleset
    from rulekit.documents import RunSummaryDocument
    from rulekit.errors import BadRecord

SET_ASIDE_SHOWN = 5  # bad rows named in the notes of an --on-error skip run

# Per ruleset: its summary_json, the first rows set aside, and how many were set aside.
ReportEntry = tuple["Ruleset", "RunSummaryDocument", Sequence["BadRecord"], int]


def _bad_record_text(rs: Ruleset, bad: BadRecord, table: Rows | None = None) -> str:
    where = table.where(bad.index) if table is not None else "the record"
    text = f"ruleset {rs.id}: {where}"
    if bad.field:
        info = rs.fields.get(bad.field)
        text += f", field {bad.field}"
        if info is not None and info.column != bad.field:
            text += f" (column {info.column})"
    return f"{text}: {bad.reason}"


def _warn_replaced(loaded: Sequence[Ruleset], columns: Collection[str]) -> None:
    for rs in loaded:
        for name in (rs.id, rs.id + "_rule"):
            if name in columns:
                _warn(
                    gettext(
                        "the input already has a column {name!r}; the output replaces it"
                    ).format(name=name)
                )


def _check_columns(rs: Ruleset, table: Rows) -> None:
    columns = set(table.columns)
    wanted = [info.column for info in rs.fields.values()]
    missing = [c for c in wanted if c not in columns]
    if not missing or not wanted:
        return
    if len(missing) == len(wanted):
        _warn(
            gettext(
                "none of the columns ruleset {id} reads are in {file} ({columns}), so no row can "
                "match a rule. If the data names them differently, map each field to its column "
                "with `from` in the rule file, e.g. field recency_days : duration from 最近购买天数"
            ).format(
                id=rs.id,
                file=table.path.name,
                columns=", ".join(missing[:6]) + (", …" if len(missing) > 6 else ""),
            )
        )
    else:
        _note(
            gettext(
                "{id}: {file} has no column {columns}; those fields are missing in every row"
            ).format(id=rs.id, file=table.path.name, columns=", ".join(missing))
        )


def _print_preview(
    id_col: str, rows: Sequence[Mapping[str, Any]], loaded: Sequence[Ruleset], total: int
) -> None:
    """The first output rows (mappings holding the id column and each ruleset's pair)."""
    from rulekit import io as rio

    def text(value: Any) -> str:
        return ", ".join(value) if isinstance(value, list) else value or ""

    ids = [rio.cell_text(r.get(id_col)) for r in rows]
    cells = [[(text(r[rs.id]), text(r[rs.id + "_rule"])) for rs in loaded] for r in rows]
    _print(render.preview_table(id_col, ids, [rs.id for rs in loaded], cells, total))
    _print()


def _print_report(
    table: Rows, entries: Sequence[ReportEntry], on_error: str, today: dt.date, pinned: bool
) -> None:
    """Per ruleset its summary and, under skip, the first rows set aside; then the as-of date.
    entries: (ruleset, summary_json, the first rejected rows, how many were rejected)."""
    for rs, summary, rejected, count in entries:
        _print(render.summary_text(summary))
        _print()
        if count and on_error == "skip":
            for bad in rejected[:SET_ASIDE_SHOWN]:
                _note(gettext("set aside: ") + _bad_record_text(rs, bad, table), style="yellow")
            if count > SET_ASIDE_SHOWN:
                _note(
                    gettext(
                        "… and {count} more; write them all with --on-error quarantine --out FILE"
                    ).format(count=f"{count - SET_ASIDE_SHOWN:,}"),
                    style="yellow",
                )
    note = gettext("pinned with --as-of") if pinned else gettext("today; pin it with --as-of")
    _print(
        Text(gettext("as of {date} ({note})").format(date=today.isoformat(), note=note)),
        soft_wrap=True,
    )


def _print_written(
    out: str | None,
    rows: int,
    columns: int,
    how: str,
    rejected_path: str | Path | None,
    rejected: int,
) -> None:
    """What a run wrote: the output (if any) and the rejected rows (if quarantined)."""
    if out is not None:
        _print(
            Text(
                gettext("wrote {rows} rows to {out} ({columns} columns; {how})").format(
                    rows=f"{rows:,}", out=out, columns=f"{columns:,}", how=how
                )
            ),
            soft_wrap=True,
        )
    if rejected_path is not None:
        _print(
            Text(
                gettext("wrote {rows} with their reasons to {path}").format(
                    rows=render.plural(rejected, "rejected row"), path=rejected_path
                )
            ),
            soft_wrap=True,
        )


def report_bad_record(rs: Ruleset, bad: BadRecord, table: Rows) -> None:
    """The error of a run stopped by a bad row (on_error fail), and the ways out."""
    _plain(gettext("error") + ": " + _bad_record_text(rs, bad, table), err=True)
    fix = (
        gettext("Fix the value in {file}").format(file=table.path.name)
        if bad.field
        else gettext("Make the rules exclusive (hit unique allows one match per row)")
    )
    _plain(
        "  "
        + gettext(
            "{fix}, or run with --on-error skip to set bad rows aside, or "
            "--on-error quarantine --out FILE to also write them, with their "
            "reasons, to FILE.rejected.<ext>."
        ).format(fix=fix),
        err=True,
    )
