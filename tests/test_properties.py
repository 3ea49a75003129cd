"""Property tests: Kleene logic equals SQL's (checked against DuckDB itself), literals
round-trip, evaluation is deterministic, fast and traced paths agree, and no text crashes the
parser with anything but a RuleError."""

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rulekit
from rulekit.syntax.parser import decode_number

from .helpers import truth

TRUTH = st.sampled_from([True, False, None])
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _sql(v):
    return "NULL" if v is None else ("TRUE" if v else "FALSE")


@SETTINGS
@given(TRUTH, TRUTH, TRUTH)
def test_three_valued_logic_matches_duckdb(p, q, r):
    decls = 'field p : boolean "p"\nfield q : boolean "q"\nfield r : boolean "r"\n'
    rec = {"p": p, "q": q, "r": r}
    for cond, sql in [
        ("p and q", "p AND q"),
        ("p or q", "p OR q"),
        ("not p", "NOT p"),
        ("p and not (q or r)", "p AND NOT (q OR r)"),
        ("not (p or q) or r", "NOT (p OR q) OR r"),
    ]:
        expected = duckdb.sql(
            f"SELECT {sql} FROM (SELECT {_sql(p)}::BOOLEAN AS p, {_sql(q)}::BOOLEAN AS q, "
            f"{_sql(r)}::BOOLEAN AS r)"
        ).fetchall()[0][0]
        assert truth(cond, rec, decls) is expected, cond


@SETTINGS
@given(
    st.integers(min_value=0, max_value=10**9),
    st.sampled_from(["", "k", "万", "亿", "d", "天", "w", "mo", "y", "h", "%"]),
)
def test_number_literals_round_trip(n, suffix):
    value, kind = decode_number(f"{n}{suffix}")
    factor = {
        "": 1,
        "k": 1000,
        "万": 10**4,
        "亿": 10**8,
        "d": 1,
        "天": 1,
        "w": 7,
        "mo": 30,
        "y": 365,
        "h": 1 / 24,
        "%": 1 / 100,
    }[suffix]
    if suffix in ("h", "%"):
        assert abs(value - n * factor) <= 1e-9 * max(1, n)
    else:
        assert value == n * factor
    assert kind == (
        "percent"
        if suffix == "%"
        else "duration"
        if suffix in ("d", "天", "w", "mo", "y", "h")
        else "number"
    )


RECORD = st.fixed_dictionaries(
    {
        "orders_count": st.one_of(st.none(), st.integers(0, 50)),
        "recency_days": st.one_of(st.none(), st.integers(0, 800), st.floats(0, 800)),
        "tenure_days": st.one_of(st.none(), st.integers(0, 2000)),
        "frequency": st.one_of(st.none(), st.integers(0, 40)),
    }
)


@settings(max_examples=40, deadline=None)
@given(st.lists(RECORD, min_size=1, max_size=30))
def test_fast_and_traced_paths_agree_and_are_deterministic(records):
    for name in ("lifecycle", "purchase_lifecycle_prospect_new_active_churned"):
        rs = rulekit.load(name)
        first = rs.classify_many(records, as_of="2024-06-30")
        again = rs.classify_many(records, as_of="2024-06-30")
        assert first.labels == again.labels
        for rec, d in zip(records, first):
            ex = rs.explain(rec, as_of="2024-06-30", batch=records)
            assert ex.decision == d


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list(
                'ifthenandornot> <=()"[],.%dmo如果那么且或非缺失'
                "0123456789 \nabc_规则标签字段例ruleletfield:#"
            )
        ),
        max_size=80,
    )
)
def test_parser_never_crashes(text):
    try:
        rulekit.compile(text, "fuzz.rules")
    except rulekit.RuleError as e:
        assert e.diagnostics
        for d in e.diagnostics:
            d.render()


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=60))
def test_parser_never_crashes_on_arbitrary_unicode(text):
    try:
        rulekit.compile(text, "fuzz.rules")
    except rulekit.RuleError:
        pass


MESSY = st.fixed_dictionaries(
    {
        "orders_count": st.one_of(st.none(), st.integers(0, 5), st.sampled_from(["2", "x", "1.5"])),
        "recency_days": st.one_of(
            st.none(), st.integers(0, 800), st.sampled_from(["200d", "?", ""])
        ),
        "tenure_days": st.one_of(st.none(), st.integers(0, 900), st.just("long")),
        "frequency": st.one_of(st.none(), st.integers(0, 9), st.just(True)),
    }
)


@settings(max_examples=80, deadline=None)
@given(st.lists(MESSY, min_size=1, max_size=20), st.sampled_from(["needed", "all"]))
def test_fast_and_traced_paths_agree_on_bad_records(records, validate):
    rs = rulekit.load("lifecycle")
    out = rs.classify_many(records, as_of="2024-06-30", on_error="skip", validate=validate)
    rejected = {b.index: b.field for b in out.rejected}
    for i, rec in enumerate(records):
        try:
            ex = rs.explain(rec, as_of="2024-06-30", batch=records, validate=validate)
        except rulekit.RecordError as e:
            assert rejected.get(i) == e.bad.field, (rec, rejected)
        else:
            assert i not in rejected and ex.decision == out[i], rec
