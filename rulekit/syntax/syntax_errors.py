"""Syntax errors in plain words: a Lark parse error becomes a `Diagnostic` that names what was
found and what could stand there (never Lark token names or tracebacks), common slips (`和` for
`and`, `大于` for `>`, `180 天`) get the fix in the author's language, and `STATEMENT_START`
finds where parsing can resume after an error."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import cast

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from rulekit.errors import Diagnostic
from rulekit.i18n import N_, Msg
from rulekit.source import Source, Span
from rulekit.syntax.literals import DURATION_UNITS, MULTIPLIERS, LiteralError, decode_number

_WORDS = {
    "NAME": N_("a name"),
    "STRING": N_("a quoted text"),
    "NUMBER": N_("a number"),
    "DATE": N_("a date"),
    "CMP": N_("a comparison such as `>` or `=`"),
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
    "$END": N_("the end of the file"),
    "_ASOF": "`截至`",
}
# The first word of a statement (outside a quoted text): where parsing resumes after an error.
STATEMENT_START = re.compile(
    r"(?<![\w\"'“”])(ruleset|field|let|label|rule|if|example|hit|default|alias|"
    r"规则集|字段|令|标签|规则|如果|例|示例|命中|默认|别名|"
    r"param|use|参数|使用|引用)(?![\w])",
    re.IGNORECASE,
)


# Words authors write for an operator, with the operator: `和` for `and`, `大于` for `>` …
_OPERATOR_WORDS = {
    "和": "and",
    "与": "and",
    "同时": "and",
    "而且": "and",
    "&&": "and",
    "&": "and",
    "||": "or",
    "|": "or",
    "大于": ">",
    "超过": ">",
    "高于": ">",
    "多于": ">",
    "小于": "<",
    "低于": "<",
    "少于": "<",
    "等于": "=",
    "是否等于": "=",
    "不等于": "!=",
    "大于等于": ">=",
    "大于或等于": ">=",
    "不小于": ">=",
    "至少": ">=",
    "小于等于": "<=",
    "小于或等于": "<=",
    "不大于": "<=",
    "不超过": "<=",
    "至多": "<=",
    "equals": "=",
    "equal": "=",
    "eq": "=",
    "ne": "!=",
    "gt": ">",
    "greater": ">",
    "lt": "<",
    "less": "<",
    "ge": ">=",
    "le": "<=",
}
# Unit words written apart from their number (`180 days`) → the unit glued form (`180d`).
_UNIT_WORDS = {
    "天": "d",
    "日": "d",
    "周": "w",
    "星期": "w",
    "月": "mo",
    "个月": "mo",
    "年": "y",
    "小时": "h",
    "分钟": "min",
    "秒": "s",
    "days": "d",
    "day": "d",
    "weeks": "w",
    "week": "w",
    "months": "mo",
    "month": "mo",
    "years": "y",
    "year": "y",
    "hours": "h",
    "hour": "h",
    "minutes": "min",
    "minute": "min",
    "seconds": "s",
    "second": "s",
}


def _slip(word: str, start: int, end: int, source: Source) -> Diagnostic | None:
    """A common slip in place of an operator or a unit: the diagnostic naming the fix (in the
    author's language when shown: rulekit.i18n), or None."""
    before = source.text[:start]
    number = re.search(r"(\d[\d_]*(?:\.\d+)?)\s+$", before)
    unit = _UNIT_WORDS.get(
        word.lower(), word if word in DURATION_UNITS or word in MULTIPLIERS else ""
    )
    if number and unit:
        forms = [
            f"`{number.group(1)}{u}`"
            for u in dict.fromkeys((unit, word))
            if u in DURATION_UNITS or u in MULTIPLIERS
        ]
        hint = (
            Msg("write the number and its unit together: {form}", form=forms[0])
            if len(forms) == 1
            else Msg(
                "write the number and its unit together: {form} or {other}",
                form=forms[0],
                other=forms[1],
            )
        )
        message = Msg(
            "`{word}` is apart from its number `{number}`", word=word, number=number.group(1)
        )
        return Diagnostic("wrong-word", message, source, Span(number.start(1), end), hint=hint)
    op = _OPERATOR_WORDS.get(word if not word.isascii() else word.lower())
    if op is None:
        return None
    if op in ("and", "or"):
        message = Msg("`{word}` is not a keyword of the language", word=word)
        if op == "or":
            hint = Msg("join two conditions with `or`")
        elif word.isascii():
            hint = Msg("join two conditions with `and`")
        else:
            hint = Msg("join two conditions with `and` (or `且`, `并且`)")
    else:
        message = Msg("`{word}` is not an operator", word=word)
        hint = Msg("compare with `{op}`", op=op)
    return Diagnostic("wrong-word", message, source, Span(start, end), hint=hint)


def _word(terminal: str) -> str:
    if terminal in _WORDS:
        word = _WORDS[terminal]
        return Msg(word) if not word.startswith("`") else word
    return f"`{terminal.lstrip('_').lower()}`"


_KIND = {
    "NAME": N_("the name `{token}`"),
    "NUMBER": N_("the number `{token}`"),
    "STRING": N_("the text `{token}`"),
    "DATE": N_("the date `{token}`"),
}


def _describe_token(tok: Token) -> str:
    if tok.type == "$END":
        return Msg("the end of the file")
    return Msg(_KIND.get(tok.type, "`{token}`"), token=str(tok))


def _expected_list(expected: set[str]) -> str:
    if "NAME" in expected:  # label positions also take these words; "a name" says it
        expected = expected - {"TRUE", "FALSE", "TOP", "BOTTOM", "TODAY", "QNAME"}
    words = sorted({_word(t) for t in expected if not t.startswith("__")})
    if len(words) > 7:
        words = words[:7] + ["…"]
    if len(words) <= 1:
        return words[0] if words else ""
    return Msg("{some} or {last}", some=words[:-1], last=words[-1])


def syntax_diagnostic(err: UnexpectedInput, source: Source) -> Diagnostic:
    """The diagnostic for one Lark parse error."""
    if isinstance(err, UnexpectedCharacters):
        # Lark annotates `pos_in_stream` as None on the base class; a lexer error sets it.
        pos = cast(int, err.pos_in_stream)
        ch = source.text[pos]
        if ch in "&|":
            word = ch * 2 if source.text[pos : pos + 2] == ch * 2 else ch
            slip = _slip(word, pos, pos + len(word), source)
            if slip is not None:
                return slip
        if ch in "\"'“「":
            return Diagnostic(
                "unterminated-string",
                Msg("this quoted text is not closed on its line"),
                source,
                Span(pos, pos + 1),
                hint=Msg("add the closing quote; a text cannot span lines"),
            )
        return Diagnostic(
            "unexpected-character",
            Msg("`{char}` cannot appear here", char=ch),
            source,
            Span(pos, pos + 1),
            hint=Msg("names use letters, digits and `_`; texts go in quotes"),
        )
    if isinstance(err, UnexpectedEOF) or (
        isinstance(err, UnexpectedToken) and err.token.type == "$END"
    ):
        end = len(source.text.rstrip())
        expected: Collection[str] = getattr(err, "expected", set())
        return Diagnostic(
            "unexpected-end",
            Msg("the file ends in the middle of a statement"),
            source,
            Span(max(0, end - 1), end),
            hint=Msg("expected {words}", words=_expected_list(set(expected))) if expected else None,
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
            end = glued.start() + len(word)
            if e.code == "exponent-notation":  # the caret under the whole `1e400`
                exponent = re.compile(r"[+-]?[0-9_]*(?:\.[0-9_]*)?").match(source.text, end)
                end = exponent.end() if exponent else end
            return Diagnostic(e.code, e.message, source, Span(glued.start(), end), hint=e.hint)
    if tok.type in ("NAME", "NUMBER") and expected_names & {"_THEN", "CMP", "_AND", "_OR"}:
        slip = _slip(str(tok), tok.start_pos, tok.end_pos, source)
        if slip is not None:
            return slip
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
            Msg("this statement is not finished"),
            source,
            Span(start, end),
            hint=Msg(
                "expected {words} after `{last}`; the next line starts a new statement",
                words=_expected_list(expected_names),
                last=before[start:],
            ),
        )
    if (
        tok.type != "NAME"
        and "NAME" in expected_names
        and "NUMBER" not in expected_names
        and re.fullmatch(r"[^\W\d]\w*", str(tok))
    ):
        # `then none`, `label 无`: a keyword where a label or a name is declared.
        word = str(tok)
        none = word.lower() in ("none", "无")
        return Diagnostic(
            "keyword-as-name",
            Msg("`{word}` is a keyword, so it cannot be a name here", word=word),
            source,
            span,
            hint=Msg(
                "to use it as a label or a name, write it in backquotes: `{word}` "
                "(`expect none` means no label)",
                word=word,
            )
            if none
            else Msg("to use it as a label or a name, write it in backquotes: `{word}`", word=word),
        )
    if "_THEN" in expected_names and tok.type == "NAME":
        message = Msg("expected `then` before {token}", token=_describe_token(tok))
        hint = Msg("a rule reads: if CONDITION then LABEL")
    elif tok.type == "CMP" and str(tok) == "=" and "CMP" not in expected_names:
        message = Msg("unexpected `=` here")
        hint = Msg('compare with `=` between two values, e.g. `region = "north"`')
    elif tok.type == "NAME" and "CMP" in expected_names:
        message = Msg("unexpected {token}: two values in a row", token=_describe_token(tok))
        hint = Msg("join conditions with `and` / `or`, or compare them with `>`, `=` …")
    else:
        message = Msg("unexpected {token}", token=_describe_token(tok))
        hint = Msg("expected {words}", words=_expected_list(expected_names))
    return Diagnostic("syntax-error", message, source, span, hint=hint)
