"""Raw values on their way to a declared type: the text forms coercion.py and reasons.py read.

A `Value` is one value being coerced: its SQL and, for text, its stripped and ASCII-digit
forms. For a column they become helper columns, computed once level by level before the fields
are (layout.py writes them); inside a list's lambda they are inline expressions. Python's own
character sets decide what those forms are: surrounding whitespace is `str.strip()`'s set, and
digits of every script count (Python's `int("１２")` is 12). A JSON value or a mixed Python
column has a Python type that varies row by row: `variant_parts` gives its tag and its text.
"""

from __future__ import annotations

import functools
import sys
import unicodedata

from rulekit.compile.sql.base import GeneratorBase


@functools.cache
def _tables() -> tuple[str, str, str]:
    """(whitespace class, digits of every script, their ASCII digits): Python's own character
    sets, scanned once on first use (a scan of every code point takes ~0.5 s, which importing
    the compiler must not pay)."""
    # Python's str.isspace() set: what str.strip() removes.
    whitespace = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    # Decimal digits of every script (what Python's `\d`, int() and float() accept) -> ASCII.
    digits = [
        (c, str(unicodedata.decimal(c)))
        for c in map(chr, range(0x80, sys.maxunicode + 1))
        if unicodedata.category(c) == "Nd"
    ]
    space_class = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in whitespace) + "]"
    return space_class, "".join(a for a, _ in digits), "".join(b for _, b in digits)


def __getattr__(name: str) -> str:
    """The tables under their old module-level names (the Spark dialect imports two)."""
    names = ("_WHITESPACE_CLASS", "_DIGITS_FROM", "_DIGITS_TO")
    if name in names:
        return _tables()[names.index(name)]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


Helper = tuple[str, str, int]  # (column, sql, level) of a helper column


class Value:
    """A value being coerced: its SQL and, for text, its stripped and ASCII-digit forms —
    helper columns when `helpers` is given, inline expressions inside a list's lambda."""

    def __init__(self, gen: RawValues, x: str, helpers: list[Helper] | None, prefix: str):
        self.gen, self.x, self.helpers, self.prefix = gen, x, helpers, prefix
        self._cache: dict[str, str] = {}
        # a test true where the value took the fast path (coercion.py): its text forms are
        # then not computed (NULL), which is what makes a clean file cheap
        self.skip: str | None = None

    def helper(self, key: str, sql: str) -> str:
        """`sql` (a form of this value) as a helper column named by `key`, computed once; inline
        when there are no helper columns."""
        if self.helpers is None:
            return sql
        if key not in self._cache:
            name = self.gen._unique(f"{self.prefix}{key}")
            # its level: one more than the helpers it reads (each level is its own SELECT, so
            # no expression refers to an alias of its own SELECT list)
            level = 1 + max(
                (lv for n_, _, lv in self.helpers if self.gen.identifier_sql(n_) in sql), default=0
            )
            self.helpers.append((name, sql, level))
            self._cache[key] = self.gen.identifier_sql(name)
        return self._cache[key]

    def stripped(self) -> str:
        strip = self.gen.strip_sql(self.x)
        if self.skip is not None:
            strip = f"CASE WHEN {self.skip} THEN NULL ELSE {strip} END"
        return self.helper("s", strip)

    def digits(self) -> str:
        return self.helper("d", self.gen.ascii_digits_sql(self.stripped()))

    def sub(self, x: str, key: str) -> Value:
        """A derived value (JSON text) sharing the helper list."""
        inner = Value(self.gen, self.helper(key, x), self.helpers, self.prefix + key + "_")
        return inner


class RawValues(GeneratorBase):
    """Text forms of raw values, in SQL: stripped, digits made ASCII, a variant's tag/text."""

    def strip_sql(self, s: str) -> str:
        """Python's str.strip(): every Unicode whitespace character, both ends. (trim with a
        character set costs ~1 µs a value, so only texts that need it go through it.)"""
        space = _tables()[0]
        edge = f"^{space}|{space}$"
        ends = f"^{space}+|{space}+$"
        return (
            f"CASE WHEN regexp_matches({s}, {self.string_sql(edge)}) "
            f"THEN regexp_replace({s}, {self.string_sql(ends)}, '', 'g') ELSE {s} END"
        )

    def text_constant_sql(self, text: str) -> str:
        """A text with control characters, as printable SQL: runs of visible characters through
        string_sql, the others as chr(n)."""
        parts, run = [], ""
        for c in text:
            if c == " " or (c.isprintable() and not c.isspace()):
                run += c
                continue
            if run:
                parts.append(self.string_sql(run))
                run = ""
            parts.append(f"chr({ord(c)})")
        if run:
            parts.append(self.string_sql(run))
        return "(" + " || ".join(parts) + ")" if len(parts) > 1 else parts[0]

    def ascii_digits_sql(self, s: str) -> str:
        """Digits of every script made ASCII. (translate with 660 pairs costs ~40 µs a value;
        only texts with a non-ASCII character go through it.)"""
        return (
            f"CASE WHEN regexp_matches({s}, {self.string_sql('[^[:ascii:]]')}) THEN "
            f"translate({s}, {self.string_sql(_tables()[1])}, {self.string_sql(_tables()[2])})"
            f" ELSE {s} END"
        )

    # ---- JSON values and mixed Python columns: the type is decided per row
    def variant_parts(self, kind: str, v: Value) -> tuple[str, Value]:
        """(tag, text) of a value whose Python type varies row by row: the tag names the
        Python type (str, int, float, bool, null, list, dict; for rulekit's own tagged
        columns also date, datetime, decimal, nan, inf, other) and the text is its canonical
        text (the string itself, the number's digits, true/false, ISO dates, JSON for lists)."""
        s = self.string_sql
        x = v.x
        if kind == "tagged":
            tag, text = f"{x}.t", f"{x}.v"
        else:
            jt = self.json_type_sql(x)
            text = self.json_text_sql(x)
            # a whole number beyond 64 bits is a DOUBLE to the JSON reader, yet written as
            # digits it is an int, as Python's json module reads it
            whole = self.regex_full_match_sql(text, "-?[0-9]+")
            tag = (
                f"CASE {jt} WHEN {s('VARCHAR')} THEN {s('str')} WHEN {s('BIGINT')} THEN "
                f"{s('int')} WHEN {s('UBIGINT')} THEN {s('int')} WHEN {s('DOUBLE')} THEN "
                f"CASE WHEN {whole} THEN {s('int')} ELSE {s('float')} END "
                f"WHEN {s('BOOLEAN')} THEN {s('bool')} WHEN {s('ARRAY')} THEN "
                f"{s('list')} WHEN {s('OBJECT')} THEN {s('dict')} ELSE {s('null')} END"
            )
        if v.skip is not None:  # the fast path read this value (coercion.py): no tag, no text
            tag = f"CASE WHEN {v.skip} THEN NULL ELSE {tag} END"
            text = f"CASE WHEN {v.skip} THEN NULL ELSE {text} END"
        if v.helpers is None:
            return tag, Value(self, text, None, "")
        return v.helper("t", tag), v.sub(text, "j")
