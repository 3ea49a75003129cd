"""Exact decimal arithmetic on numbers held as doubles (docs/language.md, "Numbers").

A `number` value is held as a Python float (a whole number may be an int) and means its
shortest decimal form: `repr(x)`, which is also what DuckDB's DOUBLE → VARCHAR cast writes. Two
such values compare exactly as doubles (the shortest form is strictly increasing), so a
comparison costs nothing; arithmetic is where binary doubles go wrong (0.1 + 0.2). Here +, −, ×
and / take the operands' decimal values, compute the exact result, and round it once to the
nearest double (ties to even), when both operands lie in the operation's *window*:

* + and −: at most 18 decimals and |x| < 10^19 (SQL: both fit DECIMAL(37, 18));
* ×: at most 9 decimals and |x| < 10^10 (SQL: both fit DECIMAL(19, 9), the product DECIMAL(38, 18));
* /: as + and −, and the two operands written with the same number of decimals (the larger of
  their counts) are whole numbers below 2^53 (about 15 digits): the exact quotient, rounded once.

Outside the window (more decimals, larger values, ±infinity) the operation is the plain double
operation of IEEE 754; a result that is not a number (∞ − ∞, 0 × ∞, ∞ / ∞) is missing. The SQL engines write the same rule (compile/sql/arithmetic.py), so both
engines agree to the bit. Whole operands below 2^53 take the plain double operation directly:
their binary value is their decimal value, so the result is the same, faster.
"""

from __future__ import annotations

import math
from decimal import Context, Decimal

from rulekit.model import datatypes as T
from rulekit.syntax import nodes as n
from rulekit.syntax.literals import exact_number

Number = int | float

# the windows: (decimals, bound); DECIMAL(37, 18) and DECIMAL(19, 9)
ADD_PLACES, ADD_BOUND = 18, Decimal(10) ** 19
MUL_PLACES, MUL_BOUND = 9, Decimal(10) ** 10
_TWO53 = 9007199254740992
_TWO50 = 2**50
_CTX = Context(prec=60)  # every exact sum and product in a window has at most 38 digits


def decimal_of(x: Number, places: int, bound: Decimal) -> Decimal | None:
    """x's exact decimal value (its shortest form) when it lies in the window (at most `places`
    decimals, |x| < bound); else None."""
    if x.__class__ is float:
        if not math.isfinite(x):
            return None
        d = Decimal(repr(x))
    else:
        d = Decimal(int(x))
    exponent = d.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -places or not -bound < d < bound:
        return None
    return d


def _decimals(d: Decimal) -> int:
    """The number of decimals of a finite decimal (0 for a whole one)."""
    exponent = d.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _plain(x: Number) -> bool:
    """A whole number below 2^53: its double is exactly its decimal value."""
    if x.__class__ is int:
        return -_TWO53 < x < _TWO53
    return x.is_integer() and -_TWO53 < x < _TWO53  # type: ignore[union-attr]


def _number(x: float) -> float | None:
    """A double result; not a number (∞ − ∞, 0 × ∞, ∞ / ∞) is missing."""
    return None if x != x else x


def _double(d: Decimal) -> float:
    return float(d) + 0.0  # no negative zero (SQL's DECIMAL has none)


_POW10: list[int] = [10**i for i in range(40)]
_ADD_FLOAT, _MUL_FLOAT = float(ADD_BOUND), float(MUL_BOUND)  # 10^19 and 10^10 are doubles


def _units(x: Number, places: int, bound: float) -> tuple[int, int] | None:
    """x's shortest form as (units, decimals), x = units / 10^decimals, when it lies in the
    window (at most `places` decimals, |x| < bound); else None. (decimal_of, without Decimal.)"""
    if x.__class__ is int:
        return (x, 0) if -bound < x < bound else None
    if not -bound < x < bound:  # also ±infinity and NaN
        return None
    # Fast path, no text: m / 10^4 reads back as x and |m| < 2^50, so x's rounding interval
    # (narrower than 10^-4 / 4) holds no other 4-decimal number, and the shortest form, a
    # 4-decimal number in it (it is shortest), is m / 10^4.
    m = round(x * 10000.0)
    if -_TWO50 < m < _TWO50 and m / 10000 == x:
        return m, 4
    text = repr(x)
    e = text.find("e")
    if e < 0:
        point = text.find(".")
        decimals = len(text) - point - 1
        if decimals > places:
            return None
        return int(text[:point] + text[point + 1 :]), decimals
    mantissa, exponent = text[:e], int(text[e + 1 :])
    point = mantissa.find(".")
    digits = mantissa if point < 0 else mantissa[:point] + mantissa[point + 1 :]
    decimals = (0 if point < 0 else len(mantissa) - point - 1) - exponent
    if decimals > places:
        return None
    if decimals < 0:
        return int(digits) * _POW10[-decimals], 0
    return int(digits), decimals


