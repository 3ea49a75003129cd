"""Shared parameters in the checker: read the parameters files a rule file `use`s (paths
relative to the rule file), collect every `param` (the file's own and the used files'), apply
overrides, and fold every use of a param into its literal before the file is typed.

Folding is what makes a param a constant everywhere: the checker types a literal, the Python
compiler and the SQL generator emit an escaped constant, the static analysis encodes a constant
(with an override, the overridden one). The program keeps the params (`Program.params`) for
explain, show, the generated docs and the run summary.

Errors, each at file:line:column with a hint: a used file that does not exist, a cycle of
`use`, a used file with statements other than `param` and `use`, a param declared twice
(`duplicate-param`) or twice with different values (`conflicting-param`) naming both places, a
param value that is not a literal, a param named like a field or let; a param used with the
wrong type gets the checker's type error with a hint naming the param's declaration.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from pathlib import Path

from rulekit.errors import Diagnostic
from rulekit.i18n import Msg
from rulekit.model.params import (
    Override,
    ParamInfo,
    override_node,
    type_of_value,
    unknown_params,
)
from rulekit.model.params import (
    respan as _respan,
)
from rulekit.model.program import Program
from rulekit.source import Source, Span
from rulekit.syntax import nodes as n

# The checker's codes of a wrong-typed use: a use of a param inside such a span gets a hint.
_TYPE_CODES = frozenset({"type-mismatch", "wrong-arguments", "not-a-condition"})


def uses_params(file: n.File) -> bool:
    """Whether a file declares or uses params (otherwise nothing here runs)."""
    return any(isinstance(s, (n.ParamDecl, n.UseDecl)) for s in file.statements)


def is_params_file(file: n.File) -> bool:
    """A parameters file: `param` and `use` statements and nothing else (not a ruleset)."""
    return bool(file.statements) and all(
        isinstance(s, (n.ParamDecl, n.UseDecl)) for s in file.statements
    )


def _where(source: Source, span: Span) -> str:
    line, col = source.line_col(span.start)
    return f"{source.path}:{line}:{col}"


def _kind_word(node: n.Node) -> str:
    if isinstance(node, n.Meta):
        return node.key
    return {
        n.FieldDecl: "field",
        n.LetDecl: "let",
        n.LabelDecl: "label",
        n.Rule: "rule",
        n.Example: "example",
    }.get(type(node), "statement")


class Params:
    """The params of one rule file, read and folded."""

    def __init__(self, file: n.File, source: Source) -> None:
        self.file = file
        self.source = source
        self.params: dict[str, ParamInfo] = {}
        self.diagnostics: list[Diagnostic] = []
        self.uses: list[tuple[Span, ParamInfo]] = []  # where the rule file uses each param
        self._loaded: set[Path] = set()

    # ---------------------------------------------------------------- reporting
    def _error(
        self,
        code: str,
        message: str,
        source: Source,
        span: Span,
        hint: str | None = None,
        label: str = "",
    ) -> None:
        self.diagnostics.append(Diagnostic(code, message, source, span, hint=hint, label=label))

    # ---------------------------------------------------------------- reading
    def _base(self, source: Source) -> Path:
        if source.path in ("<string>", ""):
            return Path.cwd()
        return Path(source.path).parent

    def collect(self, file: n.File, source: Source, stack: tuple[Path, ...]) -> None:
        for st in file.statements:
            if isinstance(st, n.UseDecl):
                self._use(st, source, stack)
            elif isinstance(st, n.ParamDecl):
                self._declare(st, source)

    def _use(self, use: n.UseDecl, source: Source, stack: tuple[Path, ...]) -> None:
        base = self._base(source)
        target = (base / use.path).resolve()
        if target in stack:
            chain = " → ".join(p.name for p in (*stack[stack.index(target) :], target))
            self._error(
                "use-cycle",
                Msg("`use` makes a cycle: {chain}", chain=chain),
                source,
                use.path_span,
                hint=Msg("remove one of the `use` lines of the cycle"),
            )
            return
        if target in self._loaded:
            return  # used twice (through two files): its params are the same declarations
        if not target.is_file():
            self._error(
                "use-not-found",
                Msg("no parameters file `{path}`", path=use.path),
                source,
                use.path_span,
                hint=Msg(
                    "the path is relative to the folder of this file ({folder}); check the name",
                    folder=str(base),
                ),
            )
            return
        self._loaded.add(target)
        shown = str(Path(source.path).parent / use.path) if source.path != "<string>" else use.path
        try:
            stat = target.stat()
            file, used_source, syntax = _parsed(
                target, shown.replace("\\", "/"), stat.st_mtime_ns, stat.st_size
            )
        except (OSError, UnicodeDecodeError) as e:
            self._error(
                "use-not-found",
                Msg(
                    "the parameters file `{path}` cannot be read: {reason}",
                    path=use.path,
                    reason=str(e),
                ),
                source,
                use.path_span,
                hint=Msg("save it as UTF-8 text"),
            )
            return
        self.diagnostics.extend(syntax)
        other = next(
            (s for s in file.statements if not isinstance(s, (n.ParamDecl, n.UseDecl))), None
        )
        if other is not None:
            self._error(
                "not-a-params-file",
                Msg(
                    "`{path}` is not a parameters file: it has a `{kind}` statement at {where}",
                    path=use.path,
                    kind=_kind_word(other),
                    where=_where(used_source, other.span),
                ),
                source,
                use.path_span,
                hint=Msg(
                    "a file that rule files `use` holds only `param` and `use` statements; "
                    "move the others into a rule file"
                ),
            )
        self.collect(file, used_source, (*stack, target))

    def _declare(self, decl: n.ParamDecl, source: Source) -> None:
        t = type_of_value(decl.value)
        if t is None:
            self._error(
                "bad-param",
                Msg("the value of param `{name}` is not a constant", name=decl.name),
                source,
                decl.value.span,
                hint=Msg(
                    "write a number, duration, date, text, true/false or a list of one kind, "
                    "e.g. `param {name} = 180d`",
                    name=decl.name,
                ),
            )
            return
        first = self.params.get(decl.name)
        if first is None:
            self.params[decl.name] = ParamInfo(decl.name, t, decl.value, decl, source)
            return
        same = n.literal_value(first.declared.value) == n.literal_value(decl.value) and (
            first.type == t
        )
        self._error(
            "duplicate-param" if same else "conflicting-param",
            Msg("param `{name}` is declared twice", name=decl.name)
            if same
            else Msg(
                "param `{name}` is declared twice with different values: {first} and {second}",
                name=decl.name,
                first=first.declared_text,
                second=source.snippet(decl.value.span),
            ),
            source,
            decl.name_span,
            label=Msg("again"),
            hint=Msg(
                "it is first declared at {where}; keep one declaration (override a shared value "
                "with --param or params={{…}}, not by declaring it again)",
                where=first.where,
            ),
        )

    # ---------------------------------------------------------------- names
    def check_names(self) -> set[str]:
        """A param named like a field or let of the rule file is an error; returns the names
        that stay params (those are folded)."""
        shadowed: set[str] = set()
        for st in self.file.statements:
            if isinstance(st, (n.FieldDecl, n.LetDecl)) and st.name in self.params:
                info = self.params[st.name]
                kind = "field" if isinstance(st, n.FieldDecl) else "let"
                self._error(
                    "duplicate-name",
                    Msg(
                        "`{name}` is already a param (declared at {where})",
                        name=st.name,
                        where=info.where,
                    ),
                    self.source,
                    st.name_span,
                    hint=Msg("give the field another name")
                    if kind == "field"
                    else Msg("give the let another name"),
                )
                shadowed.add(st.name)
        return {name for name in self.params if name not in shadowed}

    # ---------------------------------------------------------------- overrides
    def override(self, overrides: Mapping[str, Override]) -> None:
        if not self.diagnostics:  # else a param may be unknown for a reason already reported
            unknown_params(overrides, self.params, self.source.path)
        for name, value in overrides.items():
            if name not in self.params:
                continue
            info = self.params[name]
            info.value_node = override_node(info, value, info.declared.value)
            info.overridden = True

    # ---------------------------------------------------------------- folding
    def fold(self, names: set[str]) -> n.File:
        out: list[n.Node] = []
        for st in self.file.statements:
            if isinstance(st, n.LetDecl):
                st = dataclasses.replace(st, expr=self._fold(st.expr, names))
            elif isinstance(st, n.Rule):
                st = dataclasses.replace(st, condition=self._fold(st.condition, names))
            out.append(st)
        return n.File(out, self.file.unparsed)

    def _fold(self, node: n.Node, names: set[str]) -> n.Node:
        if isinstance(node, n.Name):
            info = self.params.get(node.name) if node.name in names else None
            if info is None:
                return node
            info.used = True
            self.uses.append((node.span, info))
            return _respan(info.value_node, node)
        changes: dict[str, object] = {}
        for f in dataclasses.fields(node):
            if f.name == "by":  # a population's partition is a field, never a constant
                continue
            value = getattr(node, f.name)
            if isinstance(value, n.Node):
                new = self._fold(value, names)
                if new is not value:
                    changes[f.name] = new
            elif isinstance(value, tuple) and value and isinstance(value[0], n.Node):
                items = tuple(self._fold(v, names) for v in value)
                if any(a is not b for a, b in zip(items, value, strict=True)):
                    changes[f.name] = items
        return dataclasses.replace(node, **changes) if changes else node  # type: ignore[arg-type]

    # ---------------------------------------------------------------- type errors
    def explain_types(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        """A type error at a use of a param gets a hint naming the param and its declaration."""
        out = []
        for d in diagnostics:
            if d.code in _TYPE_CODES and d.source is self.source:
                use = next((info for span, info in self.uses if _blamed(d, span, info)), None)
                if use is not None:
                    note = Msg(
                        "`{name}` is a param of type {type} = {value}, declared at {where}",
                        name=use.name,
                        type=str(use.type),
                        value=use.text,
                        where=use.where,
                    )
                    hint = Msg("{hint}; {note}", hint=d.hint, note=note) if d.hint else note
                    d = dataclasses.replace(d, hint=hint)
            out.append(d)
        return out


def resolve(file: n.File, source: Source, overrides: Mapping[str, Override] | None) -> Params:
    """Read the params of a rule file, apply `overrides`, and fold them (`.file`)."""
    p = Params(file, source)
    here = Path(source.path).resolve() if source.path != "<string>" else Path.cwd() / "<string>"
    p.collect(file, source, (here,))
    names = p.check_names()
    if overrides:
        p.override(overrides)
    p.file = p.fold(names)
    return p


def is_params_program(program: Program) -> bool:
    """A checked parameters file: it declares params and nothing a ruleset has (no fields,
    lets, labels, rules or examples): `rulekit test` and the catalog pass it by."""
    own = any(info.source is program.source for info in program.params.values())
    return (
        own
        and not program.rules
        and not program.fields
        and not program.lets
        and not program.labels
        and not program.examples
    )


def _blamed(d: Diagnostic, span: Span, info: ParamInfo) -> bool:
    """Whether a type error may be about this use of a param: the use is inside the error's
    span, or on its line with the param's type named in the error (`number > duration`)."""
    if d.span.start <= span.start and span.end <= d.span.end:
        return True
    type_word = str(info.type)
    return d.source.line_col(span.start)[0] == d.line and (
        type_word in str(d.message) or type_word in str(d.label)
    )


@functools.lru_cache(maxsize=64)
def _parsed(
    path: Path, shown: str, mtime_ns: int, size: int
) -> tuple[n.File, Source, list[Diagnostic]]:
    """A parameters file read and parsed, once per version of the file (its nodes are
    immutable, so every rule file that uses it shares them)."""
    from rulekit.syntax.parser import parse

    return parse(path.read_bytes().decode("utf-8-sig"), shown)
