"""Typing of function calls and population tests: the function table, arity, argument types,
and the population functions (percentile, score, cumulative_share, `in top/bottom p`) with
the key of the value population each one ranks against.
"""

from __future__ import annotations

import re
from typing import cast

from rulekit.check.base import CheckerBase
from rulekit.check.report import a, did_you_mean
from rulekit.i18n import N_, Msg
from rulekit.model import datatypes as T
from rulekit.suggest import nearest
from rulekit.syntax import nodes as n

FUNCTIONS = (
    "min",
    "max",
    "abs",
    "round",
    "coalesce",
    "days_since",
    "len",
    "percentile",
    "score",
    "cumulative_share",
)

USAGE_EXAMPLES = {
    "min": "a, b",
    "max": "a, b",
    "abs": "x",
    "round": "x, 2",
    "coalesce": "x, 0",
    "days_since": "last_purchase",
    "len": "tags",
    "percentile": "monetary",
    "score": "monetary, 5",
    "cumulative_share": "monetary",
}


def usage_example(func: str) -> str:
    """Arguments to show in a hint for calling `func`."""
    return USAGE_EXAMPLES.get(func, "…")


class CallChecker(CheckerBase):
    """Types function calls and population tests."""

    def call(self, node: n.Call) -> T.Type:
        f = node.func
        if f not in FUNCTIONS:
            guess = nearest(f, FUNCTIONS)
            self.error(
                "unknown-function",
                Msg("unknown function `{name}`", name=f),
                node.name_span,
                hint=Msg(
                    "{guess}functions are {names}", guess=did_you_mean(guess), names=list(FUNCTIONS)
                ),
            )
            for arg in node.args:
                self.expr(arg)
            return T.ERROR
        if node.among is not None and f not in n.POPULATION_FUNCTIONS:
            self.error(
                "wrong-arguments",
                Msg("`among` only goes with population functions, not `{name}`", name=f),
                node.among.span,
                hint=Msg("remove `among …`"),
            )
            self.expr(node.among)
        if node.by is not None and f not in n.POPULATION_FUNCTIONS:
            self.error(
                "wrong-arguments",
                Msg("`by` only goes with population functions, not `{name}`", name=f),
                node.by.span,
                hint=Msg("remove `by …`"),
            )
        if f in n.POPULATION_FUNCTIONS:
            return self._population(node)
        if f in ("min", "max", "coalesce"):
            return self._min_max_coalesce(node)
        if f == "abs":
            if not self._arity(node, 1, 1, N_("one number or duration")):
                return T.ERROR
            t = self.expr(node.args[0], T.NUMBER)
            return self._want(
                node.args[0], t, ("integer", "number", "duration"), N_("a number or duration")
            )
        if f == "round":
            return self._round(node)
        if f == "days_since":
            if not self._arity(node, 1, 1, N_("one date")):
                return T.ERROR
            t = self.expr(node.args[0], T.DATE)
            if t == T.UNKNOWN:
                self.bind(node.args[0], T.DATE)
                return T.DURATION
            self._want(node.args[0], t, ("date", "timestamp"), N_("a date"))
            return T.DURATION
        if f == "len":
            if not self._arity(node, 1, 1, N_("one list or text")):
                return T.ERROR
            t = self.expr(node.args[0], T.STRING)
            if t not in (T.ERROR, T.UNKNOWN, T.STRING) and not t.is_list:
                self.error(
                    "type-mismatch",
                    Msg("`len` needs a list or text, not {type}", type=a(t)),
                    node.args[0].span,
                    hint=Msg("len counts list items or characters"),
                )
            return T.INTEGER
        raise AssertionError(f)

    def _min_max_coalesce(self, node: n.Call) -> T.Type:
        f = node.func
        if not self._arity(node, 1, None, N_("one or more values")):
            return T.ERROR
        t: T.Type | None = None
        for arg in node.args:
            ta = self.expr(arg, t)
            if ta in (T.ERROR, T.UNKNOWN):
                continue
            common = T.unify(t, ta) if t else ta
            if common is None:
                self.error(
                    "type-mismatch",
                    Msg("`{name}` mixes {type} and {other}", name=f, type=a(t), other=a(ta)),
                    arg.span,
                    hint=Msg("give {name} values of one type", name=f),
                )
                return T.ERROR
            if f != "coalesce" and not common.orderable:
                self.error(
                    "type-mismatch",
                    Msg(
                        "`{name}` needs values that can be ordered, not {type}", name=f, type=a(ta)
                    ),
                    arg.span,
                    hint=Msg("{name} compares numbers, durations, dates or text", name=f),
                )
                return T.ERROR
            t = common
        return t or T.UNKNOWN

    def _round(self, node: n.Call) -> T.Type:
        if not self._arity(node, 1, 2, N_("a number and the digits to keep")):
            return T.ERROR
        t = self.expr(node.args[0], T.NUMBER)
        self._want(node.args[0], t, ("integer", "number"), N_("a number"))
        if len(node.args) == 2:
            d = node.args[1]
            self.expr(d, T.INTEGER)
            if not (isinstance(d, n.Literal) and isinstance(d.value, int)):
                self.error(
                    "wrong-arguments",
                    Msg("the digits of `round` must be a whole number written in the rule"),
                    d.span,
                    hint=Msg("e.g. round(x, 2)"),
                )
        return T.NUMBER

    # ---------------------------------------------------------------- arguments
    def _arity(self, node: n.Call, lo: int, hi: int | None, usage: str) -> bool:
        k = len(node.args)
        if k < lo or (hi is not None and k > hi):
            self.error(
                "wrong-arguments",
                Msg(
                    "`{name}` takes {usage}, given {count}",
                    name=node.func,
                    usage=Msg(usage),
                    count=k,
                ),
                node.span,
                hint=Msg(
                    "write {name}({arguments})", name=node.func, arguments=usage_example(node.func)
                ),
            )
            for arg in node.args:
                self.expr(arg)
            return False
        return True

    def _want(self, node: n.Node, t: T.Type, names: tuple[str, ...], words: str) -> T.Type:
        """Check an argument's type is one of `names`; ERROR (reported) when not."""
        if t in (T.ERROR, T.UNKNOWN):
            return t
        if t.name not in names:
            self.error(
                "type-mismatch",
                Msg("expected {words}, not {type}", words=Msg(words), type=a(t)),
                node.span,
                hint=Msg(
                    "for example {example}",
                    example=T.example_of(T.SCALARS.get(names[0], T.NUMBER)),
                ),
            )
            return T.ERROR
        return t

    # ---------------------------------------------------------------- population
    def _population_arg(self, node: n.Node, arg: n.Node, by: n.Name | None) -> T.Type:
        """Type the ranked value (and `by`), and record the node's population key."""
        t = self.expr(arg, T.NUMBER)
        if t == T.UNKNOWN:
            t = self.bind(arg, T.NUMBER) or t
        t = self._want(arg, t, ("integer", "number", "duration"), N_("a number or duration"))
        # A ranked value may itself rank (staged populations): the inner populations are
        # computed first (rulekit.model.stages), so no check here.
        if by is not None:
            if by.name in self._visible_lets or (
                self.declared_fields and by.name not in self.fields
            ):
                self.error(
                    "wrong-arguments",
                    Msg("`by` needs a field, and `{name}` is not one", name=by.name),
                    by.span,
                    hint=Msg("partition by a data field such as region"),
                )
            else:
                self.expr(by)
        snippet = re.sub(r"\s+", "", self.snippet(arg))
        among = cast(n.Call | n.RankIn, node).among
        if among is not None:  # a filtered population: its own key (see rulekit.model.stages)
            self._among(among)
            snippet += " among " + re.sub(r"\s+", "", self.snippet(among)).replace("|", "¦")
        self.population_keys[node.id] = f"{snippet}|{by.name if by else ''}"
        return t

    def _among(self, cond: n.Node) -> None:
        """Type a population filter: a condition (true/false), as a rule's."""
        t = self.expr(cond, T.BOOLEAN)
        if t not in (T.BOOLEAN, T.ERROR, T.UNKNOWN):
            self.error(
                "not-a-condition",
                Msg("this condition is {type}, not true/false", type=a(t)),
                cond.span,
                hint=Msg(
                    "rank within the rows where a condition holds, e.g. `among frequency > 0`"
                ),
            )

    def _population(self, node: n.Call) -> T.Type:
        if node.func == "score":
            if not self._arity(node, 2, 2, N_("a value and the number of scores")):
                return T.ERROR
            self._population_arg(node, node.args[0], node.by)
            k = node.args[1]
            self.expr(k, T.INTEGER)
            if not (isinstance(k, n.Literal) and isinstance(k.value, int) and k.value >= 1):
                self.error(
                    "wrong-arguments",
                    Msg("the number of scores must be a whole number written in the rule"),
                    k.span,
                    hint=Msg("e.g. score(monetary, 5)"),
                )
            return T.INTEGER
        if not self._arity(node, 1, 1, N_("one value")):
            return T.ERROR
        self._population_arg(node, node.args[0], node.by)
        return T.NUMBER

    def rank_in(self, node: n.RankIn) -> T.Type:
        self._population_arg(node, node.operand, node.by)
        ft = self.expr(node.fraction, T.NUMBER)
        frac = node.fraction
        if not (isinstance(frac, n.Literal) and frac.kind in ("percent", "number")):
            self.error(
                "wrong-arguments",
                Msg("the share after `top`/`bottom` must be written in the rule"),
                frac.span,
                hint=Msg("e.g. monetary in top 10%"),
            )
        elif ft.numeric and not (0 <= frac.value <= 1):
            self.error(
                "wrong-arguments",
                Msg("`{text}` is not a share between 0 and 1", text=frac.text),
                frac.span,
                hint=Msg("write a percentage such as {text}%", text=frac.text),
            )
        return T.BOOLEAN
