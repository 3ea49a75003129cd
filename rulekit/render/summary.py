"""A run as text: per ruleset its rows per label with shares and bars (drawn from the
run-summary document), and the preview of the first output rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rulekit.documents import LabelCount, RunSummaryDocument
from rulekit.engines.python import BatchResult, CompiledRuleset
from rulekit.engines.summary import decision_counts, label_counts, run_summary
from rulekit.errors import BadRecord
from rulekit.i18n import gettext
from rulekit.render.common import bar


def summary_json(
    rs: CompiledRuleset, batch: BatchResult, seconds: float | None = None
) -> RunSummaryDocument:
    """Label counts of one ruleset over one run; rows in = labelled + no label + set aside.
    The same document as `batch.summary(seconds)`."""
    per_label = label_counts(batch.decisions)
    doc = run_summary(rs.program, per_label, batch.counts, batch.as_of, batch.rejected, seconds)
    if rs.named:  # each named decision's labels
        named = {k: sub.program for k, sub in rs.named.items()}
        doc["decisions"] = decision_counts(named, batch.decisions, batch.counts)
    return doc


def summary_of_counts(
    rs: CompiledRuleset,
    per_label: Mapping[str, int],
    counts: Mapping[str, int],
    as_of: dt.date,
    seconds: float | None = None,
    rejected: Sequence[BadRecord] = (),
) -> RunSummaryDocument:
    """summary_json from counts already made (a DuckDB run's RunSummary)."""
    return run_summary(rs.program, per_label, counts, as_of, rejected, seconds)


def summary_text(s: RunSummaryDocument) -> RenderableType:
    title = Text(s["ruleset"], style="bold")
    if s["display"]:
        title.append("  " + s["display"])
    rows_in = s["rows_in"]
    table = _labels_table(s["labels"], s["unlabelled"], rows_in)

    def share(c: int) -> float:
        return c / rows_in if rows_in else 0.0

    if s["rejected"]:
        table.add_row(
            Text(gettext("(set aside)"), style="yellow"),
            "",
            f"{s['rejected']:,}",
            f"{100 * share(s['rejected']):.1f}%",
            bar(share(s["rejected"])),
            style="yellow",
        )
    line = Text(
        gettext(
            "rows in {rows_in} = labelled {labelled} + no label {unlabelled} + set aside {rejected}"
        ).format(
            rows_in=f"{rows_in:,}",
            labelled=f"{s['labelled']:,}",
            unlabelled=f"{s['unlabelled']:,}",
            rejected=f"{s['rejected']:,}",
        )
    )
    parts: list[RenderableType] = [title, table, line]
    for d in s.get("decisions", []):  # named decisions: one table each
        heading = Text(gettext("decision {name}").format(name=d["decision"]), style="bold")
        if d["display"]:
            heading.append("  " + d["display"])
        parts += [Text(""), heading, _labels_table(d["labels"], d["unlabelled"], rows_in)]
    if s["hit"] == "all":
        parts.append(
            Text(
                gettext(
                    "hit all: a row may have several labels, so label counts can add up "
                    "to more than the rows labelled"
                ),
                style="dim",
            )
        )
    return Group(*parts)


def _labels_table(labels: Sequence[LabelCount], unlabelled: int, rows_in: int) -> Table:
    """Rows per label with their share and a bar, then the rows with no label."""
    table = Table(box=None, padding=(0, 1), pad_edge=False, header_style="bold")
    table.add_column(gettext("label"), no_wrap=True)
    table.add_column(gettext("name"))
    table.add_column(gettext("count"), justify="right", no_wrap=True)
    table.add_column(gettext("share"), justify="right", no_wrap=True)
    table.add_column("", no_wrap=True, style="cyan")
    share = unlabelled / rows_in if rows_in else 0.0
    for lab in labels:
        display = lab["display"] if lab["display"] != lab["label"] else lab.get("display_en")
        table.add_row(
            lab["label"],
            display or "",
            f"{lab['count']:,}",
            f"{100 * lab['share']:.1f}%",
            bar(lab["share"]),
        )
    table.add_row(
        Text(gettext("(no label)"), style="dim"),
        "",
        f"{unlabelled:,}",
        f"{100 * share:.1f}%",
        bar(share),
        style="dim",
    )
    return table


def preview_table(
    id_column: str,
    ids: Sequence[str],
    rulesets: Sequence[str],
    cells: Sequence[Sequence[tuple[str, str]]],
    total: int,
) -> RenderableType:
    """The first rows of a run: the id, then per ruleset its label and (dim) deciding rule."""
    shown = len(ids)
    caption = (
        gettext("first {shown} of {total} rows; write them all with --out FILE")
        if shown < total
        else gettext("{total} rows; write them to a file with --out FILE")
    ).format(shown=f"{shown:,}", total=f"{total:,}")
    table = Table(header_style="bold", show_edge=False, padding=(0, 1))
    table.add_column(id_column, no_wrap=True)
    for name in rulesets:
        table.add_column(name, overflow="fold")
    for ident, row in zip(ids, cells, strict=True):
        texts = []
        for label, rule in row:
            t = Text(label)
            if rule:
                t.append(f"  {rule}", style="dim")
            texts.append(t)
        table.add_row(ident, *texts)
    return Group(table, Text(caption, style="dim"))
