"""Rendering for the command line: explanations, why-not, run summaries, rule set listings.

Every view is built in two steps. First a plain, JSON-ready dict (`explanation_json`,
`why_not_json`, `summary_json`, …) is read from what the engine recorded; then the text view is
drawn from that same dict with rich, so `--format json` and the terminal always say the same
thing. rich measures text in display cells, so Chinese aligns in tables and trees whether or not
the output is a terminal. The JSON shapes are documented in docs/cli.md; each top-level object
carries a "format" key that changes only when the shape does.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from rulekit.explain import Explanation, WhyNot, _json, _operands, describe_value
from rulekit.syntax import nodes as n

EXPLANATION_FORMAT = "rulekit-explanation/1"
WHY_NOT_FORMAT = "rulekit-why-not/1"
CHECK_FORMAT = "rulekit-check/1"
SUMMARY_FORMAT = "rulekit-run-summary/1"

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


def show_path(path: str | os.PathLike) -> str:
    """A file path as the user would type it: relative to the current directory when inside it."""
    text = str(path)
    if text.startswith("<"):
        return text
    p = Path(text)
    if not p.is_absolute():
        return p.as_posix()
    try:
        return p.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return p.as_posix()


def _snip(program, node: n.Node) -> str:
    return " ".join(program.source.snippet(node.span).split())


def _ref(ref) -> dict | None:
    if ref is None:
        return None
    return {"name": ref.name, "file": show_path(ref.file), "line": ref.line}


def _label_info(program, label: str) -> dict:
    info = program.labels.get(label)
    decl = info.decl if info else None
    return {
        "name": label,
        "display": decl.display.zh if decl else None,
        "display_en": decl.display.en if decl else None,
        "description": decl.description.zh if decl else None,
        "description_en": decl.description.en if decl else None,
        "strategy": decl.strategy.zh if decl else None,
        "strategy_en": decl.strategy.en if decl else None,
    }


def _of(size: int) -> str:
    return f"of {size:,} customer" + ("" if size == 1 else "s")


def population_text(pop: dict) -> str:
    """`percentile(monetary) = 93.08 of 2,000 customers`; `monetary in top 10%: true, ranked
    among 2,000 customers`."""
    if pop.get("kind") == "rank":
        return f"{pop['function']}: {pop['shown']}, ranked among {pop['of']:,} customers"
    return f"{pop['function']} = {pop['shown']} {_of(pop['of'])}"


# ================================================================ explanation → JSON


def explanation_json(ex: Explanation) -> dict:
    """The evaluation of one record, as recorded by the engine's observer (never recomputed)."""
    rs, p, tr = ex.ruleset, ex.ruleset.program, ex.trace
    d = ex.decision
    labels = list(d.labels) if d else []
    decision = {
        "label": d.label if d else None,
        "labels": labels,
        "display": d.display if d else None,
        "rule": _ref(d.rule) if d else None,
        "rules": [_ref(r) for r in d.rules] if d else [],
        "default": bool(d and d.labels and not d.rule),
        "error": ex.conflict,
        "label_info": [_label_info(p, lab) for lab in labels],
    }
    fields = []
    for name, info in p.fields.items():
        value = tr.fields.get(name)
        fields.append(
            {
                "name": name,
                "display": info.display.zh,
                "display_en": info.display.en,
                "column": info.column,
                "type": str(info.type),
                "unit": info.unit,
                "value": _json(value),
                "shown": describe_value(value, str(info.type), info.unit),
            }
        )
    in_lets: set[int] = set()
    lets = []
    for name, info in p.lets.items():
        value = tr.lets.get(name)
        pops = []
        if name not in ex.overrides:
            for sub in n.walk(info.decl.expr):
                if sub.id in tr.population_sizes:
                    in_lets.add(sub.id)
                    pops.append(_population(ex, sub))
        lets.append(
            {
                "name": name,
                "display": info.decl.display.zh,
                "display_en": info.decl.display.en,
                "type": str(info.type),
                "expression": _snip(p, info.decl.expr),
                "constant": _is_constant(info.decl.expr),
                "value": _json(value),
                "shown": describe_value(value, str(info.type)),
                "given": name in ex.overrides,
                "population": pops,
            }
        )
    population = [_population(ex, p.node(node_id)) for node_id in tr.population_sizes]
    rules = []
    for position, index in enumerate(rs.compiled.order, 1):
        rule = p.rules[index]
        status = ex.rule_status(index)
        entry = {
            "position": position,
            "name": rule.name,
            "file": show_path(p.path),
            "line": rule.line,
            "label": rule.label,
            "label_display": _label_info(p, rule.label)["display"],
            "priority": rule.priority,
            "status": status,
            "result": _json(ex.rule_values[index]),
        }
        if status != "not reached":
            entry["condition"] = _condition(ex, rule.condition)
        rules.append(entry)
    return {
        "format": EXPLANATION_FORMAT,
        "ruleset": {
            "id": rs.id,
            "display": p.display.zh,
            "display_en": p.display.en,
            "file": show_path(p.path),
            "hit": rs.hit,
            "default": rs.default,
        },
        "as_of": ex.as_of.isoformat(),
        "decision": decision,
        "fields": fields,
        "lets": lets,
        "population": [
            x
            for x, node_id in zip(population, tr.population_sizes, strict=True)
            if node_id not in in_lets
        ],
        "rules": rules,
    }


