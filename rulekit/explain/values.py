"""Values as explanations show them: JSON-ready values, values in words and units
(`200 days`, `¥12,000`), source text of an expression, and label references."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

from rulekit.documents import Hit, LabelInfo
from rulekit.i18n import N_, Msg
from rulekit.model.program import HitPolicy, Program
from rulekit.syntax import nodes as n

MONEY = {
    "CNY": "¥",
    "RMB": "¥",
    "元": "¥",
    "人民币": "¥",
    "¥": "¥",
    "USD": "$",
    "$": "$",
    "EUR": "€",
    "€": "€",
}


def jsonable(value: Any) -> Any:
    """A traced value as a document holds it: dates as ISO text, tuples as lists."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, tuple):
        return [jsonable(v) for v in value]
    return value


def number(x: Any, money: bool = False) -> str:
    """12000 → 12,000; 93.07692 → 93.08; 0.12345 → 0.1235 (money keeps two decimals)."""
    if isinstance(x, Decimal):
        x = int(x) if x == x.to_integral_value() else float(x)
    if isinstance(x, float) and x.is_integer() and abs(x) < 2**53:
        x = int(x)
    if isinstance(x, int):
        return f"{x:,}"
    if money:
        return f"{x:,.2f}"
    digits = 2 if abs(x) >= 1 else 4
    return f"{x:,.{digits}f}".rstrip("0").rstrip(".")


def describe_value(value: Any, type_name: str = "", unit: str | None = None) -> str:
    """A value in words and units, as explanations show it: `200 days`, `¥12,000`, `12 orders`,
    `"north"`, `missing`."""
    if value is None:
        return Msg("missing")
    if isinstance(value, bool):
        return Msg("true") if value else Msg("false")
    if isinstance(value, (list, tuple)):
        element = type_name[len("list of ") :] if type_name.startswith("list of ") else ""
        items = [describe_value(v, element) for v in value]
        return Msg("[{items}]", items=items) if items else "[]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if not isinstance(value, (int, float, Decimal)):
        return str(value)
    if type_name == "duration":
        return Msg("{n} day", n=number(value)) if value == 1 else Msg("{n} days", n=number(value))
    if unit in MONEY:
        return ("-" if value < 0 else "") + MONEY[unit] + number(abs(value), money=True)
    text = number(value)
    if not unit:
        return text
    if any(c.isdigit() for c in unit):  # a scale such as 1-5 or 0..1
        return f"{text} ({unit})"
    if value == 1:  # 1 order, 1 order/window
        unit = re.sub(r"^([A-Za-z]{2,})s\b", r"\1", unit)
    return f"{text} {unit}"


# the reasons of unreadable values (model/semantics.py, model/reading.py), after the value
_REASONS = (
    " is not a number",
    " is not a duration (write 200, 200d or 6mo)",
    " is not a date (write YYYY-MM-DD)",
    " is not a timestamp (write YYYY-MM-DDTHH:MM)",
    " is not true/false (write true/false, yes/no, 是/否 or 1/0)",
)
_REASON_WORDS = (  # the same, marked for the catalog
    N_("is not a number"),
    N_("is not a duration (write 200, 200d or 6mo)"),
    N_("is not a date (write YYYY-MM-DD)"),
    N_("is not a timestamp (write YYYY-MM-DDTHH:MM)"),
    N_("is not true/false (write true/false, yes/no, 是/否 or 1/0)"),
)


def unreadable(value: Any, reason: str) -> str:
    """A value the evaluation could not read (so it was missing), with why:
    `'xyz' (unreadable: is not a number)`; an unknown reason is given whole."""
    from rulekit.documents import json_value

    shown = value if isinstance(value, str) else json_value(value)
    for suffix, words in zip(_REASONS, _REASON_WORDS, strict=True):
        if reason.endswith(suffix):
            reason = Msg(words)
            break
    return Msg(
        "{value} (unreadable: {reason})",
        value=repr(shown) if isinstance(shown, str) else str(shown),
        reason=reason,
    )


def snippet(program: Program, node: n.Node) -> str:
    """The source text of an expression, on one line."""
    return " ".join(program.source.snippet(node.span).split())


def label_info(program: Program, label: str) -> LabelInfo:
    """A label's display names, description and strategy (None for an undeclared label)."""
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


def hit_name(hit: HitPolicy) -> Hit:
    """A hit policy as documents name it: first, priority, all or unique."""
    return hit.value
