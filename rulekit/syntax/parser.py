"""Parse rule text into nodes: the one cached Lark LALR parser, error recovery (skip to the next
statement and parse the rest), and the entry points `parse` and `parse_or_raise`.

The work is split by job: `syntax.literals` decodes numbers, durations, dates and texts;
`syntax.keywords` holds the word tables (reserved words, operator spellings, hit policies);
`syntax.transform` turns the Lark tree into nodes; `syntax.syntax_errors` puts parse errors in
plain words. The names other modules have imported from here stay importable from here.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput

from rulekit.errors import Diagnostic, RuleError
from rulekit.source import Source, Span
from rulekit.syntax import nodes as n
from rulekit.syntax.keywords import HIT_POLICIES, RESERVED, keyword, quoted_name
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

MAX_SYNTAX_ERRORS = 50


@lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = resources.files("rulekit.syntax").joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(
        grammar,
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=True,
        lexer_callbacks={"NAME": keyword, "QNAME": quoted_name},
    )


@contextmanager
def without_gc() -> Iterator[None]:
    """The cyclic garbage collector paused: parsing and checking make many objects and no
    cycles worth collecting, and a collection pass over a large tree is costly (it would run
    again and again as the tree grows). Restored on the way out, also on an exception."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _error_pos(err: UnexpectedInput, source: Source, diag: Diagnostic) -> int:
    """Where the parser gave up: the offending token or character (the end for `unexpected end`)."""
    if diag.code == "unexpected-end":
        return len(source.text)
    pos: object = err.pos_in_stream  # Lark annotates it as None; a parse error sets it
    return pos if isinstance(pos, int) and pos >= 0 else diag.span.start


def _statement_starts(text: str) -> list[int]:
    """Offsets of the lines that begin with a statement keyword: where recovery may resume."""
    starts = []
    for m in STATEMENT_START.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if not text[line_start : m.start()].strip():
            starts.append(m.start())
    return starts


def _parse_span(text: str, start: int, end: int) -> Tree[Token]:
    """Parse `text[start:end]` with every token at its position in the whole text."""
    return _lark().parse(" " * start + text[start:end])


def _statements(tree: Tree[Token]) -> list[Tree[Token] | Token]:
    return list(tree.children)


def parse(text: str, path: str = "<string>") -> tuple[n.File, Source, list[Diagnostic]]:
    """Parse a whole file. Returns the tree and every syntax diagnostic.

    After a syntax error the parser resumes at the next line that begins with a statement word
    (`if`, `rule`, `field` …) and keeps every statement that did parse, before and after the
    error, so that the checker can check them too; up to `MAX_SYNTAX_ERRORS` errors are reported.
    """
    with without_gc():
        return _parse(text, path)


def _parse(text: str, path: str) -> tuple[n.File, Source, list[Diagnostic]]:
    source = Source(text, path)
    diagnostics: list[Diagnostic] = []
    starts: list[int] | None = None
    kept: list[Tree[Token] | Token] = []
    unparsed: list[Span] = []
    pos = 0
    while True:
        try:
            tree = _parse_span(text, pos, len(text))
            kept.extend(_statements(tree))
            break
        except UnexpectedInput as err:
            diag = syntax_diagnostic(err, source)
            diagnostics.append(diag)
            at = _error_pos(err, source, diag)
            if starts is None:
                starts = _statement_starts(text)
            good, broken_from = _good_prefix(text, pos, at, starts)
            kept.extend(good)
            # Resume after the error; at the error itself when it is a statement's first word
            # (then the statement before it is unfinished, and this one is whole).
            resume = next((s for s in starts if s > at or pos < s == at), None)
            unparsed.append(Span(broken_from, len(text) if resume is None else resume))
            if resume is None or len(diagnostics) >= MAX_SYNTAX_ERRORS:
                break
            pos = resume
    file = ToNodes(source, diagnostics).transform(Tree("start", kept))
    file.unparsed = unparsed
    return file, source, diagnostics


def _good_prefix(
    text: str, pos: int, at: int, starts: list[int]
) -> tuple[list[Tree[Token] | Token], int]:
    """The statements between `pos` and the statement that holds the error at `at` (the text
    up to the latest statement start before the error that parses on its own), and where the
    broken statement starts."""
    for cut in reversed([s for s in starts if pos < s <= at]):
        try:
            return _statements(_parse_span(text, pos, cut)), cut
        except UnexpectedInput:
            continue
    return [], pos


def parse_or_raise(text: str, path: str = "<string>") -> tuple[n.File, Source]:
    """Parse a whole file; raise `RuleError` with every syntax diagnostic if there is one."""
    file, source, diagnostics = parse(text, path)
    if diagnostics:
        raise RuleError(diagnostics)
    return file, source
