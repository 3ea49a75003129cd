"""Check a parsed file: resolve names, infer and check types, validate examples, and collect
every diagnostic. The result is a `Program`: the one checked tree every backend compiles.

This module is the checker's core: the entry point `check()`, the order of the work, the header
(ruleset id, hit policy, default …) and the declarations of fields, lets and labels. Typing of
expressions is in `expressions`, of function calls in `calls`; examples are checked in
`examples` and the warnings made in `lints`, both against the built `Program`.

Undeclared fields (allowed only in a file that declares none) get the type their use implies.
That takes two passes over the same code: the first binds types silently, the second reports.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rulekit.check.calls import FUNCTIONS, CallChecker
from rulekit.check.conditionals import ConditionalChecker
from rulekit.check.decisions import check_decisions
from rulekit.check.decisions import split as split_decisions
from rulekit.check.examples import check_examples
from rulekit.check.expressions import ExpressionChecker
from rulekit.check.lints import lint
from rulekit.check.outputs import as_lets, declare_attributes, declare_outputs
from rulekit.check.params import resolve as resolve_params
from rulekit.check.params import uses_params
from rulekit.check.report import a, did_you_mean
from rulekit.errors import Diagnostic
from rulekit.i18n import Msg
from rulekit.model import datatypes as T
from rulekit.model.params import Override
from rulekit.model.program import FieldInfo, HitPolicy, LabelInfo, LetInfo, Program
from rulekit.source import Source, Span
from rulekit.suggest import nearest
from rulekit.syntax import limits
from rulekit.syntax import nodes as n
from rulekit.syntax.parser import without_gc

__all__ = ["FUNCTIONS", "Checker", "Header", "check"]

HIT_POLICIES = tuple(p.value for p in HitPolicy)


def _default_id(path: str) -> str:
    stem = re.sub(r"\.rules$", "", path.replace("\\", "/").rsplit("/", 1)[-1])
    ident = re.sub(r"\W+", "_", stem).strip("_")
    return ident if ident and not ident[0].isdigit() and path != "<string>" else "rules"


@dataclass
class Header:
    """The file's header items, validated (the hit policy as a `HitPolicy`)."""

    id: str
    display: n.Text = n.Text()
    description: n.Text = n.Text()
    source_ref: n.Text = n.Text()
    version: Any = None
    aliases: tuple[str, ...] = ()
    hit: HitPolicy = HitPolicy.FIRST
    default: str | None = None
    default_span: Span = Span(0, 0)