def _population(ex: Explanation, node: n.Node) -> dict:
    p = ex.ruleset.program
    value = ex.trace.values.get(node.id)
    return {
        "function": _snip(p, node),
        "kind": "rank" if isinstance(node, n.RankIn) else "value",
        "value": _json(value),
        "shown": describe_value(value, str(p.types.get(node.id, ""))),
        "of": ex.trace.population_sizes[node.id],
    }


def _flatten(node: n.Node, kind: type) -> list[n.Node]:
    if isinstance(node, kind):
        return _flatten(node.left, kind) + _flatten(node.right, kind)
    return [node]


def _is_constant(node: n.Node) -> bool:
    if isinstance(node, n.Literal):
        return True
    if isinstance(node, n.Neg):
        return _is_constant(node.operand)
    if isinstance(node, n.ListExpr):
        return all(_is_constant(i) for i in node.items)
    return False


def _condition(ex: Explanation, node: n.Node) -> dict:
    p = ex.ruleset.program
    value = _json(ex._v(node))
    text = _snip(p, node)
    if isinstance(node, (n.And, n.Or)):
        kind = n.And if isinstance(node, n.And) else n.Or
        return {
            "kind": "all" if kind is n.And else "any",
            "text": text,
            "result": value,
            "children": [_condition(ex, c) for c in _flatten(node, kind)],
        }
    if isinstance(node, n.Not):
        return {
            "kind": "not",
            "text": text,
            "result": value,
            "children": [_condition(ex, node.operand)],
        }
    out: dict[str, Any] = {
        "kind": "test",
        "text": text,
        "result": value,
        "operands": [_operand(ex, o) for o in _operands(node) if not _is_constant(o)],
    }
    if node.id in ex.trace.population_sizes:
        out["population"] = {"of": ex.trace.population_sizes[node.id]}
    return out


def _operand(ex: Explanation, node: n.Node) -> dict:
    p = ex.ruleset.program
    value = ex._v(node)
    tname = str(p.types.get(node.id, ""))
    out: dict[str, Any] = {"text": _snip(p, node), "value": _json(value), "type": tname}
    unit = None
    if isinstance(node, n.Name):
        if node.name in p.lets:
            out["let"] = node.name
        elif node.name in p.fields:
            out["field"] = node.name
            unit = p.fields[node.name].unit
    out["unit"] = unit
    out["shown"] = describe_value(value, tname, unit)
    for sub in n.walk(node):
        if sub.id in ex.trace.population_sizes:
            out["population"] = _population(ex, sub)
            break
    return out


# ================================================================ explanation → text


def _grid() -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    return grid


def _title(d: dict) -> Text:
    rs = d["ruleset"]
    t = Text(rs["id"], style="bold")
    if rs.get("display"):
        t.append("  " + rs["display"])
    if rs.get("display_en"):
        t.append(" · " + rs["display_en"], style="dim")
    return t


def _label_text(info: dict, name_style: str = "bold") -> Text:
    t = Text(info["name"], style=name_style)
    if info.get("display") and info["display"] != info["name"]:
        t.append("  " + info["display"])
    if info.get("display_en"):
        t.append(" · " + info["display_en"], style="dim")
    return t


def _bilingual(zh: str | None, en: str | None) -> Text:
    t = Text(zh or en or "")
    if zh and en:
        t.append("\n" + en, style="dim")
    return t


