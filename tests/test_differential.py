"""The DuckDB backend and the Python evaluator give the same answer: differential tests.

Hypothesis generates batches of records — missing values ('' and None), ties (values drawn from
small pools), boundary values (every number the rule file mentions, and its neighbours), Chinese
text, values of the wrong type — for every shipped ruleset and for generated rulesets covering
every construct of the language. Both engines classify each batch; the labels, the deciding
rules and the rejected rows (row, field, reason) must be identical, and under on_error="fail"
both must stop at the same record.
"""

from __future__ import annotations

import datetime as dt
import math
import os

import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

import rulekit
from rulekit.compile.sql import Relation as SqlRelation
from rulekit.compile.sql import Source as SqlSource
from rulekit.errors import RecordError
from rulekit.syntax import nodes as n

from .conftest import RULESETS

AS_OF = dt.date(2024, 6, 30)
SETTINGS = dict(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
if os.environ.get("RULEKIT_NO_SHRINK"):  # while debugging: report the first failure as found
    SETTINGS["phases"] = [Phase.explicit, Phase.reuse, Phase.generate]


# ---------------------------------------------------------------------- comparing engines


def outcome(rs, records, on_error="skip", population=None, engine="python"):
    try:
        result = rs.classify_many(
            records, as_of=AS_OF, population=population, on_error=on_error, engine=engine
        )
    except RecordError as e:
        return ("stopped", e.bad.index, e.bad.field)
    decisions = [
        None if d is None else (d.label, d.labels, d.display, d.rule, d.rules, _results(d))
        for d in result.decisions
    ]
    rejected = [(b.index, b.field, b.reason) for b in result.rejected]
    return decisions, rejected, result.counts


def _results(d):
    """A decision's outputs and attributes (issue 14 item 5), numbers to 12 significant digits."""

    def norm(v):
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(f"{float(v):.12g}")
        return v

    return tuple((k, norm(v)) for k, v in {**d.outputs, **d.attributes}.items())


def assert_same(rs, records, population=None, on_errors=("skip",)):
    for on_error in on_errors:
        expected = outcome(rs, records, on_error, population)
        got = outcome(rs, records, on_error, population, engine="duckdb")
        if expected != got:
            _explain_difference(rs, records, expected, got)
        assert got == expected


def _explain_difference(rs, records, expected, got):
    if expected[0] == "stopped" or got[0] == "stopped":
        print("python:", expected, "\nduckdb:", got)
        return
    for i, (a, b) in enumerate(zip(expected[0], got[0])):
        if a != b:
            print(f"record {i}: {records[i]!r}\n  python: {a}\n  duckdb: {b}")
    if expected[1] != got[1]:
        print("rejected python:", expected[1], "\nrejected duckdb:", got[1])


# ---------------------------------------------------------------------- values for a program


def _literals(program) -> tuple[list, list]:
    """Every number and text the rule file mentions (boundary values), numbers with neighbours."""
    numbers, texts = set(), set()
    roots = [r.condition for r in program.rules] + [
        let_.decl.expr for let_ in program.lets.values()
    ]
    for f in program.fields.values():
        for v in f.one_of or ():
            (texts if isinstance(v, str) else numbers).add(v)
    for root in roots:
        for node in n.walk(root):
            if isinstance(node, n.Literal):
                if isinstance(node.value, bool):
                    continue
                if isinstance(node.value, (int, float)):
                    numbers.add(node.value)
                elif isinstance(node.value, str):
                    texts.add(node.value)
    near = set()
    for x in numbers:
        near |= {x, x + 1, x - 1, -x, x * 2} if isinstance(x, int) else {x, x + 0.5, x / 2}
    return sorted(near, key=float), sorted(texts)


CHINESE = ["北京", "上海", "海外", "华东", "客户", "是", "否", "", " ", "ＡＢＣ", "中文 text"]


def value_strategy(info, numbers: list, texts: list, dirty: bool):
    """Values for one field: mostly valid ones of its type (from a pool, so ties happen), missing
    values, and, when dirty, text forms and values that must be rejected."""
    t = info.type.name
    pool_n = numbers or [0, 1]
    missing = st.sampled_from([None, ""])
    if info.one_of:
        good = st.sampled_from(list(info.one_of))
    elif t == "integer":
        good = st.sampled_from([int(x) for x in pool_n] + [0, 1, 2, 3, 5, 8, 13])
    elif t in ("number", "duration"):
        good = st.sampled_from(pool_n + [0, 0.5, 1, 2.5, 100]) | st.integers(-5, 500)
    elif t == "boolean":
        good = st.booleans()
    elif t == "string":
        good = st.sampled_from(texts + CHINESE[:5] + ["north", "south", "overseas"])
    elif t == "date":
        good = st.dates(dt.date(2020, 1, 1), dt.date(2025, 12, 31))
    elif t == "timestamp":
        good = st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2025, 12, 31))
    else:
        good = st.none()
    if info.type.is_list:
        good = st.lists(st.sampled_from(texts + ["north", "south", "华东"]), max_size=3)
    if not dirty:
        return st.one_of(good, good, good, missing)
    as_text = good.map(_as_text)
    bad = st.sampled_from(_BAD.get(t, ["?"]))
    return st.one_of(good, as_text, as_text, missing, bad)


