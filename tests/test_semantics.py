"""The meaning of every literal, operator, function, missing value, population function and
hit policy (LANGUAGE.md §3–§7), through both compiled paths."""

import datetime as dt

import pytest

import rulekit
from rulekit.syntax.parser import decode_number

from .helpers import AS_OF, truth, value

# ---------------------------------------------------------------- literals


@pytest.mark.parametrize(
    "text,expected,kind",
    [
        ("12", 12, "number"),
        ("0.5", 0.5, "number"),
        ("50_000", 50000, "number"),
        ("5k", 5000, "number"),
        ("1.2万", 12000, "number"),
        ("3亿", 300_000_000, "number"),
        ("10%", 0.1, "percent"),
        ("90s", 90 / 86400, "duration"),
        ("15min", 15 / 1440, "duration"),
        ("12h", 0.5, "duration"),
        ("180d", 180, "duration"),
        ("2w", 14, "duration"),
        ("6mo", 180, "duration"),
        ("1y", 365, "duration"),
        ("180天", 180, "duration"),
        ("2周", 14, "duration"),
        ("6月", 180, "duration"),
        ("1年", 365, "duration"),
        ("12小时", 0.5, "duration"),
        ("15分钟", 15 / 1440, "duration"),
    ],
)
def test_number_literals(text, expected, kind):
    v, k = decode_number(text)
    assert (v, k) == (expected, kind)
    assert type(v) is type(expected)


def test_literal_values_in_rules():
    assert value("1.2万", {}) == 12000
    assert value("6mo", {}) == 180
    assert value("10%", {}) == 0.1
    assert value("2024-06-30", {}) == dt.date(2024, 6, 30)
    assert value("2024-06-30T08:00", {}) == dt.datetime(2024, 6, 30, 8, 0)
    assert value("“海外”", {}) == "海外"
    assert value("today", {}, as_of="2024-01-02") == dt.date(2024, 1, 2)
    for word, expected in [
        ("true", True),
        ("yes", True),
        ("是", True),
        ("false", False),
        ("no", False),
        ("否", False),
    ]:
        assert value(word, {}) is expected


def test_ambiguous_m_is_an_error():
    with pytest.raises(rulekit.RuleError) as info:
        rulekit.compile("IF recency > 6m THEN sleeping")
    assert info.value.errors[0].hint == "write `6mo` (months) or `6min` (minutes)"


# ---------------------------------------------------------------- comparisons and boundaries

DUR = 'field recency : duration "距上次购买"\n'


@pytest.mark.parametrize(
    "recency,expected", [(179, False), (180, False), (181, True), (180.5, True), (None, None)]
)
def test_duration_boundary(recency, expected):
    assert truth("recency > 180d", {"recency": recency}, DUR) is expected


@pytest.mark.parametrize(
    "op,a,b,expected",
    [
        (">", 2, 1, True),
        (">=", 1, 1, True),
        ("<", 1, 1, False),
        ("<=", 1, 1, True),
        ("=", 1, 1, True),
        ("==", 1, 2, False),
        ("!=", 1, 2, True),
        ("<>", 1, 1, False),
        ("≥", 2, 2, True),
        ("≤", 3, 2, False),
        ("≠", 3, 2, True),
    ],
)
def test_comparison_operators(op, a, b, expected):
    assert truth(f"a {op} b", {"a": a, "b": b}) is expected


def test_chained_comparison():
    for r, expected in [(30, False), (31, True), (180, True), (181, False), (None, None)]:
        assert truth("30d < recency <= 180d", {"recency": r}, DUR) is expected


def test_chain_with_a_missing_end_is_false_when_another_pair_is_false():
    # (a < b) and (b < c) with a missing, b >= c: unknown and false = false
    assert truth("a < b < c", {"a": None, "b": 5, "c": 1}) is False
    assert truth("a < b < c", {"a": None, "b": 1, "c": 5}) is None


def test_between_is_inclusive_and_kleene():
    for x, expected in [(1, True), (5, True), (0, False), (6, False), (None, None)]:
        assert truth("x between 1 and 5", {"x": x}) is expected
    assert truth("x between lo and hi", {"x": 9, "lo": None, "hi": 5}) is False
    assert truth("x between lo and hi", {"x": 3, "lo": None, "hi": 5}) is None
    assert truth("x not between 1 and 5", {"x": 9}) is True