def explanation_text(d: dict, compact: bool = False) -> RenderableType:
    """The explanation as a rich renderable: decision first, then values, then every rule.
    `compact` leaves out the ruleset and file (a test report already names them)."""
    rs, dec = d["ruleset"], d["decision"]
    head = _grid()
    if not compact:
        head.add_row("ruleset", _title(d))
        head.add_row("file", rs["file"])
    head.add_row(
        "as of",
        f"{d['as_of']}    hit {rs['hit']}"
        + (f"    default {rs['default']}" if rs.get("default") else ""),
    )
    src = d.get("input") or {}
    if src.get("record"):
        text = Text(src["record"])
        if src.get("id_column"):
            text.append(f" · {src['id_column']} = {src['id']}")
        head.add_row("record", text)
    if src.get("population"):
        head.add_row("population", src["population"])
    head.add_row("", "")
    if dec["error"]:
        head.add_row(
            Text("decision", style="bold red"), Text("error: " + dec["error"], style="red")
        )
    elif not dec["labels"]:
        head.add_row(
            "decision",
            Text("no label", style="bold yellow").append(
                " — no rule matched and the ruleset has no default", style=""
            ),
        )
    else:
        word = "decision" if len(dec["labels"]) == 1 else "labels"
        for k, info in enumerate(dec["label_info"]):
            head.add_row(word if k == 0 else "", _label_text(info, "bold green"))
        if dec["default"]:
            head.add_row("rule", "none matched: this is the default label")
        for k, ref in enumerate(dec["rules"]):
            head.add_row("rule" if k == 0 else "", _rule_ref_text(ref))
        for info in dec["label_info"]:
            if info.get("strategy") or info.get("strategy_en"):
                key = "strategy" if len(dec["labels"]) == 1 else f"strategy ({info['name']})"
                head.add_row(key, _bilingual(info.get("strategy"), info.get("strategy_en")))
    parts: list[RenderableType] = [head, Text("")]
    values = _values_table(d)
    if values is not None:
        parts += [Text("Values", style="bold"), values, Text("")]
    parts.append(rules_tree(d))
    return Group(*parts)


def _rule_ref_text(ref: dict) -> Text:
    t = Text(ref["name"])
    t.append(f"  {ref['file']}:{ref['line']}", style="dim")
    return t


def _values_table(d: dict) -> Table | None:
    if not (d["fields"] or d["lets"] or d["population"]):
        return None
    table = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False)
    table.add_column(style="dim", no_wrap=True)
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for f in d["fields"]:
        note = f"column {f['column']}" if f["column"] != f["name"] else ""
        table.add_row("  field", f["name"], f["display"] or "", _value_text(f["shown"]), note)
    for let in d["lets"]:
        if let["given"]:
            note = Text("given (the formula was not used)", style="dim")
        else:
            pops = let["population"]
            same = len(pops) == 1 and pops[0]["function"] == let["expression"]
            note = Text("" if let["constant"] or same else let["expression"], style="dim")
            for pop in pops:
                note.append(("\n" if note.plain else "") + population_text(pop), style="")
        table.add_row("  let", let["name"], let["display"] or "", _value_text(let["shown"]), note)
    for pop in d["population"]:
        table.add_row(
            "  population",
            pop["function"],
            "",
            _value_text(pop["shown"]),
            _of(pop["of"])
            if pop.get("kind") != "rank"
            else f"ranked among {pop['of']:,} customers",
        )
    return table


def _value_text(shown: str) -> Text:
    return Text(shown, style="yellow" if shown == "missing" else "")


def rules_tree(d: dict) -> Tree:
    rs = d["ruleset"]
    tree = Tree(
        Text(f"Rules, in evaluation order (hit {rs['hit']})", style="bold"), guide_style="dim"
    )
    for rule in d["rules"]:
        node = tree.add(_rule_line(rule))
        if "condition" in rule:
            cond = rule["condition"]
            # A top-level `and` lists its parts directly under the rule: the rule holds when all do.
            kids = cond["children"] if cond["kind"] == "all" else [cond]
            for kid in kids:
                _add_condition(node, kid)
    return tree


def _rule_line(rule: dict) -> Text:
    status = rule["status"]
    style = STATUS_STYLE[status]
    t = Text(f"{STATUS_MARK[status]} {rule['position']}. ", style=style)
    t.append(rule["name"], style="bold" if status != "not reached" else "dim")
    t.append(" → ", style="dim")
    t.append(rule["label"], style=style if status == "decided" else "")
    if rule.get("label_display") and rule["label_display"] != rule["label"]:
        t.append(f" {rule['label_display']}", style="dim" if status == "not reached" else "")
    if rule.get("priority"):
        t.append(f"  priority {rule['priority']}", style="dim")
    t.append(f"  line {rule['line']}", style="dim")
    word = {
        "decided": "decided",
        "matched": "true",
        "not matched": "false",
        "unknown": "unknown",
        "not reached": "not reached",
    }[status]
    t.append(f"  {word}", style=style)
    return t