def _trim(units: int, decimals: int) -> tuple[int, int]:
    """The same number with no trailing zero among its decimals (12.50 → 12.5)."""
    while decimals and units % 10 == 0:
        units //= 10
        decimals -= 1
    return units, decimals


def _sum(a: Number, b: Number, sign: int) -> Number | None:
    if (a.__class__ is int and b.__class__ is int) or (_plain(a) and _plain(b)):
        return a + b if sign > 0 else a - b
    ua = _units(a, ADD_PLACES, _ADD_FLOAT)
    if ua is not None:
        ub = _units(b, ADD_PLACES, _ADD_FLOAT)
        if ub is not None:
            k = max(ua[1], ub[1])
            units = ua[0] * _POW10[k - ua[1]] + sign * ub[0] * _POW10[k - ub[1]]
            return units / _POW10[k]  # int / int: the exact sum, rounded once
    return _number(float(a) + sign * float(b))


def add(a: Number, b: Number) -> Number | None:
    """a + b of two numbers (neither missing), by the rule above."""
    if a.__class__ is int and b.__class__ is int:
        return a + b
    try:  # the common case inline: both m / 10^4 (see _units)
        ma, mb = round(a * 10000.0), round(b * 10000.0)
    except (OverflowError, ValueError):  # ±infinity, NaN
        return _number(float(a) + float(b))
    if -_TWO50 < ma < _TWO50 and -_TWO50 < mb < _TWO50 and ma / 10000 == a and mb / 10000 == b:
        return (ma + mb) / 10000
    return _sum(a, b, 1)


def sub(a: Number, b: Number) -> Number | None:
    """a − b of two numbers (neither missing), by the rule above."""
    if a.__class__ is int and b.__class__ is int:
        return a - b
    try:
        ma, mb = round(a * 10000.0), round(b * 10000.0)
    except (OverflowError, ValueError):
        return _number(float(a) - float(b))
    if -_TWO50 < ma < _TWO50 and -_TWO50 < mb < _TWO50 and ma / 10000 == a and mb / 10000 == b:
        return (ma - mb) / 10000
    return _sum(a, b, -1)


def mul(a: Number, b: Number) -> Number | None:
    """a × b of two numbers (neither missing), by the rule above."""
    if a.__class__ is int and b.__class__ is int:
        return a * b
    if -_MUL_FLOAT < a < _MUL_FLOAT and -_MUL_FLOAT < b < _MUL_FLOAT:
        ma, mb = round(a * 10000.0), round(b * 10000.0)
        if ma / 10000 == a and mb / 10000 == b:
            return (ma * mb) / 100000000  # the exact product, rounded once
    if _plain(a) and _plain(b):
        return a * b
    ua = _units(a, MUL_PLACES, _MUL_FLOAT)
    if ua is not None:
        ub = _units(b, MUL_PLACES, _MUL_FLOAT)
        if ub is not None:
            return (ua[0] * ub[0]) / _POW10[ua[1] + ub[1]]  # the exact product, rounded once
    return _number(float(a) * float(b))