def test_in_and_not_in():
    assert truth('r in ["north", "south"]', {"r": "north"}) is True
    assert truth('r in ["north", "south"]', {"r": "east"}) is False
    assert truth('r in ["north", "south"]', {"r": None}) is None
    assert truth('r not in ["north", "south"]', {"r": "east"}) is True
    # SQL IN with a missing option: not found → unknown
    assert (
        truth(
            "r in [a, b]",
            {"r": "x", "a": "y", "b": None},
            'field r : string "r"\nfield a : string "a"\nfield b : string "b"\n',
        )
        is None
    )
    assert (
        truth(
            "r in [a, b]",
            {"r": "x", "a": "x", "b": None},
            'field r : string "r"\nfield a : string "a"\nfield b : string "b"\n',
        )
        is True
    )


def test_is_missing():
    assert truth("x is missing", {}) is True
    assert truth("x is missing", {"x": 0}) is False
    assert truth("x is not missing", {"x": ""}, 'field x : string "x"\n') is False
    assert truth("x 为 缺失", {"x": None}) is True


def test_string_tests_are_case_sensitive():
    d = 'field s : string "s"\n'
    assert truth('s contains "海"', {"s": "海外"}, d) is True
    assert truth('s starts with "ab"', {"s": "abc"}, d) is True
    assert truth('s ends with "BC"', {"s": "abc"}, d) is False
    assert truth('s not contains "z"', {"s": "abc"}, d) is True
    assert truth('s contains "a"', {}, d) is None


# ---------------------------------------------------------------- three-valued logic

KLEENE_AND = {
    (True, True): True,
    (True, False): False,
    (True, None): None,
    (False, False): False,
    (False, None): False,
    (None, None): None,
}
KLEENE_OR = {
    (True, True): True,
    (True, False): True,
    (True, None): True,
    (False, False): False,
    (False, None): None,
    (None, None): None,
}


@pytest.mark.parametrize("a,b", list(KLEENE_AND))
def test_and_or_not_follow_sql(a, b):
    decls = 'field p : boolean "p"\nfield q : boolean "q"\n'
    for x, y in ((a, b), (b, a)):
        rec = {"p": x, "q": y}
        assert truth("p and q", rec, decls) is KLEENE_AND[(a, b)]
        assert truth("p or q", rec, decls) is KLEENE_OR[(a, b)]
        assert truth("not (p and q)", rec, decls) is (
            None if KLEENE_AND[(a, b)] is None else not KLEENE_AND[(a, b)]
        )
    assert truth("not p", {"p": a}, decls) is (None if a is None else not a)


def test_chinese_keywords():
    decls = 'field 会员 : boolean "会员"\nfield 次数 : integer "次数"\n'
    assert truth("会员 并且 次数 > 3", {"会员": True, "次数": 4}, decls) is True
    assert truth("非 会员 或者 次数 介于 1 且 2", {"会员": True, "次数": 2}, decls) is True


# ---------------------------------------------------------------- arithmetic and functions


def test_arithmetic_and_missing():
    assert value("a + b * 2", {"a": 1, "b": 3}) == 7
    assert value("a - b", {"a": 1, "b": None}) is None
    assert value("-a", {"a": 4}) == -4
    assert value("a / b", {"a": 1, "b": 0}) is None
    assert value("a / b", {"a": 1, "b": 4}) == 0.25


def test_date_and_duration_arithmetic():
    d = 'field d : date "d"\nfield e : date "e"\nfield r : duration "r"\n'
    rec = {"d": "2024-06-30", "e": "2024-01-01", "r": 10}
    assert value("d - e", rec, d) == 181
    assert value("d + r", rec, d) == dt.date(2024, 7, 10)
    assert value("d - 1mo", rec, d) == dt.date(2024, 5, 31)
    assert value("r / 5d", rec, d) == 2
    assert value("r * 2", rec, d) == 20
    assert value("days_since(e)", rec, d, as_of="2024-01-11") == 10
    assert truth("d > today - 30d", rec, d, as_of="2024-07-15") is True
    assert truth("d < 2024-06-30T08:00", rec, d) is True


OVERFLOW = (
    'field d : date "d"\nfield t : timestamp "t"\nfield r : duration "r"\nfield k : number "k"\n'
)


