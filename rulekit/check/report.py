"""Collecting a check's diagnostics, and the phrasing their messages share.

A `Report` is where every part of the checker sends the problems it finds. It can be told to
keep quiet (the checker's silent first pass over files without field declarations), and it hands
back the diagnostics in the order they are shown: errors first, then by position.
"""

from __future__ import annotations

from typing import Literal

from rulekit.errors import Diagnostic
from rulekit.i18n import N_, Msg
from rulekit.source import Source, Span

Severity = Literal["error", "warning"]


class Report:
    """The diagnostics found so far in one source."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        self.quiet = False  # while set, problems are dropped (the silent inference pass)

    def error(
        self,
        code: str,
        message: str,
        span: Span,
        hint: str | None = None,
        label: str = "",
        severity: Severity = "error",
    ) -> None:
        if self.quiet:
            return
        self.diagnostics.append(
            Diagnostic(code, message, self.source, span, severity=severity, label=label, hint=hint)
        )

    def warn(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.error(code, message, span, hint, severity="warning")

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)

    def in_order(self) -> list[Diagnostic]:
        """Errors first, then warnings; each by position (file order on ties)."""
        return sorted(self.diagnostics, key=lambda d: (d.severity != "error", d.span.start))


# The type names as messages say them (marked for the catalog: "整数" …).
TYPE_WORDS = frozenset(
    (
        N_("integer"),
        N_("number"),
        N_("boolean"),
        N_("string"),
        N_("date"),
        N_("timestamp"),
        N_("duration"),
        N_("unknown"),
        N_("error"),
    )
)


def type_word(t: object) -> str:
    """A type as messages name it (`integer`, `list of string`), translated when shown."""
    element = getattr(t, "element", None)
    if element is not None:
        return Msg("list of {element}", element=type_word(element))
    text = str(t)
    return Msg(text) if text in TYPE_WORDS else text


def a(word: object) -> str:
    """`a number`, `an integer` (in Chinese the bare word)."""
    text = str(word)
    shown = type_word(word) if not isinstance(word, str) else word
    if text[:1] in "aeiou":
        return Msg("an {word}", word=shown)
    return Msg("a {word}", word=shown)


def did_you_mean(guess: str | None) -> str:
    """The start of a hint naming the nearest known name (then a space), or "" without one."""
    return Msg("did you mean `{guess}`? ", guess=guess) if guess else ""
