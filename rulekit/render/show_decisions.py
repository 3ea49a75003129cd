"""`rulekit show` for named decisions (`decision NAME …`): per decision its column, hit
policy, parent, labels and rules (JSON and text), and the `expect NAME = LABEL` of examples."""

from __future__ import annotations

from typing import Any

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from rulekit.model.program import Program
from rulekit.syntax import nodes as n


def expect_text(e: n.Example) -> list[str]:
    """An example's `expect NAME = LABEL` items as written."""
    out = []
    for d in e.decisions:
        labels = d.labels or ()
        shown = (
            "none" if not labels else labels[0] if len(labels) == 1 else f"[{', '.join(labels)}]"
        )
        out.append(f"{d.decision} = {shown}")
    return out


def decisions_json(p: Program) -> list[dict[str, Any]]:
    out = []
    for name, d in p.decisions.items():
        sub = d.program
        out.append(
            {
                "name": name,
                "display": d.display.zh,
                "display_en": d.display.en,
                "column": d.column,
                "parent": d.parent,
                "parent_label": d.parent_label,
                "hit": str(sub.hit),
                "default": sub.default,
                "labels": [
                    {
                        "name": lab.name,
                        "display": lab.display.zh,
                        "display_en": lab.display.en,
                    }
                    for lab in sub.labels.values()
                ],
                "rules": [
                    {
                        "line": r.line,
                        "name": r.name,
                        "condition": sub.source.snippet(r.condition.span),
                        "label": r.label,
                    }
                    for r in (sub.rules[i] for i in sub.order)
                ],
            }
        )
    return out


def decisions_text(decisions: list[dict[str, Any]]) -> list[RenderableType]:
    parts: list[RenderableType] = []
    for d in decisions:
        title = f"Decision {d['name']} → column {d['column']}, hit {d['hit']}"
        if d["default"]:
            title += f", default {d['default']}"
        if d["parent"]:
            title += f"; applies where {d['parent']} is {d['parent_label']}"
        t = Table(
            title=Text(title, style="bold"),
            title_justify="left",
            header_style="bold",
            show_edge=False,
            padding=(0, 1),
            expand=False,
        )
        for c in ("line", "rule", "if", "then"):
            t.add_column(c, overflow="fold")
        for r in d["rules"]:
            t.add_row(str(r["line"]), r["name"], r["condition"], r["label"])
        labels = ", ".join(
            lab["name"] + (f" {lab['display']}" if lab["display"] else "") for lab in d["labels"]
        )
        parts += [t, Text("labels: " + labels), Text("")]
    return parts