@pytest.mark.parametrize(
    "expr, rec",
    [
        ("d + 1000000000d", {"d": "2024-06-30"}),  # past timedelta's own limit
        ("d - 1000000000d", {"d": "2024-06-30"}),
        ("d + r", {"d": "2024-06-30", "r": 3_000_000}),  # past year 9999
        ("d - r", {"d": "2024-06-30", "r": 800_000}),  # before year 1
        ("d + r", {"d": "9999-12-31", "r": 1}),
        ("d - r", {"d": "0001-01-01", "r": 1}),
        ("d + r", {"d": "2024-06-30", "r": 10**20}),
        ("d + r * k", {"d": "2024-06-30", "r": 1e200, "k": 1e200}),  # inf days
        ("d + (r - r)", {"d": "2024-06-30", "r": float("inf")}),  # NaN days
        ("t + 1000000000d", {"t": "2024-06-30T08:00"}),
        ("t + r", {"t": "9999-12-31T23:59:59.999999", "r": 1 / 86400}),  # one second too far
        ("t - r", {"t": "0001-01-01T00:00", "r": 1e-6}),
        ("t - r", {"t": "2024-06-30T08:00", "r": float("inf")}),
    ],
)
def test_date_arithmetic_outside_years_1_to_9999_is_missing(expr, rec):
    """Like division by zero: a date or timestamp outside Python's range is missing (unknown
    in conditions), never an error, on the fast path and the traced one alike."""
    assert value(expr, rec, OVERFLOW) is None
    assert truth(f"{expr} > 2024-01-01", rec, OVERFLOW) is None
    assert truth(f"{expr} is missing", rec, OVERFLOW) is True
    assert truth(f"days_since({expr}) > 0d", rec, OVERFLOW) is None


def test_date_arithmetic_up_to_the_ends_of_the_range():
    assert value("d + r", {"d": "2024-06-30", "r": 2_912_992}, OVERFLOW) == dt.date(9999, 12, 31)
    assert value("d - r", {"d": "2024-06-30", "r": 739_066}, OVERFLOW) == dt.date(1, 1, 1)
    # a date moves by whole days: the fraction that would cross the end is dropped
    assert value("d + r", {"d": "9999-12-31", "r": 0.9}, OVERFLOW) == dt.date(9999, 12, 31)
    assert value("d - r", {"d": "0001-01-01", "r": 0.9}, OVERFLOW) == dt.date(1, 1, 1)
    assert value("t + r", {"t": "9999-12-31T23:59", "r": 59 / 86400}, OVERFLOW) == dt.datetime(
        9999, 12, 31, 23, 59, 59
    )
    assert value("days_since(d)", {"d": "0001-01-01"}, OVERFLOW, as_of="9999-12-31") == 3_652_058


def test_explain_shows_an_out_of_range_date_as_missing():
    from rulekit.render import explanation_json

    rs = rulekit.compile(
        OVERFLOW + 'let later = d + r "later"\nif later > 2024-01-01 then a\n'
        "if later is missing then b\n"
    )
    ex = rs.explain({"d": "2024-06-30", "r": 1e9}, as_of=AS_OF)
    assert ex.label == "b"
    shown = explanation_json(ex)
    assert [(x["name"], x["value"], x["shown"]) for x in shown["lets"]] == [
        ("later", None, "missing")
    ]
    assert rs.classify({"d": "2024-06-30", "r": 1e9}, as_of=AS_OF).label == "b"


def test_functions():
    assert value("min(a, b, 3)", {"a": 5, "b": 1}) == 1
    assert value("max(a, b)", {"a": 5, "b": None}) is None
    assert value("abs(a)", {"a": -2.5}) == 2.5
    assert value("round(a, 1)", {"a": 0.25}) == 0.3  # half away from zero, like SQL
    assert value("round(a)", {"a": 2.5}) == 3
    assert value("coalesce(a, b, 0)", {"a": None, "b": 7}) == 7
    assert value("len(s)", {"s": "海外客户"}, 'field s : string "s"\n') == 4
    assert value("len(tags)", {"tags": "a,b,c"}, 'field tags : list of string "t"\n') == 3


# ---------------------------------------------------------------- population functions

POP = 'field m : number "m"\nfield g : string "g"\n'


def _labels(rules: str, records, **kw):
    rs = rulekit.compile(POP + rules)
    return [d.label for d in rs.classify_many(records, as_of=AS_OF, **kw)]


def test_percentile_ties_share_and_missing_is_excluded():
    recs = [{"m": v} for v in (10, 20, 20, 30, None)]
    rs = rulekit.compile(POP + "let p = percentile(m)\nif p is not missing then x\n")
    got = [rs.explain(r, as_of=AS_OF, batch=recs).trace.lets["p"] for r in recs]
    assert got == [0, 100 / 3, 100 / 3, 100, None]


def test_percentile_of_one():
    rs = rulekit.compile(POP + "let p = percentile(m)\nif p = 0 then x\n")
    assert rs.classify({"m": 5}).label == "x"


