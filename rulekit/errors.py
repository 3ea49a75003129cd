"""Diagnostics as values, the exception hierarchy, and the one place diagnostics are rendered."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rulekit.source import Source, Span, display_width

if TYPE_CHECKING:
    from rulekit.documents import DiagnosticDocument

# Every diagnostic code the checker and parser can emit, with a one-line meaning (used by docs
# and by the golden tests, which must cover each code).
CODES: dict[str, str] = {
    "syntax-error": "the text does not follow the grammar",
    "keyword-as-name": "a keyword where a label or a name is declared (write it in backquotes)",
    "wrong-word": "a word written for an operator or a unit (`和`, `大于`, `180 天`): the fix",
    "unexpected-end": "the file ends in the middle of a statement",
    "unexpected-character": "a character that cannot start any word of the language",
    "unterminated-string": "a quoted text is not closed",
    "ambiguous-unit": "`m` could mean months or minutes",
    "unknown-unit": "a number is followed by a unit rulekit does not know",
    "bad-literal": "a date or number that is not valid",
    "number-out-of-range": "a number literal beyond 64-bit whole numbers or the double range",
    "exponent-notation": "a number written with an exponent (`1e6`); write it out",
    "too-deeply-nested": "an expression nested deeper than rulekit can evaluate",
    "unknown-field": "a name that is neither a declared field nor a let",
    "unknown-label": "a label that is not declared",
    "unknown-function": "a function rulekit does not have",
    "unknown-type": "a field type rulekit does not have",
    "unknown-hit-policy": "a hit policy other than first, priority, all, unique",
    "duplicate-name": "a field, let or label declared twice",
    "duplicate-metadata": "a header item (ruleset, description, source, version, hit, default) "
    "given twice",
    "type-mismatch": "an operator or function applied to values of the wrong type",
    "not-a-condition": "a rule condition that is not true/false",
    "wrong-arguments": "a function called with the wrong number or kind of arguments",
    "conflicting-use": "an undeclared field used as two different types",
    "nested-population": "a population function inside another one's argument",
    "bad-example": "an example that names an unknown field or gives a value of the wrong type",
    "bad-declaration": "a declaration option with a wrong value",
    "undeclared": "strict mode: a field or label used without a declaration",
    "unused-label": "a declared label that no rule or default produces",
    "unused-let": "a let that nothing uses",
    "unused-field": "a declared field that no rule or let reads",
    "possible-typo": "an undeclared name a small edit away from another name or a catalog field",
    "unquoted-text": "a bare word compared with a text field: a text without its quotes",
    "ignored-priority": "`priority N` on a rule of a ruleset whose hit policy is not priority",
}


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a rule file, with where it is and how to fix it."""

    code: str
    message: str
    source: Source
    span: Span
    severity: str = "error"  # "error" | "warning"
    label: str = ""  # short text printed after the caret
    hint: str | None = None

    @property
    def line(self) -> int:
        return self.source.line_col(self.span.start)[0]

    @property
    def column(self) -> int:
        return self.source.line_col(self.span.start)[1]

    @property
    def end(self) -> tuple[int, int]:
        return self.source.line_col(self.span.end)

    @property
    def file(self) -> str:
        return self.source.path

    def render(self) -> str:
        """The full human-readable form: header, location, source line, caret, hint."""
        line, col = self.line, self.column
        text = self.source.line_text(line)
        gutter = " " * len(str(line))
        before = text[: col - 1]
        end_line, end_col = self.end
        under = text[col - 1 : (end_col - 1 if end_line == line else len(text))]
        carets = "^" * max(1, display_width(under))
        out = [
            f"{self.severity}[{self.code}]: {self.message}",
            f"{gutter}--> {self.file}:{line}:{col}",
            f"{gutter} |",
            f"{line} | {text}",
            f"{gutter} | {' ' * display_width(before)}{carets}{' ' + self.label if self.label else ''}",
        ]
        if self.hint:
            out.append(f"{gutter} = hint: {self.hint}")
        return "\n".join(out)

    def to_dict(self) -> DiagnosticDocument:
        """The diagnostic as `rulekit check --format json` shows it: where (1-based line and
        column; `end` just after the span), what, and how to fix it."""
        end_line, end_column = self.end
        return {
            "code": self.code,
            "severity": "error" if self.severity == "error" else "warning",
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end": {"line": end_line, "column": end_column},
            "message": self.message,
            "label": self.label or None,
            "hint": self.hint,
        }


class RulekitError(Exception):
    """Base of every error a user of rulekit can cause."""


class RuleError(RulekitError):
    """A rule file was rejected; `.diagnostics` holds every problem found, errors first."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.severity == "error"]
        super().__init__(self.render() if errors else "rule file rejected")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.diagnostics,), self.__dict__)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    def render(self) -> str:
        return "\n\n".join(d.render() for d in self.diagnostics)


@dataclass
class BadRecord:
    """A record that could not be classified, with the reason in plain words."""

    index: int
    field: str | None
    value: Any
    reason: str
    record: Any = dataclasses.field(default=None, repr=False)  # (`field` is the attribute above)

    def describe(self) -> str:
        where = f"record {self.index}" + (f", field {self.field!r}" if self.field else "")
        return f"{where}: {self.reason}"


class RecordError(RulekitError):
    """A bad record stopped the run (on_error="fail")."""

    ruleset: str  # set by a run of several rulesets (engines.files): the one that stopped

    def __init__(self, bad: BadRecord):
        self.bad = bad
        super().__init__(
            bad.describe()
            + ". Fix the value, or run with on_error='skip' / 'quarantine' to set bad records aside."
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.bad,), self.__dict__)


class LookupFailed(RulekitError):
    """A ruleset id or path that does not exist."""


class InternalError(Exception):
    """A bug in rulekit itself, never the user's fault."""
