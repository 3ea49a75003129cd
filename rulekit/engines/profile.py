"""Customer profiles from transactions, computed in DuckDB: one row per customer with the
catalog's field names, so the shipped rulesets read the result directly.

    result = build_profile("orders.csv", customer="customer_id", date="order_date",
                           amount="amount", order="order_id", as_of="2024-06-30",
                           window="365d", out="customers.parquet")

Columns (catalog names): the customer column under its own name, first_purchase,
last_purchase, recency_days (as of − last purchase: 0 when they bought on the as-of date),
tenure_days (as of − first purchase), orders_count (lifetime), frequency and monetary (orders
and summed amount inside the window: the last `window` days up to and including the as-of date;
the whole history when no window), avg_order_value (monetary / frequency, to the cent; missing
when there is no order in the window), orders_30d, orders_90d, orders_365d, as_of_date and
window_days.

An order is its order id (several rows of one order — its items — are one order, dated by its
earliest row); without an order column every row is an order. Rows dated after the as-of date
are left out and counted. Values are read as `run` reads them (semantics.py's coercion: a date
is YYYY-MM-DD, a time part is ignored; amounts may be `1,200.50`); a row with a missing or bad
customer, date, amount or order id is a bad row and follows the on_error policy. Identifier
columns keep their exact text: customer 00001 stays 00001. Sums are exact decimal sums.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rulekit.compile.sql.coercion import FieldSQL
from rulekit.compile.sql.duckdb import DuckDBGenerator
from rulekit.compile.sql.generator import Column, Source
from rulekit.engines.duckdb_connection import connect, file_format, peak_rss_mb
from rulekit.engines.duckdb_connection import run_sql as _run
from rulekit.engines.duckdb_copy import copy_to
from rulekit.engines.duckdb_sources import file_source
from rulekit.engines.files import default_rejected
from rulekit.engines.python import ON_ERROR, as_date
from rulekit.errors import BadRecord, RecordError, RulekitError
from rulekit.i18n import Msg
from rulekit.model import datatypes as T
from rulekit.model.program import FieldInfo, Program
from rulekit.model.semantics import CoercionError, to_duration

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

    from rulekit.model.reading import ReadOptions

COLUMNS = (
    "first_purchase",
    "last_purchase",
    "recency_days",
    "tenure_days",
    "orders_count",
    "frequency",
    "monetary",
    "avg_order_value",
    "orders_30d",
    "orders_90d",
    "orders_365d",
    "as_of_date",
    "window_days",
)


class ProfileError(RulekitError):
    """The transactions cannot be profiled as asked (a missing column, a bad window…)."""


@dataclass
class ProfileResult:
    """What build_profile did. rows_in = used + after_as_of + rejected."""

    path: str
    out: str | None
    as_of: dt.date
    window_days: int | None
    customers: int
    rows_in: int
    used: int
    after_as_of: int
    rejected: int
    rejected_path: str | None = None
    rejected_examples: list[BadRecord] = field(default_factory=list)  # the first few
    columns: list[str] = field(default_factory=list)
    seconds: float = 0.0
    peak_rss_mb: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows_in / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "out": self.out,
            "as_of": self.as_of.isoformat(),
            "window_days": self.window_days,
            "customers": self.customers,
            "rows_in": self.rows_in,
            "used": self.used,
            "after_as_of": self.after_as_of,
            "rejected": self.rejected,
            "rejected_path": self.rejected_path,
            "seconds": round(self.seconds, 3),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
        }


def window_days(window: object) -> int | None:
    """`365d`, `1y`, `12mo`, `2w` or a number of days → whole days."""
    if window is None or window == "":
        return None
    if isinstance(window, int) and not isinstance(window, bool):
        days = window
    else:
        try:
            duration = to_duration(str(window))
        except CoercionError:
            duration = None
        if duration is None or duration != int(duration):
            raise ProfileError(
                Msg(
                    "--window {window}: write a whole number of days such as 365d, 12mo or 1y",
                    window=str(window),
                )
            )
        days = int(duration)
    if days <= 0:
        raise ProfileError(
            Msg("--window {window}: the window must be at least one day", window=str(window))
        )
    return days


def build_profile(
    path: str | os.PathLike[str],
    customer: str,
    date: str,
    amount: str,
    order: str | None = None,
    as_of: object = None,
    window: object = None,
    out: str | os.PathLike[str] | None = None,
    *,
    on_error: str = "fail",
    rejected_path: str | os.PathLike[str] | None = None,
    memory_limit: str | None = None,
    threads: int | None = None,
    con: DuckDBPyConnection | None = None,
    reading: ReadOptions | None = None,
) -> ProfileResult:
    """Profile a transactions file (CSV, JSON Lines or Parquet) per customer, in DuckDB.

    With `out`, the profile is written there (format by extension) and never passes through
    Python; without it, nothing is written and the result only counts. The as-of date
    defaults to today (the result records it). `reading`: how cell values are read
    (model/reading.py: missing-value tokens, decimal comma, date format).
    """
    if on_error not in ON_ERROR:
        raise ProfileError(f"on_error must be one of {', '.join(ON_ERROR)}, not {on_error!r}")
    started = time.perf_counter()
    today = as_date(as_of)
    days = window_days(window)
    path = Path(path)
    con = con or connect(memory_limit, threads)
    source = file_source(con, path)
    wanted = {"customer": customer, "date": date, "amount": amount}
    if order:
        wanted["order"] = order
    missing = [c for c in wanted.values() if c not in (source.columns or {})]
    if missing:
        have = ", ".join(list(source.columns or {})[:12])
        raise ProfileError(
            Msg(
                "{file} has no column {missing}; its columns are {have}",
                file=path.name,
                missing=", ".join(map(repr, missing)),
                have=have,
            )
        )
    gen = DuckDBGenerator(_program_stub(), as_of=today)
    if reading is not None:
        gen.read_options = reading
    sql = _profile_sql(gen, source, wanted, today, days)
    ident = gen.identifier_sql

    counts = _run(
        con,
        f"{sql['with']}\nSELECT count(*), count(*) FILTER (WHERE "
        f"{sql['bad']} IS NULL AND {ident('date')} > {gen.date_literal_sql(today)}),"
        f" count(*) FILTER (WHERE {sql['bad']} IS NOT NULL)\n"
        f"FROM {ident('rk_fields')}",
        f"read {path}",
    ).fetchall()[0]
    rows_in, after, rejected = counts
    examples = []
    if rejected:
        cur = _run(
            con,
            f"{sql['with']}\nSELECT {ident('rk_row')}, {sql['field']}, "
            f"{sql['value']}, {sql['reason']}\nFROM {ident('rk_fields')}\n"
            f"WHERE {sql['bad']} IS NOT NULL ORDER BY {ident('rk_row')} LIMIT 5",
            f"read the bad rows of {path}",
        )
        examples = [BadRecord(r[0], r[1], r[2], r[3]) for r in cur.fetchall()]
        if on_error == "fail":
            raise RecordError(examples[0])
    written_rejected = None
    if rejected and on_error == "quarantine":
        target = (
            Path(rejected_path)
            if rejected_path
            else default_rejected(Path(out) if out else path.with_suffix(".profile.csv"))
        )
        copy_to(
            con,
            f"{sql['with']}\nSELECT {ident('rk_row')} + 1 AS rejected_row, "
            f"{sql['field']} AS rejected_column, {sql['value']} AS rejected_value, "
            f"{sql['reason']} AS rejected_reason, {ident('rk_raw')}.*\n"
            f"FROM {ident('rk_fields')} WHERE {sql['bad']} IS NOT NULL "
            f"ORDER BY {ident('rk_row')}",
            target,
            f"write {target}",
        )
        written_rejected = str(target)
    if out is not None:
        out = Path(out)
        customers = copy_to(con, sql["query"], out, f"write {out}")
    else:
        customers = _run(
            con, f"SELECT count(*) FROM ({sql['query']})", f"profile {path}"
        ).fetchall()[0][0]
    return ProfileResult(
        str(path),
        str(out) if out else None,
        today,
        days,
        customers,
        rows_in,
        rows_in - after - rejected,
        after,
        rejected,
        written_rejected,
        examples,
        [customer, *COLUMNS],
        time.perf_counter() - started,
        peak_rss_mb(),
    )


def _program_stub() -> Program:
    """An empty checked program: the profile borrows the generator's quoting and coercion."""
    from rulekit.check.checker import check
    from rulekit.syntax.parser import parse

    file, source, _ = parse("", "profile")
    return check(file, source)