def div(a: Number | None, b: Number | None) -> float | None:
    """a / b: missing when either is missing or b is 0; the exact quotient of the decimal
    values rounded once in the window (and for whole numbers, as Python's int / int), else the
    double quotient."""
    if a is None or b is None or b == 0:
        return None
    if a.__class__ is int and b.__class__ is int:
        try:
            return a / b
        except OverflowError:  # whole numbers whose quotient is beyond the double range
            return math.inf if (a > 0) == (b > 0) else -math.inf
    try:
        ma, mb = round(a * 10000.0), round(b * 10000.0)
    except (OverflowError, ValueError):
        return _number(float(a) / float(b))
    if -_TWO50 < ma < _TWO50 and -_TWO50 < mb < _TWO50 and ma / 10000 == a and mb / 10000 == b:
        return ma / mb  # the same number of decimals: the exact quotient, rounded once
    if not (_plain(a) and _plain(b)):
        ua = _units(a, ADD_PLACES, _ADD_FLOAT)
        if ua is not None:
            ub = _units(b, ADD_PLACES, _ADD_FLOAT)
            if ub is not None:
                # both written with the same number of decimals: whole numbers below 2^53
                ua, ub = _trim(*ua), _trim(*ub)
                k = max(ua[1], ub[1])
                ia, ib = ua[0] * _POW10[k - ua[1]], ub[0] * _POW10[k - ub[1]]
                if -_TWO53 < ia < _TWO53 and -_TWO53 < ib < _TWO53:
                    return ia / ib  # exact doubles: one correctly rounded division
    return _number(float(a) / float(b))


def decimal_operands(ta: T.Type, tb: T.Type) -> bool:
    """Arithmetic that follows this module's rule: a `number` with a number or an integer
    (whole numbers alone are exact already; durations are days, kept as doubles)."""
    return T.NUMBER in (ta, tb) and {ta.name, tb.name} <= {"number", "integer"}


# A comparison `x op L` with a number literal L that no double holds exactly (more digits than
# a double keeps: `0.10000000000000000001`): x's decimal value is never L, and it is above L
# exactly when x is above l, the double nearest L, or x = l with l's own decimal above L.
# (op, l's decimal below L) → the operator to compare x with l instead; "=" is never true and
# "!=" always (for a value that is not missing).
_BELOW = {">": ">", ">=": ">", "<": "<=", "<=": "<=", "=": "never", "!=": "always"}
_ABOVE = {">": ">=", ">=": ">=", "<": "<", "<=": "<", "=": "never", "!=": "always"}
MIRROR = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "=", "!=": "!="}


def inexact_literal_op(op: str, value: float, exact: Decimal) -> str | None:
    """For `x op L` (L's exact value `exact`, its double `value`): None when the double is
    exactly L (compare as doubles), else the operator to compare x with the double instead, or
    "never" / "always" for = and !=."""
    if not math.isfinite(value):
        return None
    shortest = Decimal(repr(value))
    if shortest == exact:
        return None
    return (_BELOW if shortest < exact else _ABOVE)[op]


def _inexact_literal(node: n.Node) -> tuple[float, Decimal] | None:
    """(double, exact value) of a number literal (or its negation) no double holds exactly."""
    sign = 1
    if isinstance(node, n.Neg):
        node, sign = node.operand, -1
    if not (isinstance(node, n.Literal) and node.kind in ("number", "percent")):
        return None
    if not isinstance(node.value, float) or isinstance(node.value, bool):
        return None
    exact = exact_number(node.text)
    if exact is None or Decimal(repr(node.value)) == exact:
        return None
    return sign * node.value, sign * exact


def exact_pair(a: n.Node, op: str, b: n.Node) -> tuple[n.Node, str, n.Node]:
    """The comparison `a op b` to write so that a number literal no double holds exactly is
    compared exactly (inexact_literal_op): the literal becomes its double with an adjusted
    operator; `= L` becomes `a != a` (never true, missing when a is) and `!= L` `a = a`."""
    right = _inexact_literal(b)
    left = _inexact_literal(a) if right is None else None
    if right is None and left is None:
        return a, op, b
    x, lit, swapped = (a, b, False) if right is not None else (b, a, True)
    value, exact = right if right is not None else left  # type: ignore[misc]
    want = MIRROR[op] if swapped else op
    new = inexact_literal_op(want, value, exact)
    if new is None:
        return a, op, b
    if new == "never":
        return x, "!=", x
    if new == "always":
        return x, "=", x
    double = n.Literal(lit.id, lit.span, value, "number", repr(value))
    return (double, MIRROR[new], x) if swapped else (x, new, double)
