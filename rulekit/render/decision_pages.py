"""The named decisions of a ruleset's reference page (rulekit.docgen): per decision its
column, hit policy, parent, labels and rules, in the page's own table style."""

from __future__ import annotations

from collections.abc import Callable

from rulekit.model.program import Program
from rulekit.source import Span


def decision_sections(
    p: Program,
    table: Callable[[list[str], list[list[str]]], list[str]],
    cell: Callable[[str | None], str],
    code: Callable[[str | None], str],
    flat: Callable[[str], str],
    snippet: Callable[[Span], str],
) -> list[str]:
    """The page's lines for the named decisions (none without them)."""
    out: list[str] = []
    for name, d in p.decisions.items():
        sub = d.program
        title = " · ".join(x for x in (d.display.zh, d.display.en) if x)
        out += [f"## 决策 / Decision `{name}`" + (f": {title}" if title else ""), ""]
        facts = [
            f"- column 列: `{d.column}` (rule 规则: `{d.column}_rule`)",
            f"- hit 命中: {sub.hit}" + (f", default 默认: `{sub.default}`" if sub.default else ""),
        ]
        if d.parent is not None:
            facts.append(
                f"- applies where 适用于: `{d.parent}` = `{d.parent_label}` "
                "(other records get no label here)"
            )
        out += [*facts, ""]
        rows = []
        for label, lab in sub.labels.items():
            dl = lab.decl
            zh = dl.display.zh if dl else None
            en = dl.display.en if dl else None
            rows.append([f"`{label}`", cell(zh), cell(en)])
        out += table(["id", "中文名", "English"], rows) + [""]
        for i, rule in enumerate((sub.rules[ri] for ri in sub.order), 1):
            cond = code("IF " + snippet(rule.condition.span) + " THEN " + rule.label)
            out.append(f"{i}. {flat(rule.name)}: {cond}")
        if not sub.rules:
            out.append("—")
        out.append("")
    return out
