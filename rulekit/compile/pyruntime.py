"""What generated Python calls at run time: the `Bad` and `Conflict` exceptions it raises, the
field coercers it calls for values of the wrong class, the `UNSET` marker for let overrides,
and the namespace of helper names (`_and3`, `_div` …) the generated source is executed in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from rulekit.model import datatypes as T
from rulekit.model import decimals as D
from rulekit.model import semantics as S


class Bad(Exception):
    """A record value that failed coercion or validation (raised by generated code)."""

    def __init__(self, field: str | None, value: Any, reason: str):
        super().__init__(reason)
        self.field, self.value, self.reason = field, value, reason


class Conflict(Exception):
    """Under `hit unique`, more than one rule matched."""

    def __init__(self, mask: int):
        super().__init__(mask)
        self.mask = mask


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


# A let with no override (`_ov.get(name, _UNSET)` in traced code): None would mean "missing".
UNSET = _Unset()


def make_coercer(name: str, t: T.Type, one_of: tuple[Any, ...] | None) -> Callable[[Any], Any]:
    """The coercer of field `name`: a record value → a value of type t, or `Bad`."""
    convert = S.coercer(t)
    allowed = frozenset(one_of) if one_of else None

    def coerce_field(value: Any) -> Any:
        try:
            out = convert(value)
        except S.CoercionError as e:
            raise Bad(name, value, e.reason) from None
        if allowed is not None and out is not None and out not in allowed:
            shown = ", ".join(repr(a) for a in one_of or ())
            raise Bad(name, value, f"{value!r} is not one of {shown}")
        return out

    return coerce_field


def runtime_namespace() -> dict[str, Any]:
    """A fresh namespace holding every helper name generated code refers to."""
    return {
        "_date": dt.date,
        "_datetime": dt.datetime,
        "Bad": Bad,
        "Conflict": Conflict,
        "_and3": S.and3,
        "_and3n": S.and3_all,
        "_or3": S.or3,
        "_not3": S.not3,
        "_div": S.div,
        "_ddiv": D.div,
        "_dadd": D.add,
        "_dsub": D.sub,
        "_dmul": D.mul,
        "_date_diff": S.date_diff,
        "_date_add": S.date_add,
        "_as_ts": S.as_ts,
        "_in3": S.in3,
        "_strtest": S.strtest,
        "_fmin": S.fmin,
        "_fmax": S.fmax,
        "_coalesce": S.coalesce,
        "_abs": S.fabs,
        "_len": S.length,
        "_round": S.round_half_up,
        "_days_since": S.days_since,
        "_UNSET": UNSET,
    }