def _add_condition(parent: Tree, cond: dict) -> None:
    result = cond["result"]
    mark = MARK.get(result, "?")
    style = STYLE.get(result, "yellow")
    if cond["kind"] in ("all", "any", "not"):
        word = {"all": "all of", "any": "any of", "not": "not"}[cond["kind"]]
        t = Text(f"{mark} ", style=style)
        t.append(word, style="bold")
        t.append(f"  → {WORD.get(result, 'unknown')}", style=style)
        node = parent.add(t)
        for kid in cond["children"]:
            _add_condition(node, kid)
        return
    parent.add(test_line(cond))


def test_line(cond: dict) -> Text:
    result = cond["result"]
    style = STYLE.get(result, "yellow")
    t = Text(f"{MARK.get(result, '?')} ", style=style)
    t.append(cond["text"])
    shown = []
    for o in cond["operands"]:
        pop = o.get("population")
        if o["text"] == cond["text"]:  # a true/false field or let is the whole test
            if pop:
                shown.append(population_text(pop))
            continue
        piece = f"{o['text']} = {o['shown']}"
        if pop:
            piece += (
                f" {_of(pop['of'])}"
                if pop["function"] == o["text"]
                else f" ({population_text(pop)})"
            )
        shown.append(piece)
    if "population" in cond:
        shown.append(f"ranked {_of(cond['population']['of'])}")
    if shown:
        t.append("   " + ", ".join(shown), style="cyan")
    t.append(f"  → {WORD.get(result, 'unknown')}", style=style)
    return t


# ================================================================ why not


def why_not_json(wn: WhyNot) -> dict:
    ex = wn.explanation
    p = ex.ruleset.program
    actual = ex.decision
    rules = []
    for r in wn.rules:
        rules.append(
            {
                "name": r.rule,
                "file": show_path(p.path),
                "line": r.line,
                "result": _json(r.result),
                "needs": [
                    {
                        "test": x.text,
                        "value": _json(x.value),
                        "result": _json(x.result),
                        "needs": x.needs,
                    }
                    for x in r.needs
                ],
                "blocked_by": [dict(b, file=show_path(b["file"])) for b in r.blocking],
            }
        )
    matched = [
        {"name": rule.name, "file": show_path(p.path), "line": rule.line, "label": rule.label}
        for i, rule in enumerate(p.rules)
        if ex.rule_values[i] is True
    ]
    return {
        "format": WHY_NOT_FORMAT,
        "label": wn.label,
        "label_info": _label_info(p, wn.label),
        "already": bool(actual and wn.label in actual.labels),
        "actual": {
            "labels": list(actual.labels) if actual else [],
            "rule": _ref(actual.rule) if actual else None,
        },
        "is_default": ex.ruleset.default == wn.label,
        "hit": ex.ruleset.hit,
        "rules": rules,
        "matched": matched,
    }


def why_not_text(w: dict) -> RenderableType:
    info = w["label_info"]
    title = Text("Why not ", style="bold")
    title.append_text(_label_text(info))
    title.append("?", style="bold")
    tree = Tree(title, guide_style="dim")
    actual = w["actual"]
    if w["already"]:
        by = (
            f" (rule {actual['rule']['name']}, line {actual['rule']['line']})"
            if actual["rule"]
            else " (the default label)"
        )
        tree.add(Text(f"The record already gets {w['label']}{by}.", style="green"))
        return tree
    got = ", ".join(actual["labels"]) if actual["labels"] else "no label"
    if actual["rule"]:
        how = f", by rule {actual['rule']['name']} (line {actual['rule']['line']})"
    elif actual["labels"]:
        how = ", the default label (no rule matched)"
    else:
        how = " (no rule matched)"
    tree.add(Text(f"It gets {got}{how}.", style="dim"))
    if not w["rules"]:
        if w["is_default"]:
            node = tree.add(
                Text(
                    f"{w['label']} is the default label: a record gets it when no "
                    "rule matches. These rules match:"
                )
            )
            for m in w["matched"]:
                node.add(Text(f"✓ {m['name']} → {m['label']}  line {m['line']}", style="green"))
        else:
            tree.add(Text(f"No rule gives {w['label']}.", style="yellow"))
        return tree
    for r in w["rules"]:
        head = Text(f"{MARK.get(r['result'], '?')} ", style=STYLE.get(r["result"], "yellow"))
        head.append(r["name"], style="bold")
        head.append(f" → {w['label']}  line {r['line']}", style="dim")
        head.append(f"  {WORD.get(r['result'], 'unknown')}", style=STYLE.get(r["result"], "yellow"))
        node = tree.add(head)
        for need in r["needs"]:
            t = Text(f"{MARK.get(need['result'], '?')} ", style=STYLE.get(need["result"], "yellow"))
            t.append(need["needs"])
            node.add(t)
        if r["blocked_by"]:
            first = r["blocked_by"][0]
            lead = "it matches, but" if r["result"] is True else "even then,"
            node.add(
                Text(
                    f"{lead} an earlier rule would still win (hit {w['hit']}): "
                    f"{first['name']} → {first['label']}  line {first['line']}",
                    style="yellow",
                )
            )
    return tree


