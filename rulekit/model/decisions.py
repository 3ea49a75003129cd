"""Named decisions: several decisions in one rule file (`decision NAME … when PARENT is LABEL`).

A file's rules before its first `decision` line are its unnamed decision: the ruleset's own
label, exactly as in a file without named decisions. Each named decision shares the file's
fields, lets and params, and has its own hit policy, default, labels and rules; it is checked
into a `Program` of its own (`NamedDecision.program`, whose id is `<ruleset id>_<name>`: the name
of its result column), so every engine, explanation and analysis runs it as it runs any program.

`when PARENT is LABEL` makes a decision a child: it applies only to the records its parent
decision gave LABEL (under the parent's `hit all`: among its labels). A record its parent gave
another label, no label, or that the parent did not apply to, gets no label and no rule from
the child. A record is set aside as bad when the unnamed decision or any named decision that
applies to it meets a bad value (or a `hit unique` conflict); the reason is the first such
decision's, in file order (the unnamed decision first).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rulekit.source import Span
from rulekit.syntax import nodes as n

# Result-column suffixes a decision name must not take: `<id>_rule` and `<id>_display` are the
# unnamed decision's columns, `label` is reserved for tools reading the output.
RESERVED_NAMES = frozenset({"rule", "display", "label"})


@dataclass(eq=False)
class NamedDecision:
    """One `decision NAME …` of a file, checked."""

    name: str
    decl: n.DecisionDecl
    program: Any  # a rulekit.model.program.Program (which imports this module): its rules, labels, hit policy and default; id `<ruleset id>_<name>`
    parent: str | None = None
    parent_label: str | None = None

    @property
    def display(self) -> n.Text:
        return self.decl.display

    @property
    def column(self) -> str:
        """Its result column in `run`'s output (`<column>_rule`: its deciding rule)."""
        return str(self.program.id)


def decision_order(decisions: Mapping[str, NamedDecision]) -> list[str]:
    """The named decisions in evaluation order: each after its parent, else in file order
    (the checker rejects cycles and unknown parents; such a decision is left out)."""
    out: list[str] = []
    placed: set[str] = set()
    pending = list(decisions)
    while pending:
        rest = []
        for name in pending:
            parent = decisions[name].parent
            if parent is None or parent in placed:
                out.append(name)
                placed.add(name)
            elif parent in decisions:
                rest.append(name)
        if len(rest) == len(pending):
            break  # a cycle: left out
        pending = rest
    return out


def applies(d: NamedDecision, parent_labels: tuple[str, ...] | None) -> bool:
    """Whether a child applies to a record whose parent gave these labels (None: the parent
    did not apply, or set the record aside)."""
    return d.parent is None or (parent_labels is not None and d.parent_label in parent_labels)


def column_collisions(
    ruleset_id: str, names: Iterable[tuple[str, Span]], reserved: Iterable[str]
) -> list[tuple[str, Span, str]]:
    """Decision names whose result columns collide: with a reserved suffix (`rule`, …: the
    column `<id>_<name>` would be another column's name) or with another decision's columns
    (`x_rule` and `x`'s rule column). Each as (name, its span, the column it collides on)."""
    reserved = set(reserved)
    out: list[tuple[str, Span, str]] = []
    taken: set[str] = set()
    for name, span in names:
        column = f"{ruleset_id}_{name}"
        if name in reserved or column in taken:
            out.append((name, span, column))
            continue
        taken.update((column, column + "_rule", column + "_display"))
    return out