def test_score_quintiles_with_ties():
    recs = [{"m": v} for v in (1, 2, 3, 4, 5, 5, 5, 8, 9, 10)]
    rs = rulekit.compile(POP + "let s = score(m, 5)\nif s >= 1 then x\n")
    got = [rs.explain(r, as_of=AS_OF, batch=recs).trace.lets["s"] for r in recs]
    # min(5, 1 + floor(5 * less / 10)); the three 5s share less = 4
    assert got == [1, 1, 2, 2, 3, 3, 3, 4, 5, 5]


def test_top_and_bottom_with_ties():
    recs = [{"m": v} for v in (100, 90, 90, 50, 10, 10, 10, 5, 1, 0)]
    top = _labels("if m in top 10% then t\n", recs)
    assert top == ["t"] + [None] * 9
    top30 = _labels("if m in top 30% then t\n", recs)  # 90s tie: greater = 1 < 3
    assert top30 == ["t", "t", "t"] + [None] * 7
    bottom = _labels("if m in bottom 20% then b\n", recs)
    assert bottom == [None] * 8 + ["b", "b"]


def test_cumulative_share():
    recs = [{"m": v} for v in (50, 30, 10, 10)]
    rs = rulekit.compile(POP + "let c = cumulative_share(m)\nif c <= 80% then a\n")
    got = [rs.explain(r, as_of=AS_OF, batch=recs).trace.lets["c"] for r in recs]
    assert got == [0.5, 0.8, 1.0, 1.0]
    assert _labels("if cumulative_share(m) <= 80% then a\n", recs) == ["a", "a", None, None]


def test_population_by_partition():
    recs = [{"m": 1, "g": "a"}, {"m": 2, "g": "a"}, {"m": 100, "g": "b"}]
    # group b has one member, and a population of one ranks at percentile 0
    assert _labels("if percentile(m by g) = 100 then top\n", recs) == [None, "top", None]
    assert _labels("if percentile(m by g) = 0 then low\n", recs) == ["low", None, "low"]


def test_frozen_population_round_trip(tmp_path):
    rs = rulekit.compile(POP + "if m in top 50% then top\n")
    frozen = rs.freeze([{"m": v} for v in range(10)])
    path = tmp_path / "pop.json"
    frozen.save(path)
    loaded = rulekit.FrozenPopulation.load(path)
    assert rs.classify({"m": 6}, population=loaded).label == "top"
    assert rs.classify({"m": 4}, population=loaded).label is None
    # the same record alone would be the whole population (and so in the top half)
    assert rs.classify({"m": 4}).label == "top"


# ---------------------------------------------------------------- hit policies


def test_hit_first_default_and_no_label():
    rs = rulekit.compile("default d\nif a > 1 then x\nif a > 0 then y\n")
    assert [d.label for d in rs.classify_many([{"a": 2}, {"a": 1}, {"a": 0}])] == ["x", "y", "d"]
    rs = rulekit.compile("if a > 1 then x\n")
    assert rs.classify({"a": 0}).label is None and rs.classify({"a": 0}).labels == ()


def test_hit_priority():
    rs = rulekit.compile(
        "hit priority\nif a > 0 then low priority 1\n"
        "if a > 1 then high priority 5\nif a > 1 then tie priority 5\n"
    )
    d = rs.classify({"a": 2})
    assert (d.label, d.rule.line) == ("high", 3)
    assert rs.classify({"a": 1}).label == "low"


def test_hit_all_dedupes_in_file_order():
    rs = rulekit.compile("hit all\nif a > 0 then p\nif a > 1 then q\nif a > 2 then p\n")
    assert rs.classify({"a": 3}).labels == ("p", "q")
    assert [r.line for r in rs.classify({"a": 3}).rules] == [2, 3, 4]


def test_hit_unique_conflict_is_a_bad_record():
    rs = rulekit.compile("hit unique\nif a > 0 then p\nif a > 1 then q\n")
    assert rs.classify({"a": 1}).label == "p"
    with pytest.raises(rulekit.RecordError, match="more than one rule matched"):
        rs.classify({"a": 2})
    out = rs.classify_many([{"a": 1}, {"a": 2}], on_error="skip")
    assert out.labels == ["p", None] and out.rejected[0].index == 1


# ---------------------------------------------------------------- coercion and bad records


def test_coercion_at_the_boundary():
    decls = (
        'field r : duration "r"\nfield m : boolean "m"\nfield d : date "d"\nfield n : integer "n"\n'
    )
    rec = {"r": "200", "m": "是", "d": "2024-06-30", "n": "12"}
    assert truth("r > 180d and m and d = 2024-06-30 and n = 12", rec, decls) is True
    assert truth("m", {"m": "false"}, decls) is False
    assert truth("m", {"m": 1}, decls) is True


