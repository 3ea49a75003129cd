"""Checking `example` blocks against the checked program: every given name is a field or a
let, every given value fits its type, every expected label exists."""

from __future__ import annotations

from rulekit.check.outputs import check_example_results, check_given_value
from rulekit.check.report import Report, did_you_mean
from rulekit.i18n import Msg
from rulekit.model.program import Program
from rulekit.suggest import nearest
from rulekit.syntax import nodes as n


def check_examples(program: Program, report: Report) -> None:
    """Report what is wrong in the program's examples, in file order."""
    for ex in program.examples:
        check_example(program, ex, report)


def check_example(program: Program, ex: n.Example, report: Report) -> None:
    check_example_results(program, ex, report)
    for g in ex.given:
        target = program.fields.get(g.name) or program.lets.get(g.name)
        if target is None:
            guess = nearest(g.name, [*program.fields, *program.lets])
            report.error(
                "bad-example",
                Msg(
                    "example `{example}` gives `{name}`, which is neither a field nor a let",
                    example=ex.name,
                    name=g.name,
                ),
                g.name_span,
                hint=Msg("did you mean `{guess}`?", guess=guess) if guess else None,
            )
            continue
        check_given_value(report, g, target.type)
    for label in ex.expect or ():
        if label not in program.labels:
            guess = nearest(label, program.labels)
            report.error(
                "unknown-label",
                Msg(
                    "example `{example}` expects unknown label `{label}`",
                    example=ex.name,
                    label=label,
                ),
                ex.expect_span,
                hint=Msg(
                    "{guess}labels are {labels}",
                    guess=did_you_mean(guess),
                    labels=list(program.labels),
                ),
            )
