"""Why a record did not get a label, as text: per rule of the label its failing tests and
what each needs, and the earlier rule that would still win. Drawn from the why-not document."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from rich.tree import Tree

from rulekit.documents import WhyNotDocument
from rulekit.explain.whynot import WhyNot
from rulekit.i18n import gettext, translate
from rulekit.render.common import MARK, STYLE, WORD, label_text


def why_not_json(wn: WhyNot) -> WhyNotDocument:
    """The why-not document: `wn.to_dict()`."""
    return wn.to_dict()


def why_not_text(w: WhyNotDocument) -> RenderableType:
    info = w["label_info"]
    title = Text(gettext("Why not "), style="bold")
    title.append_text(label_text(info))
    title.append(gettext("?"), style="bold")
    tree = Tree(title, guide_style="dim")
    actual = w["actual"]
    if w["already"]:
        by = (
            gettext(" (rule {name}, line {line})").format(
                name=actual["rule"]["name"], line=actual["rule"]["line"]
            )
            if actual["rule"]
            else gettext(" (the default label)")
        )
        tree.add(
            Text(
                gettext("The record already gets {label}{by}.").format(label=w["label"], by=by),
                style="green",
            )
        )
        return tree
    got = ", ".join(actual["labels"]) if actual["labels"] else gettext("no label")
    if actual["rule"]:
        how = gettext(", by rule {name} (line {line})").format(
            name=actual["rule"]["name"], line=actual["rule"]["line"]
        )
    elif actual["labels"]:
        how = gettext(", the default label (no rule matched)")
    else:
        how = gettext(" (no rule matched)")
    tree.add(Text(gettext("It gets {got}{how}.").format(got=got, how=how), style="dim"))
    if not w["rules"]:
        if w["is_default"]:
            node = tree.add(
                Text(
                    gettext(
                        "{label} is the default label: a record gets it when no "
                        "rule matches. These rules match:"
                    ).format(label=w["label"])
                )
            )
            for m in w["matched"]:
                node.add(Text(f"✓ {m['name']} → {m['label']}  line {m['line']}", style="green"))
        else:
            tree.add(
                Text(gettext("No rule gives {label}.").format(label=w["label"]), style="yellow")
            )
        return tree
    for r in w["rules"]:
        head = Text(f"{MARK.get(r['result'], '?')} ", style=STYLE.get(r["result"], "yellow"))
        head.append(r["name"], style="bold")
        head.append(
            f" → {w['label']}  " + gettext("line {line}").format(line=r["line"]), style="dim"
        )
        head.append(
            f"  {gettext(WORD.get(r['result'], 'unknown'))}", style=STYLE.get(r["result"], "yellow")
        )
        node = tree.add(head)
        for need in r["needs"]:
            t = Text(f"{MARK.get(need['result'], '?')} ", style=STYLE.get(need["result"], "yellow"))
            t.append(translate(need["needs"]))
            node.add(t)
        if r["blocked_by"]:
            first = r["blocked_by"][0]
            lead = (
                gettext("it matches, but an earlier rule would still win (hit {hit}):")
                if r["result"] is True
                else gettext("even then, an earlier rule would still win (hit {hit}):")
            ).format(hit=w["hit"])
            line = gettext("line {line}").format(line=first["line"])
            node.add(Text(f"{lead} {first['name']} → {first['label']}  {line}", style="yellow"))
    return tree