# ================================================================ check


def diagnostic_json(d) -> dict:
    end_line, end_column = d.end
    return {
        "code": d.code,
        "severity": d.severity,
        "file": d.file,
        "line": d.line,
        "column": d.column,
        "end": {"line": end_line, "column": end_column},
        "message": d.message,
        "label": d.label or None,
        "hint": d.hint,
    }


def check_json(files: Sequence[str], diagnostics: Sequence) -> dict:
    errors = sum(d.severity == "error" for d in diagnostics)
    return {
        "format": CHECK_FORMAT,
        "files": list(files),
        "errors": errors,
        "warnings": len(diagnostics) - errors,
        "diagnostics": [diagnostic_json(d) for d in diagnostics],
    }


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


# ================================================================ run summary


def summary_json(rs, batch, seconds: float | None = None) -> dict:
    """Label counts of one ruleset over one run; rows in = labelled + no label + set aside."""
    by_decision = Counter(map(id, batch.decisions))
    decisions = {id(d): d for d in batch.decisions}
    per_label: Counter = Counter()
    for key, k in by_decision.items():
        d = decisions[key]
        if d is not None:
            for label in d.labels:
                per_label[label] += k
    return summary_of_counts(rs, per_label, batch.counts, batch.as_of, seconds)


def summary_of_counts(
    rs, per_label: Mapping[str, int], counts: Mapping[str, int], as_of, seconds: float | None = None
) -> dict:
    """summary_json from counts already made (a DuckDB run's RunSummary)."""
    rows_in = counts["rows_in"]
    labels = []
    names = list(rs.program.labels) + [lab for lab in per_label if lab not in rs.program.labels]
    for label in names:
        c = per_label.get(label, 0)
        info = _label_info(rs.program, label)
        labels.append(
            {
                "label": label,
                "display": info["display"],
                "display_en": info["display_en"],
                "count": c,
                "share": c / rows_in if rows_in else 0.0,
            }
        )
    return {
        "format": SUMMARY_FORMAT,
        "ruleset": rs.id,
        "display": rs.program.display.zh,
        "hit": rs.hit,
        "as_of": as_of.isoformat(),
        "labels": labels,
        "rows_in": rows_in,
        "labelled": counts["labelled"],
        "unlabelled": counts["unlabelled"],
        "rejected": counts["rejected"],
        "seconds": seconds,
    }


def bar(share: float, width: int = 24) -> str:
    eighths = round(max(0.0, min(1.0, share)) * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[part]


def summary_text(s: dict) -> RenderableType:
    title = Text(s["ruleset"], style="bold")
    if s.get("display"):
        title.append("  " + s["display"])
    table = Table(box=None, padding=(0, 1), pad_edge=False, header_style="bold")
    table.add_column("label", no_wrap=True)
    table.add_column("name")
    table.add_column("count", justify="right", no_wrap=True)
    table.add_column("share", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True, style="cyan")
    rows_in = s["rows_in"]

    def share(c):
        return c / rows_in if rows_in else 0.0

    for lab in s["labels"]:
        display = lab["display"] if lab["display"] != lab["label"] else lab.get("display_en")
        table.add_row(
            lab["label"],
            display or "",
            f"{lab['count']:,}",
            f"{100 * lab['share']:.1f}%",
            bar(lab["share"]),
        )
    table.add_row(
        Text("(no label)", style="dim"),
        "",
        f"{s['unlabelled']:,}",
        f"{100 * share(s['unlabelled']):.1f}%",
        bar(share(s["unlabelled"])),
        style="dim",
    )
    if s["rejected"]:
        table.add_row(
            Text("(set aside)", style="yellow"),
            "",
            f"{s['rejected']:,}",
            f"{100 * share(s['rejected']):.1f}%",
            bar(share(s["rejected"])),
            style="yellow",
        )
    line = Text(
        f"rows in {rows_in:,} = labelled {s['labelled']:,} + no label "
        f"{s['unlabelled']:,} + set aside {s['rejected']:,}"
    )
    parts: list[RenderableType] = [title, table, line]
    if s["hit"] == "all":
        parts.append(
            Text(
                "hit all: a row may have several labels, so label counts can add up "
                "to more than the rows labelled",
                style="dim",
            )
        )
    return Group(*parts)


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
        f"first {shown:,} of {total:,} rows; write them all with --out FILE"
        if shown < total
        else f"{total:,} rows; write them to a file with --out FILE"
    )
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


