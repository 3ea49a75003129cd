"""Parse rule text into nodes: the one cached Lark LALR parser, error recovery (skip to the next
statement and parse the rest), and the entry points `parse` and `parse_or_raise`.

The work is split by job: `syntax.literals` decodes numbers, durations, dates and texts;
`syntax.keywords` holds the word tables (reserved words, operator spellings, hit policies);
`syntax.transform` turns the Lark tree into nodes; `syntax.syntax_errors` puts parse errors in
plain words. The names other modules have imported from here stay importable from here.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput

from rulekit.errors import Diagnostic, RuleError
from rulekit.source import Source
from rulekit.syntax import nodes as n
from rulekit.syntax.keywords import HIT_POLICIES, RESERVED, keyword
from rulekit.syntax.literals import (
    DURATION_UNITS,
    MULTIPLIERS,
    LiteralError,
    decode_date,
    decode_number,
    decode_string,
    exact,
)
from rulekit.syntax.syntax_errors import STATEMENT_START, syntax_diagnostic
from rulekit.syntax.transform import ToNodes

__all__ = [
    "DURATION_UNITS",
    "HIT_POLICIES",
    "MAX_SYNTAX_ERRORS",
    "MULTIPLIERS",
    "RESERVED",
    "LiteralError",
    "decode_date",
    "decode_number",
    "decode_string",
    "exact",
    "parse",
    "parse_or_raise",
]

MAX_SYNTAX_ERRORS = 20


@lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = resources.files("rulekit.syntax").joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(
        grammar,
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=True,
        lexer_callbacks={"NAME": keyword},
    )


def _blank(text: str, upto: int) -> str:
    """The text with everything before `upto` turned into spaces (newlines kept for positions)."""
    return re.sub(r"[^\n]", " ", text[:upto]) + text[upto:]


def parse(text: str, path: str = "<string>") -> tuple[n.File, Source, list[Diagnostic]]:
    """Parse a whole file. Returns the tree (possibly partial) and every syntax diagnostic."""
    source = Source(text, path)
    diagnostics: list[Diagnostic] = []
    lark = _lark()
    work = text
    tree: Tree[Token] | None = None
    while True:
        try:
            tree = lark.parse(work)
            break
        except UnexpectedInput as err:
            diag = syntax_diagnostic(err, source)
            diagnostics.append(diag)
            if diag.code == "unexpected-end" or len(diagnostics) >= MAX_SYNTAX_ERRORS:
                break
            # Recover: skip to the next statement after the error and parse the rest.
            resume = STATEMENT_START.search(text, diag.span.end)
            if resume is None:
                break
            work = _blank(text, resume.start())
    if tree is None:
        return n.File([]), source, diagnostics
    file = ToNodes(source, diagnostics).transform(tree)
    return file, source, diagnostics


def parse_or_raise(text: str, path: str = "<string>") -> tuple[n.File, Source]:
    """Parse a whole file; raise `RuleError` with every syntax diagnostic if there is one."""
    file, source, diagnostics = parse(text, path)
    if diagnostics:
        raise RuleError(diagnostics)
    return file, source
