"""Syntax errors in plain words: a Lark parse error becomes a `Diagnostic` that names what was
found and what could stand there (never Lark token names or tracebacks), and `STATEMENT_START`
finds where parsing can resume after an error."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import cast

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from rulekit.errors import Diagnostic
from rulekit.source import Source, Span
from rulekit.syntax.literals import LiteralError, decode_number

_WORDS = {
    "NAME": "a name",
    "STRING": "a quoted text",
    "NUMBER": "a number",
    "DATE": "a date",
    "CMP": "a comparison such as `>` or `=`",
    "PLUS": "`+`",
    "MINUS": "`-`",
    "STAR": "`*`",
    "SLASH": "`/`",
    "_LPAR": "`(`",
    "_RPAR": "`)`",
    "_LBRACK": "`[`",
    "_RBRACK": "`]`",
    "_COMMA": "`,`",
    "_COLON": "`:`",
    "TRUE": "`true`",
    "FALSE": "`false`",
    "TODAY": "`today`",
    "STRTEST": "`contains`",
    "DESCRIPTION": "`description`",
    "SOURCE": "`source`",
    "VERSION": "`version`",
    "STRATEGY": "`strategy`",
    "TOP": "`top`",
    "BOTTOM": "`bottom`",
    "$END": "the end of the file",
    "_ASOF": "`截至`",
}
# The first word of a statement (outside a quoted text): where parsing resumes after an error.
STATEMENT_START = re.compile(
    r"(?<![\w\"'“”])(ruleset|field|let|label|rule|if|example|hit|default|alias|"
    r"规则集|字段|令|标签|规则|如果|例|示例|命中|默认|别名)(?![\w])",
    re.IGNORECASE,
)


def _word(terminal: str) -> str:
    if terminal in _WORDS:
        return _WORDS[terminal]
    return f"`{terminal.lstrip('_').lower()}`"


def _describe_token(tok: Token) -> str:
    if tok.type == "$END":
        return "the end of the file"
    kind = {"NAME": "the name", "NUMBER": "the number", "STRING": "the text", "DATE": "the date"}
    return f"{kind.get(tok.type, '')} `{tok}`".strip()


def _expected_list(expected: set[str]) -> str:
    if "NAME" in expected:  # label positions also take these words; "a name" says it
        expected = expected - {"TRUE", "FALSE", "TOP", "BOTTOM", "TODAY", "QNAME"}
    words = sorted({_word(t) for t in expected if not t.startswith("__")})
    if len(words) > 7:
        words = words[:7] + ["…"]
    return ", ".join(words[:-1]) + (" or " if len(words) > 1 else "") + words[-1] if words else ""


def syntax_diagnostic(err: UnexpectedInput, source: Source) -> Diagnostic:
    """The diagnostic for one Lark parse error."""
    if isinstance(err, UnexpectedCharacters):
        # Lark annotates `pos_in_stream` as None on the base class; a lexer error sets it.
        pos = cast(int, err.pos_in_stream)
        ch = source.text[pos]
        if ch in "\"'“「":
            return Diagnostic(
                "unterminated-string",
                "this quoted text is not closed on its line",
                source,
                Span(pos, pos + 1),
                hint="add the closing quote; a text cannot span lines",
            )
        return Diagnostic(
            "unexpected-character",
            f"`{ch}` cannot appear here",
            source,
            Span(pos, pos + 1),
            hint="names use letters, digits and `_`; texts go in quotes",
        )
    if isinstance(err, UnexpectedEOF) or (
        isinstance(err, UnexpectedToken) and err.token.type == "$END"
    ):
        end = len(source.text.rstrip())
        expected: Collection[str] = getattr(err, "expected", set())
        return Diagnostic(
            "unexpected-end",
            "the file ends in the middle of a statement",
            source,
            Span(max(0, end - 1), end),
            hint=f"expected {_expected_list(set(expected))}" if expected else None,
        )
    assert isinstance(err, UnexpectedToken)
    tok: Token = err.token
    expected_names = set(err.expected)
    assert tok.start_pos is not None and tok.end_pos is not None  # a lexed token has both
    span = Span(tok.start_pos, tok.end_pos)
    glued = re.search(r"\d[\d_]*(?:\.\d+)?[^\W\d_]+\s*$", source.text[: tok.start_pos])
    if glued:
        # `180天那么 b`: the lexer read `180天那么` as one number; say that, not "unexpected b".
        word = glued.group(0).rstrip()
        try:
            decode_number(word)
        except LiteralError as e:
            return Diagnostic(
                e.code,
                e.message,
                source,
                Span(glued.start(), glued.start() + len(word)),
                hint=e.hint,
            )
    hint = None
    line_start = source.text.rfind("\n", 0, tok.start_pos) + 1
    before = source.text[: tok.start_pos].rstrip()
    if (
        before
        and not source.text[line_start : tok.start_pos].strip()
        and STATEMENT_START.match(source.text, tok.start_pos)
    ):
        # The next line starts a statement, so the one before it is unfinished: say so there.
        end = len(before)
        start = end - len(re.search(r"\S*$", before).group(0))  # type: ignore[union-attr]
        return Diagnostic(
            "syntax-error",
            "this statement is not finished",
            source,
            Span(start, end),
            hint=f"expected {_expected_list(expected_names)} after `{before[start:]}`; "
            f"the next line starts a new statement",
        )
    if (
        tok.type != "NAME"
        and "NAME" in expected_names
        and "NUMBER" not in expected_names
        and re.fullmatch(r"[^\W\d]\w*", str(tok))
    ):
        # `then none`, `label 无`: a keyword where a label or a name is declared.
        word = str(tok)
        none = " (`expect none` means no label)" if word.lower() in ("none", "无") else ""
        return Diagnostic(
            "keyword-as-name",
            f"`{word}` is a keyword, so it cannot be a name here",
            source,
            span,
            hint=f"to use it as a label or a name, write it in backquotes: `{word}`{none}",
        )
    if "_THEN" in expected_names and tok.type == "NAME":
        message = f"expected `then` before {_describe_token(tok)}"
        hint = "a rule reads: if CONDITION then LABEL"
    elif tok.type == "CMP" and str(tok) == "=" and "CMP" not in expected_names:
        message = "unexpected `=` here"
        hint = 'compare with `=` between two values, e.g. `region = "north"`'
    elif tok.type == "NAME" and "CMP" in expected_names:
        message = f"unexpected {_describe_token(tok)}: two values in a row"
        hint = "join conditions with `and` / `or`, or compare them with `>`, `=` …"
    else:
        message = f"unexpected {_describe_token(tok)}"
        hint = f"expected {_expected_list(expected_names)}"
    return Diagnostic("syntax-error", message, source, span, hint=hint)