# ================================================================ list and show


def ruleset_entry(program, path: str) -> dict:
    return {
        "id": program.id,
        "display": program.display.zh,
        "display_en": program.display.en,
        "hit": program.hit,
        "default": program.default,
        "labels": len(program.labels),
        "rules": len(program.rules),
        "aliases": list(program.aliases),
        "source": program.source_ref.zh or program.source_ref.en,
        "file": show_path(path),
    }


def list_table(entries: Sequence[dict]) -> RenderableType:
    table = Table(header_style="bold", show_edge=False, padding=(0, 1))
    table.add_column("id", style="bold", overflow="fold", min_width=12, max_width=28)
    table.add_column("名称", min_width=10, max_width=24, overflow="fold")
    table.add_column("English", min_width=14, max_width=32, overflow="fold")
    table.add_column("hit", no_wrap=True, min_width=5)
    table.add_column("labels", justify="right", no_wrap=True, min_width=6)
    table.add_column("source", overflow="ellipsis", no_wrap=True, min_width=8, max_width=20)
    for e in entries:
        ident = e["id"] + (f"\n({', '.join(e['aliases'])})" if e["aliases"] else "")
        table.add_row(
            ident,
            e["display"] or "",
            e["display_en"] or "",
            e["hit"],
            str(e["labels"]),
            e["source"] or "",
        )
    return Group(
        table, Text(f"{len(entries)} shipped rulesets; `rulekit show ID` shows one", style="dim")
    )


def show_json(program) -> dict:
    p = program
    return {
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
                "expression": _snip(p, x.decl.expr),
                "display": x.decl.display.zh,
                "display_en": x.decl.display.en,
                "type": str(x.type),
            }
            for x in p.lets.values()
        ],
        "labels": [_label_info(p, name) for name in p.labels],
        "rules": [
            {
                "name": r.name,
                "condition": _snip(p, r.condition),
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


def show_text(s: dict) -> RenderableType:
    head = _grid()
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
        head.add_row("description", _bilingual(s["description"], s["description_en"]))
    if s["source"] or s["source_en"]:
        head.add_row("source", _bilingual(s["source"], s["source_en"]))
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
            t.add_row(x["name"], x["expression"], _bilingual(x["display"], x["display_en"]))
    t = section(
        f"Labels ({len(s['labels'])})", ["label", "名称 / English", "description / strategy"]
    )
    for lab in s["labels"]:
        text = _bilingual(lab["description"], lab["description_en"])
        if lab["strategy"] or lab["strategy_en"]:
            if text.plain:
                text.append("\n")
            text.append("strategy: ", style="bold")
            text.append_text(_bilingual(lab["strategy"], lab["strategy_en"]))
        t.add_row(lab["name"], _bilingual(lab["display"], lab["display_en"]), text)
    t = section(f"Rules ({len(s['rules'])}, hit {s['hit']})", ["line", "rule", "if", "then"])
    for r in s["rules"]:
        then = r["label"] + (f" (priority {r['priority']})" if r["priority"] else "")
        t.add_row(str(r["line"]), r["name"], r["condition"], then)
    if s["examples"]:
        t = section(f"Examples ({len(s['examples'])})", ["line", "example", "given", "expect"])
        for e in s["examples"]:
            given = ", ".join(f"{k} = {v}" for k, v in e["given"].items())
            if e["as_of"]:
                given += f"  (as of {e['as_of']})"
            expect = "none" if not e["expect"] else ", ".join(e["expect"])
            t.add_row(str(e["line"]), e["name"], given, expect)
    return Group(*parts[:-1])
