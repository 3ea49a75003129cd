"""Compile a checked Program to one SQL query: the dialect-neutral generator.

Every node class has one `<node>_sql` method (`literal_sql`, `compare_sql`, …), found through a
table built once per class (`_build_dispatch`), so a test can assert that every dialect handles
every node. Quoting happens in exactly two places: `identifier_sql` for names and `string_sql`
for text. Rule text never reaches the query any other way: numbers are formatted from their
values, dates from `date` objects, names and strings go through those two methods.

The query is a chain of CTEs, each a named pass with one job:

    rk_input     the source rows, each with its row number (input order)
    rk_fields    every field coerced to its declared type, exactly as semantics.py coerces
                 record values, and the first field that failed (see coercion.py)
    rk_valid     the rows without a bad value: the population of population functions
    rk_step_N    lets, population arguments and population functions, level by level
    rk_decided   the hit policy: the deciding rule's position, or every matching position

followed by the SELECT the caller asked for: labelled rows (`labelled_sql`), rejected rows
(`rejected_sql`), the compact answer the Python API decodes (`decisions_sql`), or the population
values a frozen population is built from (`population_values_sql`).

The meaning of every construct is semantics.py's, translated: SQL's NULL is the missing value,
and SQL's AND/OR/NOT already are Kleene logic. Where SQL differs from Python, the generator
writes the difference out: division by zero → NULLIF; LEAST/GREATEST ignore NULLs → explicit
NULL checks; ROUND → half away from zero on the shortest decimal form; NULL ordering → always
explicit NULLS LAST, so no dialect default decides a rank.

A dialect is a subclass that overrides class attributes (its facts: quote characters, type
names, default NULL ordering, lambda syntax) and the few methods whose SQL differs. A construct a
dialect cannot express goes to `self.unsupported(msg)`, which records it instead of crashing.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

from rulekit.compile.sql.coercion import Coercion
from rulekit.model import datatypes as T
from rulekit.model.program import HitPolicy, Program
from rulekit.syntax import nodes as n

# Operator precedence in generated SQL, loosest first, to write only the parentheses needed.
P_OR, P_AND, P_NOT, P_CMP, P_ADD, P_MUL, P_NEG, P_ATOM = range(1, 9)

_CMP = {"=": "=", "!=": "<>", ">": ">", ">=": ">=", "<": "<", "<=": "<="}


@dataclass(frozen=True)
class Column:
    """A source column and the kind of values it holds, which decides how it is coerced.

    kind: text (strings, as CSV gives them), int, float, decimal, bool, date, timestamp,
    interval, list, json (one JSON value per row, as JSON Lines give them), pyjson (JSON written
    by rulekit for a column of mixed Python values), typed (unknown: trust the declared type),
    absent (no such column: every value is missing), other (cannot be coerced).
    """

    name: str
    kind: str
    element: str | None = None  # for kind list: the kind of its items


@dataclass(frozen=True)
class Relation:
    """What the query reads: a table or view, or a file read by the dialect's reader."""

    table: str | None = None
    path: str | None = None
    format: str | None = None  # csv | json | parquet
    json_columns: tuple[str, ...] = ()  # for json: the columns to read, each as one JSON value


@dataclass
class Source:
    """A relation and what is known of its columns.

    columns None means the schema is unknown: each field's column is assumed to hold its
    declared type already (the query a data engineer pastes into a warehouse).
    """

    relation: Relation
    columns: dict[str, Column] | None = None
    row_number: str | None = None  # a column that already numbers the rows from 0, if any

    def column(self, name: str) -> Column:
        if self.columns is None:
            return Column(name, "typed")
        return self.columns.get(name) or Column(name, "absent")


@dataclass
class _Step:
    """One computed column: a let, a population argument or a population function."""

    name: str  # SQL column name
    sql: str = ""
    deps: set = field(default_factory=set)  # names of steps it needs
    kind: str = "let"  # let | arg | pop
    node: n.Node | None = None
    comment: str | None = None


