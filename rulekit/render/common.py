"""Pieces every text view shares: result marks and styles, the two-column grid, label and
bilingual text, population sizes, counts and bars."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from rulekit.documents import LabelInfo, PopulationValue, show_path
from rulekit.i18n import N_, gettext

MARK = {True: "✓", False: "✗", None: "?"}
WORD = {True: N_("true"), False: N_("false"), None: N_("unknown")}  # translated where shown
STYLE = {True: "green", False: "red", None: "yellow"}
STATUS_STYLE = {
    "decided": "bold green",
    "matched": "green",
    "not matched": "red",
    "unknown": "yellow",
    "not reached": "dim",
}
STATUS_MARK = {
    "decided": "✓",
    "matched": "✓",
    "not matched": "✗",
    "unknown": "?",
    "not reached": "·",
}


def of_customers(size: int) -> str:
    if size == 1:
        return gettext("of {count} customer").format(count=f"{size:,}")
    return gettext("of {count} customers").format(count=f"{size:,}")


def population_text(pop: PopulationValue) -> str:
    """`percentile(monetary) = 93.08 of 2,000 customers`; `monetary in top 10%: true, ranked
    among 2,000 customers`."""
    if pop.get("kind") == "rank":
        return f"{pop['function']}: {pop['shown']}, " + ranked_among(pop["of"])
    return f"{pop['function']} = {pop['shown']} {of_customers(pop['of'])}"


def grid() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    return table


def label_text(info: LabelInfo, name_style: str = "bold") -> Text:
    t = Text(info["name"], style=name_style)
    if info.get("display") and info["display"] != info["name"]:
        t.append("  " + (info["display"] or ""))
    if info.get("display_en"):
        t.append(" · " + (info["display_en"] or ""), style="dim")
    return t


def bilingual(zh: str | None, en: str | None) -> Text:
    t = Text(zh or en or "")
    if zh and en:
        t.append("\n" + en, style="dim")
    return t


def ranked_among(size: int) -> str:
    return gettext("ranked among {count} customers").format(count=f"{size:,}")


# The counted words of the interface, singular and plural, marked for the catalog.
_COUNTED = {
    "error": (N_("{count} error"), N_("{count} errors")),
    "warning": (N_("{count} warning"), N_("{count} warnings")),
    "file": (N_("{count} file"), N_("{count} files")),
    "example": (N_("{count} example"), N_("{count} examples")),
    "rejected row": (N_("{count} rejected row"), N_("{count} rejected rows")),
    "row": (N_("{count} row"), N_("{count} rows")),
}


def plural(count: int, word: str) -> str:
    """`1 error`, `3 errors` (`3 个错误`) in the interface language."""
    forms = _COUNTED.get(word)
    if forms is None:
        return f"{count:,} {word}" + ("" if count == 1 else "s")
    return gettext(forms[count != 1]).format(count=f"{count:,}")


def bar(share: float, width: int = 24) -> str:
    eighths = round(max(0.0, min(1.0, share)) * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[part]


__all__ = [
    "MARK",
    "STATUS_MARK",
    "STATUS_STYLE",
    "STYLE",
    "WORD",
    "bar",
    "bilingual",
    "grid",
    "label_text",
    "of_customers",
    "plural",
    "population_text",
    "show_path",
]
