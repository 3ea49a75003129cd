"""Type values of the language and the typing of operators and functions: which types
unify, compare and combine under arithmetic."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Type:
    name: str
    element: Type | None = None  # for lists

    def __str__(self) -> str:
        return f"list of {self.element}" if self.element else self.name

    @property
    def numeric(self) -> bool:
        return self.name in ("integer", "number")

    @property
    def orderable(self) -> bool:
        return self.name in ("integer", "number", "duration", "date", "timestamp", "string")

    @property
    def is_list(self) -> bool:
        return self.element is not None


INTEGER = Type("integer")
NUMBER = Type("number")
BOOLEAN = Type("boolean")
STRING = Type("string")
DATE = Type("date")
TIMESTAMP = Type("timestamp")
DURATION = Type("duration")
NULL = Type("missing")  # the type of the `missing` example value
ERROR = Type("error")  # a node that already failed: stays silent afterwards
UNKNOWN = Type("unknown")  # an undeclared field whose type is not yet inferred


def list_of(t: Type) -> Type:
    return Type("list", t)


SCALARS = {
    "integer": INTEGER,
    "int": INTEGER,
    "整数": INTEGER,
    "number": NUMBER,
    "decimal": NUMBER,
    "float": NUMBER,
    "数字": NUMBER,
    "数值": NUMBER,
    "boolean": BOOLEAN,
    "bool": BOOLEAN,
    "布尔": BOOLEAN,
    "string": STRING,
    "text": STRING,
    "文本": STRING,
    "字符串": STRING,
    "date": DATE,
    "日期": DATE,
    "timestamp": TIMESTAMP,
    "datetime": TIMESTAMP,
    "时间戳": TIMESTAMP,
    "时间": TIMESTAMP,
    "duration": DURATION,
    "时长": DURATION,
}

LITERAL_TYPES = {
    "number": NUMBER,
    "percent": NUMBER,
    "duration": DURATION,
    "date": DATE,
    "timestamp": TIMESTAMP,
    "string": STRING,
    "boolean": BOOLEAN,
    "missing": NULL,
    "error": ERROR,
}


def literal_type(kind: str, value: object) -> Type:
    if kind == "number" and isinstance(value, int):
        return INTEGER
    return LITERAL_TYPES[kind]


def unify(a: Type, b: Type) -> Type | None:
    """The common type of two values that may be compared or mixed, or None."""
    if a == b:
        return a
    if a.numeric and b.numeric:
        return NUMBER
    if {a.name, b.name} == {"date", "timestamp"}:
        return TIMESTAMP
    if NULL in (a, b):
        return b if a == NULL else a
    if a.element is not None and b.element is not None:  # two lists
        el = unify(a.element, b.element)
        return list_of(el) if el else None
    return None


def comparable(a: Type, b: Type, op: str) -> bool:
    common = unify(a, b)
    if common is None or common.is_list:
        return False
    if op in ("=", "!="):
        return True
    return common.orderable


def arithmetic(op: str, a: Type, b: Type) -> Type | None:
    """Result type of `a op b`, or None when the operator does not apply."""
    n = {a.name, b.name}
    if a.numeric and b.numeric:
        return NUMBER if op == "/" or NUMBER in (a, b) else INTEGER
    if op == "+":
        if a == b == DURATION:
            return DURATION
        if n == {"date", "duration"}:
            return DATE
        if n == {"timestamp", "duration"}:
            return TIMESTAMP
    if op == "-":
        if a == b == DURATION:
            return DURATION
        if a in (DATE, TIMESTAMP) and b == DURATION:
            return a
        if a in (DATE, TIMESTAMP) and b in (DATE, TIMESTAMP):
            return DURATION
    if op == "*":
        if (a == DURATION and b.numeric) or (a.numeric and b == DURATION):
            return DURATION
    if op == "/":
        if a == b == DURATION:
            return NUMBER
        if a == DURATION and b.numeric:
            return DURATION
    return None


def example_of(t: Type) -> str:
    """A literal a user could write for this type, for hints."""
    return {
        "integer": "12",
        "number": "0.5",
        "duration": "180d",
        "date": "2024-06-30",
        "timestamp": "2024-06-30T08:00",
        "string": '"north"',
        "boolean": "true",
    }.get(t.name, "a value")