def test_bad_records_fail_skip_and_reconcile():
    rs = rulekit.compile(
        'field n : integer "次数"\nfield r : string "地区" one of ["a", "b"]\n'
        'default z\nif n > 1 then x\nif r = "a" then y\n'
    )
    records = [{"n": 2}, {"n": "12.5"}, {"n": 1, "r": "c"}, {"n": "1", "r": "a"}, {}]
    with pytest.raises(rulekit.RecordError) as info:
        rs.classify_many(records)
    assert info.value.bad.index == 1 and info.value.bad.field == "n"
    assert "not a whole number" in str(info.value)
    out = rs.classify_many(records, on_error="quarantine")
    assert out.labels == ["x", None, None, "y", "z"]
    assert [(b.index, b.field) for b in out.rejected] == [(1, "n"), (2, "r")]
    c = out.counts
    assert c == {"rows_in": 5, "labelled": 3, "unlabelled": 0, "rejected": 2}
    assert c["rows_in"] == c["labelled"] + c["unlabelled"] + c["rejected"]


def test_from_maps_a_chinese_column():
    rs = rulekit.compile(
        'field recency : duration "距上次购买" from 最近购买天数\nif recency > 180d then sleeping\n'
    )
    assert rs.classify({"最近购买天数": "200"}).label == "sleeping"


def test_examples_can_give_lets_directly():
    rs = rulekit.compile(
        POP + "let p = percentile(m)\nif p >= 80 then top\n"
        'example "顶部" given p = 90 as of 2024-06-30 expect top\n'
        'example "底部" given m = 5, p = 10 as of 2024-06-30 expect none\n'
    )
    assert [r.passed for r in rs.test()] == [True, True]


def test_explain_records_values_and_unreached_rules():
    rs = rulekit.load("lifecycle")
    rec = {"orders_count": 3, "recency_days": 200, "tenure_days": 400, "frequency": 3}
    ex = rs.explain(rec, as_of=AS_OF)
    d = ex.to_dict()
    assert d["decision"]["label"] == rs.classify(rec, as_of=AS_OF).label
    statuses = [r["status"] for r in d["rules"]]
    assert "decided" in statuses
    decided = statuses.index("decided")
    assert all(s == "not reached" for s in statuses[decided + 1 :])


def test_validation_reads_what_the_decision_needs():
    rs = rulekit.compile(
        'field a : integer "甲"\nfield b : integer "乙"\nif a > 1 then x\nif b > 1 then y\n'
    )
    good_a_bad_b = {"a": 5, "b": "oops"}
    # decided by the first rule: b is never read, so its bad value does not matter …
    assert rs.classify(good_a_bad_b).label == "x"
    assert rs.explain(good_a_bad_b).decision.label == "x"
    # … unless every declared field must be valid
    with pytest.raises(rulekit.RecordError, match="field 'b'"):
        rs.classify(good_a_bad_b, validate="all")
    with pytest.raises(rulekit.RecordError, match="field 'b'"):
        rs.explain(good_a_bad_b, validate="all")
    # the second rule reads b: now the record is bad, in both paths
    with pytest.raises(rulekit.RecordError, match="field 'b'"):
        rs.classify({"a": 0, "b": "oops"})
    with pytest.raises(rulekit.RecordError, match="field 'b'"):
        rs.explain({"a": 0, "b": "oops"})
    out = rs.classify_many([good_a_bad_b, {"a": 0, "b": "x"}], on_error="skip", validate="all")
    assert out.labels == [None, None] and [b.index for b in out.rejected] == [0, 1]


def test_dates_are_iso_only_and_mix_with_timestamps():
    d = 'field d : date "d"\nfield t : timestamp "t"\n'
    for text in ("1719705600", "2024/06/31", "06/30/2024 x"):
        with pytest.raises(rulekit.RecordError, match="is not a date"):
            rulekit.compile(d + "if d is not missing then x\n").classify({"d": text})
    # the export forms of docs/data.md are read (model/reading.py)
    for text in ("20240630", "2024/06/30", "2024年6月30日"):
        assert rulekit.compile(d + "if d = 2024-06-30 then x\n").classify({"d": text}).label == "x"
    with pytest.raises(rulekit.RecordError, match="is not a timestamp"):
        rulekit.compile(d + "if t is not missing then x\n").classify(
            {"t": "2024-06-30T08:00+08:00"}
        )
    rec = {"d": "2024-06-01", "t": "2024-06-01 00:00"}
    assert truth("d in [2024-06-01T00:00]", rec, d) is True
    assert truth("d = 2024-06-01T00:00", rec, d) is True
    assert value("min(d, t)", rec, d) == dt.datetime(2024, 6, 1)
