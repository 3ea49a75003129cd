"""Diagnostics as values, the exception hierarchy, and the one place diagnostics are rendered."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rulekit.i18n import N_, Msg, gettext, resolve, translate
from rulekit.source import Source, Span, display_width

if TYPE_CHECKING:
    from rulekit.documents import DiagnosticDocument

# Every diagnostic code the checker and parser can emit, with a one-line meaning (used by docs
# and by the golden tests, which must cover each code).
CODES: dict[str, str] = {
    "syntax-error": N_("the text does not follow the grammar"),
    "keyword-as-name": N_("a keyword where a label or a name is declared (write it in backquotes)"),
    "wrong-word": N_("a word written for an operator or a unit (`和`, `大于`, `180 天`): the fix"),
    "unexpected-end": N_("the file ends in the middle of a statement"),
    "unexpected-character": N_("a character that cannot start any word of the language"),
    "unterminated-string": N_("a quoted text is not closed"),
    "ambiguous-unit": N_("`m` could mean months or minutes"),
    "unknown-unit": N_("a number is followed by a unit rulekit does not know"),
    "bad-literal": N_("a date or number that is not valid"),
    "number-out-of-range": N_("a number literal beyond 64-bit whole numbers or the double range"),
    "exponent-notation": N_("a number written with an exponent (`1e6`); write it out"),
    "too-deeply-nested": N_("an expression nested deeper than rulekit can evaluate"),
    "unknown-field": N_("a name that is neither a declared field nor a let"),
    "unknown-label": N_("a label that is not declared"),
    "unknown-function": N_("a function rulekit does not have"),
    "unknown-type": N_("a field type rulekit does not have"),
    "unknown-hit-policy": N_("a hit policy other than first, priority, all, unique"),
    "duplicate-name": N_("a field, let or label declared twice"),
    "duplicate-metadata": N_(
        "a header item (ruleset, description, source, version, hit, default) given twice"
    ),
    "type-mismatch": N_("an operator or function applied to values of the wrong type"),
    "not-a-condition": N_("a rule condition that is not true/false"),
    "wrong-arguments": N_("a function called with the wrong number or kind of arguments"),
    "conflicting-use": N_("an undeclared field used as two different types"),
    "bad-example": N_("an example that names an unknown field or gives a value of the wrong type"),
    "bad-declaration": N_("a declaration option with a wrong value"),
    "undeclared": N_("strict mode: a field or label used without a declaration"),
    "unused-label": N_("a declared label that no rule or default produces"),
    "unused-let": N_("a let that nothing uses"),
    "unused-field": N_("a declared field that no rule or let reads"),
    "possible-typo": N_(
        "an undeclared name a small edit away from another name or a catalog field"
    ),
    "possible-unquoted-text": N_(
        "an undeclared name used only once, as the value a field is compared with"
    ),
    "unquoted-text": N_("a bare word compared with a text field: a text without its quotes"),
    "ignored-priority": N_("`priority N` on a rule of a ruleset whose hit policy is not priority"),
    "use-not-found": N_("`use` names a parameters file that does not exist or cannot be read"),
    "use-cycle": N_("parameters files that `use` each other in a cycle"),
    "not-a-params-file": N_("`use` of a file that holds more than `param` and `use` statements"),
    "duplicate-param": N_("a param declared twice with the same value"),
    "conflicting-param": N_("a param declared twice with different values"),
    "bad-param": N_("a param whose value is not a constant (a literal or a list of literals)"),
    "unknown-decision": N_(
        "`when` or an example's `expect` names a decision the file does not have"
    ),
    "decision-cycle": N_("named decisions whose `when` parents form a cycle"),
    "decision-column-collision": N_(
        "a decision whose result column `<ruleset id>_<name>` another result column already has"
    ),
    "column-collision": N_("an output or label attribute whose run column is already a column"),
    "conflicting-attribute": N_("a label attribute given with different types on different labels"),
    "bad-attribute": N_("a label attribute whose value is not a single constant"),
}


SEVERITIES = (N_("error"), N_("warning"))  # the words of `render`, marked for the catalog


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

    def __post_init__(self) -> None:
        # Messages made as templates (`Msg`) read, as text, in the language of this file's
        # diagnostics (see rulekit.i18n.resolve); `render(lang=…)` renders them in any language.
        lang = resolve(text=self.source.text)
        for name in ("message", "label", "hint"):
            value = getattr(self, name)
            if isinstance(value, Msg):
                object.__setattr__(self, name, value.in_lang(lang))

    def lang(self, lang: str | None = None) -> str:
        """The language this diagnostic is shown in: `lang`, else as `rulekit.i18n.resolve`
        decides for its file."""
        return resolve(lang, text=self.source.text)

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

    def render(self, lang: str | None = None) -> str:
        """The full human-readable form: header, location, source line, caret, hint; in `lang`
        ("en" or "zh"; default: as `rulekit.i18n.resolve` decides for this file)."""
        lang = self.lang(lang)
        message, label = translate(self.message, lang), translate(self.label, lang)
        severity = gettext(self.severity, lang)
        line, col = self.line, self.column
        text = self.source.line_text(line)
        gutter = " " * len(str(line))
        before = text[: col - 1]
        end_line, end_col = self.end
        under = text[col - 1 : (end_col - 1 if end_line == line else len(text))]
        carets = "^" * max(1, display_width(under))
        out = [
            f"{severity}[{self.code}]: {message}",
            f"{gutter}--> {self.file}:{line}:{col}",
            f"{gutter} |",
            f"{line} | {text}",
            f"{gutter} | {' ' * display_width(before)}{carets}{' ' + label if label else ''}",
        ]
        if self.hint:
            hint = gettext("hint", lang)
            out.append(f"{gutter} = {hint}: {translate(self.hint, lang)}")
        return "\n".join(out)

    def to_dict(self, lang: str | None = None) -> DiagnosticDocument:
        """The diagnostic as `rulekit check --format json` shows it: where (1-based line and
        column; `end` just after the span), what, and how to fix it; the code is the same in
        every language, the words are in `lang` (default as `render`)."""
        lang = self.lang(lang)
        end_line, end_column = self.end
        return {
            "code": self.code,
            "severity": "error" if self.severity == "error" else "warning",
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end": {"line": end_line, "column": end_column},
            "message": translate(self.message, lang),
            "label": translate(self.label, lang) or None,
            "hint": translate(self.hint, lang) if self.hint is not None else None,
        }


class RulekitError(Exception):
    """Base of every error a user of rulekit can cause."""


class RuleError(RulekitError):
    """A rule file was rejected; `.diagnostics` holds every problem found, errors first."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.severity == "error"]
        super().__init__(self.render() if errors else gettext("rule file rejected"))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.diagnostics,), self.__dict__)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    def render(self, lang: str | None = None) -> str:
        """Every diagnostic in its full form, in `lang` ("en" or "zh"; default: as
        `rulekit.i18n.resolve` decides for the file)."""
        return "\n\n".join(d.render(lang) for d in self.diagnostics)


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