class Generator(Coercion):
    """Compiles one Program. Dialect facts are class attributes; see duckdb.py, spark.py."""

    DIALECT = "ansi"
    IDENTIFIER_QUOTE = '"'
    STRING_QUOTE = "'"
    # Where NULLs sort by default for ASC; we always write NULLS LAST explicitly, so ranks never
    # depend on it, but a dialect states its fact (DuckDB: nulls_are_last; Spark: nulls_are_small).
    NULL_ORDERING = "nulls_are_last"
    TYPES = {
        "integer": "BIGINT",
        "number": "DOUBLE",
        "duration": "DOUBLE",
        "boolean": "BOOLEAN",
        "string": "VARCHAR",
        "date": "DATE",
        "timestamp": "TIMESTAMP",
    }
    TRY_CAST = "TRY_CAST"
    INT_DIV = "//"
    LABEL_SEPARATOR = "、"  # joins the display names of several labels, as runtime.py does
    PREFIX = "rk_"

    _dispatch: dict = {}

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        cls._dispatch = _build_dispatch(cls)

    def __init__(
        self,
        program: Program,
        as_of: dt.date | None = None,
        frozen: bool = False,
        lang: str = "zh",
        validate: str = "needed",
        display: bool = False,
        compact_text: bool = False,
    ):
        self.p = program
        self.display = display
        self.compact_text = compact_text
        self.as_of = as_of
        self.frozen = frozen
        self.validate = validate
        self.lang = lang
        self.unsupported_messages: list[str] = []
        self.rules = program.rules
        self.order = program.order  # evaluation position -> rule index
        self._names: set[str] = set()
        self.internal = {
            k: self._unique(self.PREFIX + k)
            for k in (
                "src",
                "raw",
                "row",
                "input",
                "prep",
                "fields",
                "checked",
                "valid",
                "decided",
                "pos",
                "matches",
                "bad",
                "pop_bad",
                "all_bad",
                "stage",
                "field",
                "value",
                "reason",
                "flag",
            )
        }
        self.field_index = {name: i for i, name in enumerate(program.fields)}
        self.err_col: dict[str, str] = {}
        self.text_col: dict[str, str] = {}
        self.has_pop_bad = self.has_all_bad = False
        self.field_col = {name: self._unique(name) for name in program.fields}
        self.let_col = {name: self._unique(name) for name in program.lets}
        keys = list(dict.fromkeys(program.population_keys.values()))
        self.pop_keys = keys
        self.pop_key_index = {k: i for i, k in enumerate(keys)}
        self.pop_nodes = program.population_nodes()  # key -> first node with it
        self.arg_col = {k: self._unique(f"{self.PREFIX}arg_{i}") for i, k in enumerate(keys)}
        self.pop_col: dict[int, str] = {}
        for let in program.lets.values():
            if n.is_population(let.decl.expr):
                self.pop_col[let.decl.expr.id] = self.let_col[let.name]
        for i, node_id in enumerate(sorted(program.population_keys)):
            self.pop_col.setdefault(node_id, self._unique(f"{self.PREFIX}pop_{i}"))
        self.frozen_col = {
            k: {
                part: self._unique(f"{self.PREFIX}{part}_{i}")
                for part in ("less", "greater", "n", "below", "total")
            }
            for i, k in enumerate(keys)
        }
        share_keys = [
            program.population_keys[i]
            for i in program.population_keys
            if isinstance(program.node(i), n.Call) and program.node(i).func == "cumulative_share"
        ]
        self.scaled_col: dict[str, str] = {}
        self.scale_col: dict[str, tuple[str, str]] = {}
        if not frozen and self.EXACT_DIVISION:
            for key in dict.fromkeys(share_keys):
                i = self.pop_key_index[key]
                self.scaled_col[key] = self._unique(f"{self.PREFIX}exact_{i}")
                self.scale_col[key] = (
                    self._unique(f"{self.PREFIX}scale_{i}"),
                    self._unique(f"{self.PREFIX}size_{i}"),
                )
        for i in range(len(program.fields)):  # reserve the names of the per-field columns
            for part in ("bad", "text", "why"):
                self._unique(f"{self.PREFIX}{part}_{i}")
        self.pop_fields: set[str] = set()
        for node in self.pop_nodes.values():
            self.pop_fields |= self._field_reads(node)

    # ------------------------------------------------------------------ quoting: the one place
    def identifier_sql(self, name: str) -> str:
        """A quoted identifier. Every name in a generated query is written by this method."""
        q = self.IDENTIFIER_QUOTE
        return q + name.replace(q, q + q) + q

    def string_sql(self, text: str) -> str:
        """A quoted string literal. Every text in a generated query is written by this method."""
        q = self.STRING_QUOTE
        return q + text.replace(q, q + q) + q

    # ------------------------------------------------------------------ dialect hooks
    def unsupported(self, message: str) -> str:
        """Record a construct this dialect cannot express; the query says so in a comment."""
        self.unsupported_messages.append(message)
        return f"NULL /* unsupported in {self.DIALECT}: {message.replace('*/', '* /')} */"

    def sql_type(self, t: T.Type) -> str:
        if t.is_list:
            return self.list_type_sql(self.sql_type(t.element))
        return self.TYPES.get(t.name, "VARCHAR")

    def list_type_sql(self, element: str) -> str:
        return f"{element}[]"

    def cast_sql(self, expr: str, type_sql: str) -> str:
        return f"CAST({expr} AS {type_sql})"

    def try_cast_sql(self, expr: str, type_sql: str) -> str:
        return f"{self.TRY_CAST}({expr} AS {type_sql})"

    def lambda_sql(self, params: list[str], body: str) -> str:
        return f"({', '.join(params)}) -> {body}" if len(params) > 1 else f"{params[0]} -> {body}"

    def list_sql(self, items: list[str]) -> str:
        return "[" + ", ".join(items) + "]"

    def list_filter_sql(self, lst: str, var: str, cond: str) -> str:
        return f"list_filter({lst}, {self.lambda_sql([var], cond)})"

    def list_transform_sql(self, lst: str, var: str, body: str) -> str:
        return f"list_transform({lst}, {self.lambda_sql([var], body)})"

    def list_element_sql(self, lst: str, index0: str) -> str:
        """Element at a 0-based index."""
        return f"{lst}[{index0} + 1]"

    def list_length_sql(self, lst: str) -> str:
        return f"len({lst})"

    def list_contains_sql(self, lst: str, x: str) -> str:
        return f"list_contains({lst}, {x})"

    def list_has_null_sql(self, lst: str) -> str:
        v = self.identifier_sql("v")
        return f"(len({self.list_filter_sql(lst, v, f'{v} IS NULL')}) > 0)"

    def list_distinct_ordered_sql(self, lst: str) -> str:
        """Distinct elements, in the order of their first occurrence."""
        v, i = self.identifier_sql("v"), self.identifier_sql("i")
        return f"list_filter({lst}, {self.lambda_sql([v, i], f'list_position({lst}, {v}) = {i}')})"

    def list_join_sql(self, lst: str, sep: str) -> str:
        return f"array_to_string({lst}, {self.string_sql(sep)})"

    def string_length_sql(self, s: str) -> str:
        return f"length({s})"

    def string_test_sql(self, op: str, s: str, p: str) -> str:
        func = {"contains": "contains", "starts_with": "starts_with", "ends_with": "suffix"}[op]
        return f"{func}({s}, {p})"

    def int_div_sql(self, a: str, b: str) -> str:
        return f"{a} {self.INT_DIV} {b}"

    def date_literal_sql(self, d: dt.date) -> str:
        return f"DATE {self.string_sql(d.isoformat())}"

    def timestamp_literal_sql(self, t: dt.datetime) -> str:
        return f"TIMESTAMP {self.string_sql(t.isoformat(sep=' '))}"

    def double_sql(self, value: float) -> str:
        """A DOUBLE literal of exactly this value (never a DECIMAL, whose arithmetic differs)."""
        if math.isnan(value) or math.isinf(value):
            return self.cast_sql(self.string_sql(repr(value)), "DOUBLE")
        text = repr(value)
        digits = text.split("e")[0].replace(".", "").replace("-", "").lstrip("0")
        if "e" in text or len(digits) > 15:
            return self.cast_sql(self.string_sql(text), "DOUBLE")
        return self.cast_sql(text, "DOUBLE")

    def integer_sql(self, value: int) -> str:
        return str(value) if -(2**31) < value < 2**31 else self.cast_sql(str(value), "BIGINT")

    def date_diff_days_sql(self, a: str, b: str) -> str:
        """date − date in whole days."""
        return f"date_diff('day', {b}, {a})"

    def timestamp_diff_days_sql(self, a: str, b: str) -> str:
        """timestamp − timestamp in days, as semantics.date_diff: exact microseconds / 10⁶, then
        / 86400 (each division rounded once, as Python's)."""
        return f"(CAST(epoch_us({a}) - epoch_us({b}) AS DOUBLE) / 1000000.0 / 86400.0)"

    def move_date_sql(self, d: str, days: str) -> str:
        """A date moved by a number of days (a DOUBLE in range), the fraction dropped toward
        zero."""
        return f"({d} + {self.cast_sql(f'trunc({days})', 'INTEGER')})"

    def epoch_micros_sql(self, ts: str) -> str:
        return f"epoch_us({ts})"

    def from_epoch_micros_sql(self, micros: str) -> str:
        epoch = self.timestamp_literal_sql(dt.datetime(1970, 1, 1))
        return f"({epoch} + to_microseconds({micros}))"

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
        """timestamp + days, to the microsecond (rounded half away from zero); NULL outside
        years 1..9999, as date_add_days_sql (the range is checked on epoch microseconds,
        cheaper than on timestamps)."""
        limit = (dt.date.max - dt.date.min).days + 1
        s = self.cast_sql(days, "DOUBLE")
        lo, hi = (
            self.integer_sql((t - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1))
            for t in (dt.datetime.min, dt.datetime.max)
        )
        if len(ts) + len(days) <= 100:
            micros = (
                f"{self.epoch_micros_sql(ts)} + "
                f"{self.cast_sql(f'round({s} * 86400000000.0)', 'BIGINT')}"
            )
            return (
                f"CASE WHEN abs({s}) < {limit} THEN CASE WHEN {micros} BETWEEN {lo} AND "
                f"{hi} THEN {self.from_epoch_micros_sql(micros)} END END"
            )
        bound = self.double_sql(4e17)  # µs: more than the whole range (3.2e17)
        micros = self.cast_sql(
            f"round(least({bound}, greatest(-{bound}, {s} * 86400000000.0)))", "BIGINT"
        )
        v = "rk_v"
        kept = self.list_transform_sql(
            self.list_sql([f"{self.epoch_micros_sql(ts)} + {micros}"]),
            v,
            f"CASE WHEN {v} BETWEEN {lo} AND {hi} THEN {self.from_epoch_micros_sql(v)} END",
        )
        return self.list_element_sql(kept, "0")

    def round_sql(self, x: str, digits: int, integer: bool) -> str:
        return f"round({x}, {digits})"

    def least_sql(self, args: list[str], greatest: bool = False) -> str:
        return f"{'greatest' if greatest else 'least'}({', '.join(args)})"

    def text_set_sql(self, expr: str, values: list[str]) -> str:
        """A text known to be one of `values`, in the dialect's compact form (if any)."""
        return expr

    def star_sql(self, struct: str | None, exclude: list[str] | None = None) -> str:
        """Every field of a packed row (or, without one, every column), less the `exclude`
        ones."""
        star = f"{struct}.*" if struct else "*"
        if exclude:
            return f"{star} EXCLUDE ({', '.join(map(self.identifier_sql, exclude))})"
        return star

    def pack_row_sql(self, alias: str) -> str:
        """The whole source row as one struct value."""
        return alias

    def row_number_sql(self) -> str:
        return "row_number() OVER () - 1"

    def relation_sql(self, rel: Relation) -> str:
        if rel.table is not None:
            return ".".join(self.identifier_sql(part) for part in rel.table.split("."))
        return self.unsupported(f"reading the file {rel.path} (give a table instead)")

    def asof_join_sql(
        self,
        left: str,
        right: str,
        on_eq: list[tuple[str, str]],
        left_x: str,
        op: str,
        right_v: str,
        take: list[tuple[str, str]] | None = None,
    ) -> str:
        return self.unsupported("ranking against a frozen population (needs an ASOF join)")

    # ------------------------------------------------------------------ expressions
    def sql(self, node: n.Node, min_prec: int = 0) -> str:
        text, prec = self._dispatch[type(node)](self, node)
        return f"({text})" if prec < min_prec else text

    def type_of(self, node: n.Node) -> T.Type:
        return self.p.types[node.id]

    def value_sql(self, value, kind: str | None = None) -> str:
        """A constant of the language as SQL (numbers, durations, dates, texts, booleans)."""
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int):  # a whole duration is a whole number of days
            return self.integer_sql(value)
        if isinstance(value, float):
            return self.double_sql(value)
        if isinstance(value, dt.datetime):
            return self.timestamp_literal_sql(value)
        if isinstance(value, dt.date):
            return self.date_literal_sql(value)
        if isinstance(value, str):
            return self.string_sql(value)
        if isinstance(value, (tuple, list)):
            return self.list_sql([self.value_sql(v) for v in value])
        return self.unsupported(f"a constant of type {type(value).__name__}")

    def literal_sql(self, node: n.Literal):
        return self.value_sql(node.value, node.kind), P_ATOM

    def today_sql(self, node: n.Today):
        return (self.date_literal_sql(self.as_of) if self.as_of else "current_date"), P_ATOM

    def name_sql(self, node: n.Name):
        if node.name in self.let_col:
            return self.identifier_sql(self.let_col[node.name]), P_ATOM
        return self.identifier_sql(self.field_col[node.name]), P_ATOM

    def listexpr_sql(self, node: n.ListExpr):
        return self.list_sql([self.sql(i) for i in node.items]), P_ATOM

    def neg_sql(self, node: n.Neg):
        return f"-{self.sql(node.operand, P_NEG + 1)}", P_NEG

    def binary_sql(self, node: n.Binary):
        ta, tb = self.type_of(node.left), self.type_of(node.right)
        dates = ("date", "timestamp")
        if node.op == "/":
            a = self._as_double(node.left, P_MUL)
            b = self.sql(node.right)
            return f"{a} / NULLIF({b}, 0)", P_MUL
        if ta.name in dates and tb.name in dates:
            if T.TIMESTAMP in (ta, tb):
                return self.timestamp_diff_days_sql(
                    self._as_ts(node.left), self._as_ts(node.right)
                ), P_ATOM
            return self.date_diff_days_sql(self.sql(node.left), self.sql(node.right)), P_ATOM
        if ta.name in dates or tb.name in dates:
            d, days = (node.left, node.right) if ta.name in dates else (node.right, node.left)
            days_sql = self.sql(days, P_NEG + 1)
            if node.op == "-":
                days_sql = f"-{days_sql}"
            if self.type_of(d) == T.TIMESTAMP:
                return self.timestamp_add_days_sql(self.sql(d, P_ADD + 1), days_sql), P_ATOM
            return self.date_add_days_sql(self.sql(d, P_ADD + 1), days_sql), P_ATOM
        prec = P_ADD if node.op in "+-" else P_MUL
        return f"{self.sql(node.left, prec)} {node.op} {self.sql(node.right, prec + 1)}", prec

    def _as_double(self, node: n.Node, prec: int) -> str:
        # integer / integer is a number (true division), whatever the dialect's `/` does.
        if self.type_of(node) == T.INTEGER:
            return self.cast_sql(self.sql(node), "DOUBLE")
        return self.sql(node, prec)

    def _as_ts(self, node: n.Node) -> str:
        if self.type_of(node) == T.DATE:
            return self.cast_sql(self.sql(node), "TIMESTAMP")
        return self.sql(node, P_ATOM)

    def _cmp_pair(self, a: n.Node, op: str, b: n.Node) -> str:
        ta, tb = self.type_of(a), self.type_of(b)
        if {ta.name, tb.name} == {"date", "timestamp"}:
            left, right = self._as_ts(a), self._as_ts(b)
        else:
            left, right = self.sql(a, P_ADD), self.sql(b, P_ADD)
        return f"{left} {_CMP[op]} {right}"

    def compare_sql(self, node: n.Compare):
        pairs = [
            self._cmp_pair(node.operands[i], op, node.operands[i + 1])
            for i, op in enumerate(node.ops)
        ]
        if len(pairs) == 1:
            return pairs[0], P_CMP
        return " AND ".join(pairs), P_AND

    def between_sql(self, node: n.Between):
        types = {self.type_of(x).name for x in (node.operand, node.low, node.high)}
        conv = self._as_ts if types >= {"date", "timestamp"} else (lambda x: self.sql(x, P_ADD))
        text = (
            f"{conv(node.operand)} {'NOT ' if node.negated else ''}BETWEEN "
            f"{conv(node.low)} AND {conv(node.high)}"
        )
        return text, P_CMP

    def inlist_sql(self, node: n.InList):
        x = self.sql(node.operand, P_ADD)
        opts = node.options
        if isinstance(opts, n.ListExpr):
            if not opts.items:
                # x IN () is not SQL; semantics.in3 gives false, or unknown for a missing x.
                return (
                    f"CASE WHEN {x} IS NULL THEN NULL ELSE {'TRUE' if node.negated else 'FALSE'} END",
                    P_ATOM,
                )
            items = ", ".join(self.sql(i) for i in opts.items)
            return f"{x} {'NOT ' if node.negated else ''}IN ({items})", P_CMP
        # A list-valued expression: SQL IN's meaning, written out (found; else unknown if the
        # list holds a NULL; else false).
        lst = self.sql(opts, P_ATOM)
        found = self.list_contains_sql(lst, x)
        test = (
            f"CASE WHEN {x} IS NULL OR {lst} IS NULL THEN NULL WHEN {found} THEN TRUE "
            f"WHEN {self.list_has_null_sql(lst)} THEN NULL ELSE FALSE END"
        )
        return (f"NOT ({test})", P_NOT) if node.negated else (test, P_ATOM)

    def ismissing_sql(self, node: n.IsMissing):
        return f"{self.sql(node.operand, P_ADD)} IS {'NOT ' if node.negated else ''}NULL", P_CMP

    def stringtest_sql(self, node: n.StringTest):
        test = self.string_test_sql(node.op, self.sql(node.operand), self.sql(node.pattern))
        return (f"NOT {test}", P_NOT) if node.negated else (test, P_ATOM)

    def and_sql(self, node: n.And):
        return f"{self.sql(node.left, P_AND)} AND {self.sql(node.right, P_AND)}", P_AND

    def or_sql(self, node: n.Or):
        return f"{self.sql(node.left, P_OR)} OR {self.sql(node.right, P_OR)}", P_OR

    def not_sql(self, node: n.Not):
        return f"NOT {self.sql(node.operand, P_NOT)}", P_NOT

    def call_sql(self, node: n.Call):
        f = node.func
        if f in n.POPULATION_FUNCTIONS:
            return self.identifier_sql(self.pop_col[node.id]), P_ATOM
        args = [self.sql(a) for a in node.args]
        if f in ("min", "max"):
            if len(args) == 1:
                return args[0], P_ATOM
            # LEAST/GREATEST skip NULLs; semantics.fmin/fmax give missing for a missing argument.
            mixed = {self.type_of(a).name for a in node.args} >= {"date", "timestamp"}
            if mixed:
                args = [self._as_ts(a) for a in node.args]
            nulls = " OR ".join(f"{a} IS NULL" for a in args)
            return (
                f"CASE WHEN {nulls} THEN NULL ELSE {self.least_sql(args, greatest=f == 'max')} END"
            ), P_ATOM
        if f == "coalesce":
            if {self.type_of(a).name for a in node.args} >= {"date", "timestamp"}:
                args = [self._as_ts(a) for a in node.args]
            return f"COALESCE({', '.join(args)})", P_ATOM
        if f == "abs":
            return f"abs({args[0]})", P_ATOM
        if f == "round":
            digits = node.args[1].value if len(node.args) == 2 else 0
            return self.round_sql(args[0], digits, self.type_of(node.args[0]) == T.INTEGER), P_ATOM
        if f == "len":
            if self.type_of(node.args[0]).is_list:
                return self.list_length_sql(args[0]), P_ATOM
            return self.string_length_sql(args[0]), P_ATOM
        if f == "days_since":
            today = self.today_sql(None)[0]
            if self.type_of(node.args[0]) == T.TIMESTAMP:
                return self.timestamp_diff_days_sql(
                    self.cast_sql(today, "TIMESTAMP"), args[0]
                ), P_ATOM
            return self.date_diff_days_sql(today, args[0]), P_ATOM
        return self.unsupported(f"the function {f}"), P_ATOM

    def rankin_sql(self, node: n.RankIn):
        return self.identifier_sql(self.pop_col[node.id]), P_ATOM

    # ------------------------------------------------------------------ populations
    def _pop_parts(self, key: str) -> tuple[str, str | None]:
        """(argument column, partition column or None) of a population key."""
        node = self.pop_nodes[key]
        by = node.by
        part = self.identifier_sql(self.field_col[by.name]) if by is not None else None
        return self.identifier_sql(self.arg_col[key]), part

    def _pop_arg(self, key: str) -> n.Node:
        node = self.pop_nodes[key]
        return node.operand if isinstance(node, n.RankIn) else node.args[0]

    def _window(self, key: str, order: str | None = None, frame: str = "") -> str:
        x, part = self._pop_parts(key)
        clauses = []
        if part:
            clauses.append(f"PARTITION BY {part}")
        if order:
            clauses.append(f"ORDER BY {x} {order} NULLS LAST")
        if frame:
            clauses.append(frame)
        return f"OVER ({' '.join(clauses)})"

    def _stats(self, key: str) -> dict[str, str]:
        """less, greater, n, Σ{v < x} and Σ of the population, as SQL for the current row."""
        x, _ = self._pop_parts(key)
        if self.frozen:
            cols = self.frozen_col[key]
            return {k: self.identifier_sql(v) for k, v in cols.items()}
        upto = "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
        stats = {
            "less": f"(rank() {self._window(key, 'ASC')} - 1)",
            "greater": f"(rank() {self._window(key, 'DESC')} - 1)",
            "n": f"count({x}) {self._window(key)}",
            "at_least": f"sum({x}) {self._window(key, 'DESC', upto)}",
            "total": f"sum({x}) {self._window(key)}",
        }
        if key in self.scaled_col:
            scaled = self.identifier_sql(self.scaled_col[key])
            stats["exact_at_least"] = f"sum({scaled}) {self._window(key, 'DESC', upto)}"
            stats["exact_total"] = f"sum({scaled}) {self._window(key)}"
        return stats

    def population_sql(self, node: n.Node) -> str:
        """A population function of the current row, by LANGUAGE.md §5's definitions: P = the
        non-missing values; ties share (rank); missing values never count (count(x), NULLS
        LAST); a missing x gives missing."""
        key = self.p.population_keys[node.id]
        x, _ = self._pop_parts(key)
        s = self._stats(key)
        missing = f"{x} IS NULL" if not self.frozen else f"{x} IS NULL OR {s['n']} = 0"
        if isinstance(node, n.RankIn):
            p = self.sql(node.fraction, P_MUL)
            counted = s["greater"] if node.top else s["less"]
            return f"CASE WHEN {missing} THEN NULL ELSE {counted} < {p} * {s['n']} END"
        f = node.func
        if f == "percentile":
            return (
                f"CASE WHEN {missing} THEN NULL WHEN {s['n']} = 1 THEN 0 "
                f"ELSE 100 * {s['less']} / ({s['n']} - 1) END"
            )
        if f == "score":
            k = node.args[1].value
            bucket = self.int_div_sql(f"({k} * {s['less']})", s["n"])
            return (
                f"CASE WHEN {missing} THEN NULL "
                f"ELSE {self.least_sql([str(k), f'1 + {bucket}'])} END"
            )
        if f == "cumulative_share":
            if self.frozen:
                ident = self.identifier_sql
                cols = self.frozen_col[key]
                at_least = f"({s['total']} - {s['below']})"
                exact_total = ident(cols["total"] + "_exact")
                exact_at_least = f"({exact_total} - {ident(cols['below'] + '_exact')})"
            else:
                at_least = s["at_least"]
                exact_total, exact_at_least = s.get("exact_total"), s.get("exact_at_least")
            approx = (
                f"CASE WHEN {s['total']} = 0 THEN NULL "
                f"ELSE {self.cast_sql(at_least, 'DOUBLE')} / "
                f"{self.cast_sql(s['total'], 'DOUBLE')} END"
            )
            if exact_total is None or not self.EXACT_DIVISION:
                return f"CASE WHEN {x} IS NULL THEN NULL ELSE {approx} END"
            exact = (
                f"CASE WHEN {exact_total} = 0 THEN NULL "
                f"ELSE {self.exact_div_sql(exact_at_least, exact_total)} END"
            )
            return (
                f"CASE WHEN {x} IS NULL THEN NULL WHEN {exact_total} IS NOT NULL THEN "
                f"{exact} ELSE {approx} END"
            )
        return self.unsupported(f"the population function {f}")

    # ---- exact shares: Σ{v >= x} / Σ P of exact integer sums, rounded once (population.py)
    EXACT_DIVISION = True  # the dialect has 128-bit integers, bit shifts and nextafter

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

    # ------------------------------------------------------------------ planning
    def _unique(self, name: str) -> str:
        """A column name unused so far; SQL compares names without case, so do we."""
        candidate, i = name, 1
        while candidate.lower() in self._names:
            i += 1
            candidate = f"{name}_{i}"
        self._names.add(candidate.lower())
        return candidate

    def _steps(self) -> list[list[_Step]]:
        """Lets, population arguments and population functions grouped into levels: a step's
        level is one more than the deepest step it reads."""
        steps: dict[str, _Step] = {}
        for key in self.pop_keys:
            node = self.pop_nodes[key]
            arg = node.operand if isinstance(node, n.RankIn) else node.args[0]
            steps[self.arg_col[key]] = _Step(
                self.arg_col[key],
                self.sql(arg),
                self._reads(arg),
                "arg",
                node,
                f"population of {key.split('|')[0]}",
            )
        for key, scaled in self.scaled_col.items():
            # exact sums for cumulative_share: every value × 2^K is a whole number, K from the
            # smallest magnitude in its group; too wide a range falls back to double sums
            x, _ = self._pop_parts(key)
            k_col, big_col = self.scale_col[key]
            if self.type_of(self._pop_arg(key)) == T.INTEGER:
                steps[scaled] = _Step(
                    scaled,
                    self.cast_sql(x, "HUGEINT"),
                    {self.arg_col[key]},
                    "scale",
                    None,
                    "exact sum terms",
                )
                continue
            lowest = f"min(CASE WHEN {x} <> 0 THEN CAST(floor(log2(abs({x}))) AS INTEGER) END)"
            steps[k_col] = _Step(
                k_col,
                f"greatest(0, 53 - {lowest} {self._window(key)})",
                {self.arg_col[key]},
                "scale",
                None,
                "binary digits to scale by",
            )
            steps[big_col] = _Step(
                big_col,
                f"sum(abs({x})) {self._window(key)}",
                {self.arg_col[key]},
                "scale",
                None,
                "size of the sums",
            )
            k, big = self.identifier_sql(k_col), self.identifier_sql(big_col)
            steps[scaled] = _Step(
                scaled,
                f"CASE WHEN {k} <= 900 AND {big} * pow(2.0, {k}) < pow(2.0, 125) THEN "
                f"{self.cast_sql(f'{x} * pow(2.0, {k})', 'HUGEINT')} END",
                {k_col, big_col},
                "scale",
                None,
                "exact sum terms",
            )
        for node_id, key in self.p.population_keys.items():
            col = self.pop_col[node_id]
            node = self.p.node(node_id)
            deps = {self.arg_col[key]}
            if key in self.scaled_col and not self.frozen:
                deps.add(self.scaled_col[key])
            steps[col] = _Step(col, "", deps, "pop", node, self.p.source.snippet(node.span))
        for let in self.p.lets.values():
            col = self.let_col[let.name]
            if col in steps:  # a let that is a population function: computed as that step
                steps[col].comment = f"let {let.name} = {steps[col].comment}"
                continue
            steps[col] = _Step(
                col,
                self.sql(let.decl.expr),
                self._reads(let.decl.expr),
                "let",
                let.decl.expr,
                f"let {let.name}",
            )
        level: dict[str, int] = {}

        def depth(name: str) -> int:
            if name not in steps:
                return 0
            if name not in level:
                level[name] = 1 + max((depth(d) for d in steps[name].deps), default=0)
            return level[name]

        for name in steps:
            depth(name)
        out: list[list[_Step]] = [[] for _ in range(max(level.values(), default=0))]
        for name, step in steps.items():  # dict order: arguments, populations, lets
            out[level[name] - 1].append(step)
        return out

    def _reads(self, expr: n.Node) -> set[str]:
        deps = set()
        for sub in n.walk(expr):
            if isinstance(sub, n.Name) and sub.name in self.let_col:
                deps.add(self.let_col[sub.name])
            elif sub.id in self.pop_col:
                deps.add(self.pop_col[sub.id])
        return deps

    def _field_reads(self, expr: n.Node) -> set[str]:
        """Fields an expression reads, through lets: what the Python engine loads, and so
        checks, before evaluating it."""
        return set(self.p.reads(expr).fields)

    def _declared(self, names) -> list[str]:
        return [f for f in self.p.fields if f in names]

    def _first_bad(self, names: list[str]) -> str | None:
        """The index of the first of these fields (in this order) whose value is bad."""
        whens = [
            f"WHEN {self.identifier_sql(self.err_col[f])} IS NOT NULL THEN {self.field_index[f]}"
            for f in names
            if f in self.err_col
        ]
        return f"CASE {' '.join(whens)} END" if whens else None

    # ------------------------------------------------------------------ the query
    def _ctes(self, source: Source, passthrough: bool, reasons: bool = False) -> tuple[list, str]:
        """The CTE chain down to the decided rows; returns (ctes, name of the last CTE).

        Bad values follow runtime.py exactly. A field is checked when the evaluation reads it:
        under first/priority just before the first rule (in evaluation order) that needs it,
        so the hit CASE interleaves "is this field bad?" with the rules; under all/unique every
        field a rule reads. A live population reads the fields of its arguments first: a row
        with a bad one there is rejected and left out of the population. validate="all" checks
        every declared field.
        """
        N = self.internal
        ident = self.identifier_sql
        self._frozen_done: set[str] = set()
        ctes: list[tuple[str, str]] = []
        rel = self.relation_sql(source.relation)
        row = ident(N["row"])
        numbered = ident(source.row_number) if source.row_number else self.row_number_sql()
        select = [f"{numbered} AS {row}"]
        if passthrough:
            select.insert(0, f"{self.pack_row_sql(ident(N['src']))} AS {ident(N['raw'])}")
        ctes.append((N["input"], f"SELECT *, {', '.join(select)}\nFROM {rel} AS {ident(N['src'])}"))

        # Fields: each column coerced; a bad value's failure, reason and raw text in columns
        # of their own (reasons only for the queries that list rejected rows).
        items = [row] + ([ident(N["raw"])] if passthrough else [])
        self.err_col, self.text_col, self.why_col = {}, {}, {}
        checks, helpers = [], []
        for i, (name, info) in enumerate(self.p.fields.items()):
            col = source.column(info.column)
            fs = self.coerce_field(name, info, col, i)
            helpers += fs.helpers
            note = (
                f"field {name} : {info.type}"
                + (f" (column {info.column})" if info.column != name else "")
                + (f" — no column {info.column}: always missing" if col.kind == "absent" else "")
            )
            target = ident(self.field_col[name])
            value = fs.value if fs.value == target else f"{fs.value} AS {target}"
            items.append(f"{value}  -- {_comment(note)}")
            if fs.fail is not None:
                self.err_col[name] = f"{self.PREFIX}bad_{i}"
                self.text_col[name] = f"{self.PREFIX}text_{i}"
                checks.append(f"{fs.fail} AS {ident(self.err_col[name])}")
                if reasons:
                    checks.append(f"{fs.text} AS {ident(self.text_col[name])}")
                    self.why_col[name] = f"{self.PREFIX}why_{i}"
                    checks.append(
                        f"CASE WHEN ({fs.fail}) IS NOT NULL THEN {fs.reason} END AS "
                        f"{ident(self.why_col[name])}"
                    )
        source_cte = N["input"]
        # each text column stripped, its digits made ASCII, its number parsed: once, in
        # helper columns, level by level
        for level in range(1, 1 + max((lv for _, _, lv in helpers), default=0)):
            name = f"{N['prep']}_{level}"
            ctes.append(
                (
                    name,
                    "SELECT\n"
                    + _indent(
                        ",\n".join(
                            ["*"]
                            + [f"{sql} AS {ident(col)}" for col, sql, lv in helpers if lv == level]
                        )
                    )
                    + f"\nFROM {ident(source_cte)}",
                )
            )
            source_cte = name
        ctes.append(
            (
                N["fields"],
                "SELECT\n"
                + _indent("\n".join(_sep_comments(items + checks)))
                + f"\nFROM {ident(source_cte)}",
            )
        )
        pop_bad = (
            self._first_bad(self._declared(self.pop_fields))
            if self.pop_keys and not self.frozen
            else None
        )
        all_bad = self._first_bad(list(self.p.fields)) if self.validate == "all" else None
        prev = N["fields"]
        extra = []
        if pop_bad:
            extra.append(f"{pop_bad} AS {ident(N['pop_bad'])}")
        if all_bad:
            extra.append(f"{all_bad} AS {ident(N['all_bad'])}")
        self.has_pop_bad, self.has_all_bad = bool(pop_bad), bool(all_bad)
        if extra:
            ctes.append((N["checked"], "SELECT *, " + ", ".join(extra) + f"\nFROM {ident(prev)}"))
            prev = N["checked"]
        self.checked = prev
        if pop_bad:
            # the population: rows whose population arguments read only good values
            ctes.append(
                (N["valid"], f"SELECT * FROM {ident(prev)}\nWHERE {ident(N['pop_bad'])} IS NULL")
            )
            prev = N["valid"]

        # Lets and populations, level by level; frozen populations join their tables first.
        for i, level in enumerate(self._steps()):
            if self.frozen:
                for step in level:
                    if step.kind == "pop":
                        prev = self._frozen_joins(ctes, prev, step)
            cols = []
            for step in level:
                if step.kind == "pop":
                    step.sql = self.population_sql(step.node)
                cols.append(f"{step.sql} AS {ident(step.name)}  -- {_comment(step.comment)}")
            name = f"{self.PREFIX}step_{i + 1}"
            ctes.append(
                (
                    name,
                    "SELECT\n"
                    + _indent("\n".join(_sep_comments(["*"] + cols)))
                    + f"\nFROM {ident(prev)}",
                )
            )
            prev = name

        ctes.append((N["decided"], self._hit_sql(prev)))
        return ctes, N["decided"]

    def _frozen_joins(self, ctes, prev: str, step: _Step) -> str:
        """Frozen population: less(x), greater(x), N and sums from the frozen tables, by ASOF
        joins on the sorted distinct values (see duckdb_engine.register_frozen)."""
        key = self.p.population_keys[step.node.id]
        if key in self._frozen_done:
            return prev
        self._frozen_done.add(key)
        k = self.pop_key_index[key]
        cols = self.frozen_col[key]
        ident = self.identifier_sql
        x, part = self._pop_parts(key)
        values, groups = f"{self.PREFIX}frozen_{k}_values", f"{self.PREFIX}frozen_{k}_groups"
        eq = [(part, ident("g"))] if part else []
        # less(x) = #{v < x}: the count up to the largest value below x; likewise the sum.
        name = f"{self.PREFIX}frozen_{k}_below"
        ctes.append(
            (
                name,
                self.asof_join_sql(
                    ident(prev),
                    ident(values),
                    eq,
                    x,
                    ">",
                    ident("v"),
                    [
                        (f"COALESCE(b.{ident('le')}, 0)", cols["less"]),
                        (f"COALESCE(b.{ident('sum_le')}, 0)", cols["below"]),
                        (f"COALESCE(b.{ident('sum_le_exact')}, 0)", cols["below"] + "_exact"),
                    ],
                ),
            )
        )
        # #{v <= x}, for greater(x) = N - #{v <= x}
        upto = cols["greater"] + "_upto"
        prev, name = name, f"{self.PREFIX}frozen_{k}_upto"
        ctes.append(
            (
                name,
                self.asof_join_sql(
                    ident(prev),
                    ident(values),
                    eq,
                    x,
                    ">=",
                    ident("v"),
                    [(f"COALESCE(b.{ident('le')}, 0)", upto)],
                ),
            )
        )
        g = ident("g")
        on = f"a.{part} IS NOT DISTINCT FROM b.{g}" if part else "TRUE"
        prev, name = name, f"{self.PREFIX}frozen_{k}_size"
        ctes.append(
            (
                name,
                f"SELECT a.*, COALESCE(b.{ident('n')}, 0) AS {ident(cols['n'])}, "
                f"COALESCE(b.{ident('total')}, 0) AS {ident(cols['total'])}, "
                f"CASE WHEN b.{ident('g')} IS NULL AND b.{ident('n')} IS NULL THEN 0 "
                f"ELSE b.{ident('total_exact')} END AS {ident(cols['total'] + '_exact')}, "
                f"COALESCE(b.{ident('n')}, 0) - a.{ident(upto)} AS {ident(cols['greater'])}"
                f"\nFROM {ident(prev)} AS a LEFT JOIN {ident(groups)} AS b ON {on}",
            )
        )
        return name

    def _hit_sql(self, prev: str) -> str:
        """The hit policy. first/priority: one CASE in evaluation order, giving the deciding
        position, or -(1 + field index) for the bad value the evaluation reached first.
        all/unique: every matching position, and the first bad value any rule reads."""
        ident = self.identifier_sql
        N = self.internal
        loaded: set[str] = set()
        new_fields = []
        for ri in self.order:
            fresh = self._declared(self._field_reads(self.rules[ri].condition) - loaded)
            loaded |= set(fresh)
            new_fields.append(fresh)
        conds = [self.sql(self.rules[ri].condition) for ri in self.order]
        notes = [_comment(f"{self.rules[ri].name} → {self.rules[ri].label}") for ri in self.order]
        if self.p.hit.single:
            whens = []
            for pos, (c, note) in enumerate(zip(conds, notes)):
                for f in new_fields[pos]:
                    if f in self.err_col:
                        whens.append(
                            f"WHEN {ident(self.err_col[f])} IS NOT NULL THEN "
                            f"{-1 - self.field_index[f]}  -- bad value: {_comment(f)}"
                        )
                whens.append(f"WHEN {c} THEN {pos}  -- {note}")
            if not whens:
                return f"SELECT *, CAST(NULL AS INTEGER) AS {ident(N['pos'])}\nFROM {ident(prev)}"
            return (
                "SELECT\n  *,\n  CASE\n"
                + _indent("\n".join(whens), 4)
                + f"\n  END AS {ident(N['pos'])}\nFROM {ident(prev)}"
            )
        items = [
            f"CASE WHEN {c} THEN {pos} END  -- {note}"
            for pos, (c, note) in enumerate(zip(conds, notes))
        ]
        v = ident("v")
        matches = (
            self.list_filter_sql(
                self.list_sql(["\n" + _indent("\n".join(_sep_comments(items)), 4) + "\n  "]),
                v,
                f"{v} IS NOT NULL",
            )
            if items
            else self.cast_sql("[]", self.list_type_sql("INTEGER"))
        )
        bad = self._first_bad([f for fs in new_fields for f in fs]) or "CAST(NULL AS INTEGER)"
        return (
            f"SELECT\n  *,\n  {matches} AS {ident(N['matches'])},\n  {bad} AS "
            f"{ident(N['bad'])}\nFROM {ident(prev)}"
        )

    # ---- the outcome of a decided row
    def _bad_index_sql(self) -> str:
        """The field index a decided row is rejected for (validate="all" first), or NULL."""
        N = self.internal
        ident = self.identifier_sql
        parts = []
        if self.has_all_bad:
            parts.append(ident(N["all_bad"]))
        if self.p.hit.single:
            pos = ident(N["pos"])
            parts.append(f"CASE WHEN {pos} < 0 THEN -1 - {pos} END")
        else:
            parts.append(ident(N["bad"]))
        return f"COALESCE({', '.join(parts)})" if len(parts) > 1 else parts[0]

    def _conflict_sql(self) -> str:
        return f"{self.list_length_sql(self.identifier_sql(self.internal['matches']))} > 1"

    def _good_row_sql(self) -> str:
        cond = f"{self._bad_index_sql()} IS NULL"
        if self.p.hit is HitPolicy.UNIQUE:
            cond += f" AND NOT {self._conflict_sql()}"
        return cond

    def _field_case(self, index: str, cols: dict) -> str:
        """The column of the field with this index (error reason or raw text)."""
        whens = " ".join(
            f"WHEN {self.field_index[f]} THEN {self.identifier_sql(c)}" for f, c in cols.items()
        )
        return f"CASE {index} {whens} END" if whens else "NULL"

    def _field_name_case(self, index: str) -> str:
        whens = " ".join(
            f"WHEN {self.field_index[f]} THEN {self.string_sql(f)}" for f in self.err_col
        )
        return f"CASE {index} {whens} END" if whens else "NULL"

    # ---- per-position constants, for the final SELECTs
    def _case_by_pos(self, pos: str, values: list[str | None], default: str | None) -> str:
        whens = " ".join(
            f"WHEN {i} THEN {self.string_sql(v)}" for i, v in enumerate(values) if v is not None
        )
        other = self.string_sql(default) if default is not None else "NULL"
        if not whens:
            return other
        return f"CASE {pos} {whens} ELSE {other} END"

    def label_display(self, label: str | None) -> str | None:
        if label is None:
            return None
        info = self.p.labels.get(label)
        return (info.display.get(self.lang) if info else None) or label

    def result_names(self, rule_column: bool = True) -> list[str]:
        """The names of the result columns labelled_sql adds."""
        rid = self.p.id
        return (
            [rid]
            + ([rid + "_rule"] if rule_column else [])
            + ([rid + "_display"] if self.display else [])
        )

    def _result_columns(self, good: str | None = None, rule_column: bool = True) -> list[str]:
        """The label and the deciding rule, in columns named after the ruleset (`run`'s output
        columns): `<id>` and `<id>_rule`; under hit all, the list of labels (in file order,
        without repeats) and the list of matching rules. With display, also `<id>_display`.
        With `good` (a condition), a row where it is not true gets no label and no rule."""
        columns = self._result_values()
        names = self.result_names()
        if not rule_column:
            del columns[1], names[1]
        ident = self.identifier_sql
        return [
            f"{value if good is None else f'CASE WHEN {good} THEN {value} END'} AS {ident(name)}"
            for value, name in zip(columns, names, strict=True)
        ]

    def _result_values(self) -> list[str]:
        ident = self.identifier_sql
        N = self.internal
        labels = [self.rules[ri].label for ri in self.order]
        names = [self.rules[ri].name for ri in self.order]
        default = self.p.default
        if self.p.hit is not HitPolicy.ALL:
            pos = ident(N["pos"])
            if self.p.hit is HitPolicy.UNIQUE:
                m = ident(N["matches"])
                pos = (
                    f"(CASE WHEN {self.list_length_sql(m)} = 1 THEN "
                    f"{self.list_element_sql(m, '0')} END)"
                )
            label = self._case_by_pos(pos, labels, default)
            rule = self._case_by_pos(pos, names, None)
            if self.compact_text:  # one dictionary of values, written faster than free text
                label = self.text_set_sql(label, labels + ([default] if default else []))
                rule = self.text_set_sql(rule, names)
            out = [label, rule]
            if self.display:
                shown = [self.label_display(x) for x in labels]
                out.append(self._case_by_pos(pos, shown, self.label_display(default)))
            return out
        m = ident(N["matches"])
        p = ident("p")
        as_labels = self.list_transform_sql(m, p, self._case_by_pos(p, labels, None))
        distinct = self.list_distinct_ordered_sql(as_labels)
        fallback = self.list_sql([self.string_sql(default)]) if default else "NULL"
        label_list = f"CASE WHEN {self.list_length_sql(m)} = 0 THEN {fallback} ELSE {distinct} END"
        rule_list = (
            f"CASE WHEN {self.list_length_sql(m)} > 0 THEN "
            f"{self.list_transform_sql(m, p, self._case_by_pos(p, names, None))} END"
        )
        out = [label_list, rule_list]
        if self.display:
            lab = ident("l")
            shown = list(dict.fromkeys(labels + ([default] if default else [])))
            display_of = (
                (
                    "CASE "
                    + lab
                    + " "
                    + " ".join(
                        f"WHEN {self.string_sql(x)} THEN {self.string_sql(self.label_display(x))}"
                        for x in shown
                    )
                    + " END"
                )
                if shown
                else "NULL"
            )
            joined = self.list_join_sql(
                self.list_transform_sql(label_list, lab, display_of), self.LABEL_SEPARATOR
            )
            out.append(f"NULLIF({joined}, '')")
        return out

    def _conflict_reason_sql(self) -> str:
        """engines.python.CompiledRuleset.conflict_reason, in SQL."""
        refs = [f"{r.name} ({self.p.path}:{r.line})" for r in (self.rules[i] for i in self.order)]
        p = self.identifier_sql("p")
        each = self.list_transform_sql(
            self.identifier_sql(self.internal["matches"]), p, self._case_by_pos(p, refs, None)
        )
        return (
            f"{self.string_sql('hit unique: more than one rule matched: ')} || "
            f"{self.list_join_sql(each, '; ')}"
        )

    def _with(self, ctes: list[tuple[str, str]], final: str) -> str:
        header = self._header()
        body = ",\n".join(
            f"{self.identifier_sql(name)} AS (\n{_indent(sql)}\n)" for name, sql in ctes
        )
        text = f"{header}WITH\n{body}\n{final}"
        if self.unsupported_messages:
            text = (
                "".join(
                    f"-- unsupported in {self.DIALECT}: {_comment(m)}\n"
                    for m in dict.fromkeys(self.unsupported_messages)
                )
                + text
            )
        return text

    def _header(self) -> str:
        p = self.p
        today = self.as_of.isoformat() if self.as_of else "current_date"
        return (
            f"-- rulekit ruleset {_comment(p.id)} ({_comment(Path(p.path).name)}): "
            f"{len(p.rules)} rules, hit {p.hit}, as of {today}\n"
            f"-- generated from the checked rule file; dialect {self.DIALECT}\n"
        )

    def needs_order(self) -> bool:
        """Whether rows can come out of order (windows and joins reorder; projections don't)."""
        return bool(self.pop_keys)

    # ------------------------------------------------------------------ the final SELECTs
    def labelled_sql(
        self,
        source: Source,
        passthrough: bool = True,
        order: bool | None = None,
        keep_bad: bool = False,
        rule_column: bool = True,
        flag_bad: bool = False,
    ) -> str:
        """Every good row with its label, display name and deciding rule, in input order.

        passthrough: the input's columns come first (a column named like a result column is
        replaced by it); else the row number. keep_bad: the bad rows too, with no label and no
        rule (`rulekit run`'s output); else they are left out. rule_column: the `<id>_rule`
        column. flag_bad (with keep_bad): a last column, `rk_flag`, is 1 on a bad row."""
        ctes, last = self._ctes(source, passthrough)
        ident = self.identifier_sql
        N = self.internal
        row = ident(N["row"])
        bad = self.err_col or self.p.hit is HitPolicy.UNIQUE
        names = self.result_names(rule_column)
        results = self._result_columns(
            self._good_row_sql() if bad and keep_bad else None, rule_column
        )
        flag = ident(N["flag"])
        if flag_bad:
            results.append(
                f"CASE WHEN NOT ({self._good_row_sql()}) THEN 1 END AS {flag}"
                if bad
                else f"CAST(NULL AS INTEGER) AS {flag}"
            )
        if passthrough:
            replaced = [c for c in source.columns or {} if c in set(names)]
            head = [self.star_sql(ident(N["raw"]), replaced)]
        else:
            head = [row]
        ordered = order if order is not None else self.needs_order()
        if keep_bad and self.has_pop_bad:
            # rows with a bad population argument never reach the decision: add them back,
            # with no result, and put every row in its place
            extra = [row] if passthrough else []
            decided = (
                "SELECT\n" + _indent(",\n".join(head + results + extra)) + f"\nFROM {ident(last)}"
            )
            nulls = [f"NULL AS {ident(c)}" for c in names] + ([f"1 AS {flag}"] if flag_bad else [])
            back = (
                "SELECT\n"
                + _indent(",\n".join(head + nulls + extra))
                + f"\nFROM {ident(self.checked)}\nWHERE {ident(N['pop_bad'])} IS NOT NULL"
            )
            star = self.star_sql(None, [N["row"]]) if passthrough else "*"
            return self._with(
                ctes,
                f"SELECT {star}\nFROM (\n{_indent(decided)}\nUNION ALL\n"
                f"{_indent(back)}\n)\nORDER BY {row}",
            )
        final = "SELECT\n" + _indent(",\n".join(head + results)) + f"\nFROM {ident(last)}"
        if bad and not keep_bad:
            final += f"\nWHERE {self._good_row_sql()}"
        if ordered:
            final += f"\nORDER BY {row}"
        return self._with(ctes, final)

    def _rejected_parts(
        self, raw: list[str], decided: str, conflicts: bool = True, with_result: bool = False
    ):
        """SELECTs of the rejected rows: (row, [result,] stage, field, value, reason, raw…).
        stage 1 = validate="all", 2 = a population argument, 3 = the evaluation (or a unique
        conflict): the order in which runtime.py meets them. With with_result, the good rows
        come too (stage NULL) with their result, so one scan of the decided rows answers all."""
        ident = self.identifier_sql
        N = self.internal
        row = ident(N["row"])
        parts = []
        result = ident(N["pos"]) if self.p.hit.single else ident(N["matches"])

        def columns(index: str, stage: str, extra_reason: str | None = None) -> list[str]:
            if not self.why_col:  # the compact form: which field; Python words the reason
                return [f"{stage} AS {ident(N['stage'])}", f"{index} AS {ident(N['field'])}"]
            reason = self._field_case(index, self.why_col)
            if extra_reason:
                reason = f"COALESCE({reason}, {extra_reason})"
            return [
                f"{stage} AS {ident(N['stage'])}",
                f"{self._field_name_case(index)} AS {ident(N['field'])}",
                f"{self._field_case(index, self.text_col)} AS {ident(N['value'])}",
                f"{reason} AS {ident(N['reason'])}",
            ]

        if self.has_pop_bad:
            index = (
                f"COALESCE({ident(N['all_bad'])}, {ident(N['pop_bad'])})"
                if self.has_all_bad
                else ident(N["pop_bad"])
            )
            stage = (
                f"CASE WHEN {ident(N['all_bad'])} IS NOT NULL THEN 1 ELSE 2 END"
                if self.has_all_bad
                else "2"
            )
            head = [row] + (["NULL"] if with_result else [])
            parts.append(
                "SELECT "
                + ", ".join(head + columns(index, stage) + raw)
                + f"\nFROM {ident(self.checked)}\nWHERE {ident(N['pop_bad'])} IS NOT NULL"
            )
        index = self._bad_index_sql() if self.err_col else "CAST(NULL AS INTEGER)"
        bad = f"{index} IS NOT NULL" if self.err_col else "FALSE"
        conflict = self._conflict_sql() if conflicts and self.p.hit is HitPolicy.UNIQUE else "FALSE"
        if bad == "FALSE" and conflict == "FALSE" and not with_result:
            return parts
        stage = "3"
        if self.has_all_bad:
            stage = f"CASE WHEN {ident(N['all_bad'])} IS NOT NULL THEN 1 ELSE 3 END"
        stage = f"CASE WHEN {bad} OR {conflict} THEN {stage} END"
        conflict_reason = (
            f"CASE WHEN {conflict} THEN {self._conflict_reason_sql()} END"
            if conflict != "FALSE"
            else None
        )
        head = [row] + (
            [f"CASE WHEN NOT ({bad}) THEN {result} END AS {ident('result')}"] if with_result else []
        )
        where = "" if with_result else f"\nWHERE {bad} OR {conflict}"
        parts.append(
            "SELECT "
            + ", ".join(head + columns(index, stage, conflict_reason) + raw)
            + f"\nFROM {ident(decided)}{where}"
        )
        return parts

    def rejected_sql(
        self, source: Source, passthrough: bool = True, conflicts: bool = True, reasons: bool = True
    ) -> str | None:
        """The bad rows, in input order: row number, stage, field, value, reason (and the raw
        row); without reasons, only row number, stage and the bad field's index (cheaper).
        None when no row can be bad."""
        ctes, last = self._ctes(source, passthrough, reasons=reasons)
        ident = self.identifier_sql
        raw = [self.star_sql(ident(self.internal["raw"]))] if passthrough else []
        parts = self._rejected_parts(raw, last, conflicts)
        if not parts:
            return None
        return self._with(
            ctes, "\nUNION ALL\n".join(parts) + f"\nORDER BY {ident(self.internal['row'])}"
        )

    def decisions_sql(self, source: Source) -> str:
        """The compact answer the Python API decodes, one row per input row in input order:
        (row, result, stage, field). result is the deciding position (NULL: no rule) under
        first/priority, the matching positions under all/unique; stage is NULL for a good row
        (a unique conflict is left to the caller, which sees the positions); field is the index
        of the bad field, whose reason the caller words with semantics.py itself."""
        ctes, last = self._ctes(source, passthrough=False, reasons=False)
        ident = self.identifier_sql
        parts = self._rejected_parts([], last, conflicts=False, with_result=True)
        parts = parts[1:] + parts[:1] if len(parts) > 1 else parts
        return self._with(
            ctes, "\nUNION ALL\n".join(parts) + f"\nORDER BY {ident(self.internal['row'])}"
        )

    def population_values_sql(self, source: Source, key: str) -> str:
        """The sorted non-missing values of one population key, per group (to freeze it)."""
        ctes, last = self._ctes(source, passthrough=False)
        ident = self.identifier_sql
        x, part = self._pop_parts(key)
        g = part if part else "NULL"
        final = (
            f"SELECT {g} AS {ident('g')}, list({x} ORDER BY {x}) AS {ident('values')}\n"
            f"FROM {ident(last)}\nWHERE {x} IS NOT NULL\nGROUP BY {g}"
        )
        return self._with(ctes, final)


