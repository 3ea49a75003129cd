"""Outputs and label attributes in `rulekit show` and the generated ruleset pages
(rulekit.model.outputs): only for a ruleset that has some."""

from __future__ import annotations

from typing import Any

from rulekit.model.outputs import column_of
from rulekit.model.program import Program


def show_results_json(p: Program) -> dict[str, Any]:
    """`outputs` and `attributes` of `rulekit show --format json` (empty without them)."""
    if not (p.outputs or p.attributes):
        return {}
    return {
        "outputs": [
            {
                "name": name,
                "expression": p.source.snippet(info.decl.expr.span),
                "display": info.decl.display.zh,
                "display_en": info.decl.display.en,
                "type": str(info.type),
                "column": column_of(p, name),
            }
            for name, info in p.outputs.items()
        ],
        "attributes": [
            {
                "name": name,
                "type": str(info.type),
                "column": column_of(p, name),
                "values": {
                    label: p.source.snippet(node.value.span) for label, node in info.nodes.items()
                },
            }
            for name, info in p.attributes.items()
        ],
    }


def attribute_cell(p: Program, label: str) -> str:
    """A label's attributes as written: `discount = 10%, cadence = 7d`."""
    return ", ".join(
        f"{name} = {p.source.snippet(info.nodes[label].value.span)}"
        for name, info in p.attributes.items()
        if label in info.nodes
    )


def page_sections(p: Program, cell: Any, code: Any, table: Any) -> list[str]:
    """The Markdown sections of a ruleset page (docgen's cell, code and table helpers)."""
    out: list[str] = []
    if p.outputs:
        out += ["## 输出 / Outputs", ""]
        rows = [
            [
                f"`{name}`",
                cell(info.decl.display.zh),
                cell(info.decl.display.en),
                code(p.source.snippet(info.decl.expr.span)).replace("|", "\\|"),
                f"`{column_of(p, name)}`",
            ]
            for name, info in p.outputs.items()
        ]
        out += table(["name", "中文名", "English", "expression", "column"], rows)
        out.append("")
    if p.attributes:
        out += ["## 标签属性 / Label attributes", ""]
        rows = [
            [f"`{label}`", cell(attribute_cell(p, label))]
            for label in p.labels
            if attribute_cell(p, label)
        ]
        out += table(["label", "attributes"], rows)
        out.append("")
    return out