class Checker(ExpressionChecker, CallChecker, ConditionalChecker):
    """One check of one file: `Checker(file, source, strict).check()` builds the Program."""

    _label_names: list[str] | None = None

    def check(self) -> Program:
        st, sections = split_decisions(self.file.statements)
        metas = [s for s in st if isinstance(s, n.Meta)]
        field_decls = [s for s in st if isinstance(s, n.FieldDecl)]
        let_decls = as_lets(st)  # an output is also a let (rulekit.check.outputs)
        self.let_names |= {d.name for d in let_decls}
        label_decls = [s for s in st if isinstance(s, n.LabelDecl)]
        rules = [s for s in st if isinstance(s, n.Rule)]
        examples = [s for s in st if isinstance(s, n.Example)]

        header = self._header(metas)
        self._declare_fields(field_decls)
        self.declared_fields = bool(field_decls) or bool(self.broken["field"])
        self.declared_labels = bool(label_decls) or bool(self.broken["label"])
        self._declare_labels(label_decls)
        for let_decl in let_decls:
            if let_decl.name in self.fields:
                self.error(
                    "duplicate-name",
                    Msg("`{name}` is already a field", name=let_decl.name),
                    let_decl.name_span,
                    hint=Msg("give the let another name"),
                )

        # Pass 1 binds the types of undeclared fields silently; pass 2 reports.
        if not self.declared_fields:
            self.report.quiet = True
            self._check_body(let_decls, rules + [r for x in sections for r in x.rules])
            self.report.quiet = False
            for name, t in self.inferred.items():
                if t == T.UNKNOWN:
                    self.inferred[name] = T.NUMBER
            self.types.clear()
            self.lets.clear()
            self._visible_lets.clear()
            self.population_keys.clear()
        self._check_body(let_decls, rules + [r for x in sections for r in x.rules])
        for name, t in self.inferred.items():
            self.fields[name] = FieldInfo(name, t, name, None, used=True)

        self._check_labels(header, rules)
        outputs = declare_outputs(self, header.id)
        attributes = declare_attributes(self, header.id, outputs)
        program = Program(
            source=self.source,
            id=header.id,
            display=header.display,
            description=header.description,
            source_ref=header.source_ref,
            version=header.version,
            aliases=header.aliases,
            hit=header.hit,
            default=header.default,
            fields=self.fields,
            lets=self.lets,
            labels=self.labels,
            rules=rules,
            examples=examples,
            types=self.types,
            population_keys=self.population_keys,
            outputs=outputs,
            attributes=attributes,
        )
        check_decisions(self, program, sections)
        check_examples(program, self.report)
        lint(program, self.report, strict=self.strict, inferred_at=self.inferred_at)
        program.diagnostics = self.report.in_order()
        return program

    def _check_body(self, let_decls: list[n.LetDecl], rules: list[n.Rule]) -> None:
        chain: dict[str, int] = {}  # let → the length of the chain of lets it builds on
        for i, decl in enumerate(let_decls):
            t = self.expr(decl.expr)
            if decl.name not in self.lets and decl.name not in self.fields:
                chain[decl.name] = self._let_chain(decl, chain)
                self.lets[decl.name] = LetInfo(decl.name, decl, t, i)
                self._let_has_population[decl.name] = self.contains_population(decl.expr)
                self._visible_lets.add(decl.name)
            elif decl.name in self.lets:
                self.error(
                    "duplicate-name",
                    Msg(
                        "let `{name}` is defined twice (first on line {line})",
                        name=decl.name,
                        line=self._line_of(self.lets[decl.name].decl),
                    ),
                    decl.name_span,
                    hint=Msg("remove one definition, or rename it"),
                )
        for rule in rules:
            self.condition(rule.condition)

    def _let_chain(self, decl: n.LetDecl, chain: dict[str, int]) -> int:
        """1 + the longest chain of lets this let's formula reads; past `limits.MAX_LET_CHAIN`
        it is a `too-deeply-nested` error (each let is one step of the SQL query)."""
        longest, stack = 0, [decl.expr]
        while stack:
            node = stack.pop()
            if isinstance(node, n.Name):
                longest = max(longest, chain.get(node.name, 0))
            stack.extend(n.children(node))
        if longest == limits.MAX_LET_CHAIN:  # reported once, at the first let past the limit
            self.error(
                "too-deeply-nested",
                Msg(
                    "let `{name}` builds on a chain of {count} lets; at most {limit} lets "
                    "may build on each other",
                    name=decl.name,
                    count=longest,
                    limit=limits.MAX_LET_CHAIN,
                ),
                decl.name_span,
                hint=Msg("compute a part of the chain in one formula, or shorten the chain"),
            )
        return longest + 1

    # ---------------------------------------------------------------- header
    def _header(self, metas: list[n.Meta]) -> Header:
        h = Header(id=_default_id(self.source.path))
        self._repeated_metadata(metas)
        for m in metas:
            if m.key == "ruleset":
                h.id, h.display = m.value
            elif m.key == "description":
                h.description = n.Text(
                    m.value.zh or h.description.zh, m.value.en or h.description.en
                )
            elif m.key == "source":
                h.source_ref = n.Text(m.value.zh or h.source_ref.zh, m.value.en or h.source_ref.en)
            elif m.key == "version":
                h.version = m.value
            elif m.key == "alias":
                h.aliases = h.aliases + m.value
            elif m.key == "hit":
                if m.value not in HIT_POLICIES:
                    self.error(
                        "unknown-hit-policy",
                        Msg("unknown hit policy `{value}`", value=m.value),
                        m.value_span,
                        hint=Msg(
                            "{guess}hit policies are first, priority, all, unique",
                            guess=did_you_mean(nearest(m.value, HIT_POLICIES)),
                        ),
                    )
                else:
                    h.hit = HitPolicy(m.value)
            elif m.key == "default":
                h.default, h.default_span = m.value, m.value_span
        return h

    def _repeated_metadata(self, metas: list[n.Meta]) -> None:
        """A header item given twice (a `description` or `source` twice in the same language)
        is an error at the second, naming the first: only one of them could be kept."""
        seen: dict[str, n.Meta] = {}
        for m in metas:
            keys: list[str] = []
            if m.key in ("ruleset", "hit", "default", "version"):
                keys = [m.key]
            elif m.key in ("description", "source"):
                keys = [m.key] if m.value.zh is not None else []
                keys += [f"{m.key} en"] if m.value.en is not None else []
            for key in keys:
                first = seen.get(key)
                if first is None:
                    seen[key] = m
                    continue
                line = self.source.line_col(first.span.start)[0]
                self.error(
                    "duplicate-metadata",
                    Msg("`{key}` is given twice", key=key),
                    m.span,
                    label=Msg("again"),
                    hint=Msg(
                        "it is first given at line {line}; keep one (for both languages write "
                        '`{key} "中文" en "English"`)',
                        line=line,
                        key=m.key,
                    )
                    if m.key in ("description", "source")
                    else Msg("it is first given at line {line}; keep one", line=line),
                )
                break

    # ---------------------------------------------------------------- declarations
    def _declare_fields(self, decls: list[n.FieldDecl]) -> None:
        for d in decls:
            base = T.SCALARS.get(d.type_name.lower())
            if base is None:
                guess = nearest(d.type_name, [k for k in T.SCALARS if k.isascii()])
                self.error(
                    "unknown-type",
                    Msg("unknown type `{name}`", name=d.type_name),
                    d.type_span,
                    hint=Msg(
                        "{guess}types are integer, number, boolean, string, date, timestamp, "
                        "duration",
                        guess=did_you_mean(guess),
                    ),
                )
                base = T.ERROR
            t = T.list_of(base) if d.list_of else base
            if d.name in self.fields:
                self.error(
                    "duplicate-name",
                    Msg(
                        "field `{name}` is declared twice (first on line {line})",
                        name=d.name,
                        line=self._line_of(self.fields[d.name].decl),
                    ),
                    d.name_span,
                    hint=Msg("remove one of the declarations"),
                )
                continue
            if d.one_of is not None:
                for item in d.one_of.items:
                    it = self.expr(item)
                    if (
                        base != T.ERROR
                        and not isinstance(item, n.Literal)
                        or (base != T.ERROR and T.unify(it, base) is None)
                    ):
                        self.error(
                            "bad-declaration",
                            Msg(
                                "`one of` value {value} is not {type}",
                                value=self.snippet(item),
                                type=a(base),
                            ),
                            item.span,
                            hint=Msg("write values such as {example}", example=T.example_of(base)),
                        )
            self.field_default(d, t)
            self.fields[d.name] = FieldInfo(d.name, t, d.column or d.name, d)

    def _declare_labels(self, decls: list[n.LabelDecl]) -> None:
        for decl in decls:
            if decl.name in self.labels:
                self.error(
                    "duplicate-name",
                    Msg(
                        "label `{name}` is declared twice (first on line {line})",
                        name=decl.name,
                        line=self._line_of(self.labels[decl.name].decl),
                    ),
                    decl.name_span,
                    hint=Msg("remove one of the declarations"),
                )
                continue
            self.labels[decl.name] = LabelInfo(decl.name, decl)

    # ---------------------------------------------------------------- labels
    def _check_labels(self, header: Header, rules: list[n.Rule]) -> None:
        """Every label a rule or the default gives exists; `priority` only under `hit
        priority`. Without label declarations, the labels are those given, in file order."""
        if header.default:
            self._check_label_ref(header.default, header.default_span)
        for rule in rules:
            self._check_label_ref(rule.label, rule.label_span)
            if rule.priority and header.hit is not HitPolicy.PRIORITY:
                self.warn(
                    "ignored-priority",
                    Msg(
                        "`priority {priority}` has no effect under `hit {hit}`",
                        priority=rule.priority,
                        hit=header.hit,
                    ),
                    rule.label_span,
                    hint=Msg("use `hit priority`, or remove it"),
                )
        if not self.declared_labels:
            for rule in rules:
                self.labels.setdefault(rule.label, LabelInfo(rule.label))
            if header.default:
                self.labels.setdefault(header.default, LabelInfo(header.default))

    def _check_label_ref(self, label: str, span: Span) -> None:
        if self.declared_labels and label not in self.labels and label not in self.broken["label"]:
            self.error(
                "unknown-label",
                Msg("unknown label `{label}`", label=label),
                span,
                hint=Msg(
                    "{guess}declared labels are {labels}",
                    guess=did_you_mean(self.labels_index().nearest(label)),
                    labels=self._label_list(),
                ),
            )

    def _label_list(self) -> list[str]:
        """The declared labels as a hint lists them (the first 30, then `…`), made once."""
        if self._label_names is None:
            names = list(self.labels)
            self._label_names = names[:30] + (["…"] if len(names) > 30 else [])
        return self._label_names


def check(
    file: n.File,
    source: Source,
    strict: bool = False,
    syntax: Sequence[Diagnostic] = (),
    params: Mapping[str, Override] | None = None,
) -> Program:
    """Check a parsed file; the Program carries every diagnostic (errors first). `syntax`: the
    parser's diagnostics, reported with the checker's (the statements that parsed are checked,
    the names a broken declaration declares are taken as declared). `params`: overrides of the
    file's shared parameters (rulekit.check.params; an unknown name raises ParamError)."""
    with without_gc():
        shared = None
        if params or uses_params(file):
            shared = resolve_params(file, source, params)
            file = shared.file
        checker = Checker(file, source, strict)
        checker.report.diagnostics.extend(syntax)
        if shared is None:
            return checker.check()
        checker.report.diagnostics.extend(shared.diagnostics)
        program = checker.check()
        program.params = shared.params
        program.param_overrides = tuple(
            (k, tuple(v) if isinstance(v, list) else v) for k, v in (params or {}).items()
        )
        program.diagnostics = shared.explain_types(program.diagnostics)
        return program