def _profile_sql(
    gen: DuckDBGenerator, source: Source, wanted: dict[str, str], as_of: dt.date, days: int | None
) -> dict[str, str]:
    """The profile query and its parts: `with` (the CTEs up to rk_fields, one row per input
    row with the coerced roles and why a row is bad), `query` (one row per customer) and the
    bad-row columns of rk_fields."""
    ident, s = gen.identifier_sql, gen.string_sql
    types = {"customer": T.STRING, "date": T.DATE, "amount": T.NUMBER, "order": T.STRING}
    items: list[str] = []
    helpers: list[tuple[str, str, int]] = []  # (column, sql, level), as FieldSQL.helpers
    fails: dict[str, str] = {}
    texts: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for i, (role, column) in enumerate(wanted.items()):
        col = source.column(column)
        if role in ("customer", "order") and col.kind not in ("text", "json"):
            # an identifier is its text: 1 stays "1", 00001 (in a text file) stays "00001"
            col = Column(col.name, "typed")
            value = gen.cast_sql(ident(col.name), "VARCHAR")
            fs: FieldSQL | None = None
        else:
            fs = gen.coerce_field(role, FieldInfo(role, types[role], column), col, i)
            value = fs.value
            helpers += fs.helpers
        items.append(f"{value} AS {ident(role)}")
        fail = fs.fail if fs and fs.fail else "CAST(NULL AS VARCHAR)"
        fails[role] = f"COALESCE({fail}, CASE WHEN {value} IS NULL THEN ' is missing' END)"
        texts[role] = fs.text if fs else value
        if fs and fs.fail:
            reasons[role] = (
                f"CASE WHEN ({fs.fail}) IS NOT NULL THEN {fs.reason} "
                f"ELSE {s(column + ' is missing')} END"
            )
        else:
            reasons[role] = s(column + " is missing")
    ctes, prev = [], "rk_input"
    ctes.append(
        (
            "rk_input",
            f"SELECT *, rk_src AS rk_raw, {gen.row_number_sql()} AS rk_row\n"
            f"FROM {gen.relation_sql(source.relation)} AS rk_src",
        )
    )
    for level in range(1, 1 + max((lv for _, _, lv in helpers), default=0)):
        name = f"rk_prep_{level}"
        cols = ", ".join(f"{sql} AS {ident(c)}" for c, sql, lv in helpers if lv == level)
        ctes.append((name, f"SELECT *, {cols}\nFROM {ident(prev)}"))
        prev = name
    bad = (
        "CASE " + " ".join(f"WHEN ({f}) IS NOT NULL THEN {s(r)}" for r, f in fails.items()) + " END"
    )
    roles = list(wanted)
    field_case = (
        "CASE rk_bad " + " ".join(f"WHEN {s(r)} THEN {s(wanted[r])}" for r in roles) + " END"
    )
    value_case = "CASE rk_bad " + " ".join(f"WHEN {s(r)} THEN {texts[r]}" for r in roles) + " END"
    reason_case = (
        "CASE rk_bad " + " ".join(f"WHEN {s(r)} THEN {reasons[r]}" for r in roles) + " END"
    )
    # the reason expressions read the raw columns and helpers: compute them from rk_prep
    detail = (
        "SELECT rk_row, rk_raw, "
        + ", ".join(items)
        + f", {bad} AS rk_bad, {field_case} AS rk_bad_column, {value_case} AS "
        f"rk_bad_value, {reason_case} AS rk_bad_reason\nFROM {ident(prev)}"
    )
    ctes.append(("rk_fields", detail))
    day = gen.date_literal_sql(as_of)
    order_key = ident("order") if "order" in wanted else ident("rk_row")
    # an order: its rows (items) summed, dated by the earliest row
    ctes.append(
        (
            "rk_orders",
            f"SELECT {ident('customer')}, {order_key} AS {ident('o')}, min({ident('date')})"
            f" AS {ident('d')}, sum(CAST(CAST({ident('amount')} AS VARCHAR) AS "
            f"DECIMAL(38, 10))) AS {ident('amount')}\nFROM {ident('rk_fields')}\n"
            f"WHERE {ident('rk_bad')} IS NULL AND {ident('date')} <= {day}\n"
            f"GROUP BY {ident('customer')}, {order_key}",
        )
    )

    def in_last(n: int) -> str:
        return f"{ident('d')} > {day} - {int(n)}"

    window = in_last(days) if days else "TRUE"
    freq = f"count(*) FILTER (WHERE {window})"
    monetary = f"COALESCE(sum({ident('amount')}) FILTER (WHERE {window}), 0)"
    as_double = "CAST(CAST({} AS VARCHAR) AS DOUBLE)"
    cust = ident(wanted["customer"])
    query_cols = [
        f"{ident('customer')} AS {cust}",
        f"min({ident('d')}) AS first_purchase",
        f"max({ident('d')}) AS last_purchase",
        f"{day} - max({ident('d')}) AS recency_days",
        f"{day} - min({ident('d')}) AS tenure_days",
        "count(*) AS orders_count",
        f"{freq} AS frequency",
        f"{as_double.format(monetary)} AS monetary",
        f"{as_double.format(f'round({monetary} / NULLIF({freq}, 0), 2)')} AS avg_order_value",
        f"count(*) FILTER (WHERE {in_last(30)}) AS orders_30d",
        f"count(*) FILTER (WHERE {in_last(90)}) AS orders_90d",
        f"count(*) FILTER (WHERE {in_last(365)}) AS orders_365d",
        f"{day} AS as_of_date",
        f"CAST({days if days else 'NULL'} AS INTEGER) AS window_days",
    ]
    with_sql = "WITH\n" + ",\n".join(f"{ident(n)} AS (\n  {body}\n)" for n, body in ctes)
    query = (
        f"{with_sql}\nSELECT\n  "
        + ",\n  ".join(query_cols)
        + f"\nFROM {ident('rk_orders')}\nGROUP BY {ident('customer')}\n"
        f"ORDER BY {ident('customer')}"
    )
    return {
        "with": with_sql,
        "query": query,
        "bad": ident("rk_bad"),
        "field": ident("rk_bad_column"),
        "value": ident("rk_bad_value"),
        "reason": ident("rk_bad_reason"),
    }


__all__ = ["build_profile", "ProfileResult", "ProfileError", "window_days", "file_format"]