# ---------------------------------------------------------------------- helpers


def _build_dispatch(cls) -> dict:
    """node class -> its `<node>_sql` method, built once per generator class (sqlglot-style)."""
    table = {}
    for node_cls in _EXPRESSION_NODES:
        method = getattr(cls, f"{node_cls.__name__.lower()}_sql", None)
        if method is not None:
            table[node_cls] = method
    return table


_EXPRESSION_NODES = (
    n.Literal,
    n.Today,
    n.Name,
    n.ListExpr,
    n.Neg,
    n.Binary,
    n.Compare,
    n.Between,
    n.InList,
    n.IsMissing,
    n.StringTest,
    n.Call,
    n.RankIn,
    n.And,
    n.Or,
    n.Not,
)

Generator._dispatch = _build_dispatch(Generator)


def _indent(text: str, by: int = 2) -> str:
    pad = " " * by
    return "\n".join(pad + line if line else line for line in text.split("\n"))


def _comment(text: str | None) -> str:
    """Text safe inside a `--` comment: one line, nothing that could end it."""
    return " ".join(str(text or "").split())


def _sep_comments(items: list[str]) -> list[str]:
    """`expr  -- note` items joined by commas need the comma before the comment."""
    out = []
    for i, item in enumerate(items):
        last = i == len(items) - 1
        if "  -- " in item:
            code, note = item.split("  -- ", 1)
            out.append(f"{code}{'' if last else ','}  -- {note}")
        else:
            out.append(item + ("" if last else ","))
    return out


def unsupported_report(gen: Generator) -> list[str]:
    return list(gen.unsupported_messages)
