"""The language's word tables: keywords reserved inside conditions (English and Chinese
spellings) with the lexer callback that applies them, operator spellings normalised to one
form, and the hit policies with their Chinese names."""

from __future__ import annotations

from lark import Token

# Words reserved inside conditions. Lark's contextual lexer only reserves plain string
# keywords where a NAME could also stand; these keywords have several spellings (case-insensitive
# English, Chinese), so a NAME token spelled like one is turned into that keyword here.
# Statement words (source, unit, version …) stay usable as field names.
RESERVED = {
    "_AND": ("and", "并且", "且"),
    "_OR": ("or", "或者", "或"),
    "_NOT": ("not", "非", "不"),
    "_BETWEEN": ("between", "介于"),
    "_IN": ("in", "属于"),
    "_IS": ("is", "为"),
    "_MISSING": ("missing", "缺失"),
    "TRUE": ("true", "yes", "是", "真"),
    "FALSE": ("false", "no", "否", "假"),
    "TODAY": ("today", "今天"),
    "_NONE": ("none", "无"),
    "TOP": ("top", "前"),
    "BOTTOM": ("bottom", "后"),
    "_BY": ("by", "按"),
    "_THEN": ("then", "那么", "则"),
    "STRTEST": ("contains", "包含"),
    "_STARTS": ("starts",),
    "_ENDS": ("ends",),
    "_WITH": ("with",),
    "_LIST": ("list",),
    "_IF": ("if", "如果"),
}
KEYWORD_OF = {word: kind for kind, words in RESERVED.items() for word in words}


def keyword(tok: Token) -> Token:
    """Lexer callback for NAME: a name spelled like a reserved word becomes that keyword."""
    kind = KEYWORD_OF.get(tok.value.lower())
    if kind is not None:
        tok.type = kind
    return tok


def quoted_name(tok: Token) -> Token:
    """Lexer callback for QNAME: `` `none` `` is the name `none`, never a keyword (the token
    keeps its position, backquotes included)."""
    return tok.update("NAME", tok.value[1:-1])


# Comparison spellings → the normalised operator (> >= < <= = !=).
COMPARE_OPS = {
    "==": "=",
    "<>": "!=",
    "≥": ">=",
    "≤": "<=",
    "≠": "!=",
    "＞": ">",
    "＜": "<",
    "＝": "=",
    "＞＝": ">=",
    "＜＝": "<=",
}
# Arithmetic spellings → + - * /.
ARITH_OPS = {"＋": "+", "−": "-", "－": "-", "×": "*", "＊": "*", "÷": "/", "／": "/"}

HIT_POLICIES = ("first", "priority", "all", "unique")
# Chinese hit-policy words → the policy.
HIT_ZH = {
    "首条": "first",
    "首个": "first",
    "优先": "priority",
    "优先级": "priority",
    "全部": "all",
    "所有": "all",
    "唯一": "unique",
}
