"""Arithmetic computed exactly as Python computes it, where SQL's own would differ.

* Date and timestamp shifts: date + days and timestamp + days, NULL outside Python's years
  1..9999 (semantics.date_add gives missing there; SQL's range is wider and overflowing it is an
  error), the shift checked or clamped first so no cast or addition after it can overflow.
* Exact division: a / b of two 128-bit integers rounded once to the nearest double, as Python's
  int / int, for cumulative_share's exact sums (populations.py builds the sums).

Built from the dialect table's words only (dialect.py); a dialect without 128-bit integers says
so with EXACT_DIVISION = False and never reaches exact_div_sql.
"""

from __future__ import annotations

import datetime as dt

from rulekit.compile.sql.base import GeneratorBase


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
                f"ELSE {self.list_sql([f'{A} >> greatest(64 - {t}, 0)', f'({A} & (({one} << greatest(64 - {t}, 0)) - 1)) << least({t}, 63)'])} END"
            )
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
