"""Pieces every text view shares: result marks and styles, the two-column grid, label and
bilingual text, population sizes, counts and bars."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from rulekit.documents import LabelInfo, PopulationValue, show_path

MARK = {True: "✓", False: "✗", None: "?"}
WORD = {True: "true", False: "false", None: "unknown"}
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
    return f"of {size:,} customer" + ("" if size == 1 else "s")


def population_text(pop: PopulationValue) -> str:
    """`percentile(monetary) = 93.08 of 2,000 customers`; `monetary in top 10%: true, ranked
    among 2,000 customers`."""
    if pop.get("kind") == "rank":
        return f"{pop['function']}: {pop['shown']}, ranked among {pop['of']:,} customers"
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


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


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
