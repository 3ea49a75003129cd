"""Arithmetic computed exactly as Python computes it, where SQL's own would differ.

* Date and timestamp shifts: date + days and timestamp + days, NULL outside Python's years
  1..9999 (semantics.date_add gives missing there; SQL's range is wider and overflowing it is an
  error), the shift checked or clamped first so no cast or addition after it can overflow.
* Exact division: a / b of two 128-bit integers rounded once to the nearest double, as Python's
  int / int, for cumulative_share's exact sums (populations.py builds the sums).
* Exact decimal arithmetic of numbers (+ − × /), model/decimals.py's rule written in SQL: the
  operands' shortest decimal forms (DOUBLE → VARCHAR) cast to DECIMAL inside a window, the exact
  result rounded once to DOUBLE; outside the window, DOUBLE arithmetic.

Built from the dialect table's words only (dialect.py); a dialect without 128-bit integers says
so with EXACT_DIVISION = False and never reaches exact_div_sql.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from rulekit.compile.sql.base import GeneratorBase
from rulekit.model import decimals as D

# model/decimals.py's windows as SQL types: + − / and × (the product is DECIMAL(38, 18))
ADD_DECIMAL = f"DECIMAL({len(str(D.ADD_BOUND)) - 1 + D.ADD_PLACES}, {D.ADD_PLACES})"
MUL_DECIMAL = f"DECIMAL({len(str(D.MUL_BOUND)) - 1 + D.MUL_PLACES}, {D.MUL_PLACES})"
_TWO53 = "9007199254740992"


class Arithmetic(GeneratorBase):
    """Date and timestamp shifts; exact integer division."""

    # ---- date and timestamp shifts
    def date_add_days_sql(self, d: str, days: str) -> str:
        """date + whole days (a fraction is dropped toward zero, as semantics.date_add).

        A result outside Python's years 1..9999 is NULL, as semantics.date_add gives missing
        (SQL's own range is wider, and overflowing it is an error). The shift is checked (or
        clamped to just past the range) first, so no cast or addition after it can overflow;
        NaN and ±inf are out of range too (NaN sorts above every number). Then the result's
        range: short operands are repeated in a CASE (the fastest form: CASE evaluates a branch
        only for the rows that reach it, and DuckDB computes a repeated subexpression once);
        long ones, a shift of a shift, are written once and tested through a one-element list's
        lambda, since repeating them, or NULLIF, which DuckDB expands to a CASE, would double
        the query at every level of nesting."""
        limit = (dt.date.max - dt.date.min).days + 1  # a shift this large leaves the range
        s = self.cast_sql(days, "DOUBLE")
        first, last = self.date_literal_sql(dt.date.min), self.date_literal_sql(dt.date.max)
        if len(d) + len(days) <= 100:
            moved = self.move_date_sql(d, s)
            return (
                f"CASE WHEN abs({s}) < {limit} THEN CASE WHEN {moved} BETWEEN {first} AND "
                f"{last} THEN {moved} END END"
            )
        moved = self.move_date_sql(d, f"least({limit}, greatest(-{limit}, {s}))")
        v = "rk_v"
        kept = self.list_transform_sql(
            self.list_sql([moved]), v, f"CASE WHEN {v} BETWEEN {first} AND {last} THEN {v} END"
        )
        return self.list_element_sql(kept, "0")

    def timestamp_add_days_sql(self, ts: str, days: str) -> str:
        """timestamp + days, to the microsecond exactly as Python's timedelta(days=…) rounds
        (see micros_of_days_sql); NULL outside years 1..9999, as date_add_days_sql (the range
        is checked on epoch microseconds, cheaper than on timestamps)."""
        limit = (dt.date.max - dt.date.min).days + 1
        s = self.cast_sql(days, "DOUBLE")
        lo, hi = (
            self.integer_sql((t - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1))
            for t in (dt.datetime.min, dt.datetime.max)
        )
        if len(ts) + len(days) <= 100:
            micros = f"{self.epoch_micros_sql(ts)} + {self.micros_of_days_sql(s)}"
            return (
                f"CASE WHEN abs({s}) < {limit} THEN CASE WHEN {micros} BETWEEN {lo} AND "
                f"{hi} THEN {self.from_epoch_micros_sql(micros)} END END"
            )
        bound = self.double_sql(float(limit))  # days: past the whole range either way
        d = self.lambda_var()
        shift = self.let_sql(
            f"least({bound}, greatest(-{bound}, {s}))", d, self.micros_of_days_sql(d)
        )
        v = "rk_v"
        kept = self.list_transform_sql(
            self.list_sql([f"{self.epoch_micros_sql(ts)} + {shift}"]),
            v,
            f"CASE WHEN {v} BETWEEN {lo} AND {hi} THEN {self.from_epoch_micros_sql(v)} END",
        )
        return self.list_element_sql(kept, "0")

    def micros_of_days_sql(self, s: str) -> str:
        """Whole microseconds of a number of days (a DOUBLE, |s| within the date range), as
        CPython's timedelta(days=s) computes them: the whole days exactly, the fraction times
        86400·10⁶ as one double product, whose fraction of a microsecond is rounded half to
        even on the total."""
        t = self.cast_sql(s, "BIGINT")  # toward zero, as modf
        f = f"(({s} - {t}) * 86400000000.0)"
        ft = self.cast_sql(f, "BIGINT")
        left = f"({f} - {ft})"
        x = f"({t} * 86400000000 + {ft})"
        return (
            f"({x} + CASE WHEN abs({left}) = 0.5 THEN CASE WHEN {x} % 2 = 0 THEN 0 ELSE "
            f"{self.cast_sql(f'sign({left})', 'BIGINT')} END ELSE "
            f"{self.cast_sql(f'round({left})', 'BIGINT')} END)"
        )

    # ---- exact shares: Σ{v >= x} / Σ P of exact integer sums, rounded once (population.py)
    def let_sql(self, value: str, var: str, body: str) -> str:
        """`body` with `var` bound to `value`, computed once (a one-element list's transform)."""
        return f"{self.list_transform_sql(self.list_sql([value]), var, body)}[1]"

    def exact_div_sql(self, a: str, b: str) -> str:
        """a / b for 128-bit integers a, b (b ≠ 0), rounded once to the nearest double, ties to
        even: what Python's int / int gives. The double quotient q0 is within two ulps; the
        answer is the neighbour of q0 on the right side of each midpoint between neighbours,
        decided exactly: A/B > m  ⇔  A·2^t > (M1 + M2)·B, compared as two 64-bit limbs."""
        one = "CAST(1 AS HUGEINT)"
        mask = f"(({one} << 64) - 1)"
        let = self.let_sql
        v = {k: self.identifier_sql(k) for k in ("A", "B", "q", "j", "s", "e", "t", "x", "y", "p")}

        def exponent(c: str) -> str:
            f = f"CAST(floor(log2({c})) AS INTEGER)"
            return (
                f"({f} - CASE WHEN pow(2.0, {f}) > {c} THEN 1 ELSE 0 END "
                f"+ CASE WHEN pow(2.0, {f} + 1) <= {c} THEN 1 ELSE 0 END)"
            )

        def compare(c: str, cn: str) -> str:
            """sign(A/B − (c + cn)/2): -1, 0 or 1."""
            e, t, x, y, p, A, B = (v[k] for k in "etxypAB")
            msum = (
                f"(CAST({c} * pow(2.0, 52 - {e}) AS HUGEINT) + "
                f"CAST({cn} * pow(2.0, 52 - {e}) AS HUGEINT))"
            )
            ys = f"{self.list_transform_sql(self.list_sql([self.list_sql([f'{msum} * ({B} >> 64)', f'{msum} * ({B} & {mask})'])]), p, self.list_sql([f'{p}[1] + ({p}[2] >> 64)', f'{p}[2] & {mask}']))}[1]"
            xs = (
                f"CASE WHEN {t} >= 64 THEN {self.list_sql([f'{A} << greatest({t} - 64, 0)', f'{one} * 0'])} "
                f"WHEN {t} >= 0 THEN {self.list_sql([f'{A} >> greatest(64 - {t}, 0)', f'({A} & (({one} << greatest(64 - {t}, 0)) - 1)) << greatest(least({t}, 63), 0)'])} "
                f"ELSE {self.list_sql([f'{A} >> 64', f'{A} & {mask}'])} END"
            )
            # a quotient of 2^53 or more (t < 0): A against msum·B·2^-t, which fits (≈ 2A)
            w = v["p"]
            ys_big = let(
                f"({msum} * {B}) << greatest(-{t}, 0)",
                w,
                self.list_sql([f"{w} >> 64", f"{w} & {mask}"]),
            )
            ys = f"CASE WHEN {t} >= 0 THEN {ys} ELSE {ys_big} END"
            comp = (
                f"CASE WHEN {x}[1] > {y}[1] OR ({x}[1] = {y}[1] AND {x}[2] > {y}[2]) THEN 1 "
                f"WHEN {x}[1] = {y}[1] AND {x}[2] = {y}[2] THEN 0 ELSE -1 END"
            )
            return let(exponent(c), e, let(f"53 - {e}", t, let(xs, x, let(ys, y, comp))))

        def odd(c: str) -> str:
            return f"(CAST({c} * pow(2.0, 52 - {exponent(c)}) AS BIGINT) % 2 = 1)"

        q = v["q"]
        down, up = "CAST(0 AS DOUBLE)", "CAST('1e308' AS DOUBLE)"
        cands = [
            f"nextafter(nextafter({q}, {down}), {down})",
            f"nextafter({q}, {down})",
            q,
            f"nextafter({q}, {up})",
            f"nextafter(nextafter({q}, {up}), {up})",
        ]
        steps = [
            let(
                compare(cands[k], cands[k + 1]),
                v["s"],
                f"CASE WHEN {v['s']} > 0 OR ({v['s']} = 0 AND {odd(cands[k])}) THEN 1 ELSE 0 END",
            )
            for k in range(4)
        ]
        pick = (
            f"CASE {v['j']} " + " ".join(f"WHEN {i} THEN {c}" for i, c in enumerate(cands)) + " END"
        )
        A, B = v["A"], v["B"]
        body = let(
            f"{self.cast_sql(A, 'DOUBLE')} / {self.cast_sql(B, 'DOUBLE')}",
            q,
            f"CASE WHEN {A} = 0 THEN CAST(0 AS DOUBLE) "
            f"ELSE {let(' + '.join(steps), v['j'], pick)} END",
        )
        quotient = let(f"abs({a})", A, let(f"abs({b})", B, body))
        return f"(CASE WHEN ({a} < 0) <> ({b} < 0) THEN -1 ELSE 1 END * {quotient})"

    # ---- exact decimal arithmetic of numbers (model/decimals.py)
    def _bind(self, values: list[str], body: Callable[[list[str]], str]) -> str:
        """body(names), each value computed once: a plain name or constant is used as it is,
        anything else bound to a lambda variable (let_sql)."""
        names: list[str] = []
        lets: list[tuple[str, str]] = []
        for value in values:
            if self._simple(value):
                names.append(value)
            else:
                var = self.lambda_var()
                lets.append((value, var))
                names.append(var)
        out = body(names)
        for value, var in reversed(lets):
            out = self.let_sql(value, var, out)
        return out

    def _plain_sql(self, x: str, whole: bool) -> str:
        """x is a whole number below 2^53 (its double is its decimal value)."""
        if whole:
            return f"abs({x}) < {_TWO53}"
        return f"({self.integral_sql(x)} AND abs({x}) < {_TWO53})"

    def _in_window_sql(self, x: str, dec: str, whole: bool) -> str:
        """x's shortest form fits the decimal `dec` exactly: the cast succeeded and, for a
        double, reads back as x (a rounded cast never does: the shortest form is shortest)."""
        if whole:
            return f"{dec} IS NOT NULL"
        return f"{self.cast_sql(dec, 'DOUBLE')} = {x}"

    def decimal_arith_sql(self, op: str, a: str, b: str, whole: tuple[bool, bool]) -> str:
        """a op b (+ − ×) of two numbers (DOUBLE, or whole numbers when `whole` says so), by
        model/decimals.py's rule: plain doubles for whole operands below 2^53, the exact
        decimal result rounded once inside the window, DOUBLE arithmetic outside it."""
        dtype = MUL_DECIMAL if op == "*" else ADD_DECIMAL

        def body(x: list[str]) -> str:
            da, db = (self.try_cast_sql(self.float_text_sql(v), dtype) for v in x)
            fa, fb = (self.cast_sql(v, "DOUBLE") if w else v for v, w in zip(x, whole))
            plain = f"{self._plain_sql(x[0], whole[0])} AND {self._plain_sql(x[1], whole[1])}"
            inside = (
                f"{self._in_window_sql(fa, da, whole[0])} AND "
                f"{self._in_window_sql(fb, db, whole[1])}"
            )
            exact = self.cast_sql(f"{da} {op} {db}", "DOUBLE")
            fast = self._fast_sql(op, fa, fb, whole)
            return (
                f"CASE WHEN {plain} THEN {fa} {op} {fb} {fast}WHEN {inside} THEN {exact} "
                f"ELSE {self.not_nan_sql(f'{fa} {op} {fb}')} END"
            )

        return self._bind([a, b], body)

    def decimal_div_sql(self, a: str, b: str, whole: tuple[bool, bool]) -> str:
        """a / b of two numbers by model/decimals.py's rule: missing when b is 0; inside the
        + − window, both written with the same (smallest common) number of decimals s ≤ 18,
        whole numbers below 2^53: their exact double quotient (one correctly rounded
        division); else DOUBLE division. The scales are tried smallest first: the first that
        divides both scaled integers is the common number of decimals."""

        def body(x: list[str]) -> str:
            da, db = (self.try_cast_sql(self.float_text_sql(v), ADD_DECIMAL) for v in x)
            fa, fb = (self.cast_sql(v, "DOUBLE") if w else v for v, w in zip(x, whole))
            double = self.not_nan_sql(f"{fa} / {fb}")
            plain = f"{self._plain_sql(x[0], whole[0])} AND {self._plain_sql(x[1], whole[1])}"
            inside = (
                f"{self._in_window_sql(fa, da, whole[0])} AND "
                f"{self._in_window_sql(fb, db, whole[1])}"
            )
            ua, ub = self.lambda_var(), self.lambda_var()
            steps = []
            for places in range(D.ADD_PLACES + 1):
                unit = 10 ** (D.ADD_PLACES - places)
                bound = self.cast_sql(str(2**53 * unit), "HUGEINT")
                if places == D.ADD_PLACES:
                    test = f"abs({ua}) < {bound} AND abs({ub}) < {bound}"
                    quotient = f"{self.cast_sql(ua, 'DOUBLE')} / {self.cast_sql(ub, 'DOUBLE')}"
                else:
                    u = self.cast_sql(str(unit), "HUGEINT")
                    test = (
                        f"{ua} % {u} = 0 AND {ub} % {u} = 0 AND abs({ua}) < {bound} "
                        f"AND abs({ub}) < {bound}"
                    )
                    quotient = (
                        f"{self.cast_sql(self.int_div_sql(ua, u), 'DOUBLE')} / "
                        f"{self.cast_sql(self.int_div_sql(ub, u), 'DOUBLE')}"
                    )
                steps.append(f"WHEN {test} THEN {quotient}")
            ladder = self.let_sql(
                self.decimal_units_sql(da),
                ua,
                self.let_sql(
                    self.decimal_units_sql(db), ub, f"CASE {' '.join(steps)} ELSE {double} END"
                ),
            )
            fast = self._fast_sql("/", fa, fb, whole)
            return (
                f"CASE WHEN {fb} = 0 THEN NULL WHEN {plain} THEN {double} {fast}WHEN {inside} "
                f"THEN {ladder} ELSE {double} END"
            )

        return self._bind([a, b], body)

    def _fast_sql(self, op: str, a: str, b: str, whole: tuple[bool, bool]) -> str:
        """A `WHEN … THEN …` for the common case, in DOUBLE arithmetic alone: both operands
        are m / 10^4 with whole |m| < 2^50 (so that is their shortest form, decimals._units'
        fast path); then m_a ± m_b and m_a / m_b are exact doubles and one division rounds
        the exact result once; a product m_a · m_b below 2^53 likewise. The same value as the
        decimal path: only faster."""
        scale, limit = "10000.0", "1125899906842624.0"  # 10^4, 2^50
        ms = [f"round({x} * {scale})" for x in (a, b)]
        tests = [f"abs({m}) < {limit} AND {m} / {scale} = {x}" for m, x in zip(ms, (a, b))]
        if op == "*":  # the product window: below 10^10
            tests += [f"abs({x}) < 10000000000.0" for x, w in zip((a, b), whole) if not w]
            tests.append(f"abs({ms[0]} * {ms[1]}) < 9007199254740992.0")
            result = f"{ms[0]} * {ms[1]} / 100000000.0"
        elif op == "/":
            result = f"{ms[0]} / {ms[1]}"
        else:
            result = f"({ms[0]} {op} {ms[1]}) / {scale}"
        return f"WHEN {' AND '.join(tests)} THEN {result} "

    def not_nan_sql(self, x: str) -> str:
        """A DOUBLE, NULL when it is not a number (∞ − ∞): missing, as in model/decimals.py."""
        return f"NULLIF({x}, {self.cast_sql(self.string_sql('NaN'), 'DOUBLE')})"

    def decimal_units_sql(self, dec: str) -> str:
        """A DECIMAL's unscaled integer (its digits without the point), as a 128-bit integer."""
        return self.cast_sql(f"replace({self.cast_sql(dec, 'VARCHAR')}, '.', '')", "HUGEINT")

    def _simple(self, sql: str) -> bool:
        """A quoted name, a whole number or a cast constant: cheap to repeat."""
        q = self.IDENTIFIER_QUOTE
        if sql.startswith(q) and sql.endswith(q) and sql.count(q) == 2:
            return True
        if sql.lstrip("-").isdigit():
            return True
        return sql.startswith("CAST(") and sql.count("(") == 1 and sql.count(")") == 1
