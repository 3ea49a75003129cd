"""Warnings about a checked program that is valid but probably not what was meant: labels no
rule gives, lets and fields nothing uses; and, in strict mode, the errors for fields and labels
used without a declaration."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from rulekit.check.report import Report
from rulekit.i18n import Msg
from rulekit.model.program import Program
from rulekit.source import Span
from rulekit.suggest import NameIndex, catalog_fields, closest, nearest
from rulekit.syntax import nodes as n


def lint(
    program: Program, report: Report, *, strict: bool, inferred_at: Mapping[str, Span]
) -> None:
    """Add strict-mode errors (when `strict`), the possible typos, then the unused-name warnings
    unless the program already has errors. `inferred_at`: where each undeclared field's type was implied."""
    if strict:
        undeclared(program, report, inferred_at)
    possible_typos(program, report)
    possible_unquoted_text(program, report)
    if report.has_errors:
        return  # "unused" is noise while a typo hides the use
    unused(program, report)


def undeclared(program: Program, report: Report, inferred_at: Mapping[str, Span]) -> None:
    """Strict mode: every field and label used without a declaration is an error."""
    for f in program.fields.values():
        if f.decl is None:  # inferred from its use (only in a file that declares no field)
            report.error(
                "undeclared",
                Msg("field `{name}` is not declared (strict mode)", name=f.name),
                inferred_at.get(f.name, Span(0, 0)),
                hint=Msg('declare it: field {name} : {type} "显示名"', name=f.name, type=f.type),
            )
    for rule in program.rules:
        label = program.labels.get(rule.label)
        if label is not None and label.decl is None:  # only in a file that declares no label
            report.error(
                "undeclared",
                Msg("label `{label}` is not declared (strict mode)", label=rule.label),
                rule.label_span,
                hint=Msg('declare it: label {label} "显示名"', label=rule.label),
            )


def unused(program: Program, report: Report) -> None:
    """Declared labels no rule gives; lets nothing uses; declared fields nothing reads."""
    for label in program.labels.values():
        if label.decl and label.name not in program.produced_labels:
            report.warn(
                "unused-label",
                Msg("label `{label}` is declared but no rule gives it", label=label.name),
                label.decl.name_span,
                hint=Msg("add a rule that gives it, or remove the label"),
            )
    for let in program.lets.values():
        if not let.used:
            report.warn(
                "unused-let",
                Msg("let `{name}` is never used", name=let.name),
                let.decl.name_span,
                hint=Msg("use it in a rule, or remove it"),
            )
    for f in program.fields.values():
        if f.decl and not f.used:
            report.warn(
                "unused-field",
                Msg("field `{name}` is declared but no rule reads it", name=f.name),
                f.decl.name_span,
                hint=Msg("use it in a rule, or remove the declaration"),
            )


def _apart_from_digits(a: str, b: str) -> bool:
    """`q1` / `q2`, `txn_count_1d` / `txn_count_7d`: names that differ only in their digits are
    meant to differ."""
    return _without_digits(a) == _without_digits(b)


@lru_cache(maxsize=4096)
def _without_digits(name: str) -> str:
    return re.sub(r"\d", "", name)


def possible_typos(program: Program, report: Report) -> None:
    """In a file that declares no fields, every name is taken as a field, so a typo silently
    becomes a new, always-missing field. Warn about an undeclared field whose name is a small edit
    away from a let, from a name the file uses more often (or earlier), or from a field of the
    shipped rulesets' catalog."""
    if any(f.decl is not None for f in program.fields.values()):
        return
    uses: dict[str, int] = {}
    first: dict[str, Span] = {}
    exprs = [let.decl.expr for let in program.lets.values()] + [r.condition for r in program.rules]
    for expr in exprs:
        for node in n.walk(expr):
            if isinstance(node, n.Name) and node.name in program.fields:
                uses[node.name] = uses.get(node.name, 0) + 1
                first.setdefault(node.name, node.span)
    catalog = sorted(catalog_fields())  # sorted: the same guess on every run

    def weight(name: str) -> tuple[int, int]:
        return (uses.get(name, 0), -first[name].start if name in first else 0)

    # The names of the file, most used (then earliest) first: a name may be a typo of one
    # before it. Indexed by length, so that each name is compared with a bounded few.
    ranked = sorted(first, key=weight, reverse=True)
    in_file = NameIndex(ranked)
    lets = NameIndex(program.lets)
    for name, span in sorted(first.items(), key=lambda item: item[1].start):
        if name in catalog or len(name.replace("_", "")) < 4:
            continue
        mine = weight(name)

        def apart(other: str, name: str = name) -> bool:
            return other == name or _apart_from_digits(other, name)

        def not_heavier(other: str, mine: tuple[int, int] = mine) -> bool:
            return weight(other) <= mine

        candidates = lets.candidates(name, skip=apart) + in_file.candidates(
            name, until=not_heavier, skip=apart
        )
        guess = closest(name, candidates)
        if guess is None and len(name) >= 5:  # a short name is near too many catalog names
            guess = nearest(name, [c for c in catalog if not _apart_from_digits(c, name)])
        if guess is None:
            continue
        report.warn(
            "possible-typo",
            Msg(
                "`{name}` is not declared and looks like a misspelling of `{guess}`",
                name=name,
                guess=guess,
            ),
            span,
            hint=Msg(
                "did you mean `{guess}`? If `{name}` is a column of its own, declare the "
                'fields: field {name} : {type} "显示名"',
                guess=guess,
                name=name,
                type=program.fields[name].type,
            ),
        )


def possible_unquoted_text(program: Program, report: Report) -> None:
    """In a file that declares no fields, `城市 = 北京` compares two fields: `北京` is taken as a
    column that the data most likely lacks, and the rule silently never fires. Warn about an
    undeclared name used only once, as the value a field is compared with (`=`, `!=`, `in`)."""
    if any(f.decl is not None for f in program.fields.values()):
        return
    exprs = [let.decl.expr for let in program.lets.values()] + [r.condition for r in program.rules]
    uses: dict[str, int] = {}
    values: list[n.Name] = []
    for expr in exprs:
        for node in n.walk(expr):
            if isinstance(node, n.Name) and node.name in program.fields:
                uses[node.name] = uses.get(node.name, 0) + 1
            elif isinstance(node, n.Compare):
                for left, op, right in zip(node.operands, node.ops, node.operands[1:]):
                    if op in ("=", "!=") and isinstance(left, n.Name) and isinstance(right, n.Name):
                        values.append(right)
            elif isinstance(node, n.InList) and isinstance(node.options, n.ListExpr):
                values.extend(x for x in node.options.items if isinstance(x, n.Name))
    for value in values:
        if value.name in program.fields and uses.get(value.name) == 1:
            report.warn(
                "possible-unquoted-text",
                Msg(
                    "`{name}` is taken as a field, used only here: a text needs quotes",
                    name=value.name,
                ),
                value.span,
                hint=Msg(
                    'to compare with the text, quote it: "{name}"; if `{name}` is a column, '
                    'declare the fields: field {name} : {type} "显示名"',
                    name=value.name,
                    type=program.fields[value.name].type,
                ),
            )
