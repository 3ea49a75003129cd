"""Argmax rules: `if C then highest(a: x, b: y, c: z)` (`lowest`, 最高 / 最低) become one plain
rule per candidate label, so every engine, explain, why-not, the SQL and the static analysis
treat them as ordinary rules (docs/language.md, "Picking the label with the highest value").

Candidate `a` (value x) wins when C holds, x is not missing, and x beats every other candidate
that is not missing: strictly (`>`) against the candidates written before it, or equal (`>=`)
against those written after it — so a tie goes to the candidate written first. A missing value
never wins; when every value is missing, the rule gives no label. Exactly one of the expanded
rules matches, or none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rulekit.source import Span
from rulekit.syntax import nodes as n

PICK_WORDS = {"highest": True, "最高": True, "lowest": False, "最低": False}


@dataclass(frozen=True)
class PickItem:
    label: str
    label_span: Span
    value: n.Node


def _beats(new_id: Callable[[], int], mine: n.Node, other: n.Node, op: str, span: Span) -> n.Node:
    """`other is missing or mine op other`."""
    missing = n.IsMissing(new_id(), other.span, other, False)
    compare = n.Compare(new_id(), span, (mine, other), (op,), (span,))
    return n.Or(new_id(), span, missing, compare)


def pick_condition(
    new_id: Callable[[], int], highest: bool, items: list[PickItem], i: int, span: Span
) -> n.Node:
    """The test that candidate i wins (without the rule's own condition)."""
    mine = items[i].value
    test: n.Node = n.IsMissing(new_id(), mine.span, mine, True)
    for j, other in enumerate(items):
        if j == i:
            continue
        strict = j < i  # an earlier candidate wins a tie
        op = (">" if strict else ">=") if highest else ("<" if strict else "<=")
        test = n.And(new_id(), span, test, _beats(new_id, mine, other.value, op, span))
    return test
