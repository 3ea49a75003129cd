"""Checking named decisions (rulekit.model.decisions): which statements belong to which
decision, their headers (`hit`, `default`), labels and rules, parents (`when PARENT is LABEL`:
known, no cycle, a label the parent can give), result-column collisions, and the `expect
NAME = LABEL` of examples. Each named decision becomes a Program of its own."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from rulekit.check.report import did_you_mean
from rulekit.i18n import Msg
from rulekit.model.decisions import RESERVED_NAMES, NamedDecision, column_collisions
from rulekit.model.program import Program
from rulekit.suggest import nearest
from rulekit.syntax import nodes as n

# the checker (rulekit.check.checker.Checker, which imports this module): its reporting, header
# and label checks are used as they are
Checker = Any


@dataclass
class Section:
    """A `decision` line and the statements that are its own."""

    decl: n.DecisionDecl
    metas: list[n.Meta] = field(default_factory=list)
    labels: list[n.LabelDecl] = field(default_factory=list)
    rules: list[n.Rule] = field(default_factory=list)


def _own(s: n.Node) -> bool:
    """A statement that belongs to the decision above it (others are the file's)."""
    return isinstance(s, (n.LabelDecl, n.Rule)) or (
        isinstance(s, n.Meta) and s.key in ("hit", "default")
    )


def split(statements: list[n.Node]) -> tuple[list[n.Node], list[Section]]:
    """The file's statements without the named decisions' own ones, and the named decisions."""
    main: list[n.Node] = []
    sections: list[Section] = []
    for s in statements:
        if isinstance(s, n.DecisionDecl):
            sections.append(Section(s))
        elif sections and _own(s):
            sec = sections[-1]
            if isinstance(s, n.Meta):
                sec.metas.append(s)
            elif isinstance(s, n.LabelDecl):
                sec.labels.append(s)
            elif isinstance(s, n.Rule):
                sec.rules.append(s)
        else:
            main.append(s)
    return main, sections


def check_decisions(ch: Checker, program: Program, sections: list[Section]) -> None:
    """Build and check the named decisions into `program.decisions`."""
    if not sections:
        return
    saved = ch.labels, ch.declared_labels, ch._label_names, ch._labels
    out: dict[str, NamedDecision] = {}
    for sec in sections:
        d = sec.decl
        if d.name in out:
            ch.error(
                "duplicate-name",
                Msg(
                    "decision `{name}` is declared twice (first on line {line})",
                    name=d.name,
                    line=ch._line_of(out[d.name].decl),
                ),
                d.name_span,
                hint=Msg("give each decision its own name"),
            )
            continue
        header = ch._header(sec.metas)
        header.id = f"{program.id}_{d.name}"
        ch.labels, ch._label_names, ch._labels = {}, None, None
        ch.declared_labels = bool(sec.labels)
        ch._declare_labels(sec.labels)
        ch._check_labels(header, sec.rules)
        sub = dataclasses.replace(
            program,
            id=header.id,
            display=d.display,
            aliases=(),
            hit=header.hit,
            default=header.default,
            labels=ch.labels,
            rules=sec.rules,
            examples=[],
            diagnostics=[],
            decisions={},
        )
        sub.population_keys = _own_keys(sub)
        out[d.name] = NamedDecision(d.name, d, sub, d.parent, d.parent_label)
        _unused_labels(ch, sub)
    ch.labels, ch.declared_labels, ch._label_names, ch._labels = saved
    program.population_keys = _own_keys(program)
    _check_parents(ch, out)
    for name, span, column in column_collisions(
        program.id, ((x.name, x.decl.name_span) for x in out.values()), RESERVED_NAMES
    ):
        ch.error(
            "decision-column-collision",
            Msg(
                "decision `{name}` would write the column `{column}`, which another result "
                "column already has",
                name=name,
                column=column,
            ),
            span,
            hint=Msg("rename the decision (names such as rule, display and label are taken)"),
        )
    program.decisions = out
    for ex in program.examples:
        _check_expect(ch, program, ex)


def _own_keys(p: Program) -> dict[int, str]:
    """The population keys of the nodes in this program's own rules and lets (the checker
    records those of every decision's rules together)."""
    ids = {sub.id for root in p.expressions() for sub in n.walk(root)}
    return {i: k for i, k in p.population_keys.items() if i in ids}


def _unused_labels(ch: Checker, sub: Program) -> None:
    for label in sub.labels.values():
        if label.decl and label.name not in sub.produced_labels:
            ch.warn(
                "unused-label",
                Msg("label `{label}` is declared but no rule gives it", label=label.name),
                label.decl.name_span,
                hint=Msg("add a rule that gives it, or remove the label"),
            )


def _check_parents(ch: Checker, out: dict[str, NamedDecision]) -> None:
    for d in out.values():
        decl = d.decl
        if d.parent is None or decl.parent_span is None:
            continue
        parent = out.get(d.parent)
        if parent is None:
            ch.error(
                "unknown-decision",
                Msg("unknown decision `{name}`", name=d.parent),
                decl.parent_span,
                hint=Msg(
                    "{guess}the decisions of this file are {names}",
                    guess=did_you_mean(nearest(d.parent, [x for x in out if x != d.name])),
                    names=[x for x in out if x != d.name] or ["(none)"],
                ),
            )
            d.parent = None  # reported: evaluated as if it had no parent
            continue
        labels = parent.program.labels
        if d.parent_label not in labels and decl.parent_label_span is not None:
            ch.error(
                "unknown-label",
                Msg(
                    "decision `{parent}` gives no label `{label}`",
                    parent=d.parent,
                    label=d.parent_label,
                ),
                decl.parent_label_span,
                hint=Msg(
                    "{guess}its labels are {labels}",
                    guess=did_you_mean(nearest(d.parent_label or "", labels)),
                    labels=list(labels) or ["(none)"],
                ),
            )
    for d in out.values():  # cycles: follow the parents from each decision
        seen = [d.name]
        cur = d.parent
        while cur is not None and cur in out and cur not in seen:
            seen.append(cur)
            cur = out[cur].parent
        if cur == d.name and d.decl.parent_span is not None:
            ch.error(
                "decision-cycle",
                Msg(
                    "decision `{name}` depends on itself: {path}",
                    name=d.name,
                    path=" → ".join([*seen, d.name]),
                ),
                d.decl.parent_span,
                hint=Msg("a decision's parent must not be the decision or one of its children"),
            )
    for d in out.values():  # evaluated as if it had no parent after a reported cycle
        cur, steps = d.parent, 0
        while cur is not None and cur in out and steps <= len(out):
            cur, steps = out[cur].parent, steps + 1
        if steps > len(out):
            d.parent = None


def _check_expect(ch: Checker, program: Program, ex: n.Example) -> None:
    for e in ex.decisions:
        d = program.decisions.get(e.decision)
        if d is None:
            ch.error(
                "unknown-decision",
                Msg(
                    "example `{example}` expects a label of unknown decision `{name}`",
                    example=ex.name,
                    name=e.decision,
                ),
                e.span,
                hint=Msg(
                    "{guess}the decisions of this file are {names}",
                    guess=did_you_mean(nearest(e.decision, program.decisions)),
                    names=list(program.decisions) or ["(none)"],
                ),
            )
            continue
        for label in e.labels or ():
            if label not in d.program.labels:
                ch.error(
                    "unknown-label",
                    Msg(
                        "example `{example}` expects label `{label}`, which decision "
                        "`{name}` does not give",
                        example=ex.name,
                        label=label,
                        name=e.decision,
                    ),
                    e.span,
                    hint=Msg(
                        "{guess}its labels are {labels}",
                        guess=did_you_mean(nearest(label, d.program.labels)),
                        labels=list(d.program.labels),
                    ),
                )
