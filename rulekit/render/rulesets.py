"""Rule sets as listings: `rulekit list` (one line per shipped ruleset) and `rulekit show`
(one ruleset's fields, lets, labels, rules and examples), each as a JSON-ready dict and as text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rulekit.explain.values import label_info, snippet
from rulekit.model.params import shown_params
from rulekit.model.program import Program
from rulekit.render.common import bilingual, grid, show_path
from rulekit.render.outputs import show_results_json
from rulekit.render.show_decisions import decisions_json, decisions_text, expect_text


def ruleset_entry(program: Program, path: str) -> dict[str, Any]:
    return {
        "id": program.id,
        "display": program.display.zh,
        "display_en": program.display.en,
        "hit": program.hit,
        "default": program.default,
        # with named decisions: theirs too
        "labels": len(program.labels)
        + sum(len(d.program.labels) for d in program.decisions.values()),
        "rules": len(program.rules) + sum(len(d.program.rules) for d in program.decisions.values()),
        "aliases": list(program.aliases),
        "source": program.source_ref.zh or program.source_ref.en,
        "file": show_path(path),
        **(
            {"outputs": list(program.outputs), "attributes": list(program.attributes)}
            if program.outputs or program.attributes
            else {}
        ),
    }


def list_table(entries: Sequence[dict[str, Any]]) -> RenderableType:
    table = Table(header_style="bold", show_edge=False, padding=(0, 1))
    table.add_column("id", style="bold", overflow="fold", min_width=12, max_width=28)
    table.add_column("名称", min_width=10, max_width=24, overflow="fold")
    table.add_column("English", min_width=14, max_width=32, overflow="fold")
    table.add_column("hit", no_wrap=True, min_width=5)
    table.add_column("labels", justify="right", no_wrap=True, min_width=6)
    table.add_column("source", overflow="ellipsis", no_wrap=True, min_width=8, max_width=20)
    for e in entries:
        ident = e["id"] + (f"\n({', '.join(e['aliases'])})" if e["aliases"] else "")
        results = [*e.get("outputs", []), *e.get("attributes", [])]
        table.add_row(
            ident,
            e["display"] or "",
            (e["display_en"] or "") + (f"\n→ {', '.join(results)}" if results else ""),
            e["hit"],
            str(e["labels"]),
            e["source"] or "",
        )
    return Group(
        table, Text(f"{len(entries)} shipped rulesets; `rulekit show ID` shows one", style="dim")
    )


def show_json(program: Program) -> dict[str, Any]:
    p = program
    out = {
        "format": "rulekit-ruleset/1",
        **ruleset_entry(p, p.path),
        "description": p.description.zh,
        "description_en": p.description.en,
        "source_en": p.source_ref.en,
        "version": p.version,
        "fields": [
            {
                "name": f.name,
                "display": f.display.zh,
                "display_en": f.display.en,
                "type": str(f.type),
                "unit": f.unit,
                "column": f.column,
                "one_of": list(f.one_of) if f.one_of else None,
            }
            for f in p.fields.values()
        ],
        "lets": [
            {
                "name": x.name,
                "expression": snippet(p, x.decl.expr),
                "display": x.decl.display.zh,
                "display_en": x.decl.display.en,
                "type": str(x.type),
            }
            for x in p.lets.values()
            if x.name not in p.outputs  # listed as outputs
        ],
        **({"params": shown_params(p.params)} if p.params else {}),
        **show_results_json(p),
        "labels": [label_info(p, name) for name in p.labels],
        "rules": [
            {
                "name": r.name,
                "condition": snippet(p, r.condition),
                "label": r.label,
                "priority": r.priority,
                "line": r.line,
                "because": r.because.zh or r.because.en,
            }
            for r in p.rules
        ],
        "examples": [
            {
                "name": e.name,
                "line": e.line,
                "given": {
                    g.name: p.source.snippet(g.value_node.span)
                    if g.value_node is not None
                    else "missing"
                    for g in e.given
                },
                "as_of": e.as_of.isoformat() if e.as_of else None,
                "expect": list(e.expect) if e.expect is not None else None,
            }
            for e in p.examples
        ],
    }
    if p.decisions:  # `decision NAME …` (render/show_decisions.py)
        out["decisions"] = decisions_json(p)
        for doc, e in zip(out["examples"], p.examples, strict=True):
            doc["expect"] = expect_text(e) if e.decisions else doc["expect"]
    return out


def show_text(s: dict[str, Any]) -> RenderableType:
    head = grid()
    title = Text(s["id"], style="bold")
    if s["display"]:
        title.append("  " + s["display"])
    if s["display_en"]:
        title.append(" · " + s["display_en"], style="dim")
    head.add_row("ruleset", title)
    if s["aliases"]:
        head.add_row("aliases", ", ".join(s["aliases"]))
    head.add_row("file", s["file"])
    head.add_row("hit", s["hit"] + (f"    default {s['default']}" if s["default"] else ""))
    if s["description"] or s["description_en"]:
        head.add_row("description", bilingual(s["description"], s["description_en"]))
    if s["source"] or s["source_en"]:
        head.add_row("source", bilingual(s["source"], s["source_en"]))
    parts: list[RenderableType] = [head, Text("")]

    def section(title: str, columns: list[str]) -> Table:
        t = Table(
            title=Text(title, style="bold"),
            title_justify="left",
            header_style="bold",
            show_edge=False,
            padding=(0, 1),
            expand=False,
        )
        for c in columns:
            t.add_column(c, overflow="fold")
        parts.extend([t, Text("")])
        return t

    t = section(
        f"Fields ({len(s['fields'])})", ["field", "名称", "English", "type", "unit", "column"]
    )
    for f in s["fields"]:
        kind = f["type"] + (f" one of {f['one_of']}" if f["one_of"] else "")
        t.add_row(
            f["name"],
            f["display"] or "",
            f["display_en"] or "",
            kind,
            f["unit"] or "",
            f["column"] if f["column"] != f["name"] else "",
        )
    if s["lets"]:
        t = section(f"Lets ({len(s['lets'])})", ["let", "=", "名称 / English"])
        for x in s["lets"]:
            t.add_row(x["name"], x["expression"], bilingual(x["display"], x["display_en"]))
    if s.get("params"):
        t = section(f"Params ({len(s['params'])})", ["param", "=", "名称 / English", "declared"])
        for x in s["params"]:
            value = x["value"] + (
                f"  (overridden; declared {x['declared_value']})" if x["overridden"] else ""
            )
            t.add_row(x["name"], value, bilingual(x["display"], x["display_en"]), x["declared_at"])
    if s.get("outputs"):
        t = section(f"Outputs ({len(s['outputs'])})", ["output", "=", "名称 / English", "column"])
        for x in s["outputs"]:
            display = bilingual(x["display"], x["display_en"])
            t.add_row(x["name"], x["expression"], display, x["column"])
    if s.get("attributes"):
        t = section(f"Label attributes ({len(s['attributes'])})", ["attribute", "type", "values"])
        for x in s["attributes"]:
            values = ", ".join(f"{k} = {v}" for k, v in x["values"].items())
            t.add_row(x["name"], x["type"], values)
    t = section(
        f"Labels ({len(s['labels'])})", ["label", "名称 / English", "description / strategy"]
    )
    for lab in s["labels"]:
        text = bilingual(lab["description"], lab["description_en"])
        if lab["strategy"] or lab["strategy_en"]:
            if text.plain:
                text.append("\n")
            text.append("strategy: ", style="bold")
            text.append_text(bilingual(lab["strategy"], lab["strategy_en"]))
        t.add_row(lab["name"], bilingual(lab["display"], lab["display_en"]), text)
    t = section(f"Rules ({len(s['rules'])}, hit {s['hit']})", ["line", "rule", "if", "then"])
    for r in s["rules"]:
        then = r["label"] + (f" (priority {r['priority']})" if r["priority"] else "")
        t.add_row(str(r["line"]), r["name"], r["condition"], then)
    parts += decisions_text(s.get("decisions", []))
    if s["examples"]:
        t = section(f"Examples ({len(s['examples'])})", ["line", "example", "given", "expect"])
        for e in s["examples"]:
            given = ", ".join(f"{k} = {v}" for k, v in e["given"].items())
            if e["as_of"]:
                given += f"  (as of {e['as_of']})"
            expect = "none" if not e["expect"] else ", ".join(e["expect"])
            t.add_row(str(e["line"]), e["name"], given, expect)
    return Group(*parts[:-1])
