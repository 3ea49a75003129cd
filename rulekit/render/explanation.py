"""The explanation of one record as text: decision first, then the values read, then every
rule with its conditions. Drawn from the explanation document, so the terminal and
`--format json` always say the same thing."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from rulekit.documents import (
    Condition,
    ExplainInput,
    ExplanationDocument,
    ParamDocument,
    ResultValue,
    RuleRefDocument,
    RuleResult,
)
from rulekit.explain.explanation import explanation_document
from rulekit.i18n import N_, gettext, translate
from rulekit.render.common import (
    MARK,
    STATUS_MARK,
    STATUS_STYLE,
    STYLE,
    WORD,
    bilingual,
    grid,
    label_text,
    of_customers,
    population_text,
    ranked_among,
)

explanation_json = explanation_document  # the name the command line uses


def _title(d: ExplanationDocument) -> Text:
    rs = d["ruleset"]
    t = Text(rs["id"], style="bold")
    if rs["display"]:
        t.append("  " + rs["display"])
    if rs["display_en"]:
        t.append(" · " + rs["display_en"], style="dim")
    return t


def explanation_text(d: ExplanationDocument, compact: bool = False) -> RenderableType:
    """The explanation as a rich renderable: decision first, then values, then every rule.
    `compact` leaves out the ruleset and file (a test report already names them)."""
    rs, dec = d["ruleset"], d["decision"]
    head = grid()
    if not compact:
        head.add_row(gettext("ruleset"), _title(d))
        head.add_row(gettext("file"), rs["file"])
    head.add_row(
        gettext("as of"),
        f"{d['as_of']}    {gettext('hit')} {rs['hit']}"
        + (f"    {gettext('default')} {rs['default']}" if rs.get("default") else ""),
    )
    src: ExplainInput = d.get("input") or {"record": ""}
    if src["record"]:
        text = Text(translate(src["record"]))
        if src.get("id_column"):
            text.append(f" · {src['id_column']} = {src['id']}")
        head.add_row(gettext("record"), text)
    if src.get("population"):
        head.add_row(gettext("population"), src["population"])
    head.add_row("", "")
    if dec["error"]:
        head.add_row(
            Text(gettext("decision"), style="bold red"),
            Text(gettext("error") + ": " + dec["error"], style="red"),
        )
    elif not dec["labels"]:
        head.add_row(
            gettext("decision"),
            Text(gettext("no label"), style="bold yellow").append(
                gettext(" — no rule matched and the ruleset has no default"), style=""
            ),
        )
    else:
        word = gettext("decision") if len(dec["labels"]) == 1 else gettext("labels")
        for k, info in enumerate(dec["label_info"]):
            head.add_row(word if k == 0 else "", label_text(info, "bold green"))
        if dec["default"]:
            head.add_row(gettext("rule"), gettext("none matched: this is the default label"))
        for k, ref in enumerate(dec["rules"]):
            head.add_row(gettext("rule") if k == 0 else "", _rule_ref_text(ref))
        for info in dec["label_info"]:
            if info.get("strategy") or info.get("strategy_en"):
                key = (
                    gettext("strategy")
                    if len(dec["labels"]) == 1
                    else f"{gettext('strategy')} ({info['name']})"
                )
                head.add_row(key, bilingual(info.get("strategy"), info.get("strategy_en")))
    for k, item in enumerate(d.get("outputs", [])):  # outputs, then the label's attributes
        head.add_row(gettext("outputs") if k == 0 else "", result_text(item))
    for k, item in enumerate(x for x in d.get("attributes", []) if x["value"] is not None):
        head.add_row(gettext("attributes") if k == 0 else "", result_text(item))
    parts: list[RenderableType] = [head, Text("")]
    values = _values_table(d)
    if values is not None:
        parts += [Text(gettext("Values"), style="bold"), values, Text("")]
    parts.append(rules_tree(d))
    return Group(*parts)


def param_cells(param: ParamDocument) -> tuple[str, str, Text, Text]:
    """A shared parameter's row of the values table: name, display name, value, and where
    the value comes from (overridden, and the declared value; the declaration)."""
    note = Text(style="dim")
    if param["overridden"]:
        note.append(
            gettext("overridden (declared {value})").format(value=param["declared_value"]),
            style="bold yellow",
        )
        note.append("  ")
    note.append(param["declared_at"])
    return param["name"], param["display"] or "", Text(param["value"]), note


def _rule_ref_text(ref: RuleRefDocument) -> Text:
    t = Text(ref["name"])
    t.append(f"  {ref['file']}:{ref['line']}", style="dim")
    return t


def _values_table(d: ExplanationDocument) -> Table | None:
    if not (d["fields"] or d["lets"] or d["population"] or d.get("params")):
        return None
    table = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False)
    table.add_column(style="dim", no_wrap=True)
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for f in d["fields"]:
        column = f"{gettext('column')} {f['column']}" if f["column"] != f["name"] else ""
        table.add_row(
            "  " + gettext("field"), f["name"], f["display"] or "", _value_text(f["shown"]), column
        )
    outputs = {o["name"] for o in d.get("outputs", [])}
    for let in d["lets"]:
        if let["given"]:
            note = Text(gettext("given (the formula was not used)"), style="dim")
        else:
            pops = let["population"]
            same = len(pops) == 1 and pops[0]["function"] == let["expression"]
            note = Text("" if let["constant"] or same else let["expression"], style="dim")
            for pop in pops:
                note.append(("\n" if note.plain else "") + population_text(pop), style="")
        table.add_row(
            "  " + (gettext("output") if let["name"] in outputs else gettext("let")),
            let["name"],
            let["display"] or "",
            _value_text(let["shown"]),
            note,
        )
    for param in d.get("params", []):
        table.add_row("  " + gettext("param"), *param_cells(param))
    for pop in d["population"]:
        table.add_row(
            "  population",
            pop["function"],
            "",
            _value_text(pop["shown"]),
            of_customers(pop["of"]) if pop.get("kind") != "rank" else ranked_among(pop["of"]),
        )
    return table


def result_text(item: ResultValue) -> Text:
    """`name = value` of an output or a label attribute."""
    t = Text(item["name"] + " = ")
    t.append(_value_text(item["shown"]))
    if item["display"]:
        t.append("  " + item["display"], style="dim")
    return t


def _value_text(shown: str) -> Text:
    return Text(translate(shown), style="yellow" if shown == "missing" else "")


def rules_tree(d: ExplanationDocument) -> Tree:
    rs = d["ruleset"]
    tree = Tree(
        Text(gettext("Rules, in evaluation order (hit {hit})").format(hit=rs["hit"]), style="bold"),
        guide_style="dim",
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


def _rule_line(rule: RuleResult) -> Text:
    status = rule["status"]
    style = STATUS_STYLE[status]
    t = Text(f"{STATUS_MARK[status]} {rule['position']}. ", style=style)
    t.append(rule["name"], style="bold" if status != "not reached" else "dim")
    t.append(" → ", style="dim")
    t.append(rule["label"], style=style if status == "decided" else "")
    if rule.get("label_display") and rule["label_display"] != rule["label"]:
        t.append(f" {rule['label_display']}", style="dim" if status == "not reached" else "")
    if rule.get("priority"):
        t.append(f"  {gettext('priority')} {rule['priority']}", style="dim")
    t.append("  " + gettext("line {line}").format(line=rule["line"]), style="dim")
    word = gettext(
        {
            "decided": N_("decided"),
            "matched": N_("true"),
            "not matched": N_("false"),
            "unknown": N_("unknown"),
            "not reached": N_("not reached"),
        }[status]
    )
    t.append(f"  {word}", style=style)
    return t


def _add_condition(parent: Tree, cond: Condition) -> None:
    result = cond["result"]
    mark = MARK.get(result, "?")
    style = STYLE.get(result, "yellow")
    if cond["kind"] in ("all", "any", "not"):
        word = gettext({"all": N_("all of"), "any": N_("any of"), "not": N_("not")}[cond["kind"]])
        t = Text(f"{mark} ", style=style)
        t.append(word, style="bold")
        t.append(f"  → {gettext(WORD.get(result, 'unknown'))}", style=style)
        node = parent.add(t)
        for kid in cond["children"]:
            _add_condition(node, kid)
        return
    parent.add(test_line(cond))


def test_line(cond: Condition) -> Text:
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
        piece = f"{o['text']} = {translate(o['shown'])}"
        if pop:
            piece += (
                f" {of_customers(pop['of'])}"
                if pop["function"] == o["text"]
                else f" ({population_text(pop)})"
            )
        shown.append(piece)
    if "population" in cond:
        shown.append(f"{gettext('ranked')} {of_customers(cond['population']['of'])}")
    if shown:
        t.append("   " + ", ".join(shown), style="cyan")
    t.append(f"  → {gettext(WORD.get(result, 'unknown'))}", style=style)
    return t
