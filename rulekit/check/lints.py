"""Warnings about a checked program that is valid but probably not what was meant: labels no
rule gives, lets and fields nothing uses; and, in strict mode, the errors for fields and labels
used without a declaration."""

from __future__ import annotations

from collections.abc import Mapping

from rulekit.check.report import Report
from rulekit.model.program import Program
from rulekit.source import Span


def lint(
    program: Program, report: Report, *, strict: bool, inferred_at: Mapping[str, Span]
) -> None:
    """Add strict-mode errors (when `strict`), then the unused-name warnings unless the program
    already has errors. `inferred_at`: where each undeclared field's type was implied."""
    if strict:
        undeclared(program, report, inferred_at)
    if report.has_errors:
        return  # "unused" is noise while a typo hides the use
    unused(program, report)


def undeclared(program: Program, report: Report, inferred_at: Mapping[str, Span]) -> None:
    """Strict mode: every field and label used without a declaration is an error."""
    for f in program.fields.values():
        if f.decl is None:  # inferred from its use (only in a file that declares no field)
            report.error(
                "undeclared",
                f"field `{f.name}` is not declared (strict mode)",
                inferred_at.get(f.name, Span(0, 0)),
                hint=f'declare it: field {f.name} : {f.type} "显示名"',
            )
    for rule in program.rules:
        label = program.labels.get(rule.label)
        if label is not None and label.decl is None:  # only in a file that declares no label
            report.error(
                "undeclared",
                f"label `{rule.label}` is not declared (strict mode)",
                rule.label_span,
                hint=f'declare it: label {rule.label} "显示名"',
            )


def unused(program: Program, report: Report) -> None:
    """Declared labels no rule gives; lets nothing uses; declared fields nothing reads."""
    for label in program.labels.values():
        if label.decl and label.name not in program.produced_labels:
            report.warn(
                "unused-label",
                f"label `{label.name}` is declared but no rule gives it",
                label.decl.name_span,
                hint="add a rule that gives it, or remove the label",
            )
    for let in program.lets.values():
        if not let.used:
            report.warn(
                "unused-let",
                f"let `{let.name}` is never used",
                let.decl.name_span,
                hint="use it in a rule, or remove it",
            )
    for f in program.fields.values():
        if f.decl and not f.used:
            report.warn(
                "unused-field",
                f"field `{f.name}` is declared but no rule reads it",
                f.decl.name_span,
                hint="use it in a rule, or remove the declaration",
            )
