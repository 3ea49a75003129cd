"""Parse rule text into nodes: one Lark LALR parser, a Transformer to nodes, literal decoding,
and syntax errors translated into plain words (never Lark token names or tracebacks)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache
from importlib import resources

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from rulekit.errors import Diagnostic, RuleError
from rulekit.source import Source, Span
from rulekit.syntax import nodes as n

MAX_SYNTAX_ERRORS = 20

# ---------------------------------------------------------------- literals

MULTIPLIERS = {"k": 1000, "K": 1000, "万": 10_000, "亿": 100_000_000}
# Duration units, in days (durations are measured in days throughout rulekit).
DURATION_UNITS: dict[str, Decimal] = {
    "s": Decimal(1) / 86400,
    "sec": Decimal(1) / 86400,
    "秒": Decimal(1) / 86400,
    "min": Decimal(1) / 1440,
    "分钟": Decimal(1) / 1440,
    "h": Decimal(1) / 24,
    "hr": Decimal(1) / 24,
    "小时": Decimal(1) / 24,
    "d": Decimal(1),
    "天": Decimal(1),
    "日": Decimal(1),
    "w": Decimal(7),
    "周": Decimal(7),
    "星期": Decimal(7),
    "mo": Decimal(30),
    "个月": Decimal(30),
    "月": Decimal(30),
    "y": Decimal(365),
    "年": Decimal(365),
}
_NUMBER_RE = re.compile(r"(\d[\d_]*(?:\.\d+)?)(.*)", re.S)


class LiteralError(ValueError):
    """A literal that cannot be decoded; carries a diagnostic code and a hint."""

    def __init__(self, code: str, message: str, hint: str | None = None):
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint


def exact(value: Decimal) -> int | float:
    """An exact decimal as an int when whole, else the nearest float."""
    return int(value) if value == value.to_integral_value() else float(value)


def decode_number(text: str) -> tuple[int | float, str]:
    """Decode `12`, `5k`, `1.2万`, `10%`, `180d`, `6mo` … into (value, kind)."""
    match = _NUMBER_RE.fullmatch(text)
    digits, suffix = match.group(1), match.group(2)
    value = Decimal(digits.replace("_", ""))
    if not suffix:
        return exact(value), "number"
    if suffix == "%":
        return float(value / 100), "percent"
    if suffix in MULTIPLIERS:
        return exact(value * MULTIPLIERS[suffix]), "number"
    unit = DURATION_UNITS.get(suffix) or DURATION_UNITS.get(suffix.lower())
    if unit is not None:
        return exact(value * unit), "duration"
    if suffix in ("m", "M"):
        raise LiteralError(
            "ambiguous-unit",
            f"ambiguous unit `{suffix}` in `{text}`",
            f"write `{digits}mo` (months) or `{digits}min` (minutes)",
        )
    for known in sorted([*DURATION_UNITS, *MULTIPLIERS, "%"], key=len, reverse=True):
        if suffix.startswith(known):
            return_text = digits + known
            raise LiteralError(
                "unknown-unit",
                f"`{text}` is a number glued to the word `{suffix[len(known) :]}`",
                f"put a space after `{return_text}`",
            )
    raise LiteralError(
        "unknown-unit",
        f"unknown unit `{suffix}` in `{text}`",
        "durations use s, min, h, d, w, mo, y (or 秒, 分钟, 小时, 天, 周, 月, 年); "
        "numbers may use k, 万, 亿 or %",
    )


def decode_date(text: str) -> dt.date | dt.datetime:
    try:
        if "T" in text:
            return dt.datetime.fromisoformat(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise LiteralError(
            "bad-literal", f"`{text}` is not a valid date", "write a real date as YYYY-MM-DD"
        ) from None


def decode_string(text: str) -> str:
    if text[0] in "\"'":
        body = text[1:-1]
        return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)
    return text[1:-1]


# ---------------------------------------------------------------- the parser


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
_KEYWORD_OF = {word: kind for kind, words in RESERVED.items() for word in words}


def _keyword(tok: Token) -> Token:
    kind = _KEYWORD_OF.get(tok.value.lower())
    if kind is not None:
        tok.type = kind
    return tok


@lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = resources.files("rulekit.syntax").joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(
        grammar,
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=True,
        lexer_callbacks={"NAME": _keyword},
    )


_OPS = {
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
_ARITH = {"＋": "+", "−": "-", "－": "-", "×": "*", "＊": "*", "÷": "/", "／": "/"}
HIT_POLICIES = ("first", "priority", "all", "unique")
_HIT_ZH = {
    "首条": "first",
    "首个": "first",
    "优先": "priority",
    "优先级": "priority",
    "全部": "all",
    "所有": "all",
    "唯一": "unique",
}


def _span(meta_or_token) -> Span:
    if isinstance(meta_or_token, Token):
        return Span(meta_or_token.start_pos, meta_or_token.end_pos)
    return Span(meta_or_token.start_pos, meta_or_token.end_pos)


class _ToNodes(Transformer):
    """Lark tree → nodes. Callbacks record diagnostics instead of raising (Lark would wrap them)."""

    def __init__(self, source: Source, diagnostics: list[Diagnostic]):
        super().__init__()
        self.source = source
        self.diagnostics = diagnostics
        self._next_id = 0

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _error(self, code, message, span, hint=None, label=""):
        self.diagnostics.append(
            Diagnostic(code, message, self.source, span, hint=hint, label=label)
        )

    # ---- literals
    @v_args(meta=True)
    def literal(self, meta, children):
        tok: Token = children[0]
        span = _span(tok)
        kind = tok.type
        try:
            if kind == "NUMBER":
                value, lkind = decode_number(str(tok))
            elif kind == "DATE":
                value = decode_date(str(tok))
                lkind = "timestamp" if isinstance(value, dt.datetime) else "date"
            elif kind == "STRING":
                value, lkind = decode_string(str(tok)), "string"
            elif kind == "TRUE":
                value, lkind = True, "boolean"
            elif kind == "FALSE":
                value, lkind = False, "boolean"
            else:
                return n.Today(self._id(), span)
        except LiteralError as e:
            self._error(e.code, e.message, span, e.hint)
            value, lkind = 0, "error"
        return n.Literal(self._id(), span, value, lkind, str(tok))

    @v_args(meta=True)
    def name(self, meta, children):
        return n.Name(self._id(), _span(meta), str(children[0]))

    @v_args(meta=True)
    def list(self, meta, children):
        return n.ListExpr(self._id(), _span(meta), tuple(c for c in children if c is not None))

    @v_args(meta=True)
    def neg(self, meta, children):
        return n.Neg(self._id(), _span(meta), children[1])

    @v_args(meta=True)
    def binop(self, meta, children):
        left, op, right = children
        return n.Binary(
            self._id(), _span(meta), _ARITH.get(str(op), str(op)), left, right, _span(op)
        )

    @v_args(meta=True)
    def compare(self, meta, children):
        operands = tuple(children[0::2])
        ops = children[1::2]
        return n.Compare(
            self._id(),
            _span(meta),
            operands,
            tuple(_OPS.get(str(o), str(o)) for o in ops),
            tuple(_span(o) for o in ops),
        )

    @v_args(meta=True)
    def between(self, meta, children):
        return n.Between(self._id(), _span(meta), *children, False)

    @v_args(meta=True)
    def not_between(self, meta, children):
        return n.Between(self._id(), _span(meta), *children, True)

    @v_args(meta=True)
    def in_(self, meta, children):
        return n.InList(self._id(), _span(meta), children[0], children[1], False)

    @v_args(meta=True)
    def not_in(self, meta, children):
        return n.InList(self._id(), _span(meta), children[0], children[1], True)

    @v_args(meta=True)
    def rank_in(self, meta, children):
        operand, which, fraction, by = children
        top = which.type == "TOP"
        return n.RankIn(self._id(), _span(meta), operand, top, fraction, by)

    @v_args(meta=True)
    def by(self, meta, children):
        return n.Name(self._id(), _span(children[0]), str(children[0]))

    @v_args(meta=True)
    def is_missing(self, meta, children):
        return n.IsMissing(self._id(), _span(meta), children[0], False)

    @v_args(meta=True)
    def is_not_missing(self, meta, children):
        return n.IsMissing(self._id(), _span(meta), children[0], True)

    def _strtest(self, meta, children, op, negated):
        operand, *rest = children
        pattern = rest[-1]
        return n.StringTest(self._id(), _span(meta), op, operand, pattern, negated)

    @v_args(meta=True)
    def strtest(self, meta, children):
        return self._strtest(meta, children, "contains", False)

    @v_args(meta=True)
    def not_strtest(self, meta, children):
        return self._strtest(meta, children, "contains", True)

    @v_args(meta=True)
    def starts_with(self, meta, children):
        return self._strtest(meta, children, "starts_with", False)

    @v_args(meta=True)
    def not_starts_with(self, meta, children):
        return self._strtest(meta, children, "starts_with", True)

    @v_args(meta=True)
    def ends_with(self, meta, children):
        return self._strtest(meta, children, "ends_with", False)

    @v_args(meta=True)
    def not_ends_with(self, meta, children):
        return self._strtest(meta, children, "ends_with", True)

    @v_args(meta=True)
    def call(self, meta, children):
        name_tok, args = children
        arg_nodes, by = args if args is not None else ((), None)
        return n.Call(
            self._id(), _span(meta), str(name_tok).lower(), arg_nodes, by, _span(name_tok)
        )

    def args(self, children):
        by = children[-1]
        return tuple(children[:-1]), by

    @v_args(meta=True)
    def and_(self, meta, children):
        return n.And(self._id(), _span(meta), children[0], children[1])

    @v_args(meta=True)
    def or_(self, meta, children):
        return n.Or(self._id(), _span(meta), children[0], children[1])

    @v_args(meta=True)
    def not_(self, meta, children):
        return n.Not(self._id(), _span(meta), children[0])

    # ---- statements
    def en(self, children):
        return ("en", decode_string(str(children[0])))

    def text(self, children):
        zh = en = None
        for c in children:
            if isinstance(c, tuple):
                en = c[1]
            elif c is not None:
                zh = decode_string(str(c))
        return n.Text(zh, en)

    @v_args(meta=True)
    def header(self, meta, children):
        name, display, en = children
        text = n.Text(decode_string(str(display)) if display else None, en[1] if en else None)
        return n.Meta(self._id(), _span(meta), "ruleset", (str(name), text), _span(name))

    @v_args(meta=True)
    def meta(self, meta, children):
        key_tok, value = children
        key = {"DESCRIPTION": "description", "SOURCE": "source", "VERSION": "version"}[key_tok.type]
        if key == "version":
            try:
                value = decode_number(str(value))[0]
            except LiteralError as e:
                self._error(e.code, e.message, _span(value), e.hint)
        return n.Meta(self._id(), _span(meta), key, value, _span(meta))

    @v_args(meta=True)
    def alias(self, meta, children):
        return n.Meta(
            self._id(), _span(meta), "alias", tuple(str(c) for c in children), _span(meta)
        )

    @v_args(meta=True)
    def hit(self, meta, children):
        word = str(children[0])
        return n.Meta(
            self._id(), _span(meta), "hit", _HIT_ZH.get(word, word.lower()), _span(children[0])
        )

    @v_args(meta=True)
    def default(self, meta, children):
        return n.Meta(self._id(), _span(meta), "default", str(children[0]), _span(children[0]))

    def simple_type(self, children):
        return (str(children[0]), False, _span(children[0]))

    def list_type(self, children):
        return (str(children[0]), True, _span(children[0]))

    def unit(self, children):
        return ("unit", decode_string(str(children[0])))

    def column(self, children):
        tok = children[0]
        return ("column", decode_string(str(tok)) if tok.type == "STRING" else str(tok))

    def one_of(self, children):
        return ("one_of", children[0])

    @v_args(meta=True)
    def field(self, meta, children):
        name, (type_name, list_of, type_span), display, *opts = children
        o = dict(opts)
        return n.FieldDecl(
            self._id(),
            _span(meta),
            str(name),
            _span(name),
            type_name,
            list_of,
            type_span,
            n.Text(decode_string(str(display)) if display else None, o.get("en")),
            o.get("unit"),
            o.get("column"),
            o.get("one_of"),
        )

    @v_args(meta=True)
    def let(self, meta, children):
        name, eq, expr, display, en = children
        if str(eq) not in ("=", "＝"):
            self._error(
                "syntax-error",
                f"a let is written `let {name} = …`, not with `{eq}`",
                _span(eq),
                hint="use `=`",
            )
        text = n.Text(decode_string(str(display)) if display else None, en[1] if en else None)
        return n.LetDecl(self._id(), _span(meta), str(name), _span(name), expr, text)

    def label_description(self, children):
        return ("description", children[1])

    def label_strategy(self, children):
        return ("strategy", children[1])

    @v_args(meta=True)
    def label(self, meta, children):
        name, display, *opts = children
        zh = decode_string(str(display)) if display else None
        en = None
        desc, strat = n.Text(), n.Text()
        for key, value in opts:
            if key == "en":
                en = value
            elif key == "description":
                desc = n.Text(value.zh or desc.zh, value.en or desc.en)
            else:
                strat = n.Text(value.zh or strat.zh, value.en or strat.en)
        return n.LabelDecl(
            self._id(), _span(meta), str(name), _span(name), n.Text(zh, en), desc, strat
        )

    def rule_name(self, children):
        return decode_string(str(children[0]))

    def priority(self, children):
        return ("priority", children[0])

    def because(self, children):
        return ("because", children[0])

    def signed_number(self, children):
        minus, number = children
        try:
            value = decode_number(str(number))[0]
        except LiteralError:
            value = 0
        return -value if minus else value

    @v_args(meta=True)
    def rule(self, meta, children):
        name, cond, label, *opts = children
        o = dict(opts)
        line = self.source.line_col(meta.start_pos)[0]
        return n.Rule(
            self._id(),
            _span(meta),
            name if name is not None else f"line {line}",
            name is not None,
            cond,
            str(label),
            _span(label),
            o.get("priority", 0),
            o.get("because", n.Text()),
            line,
        )

    # ---- examples
    @v_args(meta=True)
    def neg_number(self, meta, children):
        lit = self.literal(meta, [children[1]])
        value = -lit.value if isinstance(lit.value, (int, float)) else lit.value
        return n.Literal(self._id(), _span(meta), value, lit.kind, "-" + lit.text)

    @v_args(meta=True)
    def missing_value(self, meta, children):
        return n.Literal(self._id(), _span(meta), None, "missing", "missing")

    @v_args(meta=True)
    def given(self, meta, children):
        name, eq, value = children
        if str(eq) not in ("=", "＝"):
            self._error(
                "syntax-error",
                f"an example gives a value with `=`, not `{eq}`",
                _span(eq),
                hint=f"write `{name} = …`",
            )
        return n.Given(self._id(), _span(meta), str(name), _span(name), None, value)

    def as_of(self, children):
        tok = children[-1]
        if tok.type == "NAME":
            self._error(
                "syntax-error",
                f"`as of` needs a date, not `{tok}`",
                _span(tok),
                hint="write a date such as `as of 2024-06-30`",
            )
            return None
        try:
            return decode_date(str(tok))
        except LiteralError as e:
            self._error(e.code, e.message, _span(tok), e.hint)
            return None

    @v_args(meta=True)
    def expect_label(self, meta, children):
        return ((str(children[0]),), _span(meta))

    @v_args(meta=True)
    def expect_none(self, meta, children):
        return (None, _span(meta))

    @v_args(meta=True)
    def expect_labels(self, meta, children):
        return (tuple(str(c) for c in children if c is not None), _span(meta))

    @v_args(meta=True)
    def example(self, meta, children):
        name = decode_string(str(children[0]))
        givens = [c for c in children[1:] if isinstance(c, n.Given)]
        as_of = next(
            (
                c
                for c in children[1:]
                if isinstance(c, (dt.date, type(None))) and not isinstance(c, tuple)
            ),
            None,
        )
        expect, expect_span = children[-1]
        line = self.source.line_col(meta.start_pos)[0]
        return n.Example(
            self._id(), _span(meta), name, tuple(givens), as_of, expect, expect_span, line
        )

    def start(self, children):
        return n.File(list(children))


# ---------------------------------------------------------------- syntax errors in words

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
_STATEMENT_START = re.compile(
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
        expected = expected - {"TRUE", "FALSE", "TOP", "BOTTOM", "TODAY"}
    words = sorted({_word(t) for t in expected if not t.startswith("__")})
    if len(words) > 7:
        words = words[:7] + ["…"]
    return ", ".join(words[:-1]) + (" or " if len(words) > 1 else "") + words[-1] if words else ""


def _syntax_diagnostic(err: UnexpectedInput, source: Source) -> Diagnostic:
    if isinstance(err, UnexpectedCharacters):
        pos = err.pos_in_stream
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
        expected = getattr(err, "expected", set())
        return Diagnostic(
            "unexpected-end",
            "the file ends in the middle of a statement",
            source,
            Span(max(0, end - 1), end),
            hint=f"expected {_expected_list(set(expected))}" if expected else None,
        )
    assert isinstance(err, UnexpectedToken)
    tok, expected = err.token, set(err.expected)
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
    if "_THEN" in expected and tok.type == "NAME":
        message = f"expected `then` before {_describe_token(tok)}"
        hint = "a rule reads: if CONDITION then LABEL"
    elif tok.type == "CMP" and str(tok) == "=" and "CMP" not in expected:
        message = "unexpected `=` here"
        hint = 'compare with `=` between two values, e.g. `region = "north"`'
    elif tok.type == "NAME" and "CMP" in expected:
        message = f"unexpected {_describe_token(tok)}: two values in a row"
        hint = "join conditions with `and` / `or`, or compare them with `>`, `=` …"
    else:
        message = f"unexpected {_describe_token(tok)}"
        hint = f"expected {_expected_list(expected)}"
    return Diagnostic("syntax-error", message, source, span, hint=hint)


def _blank(text: str, upto: int) -> str:
    """The text with everything before `upto` turned into spaces (newlines kept for positions)."""
    return re.sub(r"[^\n]", " ", text[:upto]) + text[upto:]


def parse(text: str, path: str = "<string>") -> tuple[n.File, Source, list[Diagnostic]]:
    """Parse a whole file. Returns the tree (possibly partial) and every syntax diagnostic."""
    source = Source(text, path)
    diagnostics: list[Diagnostic] = []
    lark = _lark()
    work = text
    tree = None
    while True:
        try:
            tree = lark.parse(work)
            break
        except UnexpectedInput as err:
            diag = _syntax_diagnostic(err, source)
            diagnostics.append(diag)
            if diag.code == "unexpected-end" or len(diagnostics) >= MAX_SYNTAX_ERRORS:
                break
            # Recover: skip to the next statement after the error and parse the rest.
            resume = _STATEMENT_START.search(text, diag.span.end)
            if resume is None:
                break
            work = _blank(text, resume.start())
    if tree is None:
        return n.File([]), source, diagnostics
    file = _ToNodes(source, diagnostics).transform(tree)
    return file, source, diagnostics


def parse_or_raise(text: str, path: str = "<string>") -> tuple[n.File, Source]:
    file, source, diagnostics = parse(text, path)
    if diagnostics:
        raise RuleError(diagnostics)
    return file, source