def _as_text(v):
    if isinstance(v, bool):
        return {True: "是", False: "否"}[v] if hash(v) % 2 else str(v).lower()
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, list):
        return ",".join(v)
    return str(v)


_BAD = {
    "integer": [
        "12.5",
        12.5,
        "abc",
        "e5",
        "1,200",
        " 42 ",
        "４２",
        "+7",
        "1e3",
        True,
        "3.0",
        "1e400",
        float("inf"),
    ],
    "number": [
        "abc",
        "1,2,3",
        "1_000.5",
        " 7 ",
        "-.5",
        "NaN",
        float("nan"),
        False,
        "٣",
        "n" * 50,
        'it\'s "x"',
        "back\\slash",
        "中" * 45,
        "line\nbreak",
        "tab\t",
    ],
    "duration": [
        "200d",
        "6mo",
        "12h",
        "2w",
        "1y",
        "6m",
        "abc",
        "200 d",
        "1.5天",
        "30分钟",
        "-5",
        "0.1w",
        True,
    ],
    "boolean": ["maybe", "是", "否", "YES", "n", 2, 1, 0, "1", "0", 0.5, "对"],
    "string": [12, 0, "x" * 60, "it's", 'say "hi"', 1.5, True],
    "date": [
        "2024-6-30",
        "2024-06-30T08:00",
        "2024-02-30",
        "2024-06-30 10:00",
        "x",
        20240630,
        "0000-01-01",
        " 2024-01-05 ",
    ],
    "timestamp": [
        "2024-06-30",
        "2024-06-30T08:00:00.1234567",
        "2024-06-30 08:00",
        "2024-06-30T25:00",
        "2024-06-30t07:30",
        "2024-06-30_08:00:05",
        "x",
    ],
}


@st.composite
def record_batches(draw, program, min_size=1, max_size=40):
    numbers, texts = _literals(program)
    dirty = draw(st.booleans())
    columns = {}
    for info in program.fields.values():
        columns[info.column] = value_strategy(info, numbers, texts, dirty)
    size = draw(st.integers(min_size, max_size))
    return [{col: draw(s) for col, s in columns.items()} for _ in range(size)]


# ---------------------------------------------------------------------- shipped rulesets

SHIPPED = sorted(RULESETS.glob("*.rules"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_ruleset_same_answer(path):
    rs = rulekit.load(path)

    @settings(max_examples=6, **SETTINGS)
    @given(record_batches(rs.program))
    def check(records):
        assert_same(rs, records)

    check()


@pytest.mark.parametrize(
    "path",
    [
        RULESETS / "rfm.rules",
        RULESETS / "abc_analysis.rules",
        RULESETS / "bank_transaction_anomaly.rules",
    ],
    ids=lambda p: p.stem,
)
def test_shipped_ruleset_fail_policy(path):
    rs = rulekit.load(path)

    @settings(max_examples=15, **SETTINGS)
    @given(record_batches(rs.program, max_size=15))
    def check(records):
        assert_same(rs, records, on_errors=("fail", "quarantine"))

    check()


# ---------------------------------------------------------------------- generated rulesets

SCHEMA = """
field i1 : integer "整数一"
field i2 : integer
field n1 : number
field n2 : number "金额" unit "CNY"
field d1 : duration
field b1 : boolean
field s1 : string
field s2 : string one of ["北", "南", "east"]
field dt1 : date
field ts1 : timestamp
field g : string
field tags : list of string
"""


class Gen:
    """Typed expression text for generated rulesets."""

    def __init__(self, draw, lets, new_constructs=True):
        self.draw = draw
        self.lets = lets  # name -> type
        self.new = new_constructs  # issue 14: conditional values

    def pick(self, options):
        return self.draw(st.sampled_from(options))

    def num(self, depth=2):
        choices = ["lit", "field", "field"]
        if depth > 0:
            choices += ["neg", "bin", "bin", "func", "len"] + (["if"] if self.new else [])
        if any(t == "number" for t in self.lets.values()):
            choices.append("let")
        c = self.pick(choices)
        if c == "lit":
            return self.pick(
                [
                    "0",
                    "1",
                    "2",
                    "3",
                    "12",
                    "0.5",
                    "2.5",
                    "10%",
                    "1k",
                    "1.5万",
                    "100",
                    "7",
                    "1_000",
                    "0.1",
                    "0.2",
                    "0.3",
                ]
            )
        if c == "field":
            return self.pick(["i1", "i2", "n1", "n2"])
        if c == "let":
            return self.pick([k for k, t in self.lets.items() if t == "number"])
        if c == "neg":
            return f"-{self.num(depth - 1)}"
        if c == "bin":
            op = self.pick(["+", "-", "*", "/"])
            return f"({self.num(depth - 1)} {op} {self.num(depth - 1)})"
        if c == "len":
            return self.pick(["len(s1)", "len(tags)"])
        if c == "if":
            return f"(if {self.cond(0)} then {self.num(depth - 1)} else {self.num(depth - 1)})"
        f = self.pick(["min", "max", "abs", "round", "round2", "coalesce"])
        if f == "abs":
            return f"abs({self.num(depth - 1)})"
        if f == "round":
            return f"round({self.num(depth - 1)})"
        if f == "round2":
            return f"round({self.num(depth - 1)}, {self.pick(['1', '2'])})"
        return f"{f}({self.num(depth - 1)}, {self.num(depth - 1)})"

    def dur(self, depth=2):
        choices = ["lit", "field"]
        if depth > 0:
            choices += ["add", "scale", "since", "diff", "func"]
        c = self.pick(choices)
        if c == "lit":
            return self.pick(["30d", "180d", "1y", "6mo", "2w", "12h", "0d", "90天", "1.5d"])
        if c == "field":
            return "d1"
        if c == "add":
            return f"({self.dur(depth - 1)} {self.pick(['+', '-'])} {self.dur(depth - 1)})"
        if c == "scale":
            op = self.pick(["*", "/"])
            return f"({self.dur(depth - 1)} {op} {self.num(0)})"
        if c == "since":
            return self.pick(["days_since(dt1)", "days_since(ts1)"])
        if c == "diff":
            return self.pick(
                ["(today - dt1)", "(dt1 - 2024-01-01)", "(ts1 - dt1)", "(2024-06-30T12:00 - ts1)"]
            )
        f = self.pick(["min", "max", "abs", "coalesce", "neg"])
        if f == "abs":
            return f"abs({self.dur(depth - 1)})"
        if f == "neg":
            return f"-{self.dur(depth - 1)}"
        return f"{f}({self.dur(depth - 1)}, {self.dur(depth - 1)})"

    def date(self, depth=1):
        c = self.pick(["lit", "field", "today", "shift"] if depth > 0 else ["lit", "field"])
        if c == "lit":
            return self.pick(["2024-01-01", "2024-06-30", "2023-12-31"])
        if c == "field":
            return "dt1"
        if c == "today":
            return "today"
        return f"({self.date(depth - 1)} {self.pick(['+', '-'])} {self.dur(0)})"

    def ts(self, depth=1):
        c = self.pick(["lit", "field", "shift"] if depth > 0 else ["lit", "field"])
        if c == "lit":
            return self.pick(["2024-06-30T08:00", "2024-01-01T00:00", "2024-03-01T12:30:15"])
        if c == "field":
            return "ts1"
        return f"({self.ts(depth - 1)} {self.pick(['+', '-'])} {self.dur(0)})"

    def text(self):
        return self.pick(["s1", "s2", "g", '"北"', '"east"', '"海外"', '""', 'coalesce(s1, "无")'])

    def population(self):
        x = self.pick([self.num(1), self.dur(1), "n1", "-d1", "i1"])
        # population filters and staged populations (issue 14, items 2 and 3)
        x = self.pick([x, x, x, "score(n1, 3) + i1", "percentile(-d1 among b1) * 2"])
        by = self.pick(["", " by g", " by s2"])
        by = self.pick(["", "", " among i1 > 0", " among b1", " among n2 >= n1"]) + by
        c = self.pick(["score", "percentile", "top", "bottom", "share"])
        if c == "score":
            k = self.pick(["3", "5"])
            return f"score({x}, {k}{by}) {self.pick(['>=', '=', '<'])} {self.pick(['1', '2', '3'])}"
        if c == "percentile":
            return f"percentile({x}{by}) {self.pick(['>', '<=', '='])} {self.pick(['0', '50', '100', '33.3'])}"
        if c == "share":
            return f"cumulative_share({x}{by}) {self.pick(['<=', '>'])} {self.pick(['0.5', '0.8', '1'])}"
        return f"{x} in {c} {self.pick(['10%', '50%', '30%', '1', '0'])}{by}"

    def cond(self, depth=2):
        choices = [
            "cmp",
            "cmp",
            "between",
            "in",
            "missing",
            "str",
            "bool",
            "pop",
            "chain",
            "date",
            "ts",
        ]
        if depth > 0:
            choices += ["and", "or", "not"] + (["ifc"] if self.new else [])  # issue 14
        c = self.pick(choices)
        op = self.pick([">", ">=", "<", "<=", "=", "!="])
        if c == "ifc":
            a, b, d = self.cond(0), self.cond(depth - 1), self.cond(depth - 1)
            return f"(if {a} then {b} else {d})"
        if c == "cmp":
            kind = self.pick(["num", "dur"])
            a, b = (self.num(), self.num()) if kind == "num" else (self.dur(), self.dur())
            return f"{a} {op} {b}"
        if c == "chain":
            return f"{self.num(0)} < {self.num(1)} <= {self.num(0)}"
        if c == "between":
            neg = self.pick(["", "not "])
            if self.pick([True, False]):
                return f"{self.num(1)} {neg}between {self.num(0)} and {self.num(0)}"
            return f"{self.dur(1)} {neg}between {self.dur(0)} and {self.dur(0)}"
        if c == "in":
            neg = self.pick(["", "not "])
            return self.pick(
                [
                    f's1 {neg}in ["北", "east", "北京"]',
                    f"i1 {neg}in [1, 2, 3, 12]",
                    f"n1 {neg}in [0.5, 2, i2]",
                    f"s2 {neg}in tags",
                    f'"北" {neg}in tags',
                    f"s1 {neg}in []",
                ]
            )
        if c == "missing":
            return (
                f"{self.pick(['i1', 'n1', 's1', 'd1', 'b1', 'dt1', 'tags', 'ts1'])} is "
                f"{self.pick(['', 'not '])}missing"
            )
        if c == "str":
            test = self.pick(["contains", "starts with", "ends with", "not contains"])
            pattern = self.pick(["s1", '"北"', '"a"', '""', "s2"])
            return f"{self.text()} {test} {pattern}"
        if c == "bool":
            return self.pick(["b1", "b1 = true", "b1 != false", "not b1"])
        if c == "pop":
            return self.population()
        if c == "date":
            return f"{self.date()} {op} {self.pick([self.date(), self.ts(0)])}"
        if c == "ts":
            return f"{self.ts()} {op} {self.ts()}"
        if c == "not":
            return f"not ({self.cond(depth - 1)})"
        kw = "and" if c == "and" else "or"
        return f"({self.cond(depth - 1)}) {kw} ({self.cond(depth - 1)})"


@st.composite
def rulesets(draw, new_constructs=True):
    """A generated rule file; new_constructs: also conditional values, field defaults and
    highest/lowest rules (issue 14)."""
    lets: dict[str, str] = {}
    gen = Gen(draw, lets, new_constructs)
    lines = [
        'ruleset gen "生成"',
        f"hit {draw(st.sampled_from(['first', 'priority', 'all', 'unique']))}",
    ]
    if draw(st.booleans()):
        lines.append("default other")
    schema = SCHEMA
    if new_constructs and draw(st.integers(0, 3)) == 0:  # issue 14 item 4: field defaults
        schema = schema.replace("field b1 : boolean", "field b1 : boolean default false")
        schema = schema.replace("field n1 : number", "field n1 : number default 0.5")
        schema = schema.replace("field s1 : string", 'field s1 : string default "北"')
    lines.append(schema)
    for i in range(draw(st.integers(0, 3))):
        name = f"v{i}"
        kind = draw(st.sampled_from(["number", "number", "score", "pct"]))
        if kind == "score":
            expr = f"score({gen.pick(['n1', 'i1', '-d1', 'n1 / i1'])}, 5{gen.pick(['', ' by g'])})"
        elif kind == "pct":
            expr = f"percentile({gen.pick(['n2', 'd1', 'n1 * 2'])})"
        else:
            expr = gen.num()
        lines.append(f"let {name} = {expr}")
        lets[name] = "number"
    if new_constructs and draw(st.integers(0, 3)) == 0:  # issue 14 item 5: an output
        lines.append(f"output o1 = {gen.num()}")
    labels = ["a", "b", "c", "甲", "a"]
    for i in range(draw(st.integers(1, 6))):
        prio = f" priority {draw(st.integers(0, 3))}" if "priority" in lines[1] else ""
        named = f'rule "规则{i}" ' if draw(st.booleans()) else ""
        lines.append(f"{named}if {gen.cond()} then {labels[i % len(labels)]}{prio}")
    if new_constructs and draw(st.integers(0, 4)) == 0:  # issue 14 item 7: highest / lowest
        word = draw(st.sampled_from(["highest", "lowest"]))
        lines.append(f"if {gen.cond()} then {word}(a: {gen.num(1)}, b: {gen.num(1)}, c: n1)")
    return "\n".join(lines)


def _compile(text):
    program = rulekit.check_text(text, "gen.rules")
    errors = [d for d in program.diagnostics if d.severity == "error"]
    assume(not errors)
    return rulekit.compile(text, "gen.rules")


@settings(max_examples=100, **SETTINGS)
@given(st.data())
def test_generated_rulesets_same_answer(data):
    text = data.draw(rulesets())
    rs = _compile(text)
    records = data.draw(record_batches(rs.program, max_size=30))
    assert_same(rs, records)


@settings(max_examples=25, **SETTINGS)
@given(st.data())
def test_generated_rulesets_fail_policy(data):
    text = data.draw(rulesets())
    rs = _compile(text)
    records = data.draw(record_batches(rs.program, max_size=10))
    assert_same(rs, records, on_errors=("fail",))


@settings(max_examples=25, **SETTINGS)
@given(st.data())
def test_generated_rulesets_frozen_population(data):
    """Ranking against a frozen population (ASOF joins) agrees with Python's bisect."""
    text = data.draw(rulesets())
    rs = _compile(text)
    assume(rs.compiled.pop_keys)
    base = data.draw(record_batches(rs.program, max_size=25))
    later = data.draw(record_batches(rs.program, max_size=15))
    frozen = rs.freeze(base, as_of=AS_OF)
    assert_same(rs, later, population=frozen)
    assert_same(rs, later, population=base)


def test_nan_and_mixed_columns_same_answer():
    rs = rulekit.compile("field x : number\nfield y : integer\nIF x > 1 or y = 2 THEN a", "t.rules")
    records = [
        {"x": math.nan, "y": 2.0},
        {"x": "1.5", "y": "2"},
        {"x": 2, "y": True},
        {"x": None, "y": 2.5},
        {"x": dt.date(2024, 1, 1), "y": None},
    ]
    assert_same(rs, records)


def test_dates_outside_years_1_to_9999_are_missing_on_both_engines():
    """date ± duration past Python's range (years 1..9999) is missing, not an error, and SQL,
    whose own range is wider, gives NULL for exactly the same results: at both ends, for
    shifts past any range, and for infinite durations."""
    rs = rulekit.compile(
        """
        field d : date
        field t : timestamp
        field x : duration
        hit all
        let a = d + x
        let b = d - x
        let c = t + x
        let e = t - x
        if a is missing then a_missing
        if a = 9999-12-31 or a = 0001-01-01 then a_edge
        if days_since(a) > 0d then a_past
        if b is missing then b_missing
        if b = 9999-12-31 or b = 0001-01-01 then b_edge
        if c is missing then c_missing
        if c >= 9999-12-31T23:59 or c <= 0001-01-01T00:01 then c_edge
        if days_since(c) > 0d then c_past
        if e is missing then e_missing
        if e >= 9999-12-31T23:59 or e <= 0001-01-01T00:01 then e_edge
        if d + 1000000000d is missing and t - 1000000000d is missing then far
        let a3 = ((d + x) - x) + x
        let c3 = ((t + x) - x) + x
        if a3 is missing then a3_missing
        if a3 = 9999-12-31 or a3 = 0001-01-01 then a3_edge
        if c3 is missing then c3_missing
        if c3 >= 9999-12-31T23:59 or c3 <= 0001-01-01T00:01 then c3_edge
        """,
        "range.rules",
    )
    to_end = (dt.date(9999, 12, 31) - AS_OF).days
    to_start = (AS_OF - dt.date(1, 1, 1)).days
    micro = 1 / 86_400_000_000
    shifts = [
        0,
        1,
        -1,
        1.5,
        -0.5,
        0.9,
        -0.9,
        to_end,
        to_end + 1,
        to_start,
        to_start + 1,
        -to_start,
        -to_start - 1,
        3_652_058,
        3_652_059,
        -3_652_059,
        1e9,
        -1e9,
        10**20,
        1e300,
        -1e300,
        math.inf,
        -math.inf,
        None,
        micro,
        -micro,
        2.4 * micro,
    ]
    points = [
        (AS_OF, dt.datetime(2024, 6, 30, 8)),
        (dt.date(1, 1, 1), dt.datetime(1, 1, 1)),
        (dt.date(9999, 12, 31), dt.datetime(9999, 12, 31, 23, 59, 59, 999999)),
        (None, dt.datetime(9999, 12, 31)),
        (AS_OF, None),
    ]
    records = [{"d": d, "t": t, "x": x} for x in shifts for d, t in points]
    assert_same(rs, records)
    labels = rs.classify_many(records, as_of=AS_OF).decisions
    # the edges are reached exactly, and one step further is missing
    at = {(r["d"], r["x"]): d.labels for r, d in zip(records, labels)}
    assert "a_edge" in at[(AS_OF, to_end)] and "a_missing" in at[(AS_OF, to_end + 1)]
    assert "b_edge" in at[(AS_OF, to_start)] and "b_missing" in at[(AS_OF, to_start + 1)]
    assert all("far" in d.labels for d in labels)
    assert "a3_edge" in at[(AS_OF, to_end)] and "a3_missing" in at[(AS_OF, to_end + 1)]


def test_nested_date_shifts_stay_linear_in_sql_and_agree():
    """A shift of a shift writes its date once (a CASE would repeat it, doubling the text at
    every level); both forms give Python's values."""
    from rulekit.compile.sql.duckdb import DuckDBGenerator

    depth = 25
    date_expr = "d" + " + x" * depth
    ts_expr = "t" + " - x" * depth
    rs = rulekit.compile(
        f"field d : date\nfield t : timestamp\nfield x : duration\nhit all\n"
        f"let a = {date_expr}\nlet c = {ts_expr}\n"
        "if a is missing then a_missing\nif a >= 9999-12-01 then a_late\n"
        "if c is missing then c_missing\nif c <= 0001-02-01T00:00 then c_early\n"
        "if a < 2024-07-01 and c > 2024-06-30T07:00 then near\n",
        "deep.rules",
    )
    sql = DuckDBGenerator(rs.program, as_of=AS_OF).decisions_sql(
        SqlSource(SqlRelation(table="t"), {})
    )
    assert len(sql) < 40_000
    to_end = (dt.date(9999, 12, 31) - AS_OF).days
    step = to_end // depth
    records = [
        {"d": AS_OF, "t": dt.datetime(2024, 6, 30, 8), "x": x}
        for x in (0, 1, 0.5, step, step + 1, -step, 1e9, math.inf, None)
    ]
    records += [
        {"d": dt.date(1, 1, 1), "t": dt.datetime(9999, 12, 31), "x": 1.5},
        {"d": dt.date(9999, 12, 31), "t": dt.datetime(1, 1, 1), "x": -1.5},
    ]
    assert_same(rs, records)


@settings(max_examples=15, **SETTINGS)
@given(
    st.lists(
        st.tuples(
            st.one_of(
                st.none(),
                st.floats(1e-9, 1e9, allow_nan=False),
                st.sampled_from([0.1, 0.2, 0.3, 0.7, 1.15, 2.675, 0]),
            ),
            st.sampled_from(["东", "西", None]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_cumulative_share_values_are_exact(rows):
    """Σ{v ≥ x} / Σ P from exact sums, rounded once: the SQL value is Python's to the bit
    (double sums differ in the last bit for about half of decimal inputs). Magnitudes within
    one population may span up to ~2^70 (here 1e-9 … 1e9); beyond, SQL sums doubles."""
    from rulekit.compile.sql.duckdb import DuckDBGenerator
    from rulekit.engines import duckdb_engine

    rs = rulekit.compile(
        "field x : number\nfield g : string\nlet s = cumulative_share(x)\n"
        "let sg = cumulative_share(x by g)\nif s <= 0.5 then head",
        "cs.rules",
    )
    records = [{"x": x, "g": g} for x, g in rows]
    con = duckdb_engine.connect()
    gen = DuckDBGenerator(rs.program)
    ctes, last = gen._ctes(duckdb_engine.records_source(con, records, ["x", "g"]), False)
    got = con.execute(gen._with(ctes, f'SELECT "rk_row", "s", "sg" FROM "{last}" ORDER BY 1'))
    for i, s, sg in got.fetchall():
        lets = rs.explain(records[i], batch=records).trace.lets
        assert (s, sg) == (lets["s"], lets["sg"]), records[i]
