"""classify_frame: tables in, tables out. Every kind of frame gives, row for row, the labels,
deciding rules and bad-record reasons classify_many gives on the same records on the Python
engine (the records a frame holds: missing values — None, NaN, NaT, pd.NA — as None, pandas
timestamps as datetimes, a timestamp with a time zone in UTC without it)."""

from __future__ import annotations

import datetime as dt
import importlib
import math
import sys
import warnings

import duckdb
import pyarrow as pa
import pytest

import rulekit
from rulekit.errors import RecordError, RulekitError

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

AS_OF = "2024-06-30"

RULES = """
ruleset frames_t "帧测试" en "Frames test"
hit first
default other

field n      : integer
field amount : number
field member : boolean
field region : string
field joined : date
field seen   : timestamp
field tags   : list of string

let s = score(amount, 3)

label big      "大客户" en "Big"
label member_l "会员"
label recent   "近期"
label northern "北方"
label old      "老客户"
label many     "多次"
label tagged   "有标签"
label other    "其他"

rule "big spender" if amount >= 100 and s >= 2 then big
rule "member"      if member then member_l
rule "recent"      if seen >= 2024-06-01T00:00 then recent
rule "north"       if region = "north" then northern
rule "old"         if joined < 2020-01-01 then old
rule "many"        if n > 3 then many
rule "tagged"      if len(tags) >= 2 then tagged
"""

ALL_RULES = """
ruleset frames_all "全部"
hit all
field amount : number
field region : string
rule "rich" if amount >= 100 then rich
rule "north" if region = "north" then northern
"""


@pytest.fixture(scope="module")
def rs():
    return rulekit.compile(RULES, "frames_t.rules")


def typed_frame():
    """A pandas frame of every dtype a ruleset meets: nullable ints and booleans, strings
    (with line breaks), a categorical, naive and zoned timestamps, floats with NaN, dates."""
    ts = pd.to_datetime(
        [
            "2024-06-02 08:00",
            "2024-05-31 23:30",
            None,
            "2024-06-30 12:00",
            "2019-01-01 00:00",
            "2024-06-01 00:00",
        ]
    )
    return pd.DataFrame(
        {
            "customer": ["c1", "c2", "c3", "c4", "c5", "c6"],
            "n": pd.array([1, None, 5, 2, 7, 0], dtype="Int64"),
            "amount": [150.0, math.nan, 20.5, 300.0, None, 99.5],
            "member": pd.array([False, True, None, False, False, None], dtype="boolean"),
            "region": pd.Categorical(["south", "north", None, "north", "west", "south"]),
            "joined": [
                dt.date(2021, 1, 1),
                dt.date(2019, 5, 1),
                None,
                None,
                dt.date(2018, 1, 1),
                dt.date(2022, 2, 2),
            ],
            "seen": ts,
            "note": pd.array(["a\nb", None, "x\r\ny", "", "z", "q"], dtype="string"),
        }
    )


def zoned_frame():
    df = typed_frame()
    # 2024-06-01 07:30 in Shanghai is 2024-05-31 23:30 UTC: not recent; 09:00 is
    df["seen"] = pd.to_datetime(
        [
            "2024-06-01 07:30",
            "2024-06-01 09:00",
            None,
            "2024-06-30 12:00",
            "2019-01-01 00:00",
            "2024-06-01 08:00",
        ]
    ).tz_localize("Asia/Shanghai")
    return df


def records_of(df):
    """The records a pandas frame holds, as classify_many takes them."""
    out = []
    for row in df.astype(object).to_dict("records"):
        rec = {}
        for k, v in row.items():
            if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
                v = None
            elif isinstance(v, pd.Timestamp):
                if v.tzinfo is not None:
                    v = v.tz_convert("UTC").tz_localize(None)
                v = v.to_pydatetime()
            elif hasattr(v, "item") and type(v).__module__ == "numpy":
                v = v.item()
            rec[k] = v
        out.append(rec)
    return out


def expected(ruleset, records, **options):
    got = ruleset.classify_many(records, as_of=AS_OF, **options)
    labels = [None if d is None else d.label for d in got]
    rules = [None if d is None or d.rule is None else d.rule.name for d in got]
    return labels, rules, got


def once(frame):
    """A RecordBatchReader read into a table (it can be read once); any other frame as it is."""
    return frame.read_all() if isinstance(frame, pa.RecordBatchReader) else frame


def column(frame, name):
    """A result column as Python values (None for missing), whatever the kind of frame."""
    if isinstance(frame, pd.DataFrame):
        return [None if v is pd.NA or v is None else v for v in frame[name].tolist()]
    if isinstance(frame, pl.LazyFrame):
        frame = frame.collect()
    if isinstance(frame, pl.DataFrame):
        return frame[name].to_list()
    if isinstance(frame, pa.RecordBatchReader):
        frame = frame.read_all()
    if isinstance(frame, duckdb.DuckDBPyRelation):
        frame = frame.to_arrow_table()
    return frame.column(name).to_pylist()


def kinds(df):
    """The same rows as every kind of frame."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    con = duckdb.connect()
    con.register("src", table)
    return {
        "pandas": df,
        "polars": pl.from_arrow(table),
        "polars-lazy": pl.from_arrow(table).lazy(),
        "arrow": table,
        "arrow-reader": pa.RecordBatchReader.from_batches(table.schema, table.to_batches(2)),
        "duckdb": con.sql("SELECT * FROM src"),
    }


@pytest.mark.parametrize("make", [typed_frame, zoned_frame], ids=["naive", "zoned"])
def test_every_kind_matches_classify_many(rs, make):
    df = make()
    labels, rules, _ = expected(rs, records_of(df))
    assert len(set(labels)) >= 5  # the rows reach many rules
    for kind, frame in kinds(df).items():
        out = rs.classify_frame(frame, as_of=AS_OF)
        assert type(out) is type(frame), kind
        out = once(out)
        assert column(out, "frames_t") == labels, kind
        assert column(out, "frames_t_rule") == rules, kind
        assert column(out, "customer") == list(df["customer"]), kind  # input kept, in order


def test_zoned_timestamps_are_taken_in_utc(rs):
    out = rs.classify_frame(zoned_frame(), as_of=AS_OF)
    # 07:30 in Shanghai is the day before in UTC: not recent; 09:00 is 01:00 UTC: recent
    assert column(out, "frames_t_rule")[:2] == ["big spender", "member"]
    assert out["seen"].dt.tz is not None  # the input column itself is untouched


def test_pandas_keeps_index_and_dtypes(rs):
    df = typed_frame()
    df.index = [10, 10, 11, 12, 13, 14]  # not unique
    out = rs.classify_frame(df, as_of=AS_OF)
    assert list(out.index) == list(df.index)
    assert out["n"].dtype == df["n"].dtype and out["region"].dtype == df["region"].dtype
    assert isinstance(out["frames_t"].dtype, pd.StringDtype)
    assert list(out.columns) == [*df.columns, "frames_t", "frames_t_rule"]
    assert "frames_t" not in df.columns  # the input is not changed


def test_object_columns_of_mixed_values(rs):
    df = pd.DataFrame(
        {
            "n": [4, "5", 2.0, None, math.nan, "x"],
            "amount": [100, "150", 1.5, None, "n/a", 3],
            "tags": [["vip"], ("a", "vip"), None, [], ["b"], "vip, c"],
            "joined": ["2019-01-01", dt.date(2018, 1, 1), None, math.nan, "2021-02-03", None],
        }
    )
    labels, rules, got = expected(rs, records_of(df), on_error="skip")
    out = rs.classify_frame(df, as_of=AS_OF, on_error="skip")
    assert column(out, "frames_t") == labels
    assert column(out, "frames_t_rule") == rules
    reasons = {b.index: (b.field, b.reason) for b in got.rejected}
    assert reasons  # "x" and "n/a" are bad
    for i, (field, reason) in enumerate(
        zip(column(out, "frames_t_rejected_field"), column(out, "frames_t_rejected_reason"))
    ):
        assert (field, reason) == reasons.get(i, (None, None))


def test_skip_keeps_bad_rows_with_their_reasons(rs):
    df = pd.DataFrame(
        {
            "n": ["1", "two", "3", None],
            "amount": ["5", "seven", "1e3", "abc"],
            "seen": ["2024-06-02T01:00", "2024-06-02", "yesterday", None],
        }
    )
    labels, rules, got = expected(rs, records_of(df), on_error="skip")
    assert len(got.rejected) >= 2
    for kind, frame in kinds(df).items():
        out = once(rs.classify_frame(frame, as_of=AS_OF, on_error="skip"))
        assert column(out, "frames_t") == labels, kind
        assert column(out, "frames_t_rule") == rules, kind
        fields = column(out, "frames_t_rejected_field")
        reasons = column(out, "frames_t_rejected_reason")
        for b in got.rejected:
            assert (fields[b.index], reasons[b.index]) == (b.field, b.reason), kind
        assert sum(r is not None for r in reasons) == len(got.rejected), kind


def test_fail_raises_the_python_engines_error(rs):
    df = pd.DataFrame({"n": ["1", "two", "3"], "amount": ["5", "7", "oops"]})
    with pytest.raises(RecordError) as python_error:
        rs.classify_many(records_of(df), as_of=AS_OF)
    for kind, frame in kinds(df).items():
        with pytest.raises(RecordError) as frame_error:
            rs.classify_frame(frame, as_of=AS_OF)
        assert str(frame_error.value) == str(python_error.value), kind
        assert frame_error.value.ruleset == "frames_t"
        assert frame_error.value.bad.record == {"n": "3", "amount": "oops"}, kind


def test_several_rulesets_and_label_names():
    one = rulekit.load("lifecycle")
    two = rulekit.compile(ALL_RULES, "all.rules")
    df = pd.DataFrame(
        {
            "recency_days": [10, 400, None, 200],
            "frequency": [5, 1, 0, 2],
            "tenure_days": [500, 900, None, 20],
            "monetary": [1000.0, 50.0, 0.0, 150.0],
            "amount": [150.0, 5.0, None, 100.0],
            "region": ["north", "south", "north", None],
        }
    )
    recs = records_of(df)
    out = rulekit.classify_frame(df, [one, two], as_of=AS_OF, labels="both")
    for r in (one, two):
        _, _, got = expected(r, recs)
        # under hit all a list of labels; none matched: missing, as `rulekit run` writes it
        assert column(out, r.id) == [d.label if r is one else list(d.labels) or None for d in got]
        assert column(out, r.id + "_display") == [d.display for d in got]
    named = rulekit.classify_frame(pl.from_pandas(df), ["lifecycle"], as_of=AS_OF, labels="name")
    assert column(named, one.id) == [d.display for d in expected(one, recs)[2]]
    assert one.id + "_display" not in named.columns


def test_a_result_column_replaces_an_input_column(rs):
    df = typed_frame()
    df["frames_t"] = "old value"
    with pytest.warns(UserWarning, match="already has a column 'frames_t'; the output replaces"):
        out = rs.classify_frame(df, as_of=AS_OF)
    assert list(out.columns).count("frames_t") == 1
    assert column(out, "frames_t") == expected(rs, records_of(typed_frame()))[0]
    table = pa.Table.from_pandas(df, preserve_index=False)
    with pytest.warns(UserWarning):
        assert rs.classify_frame(table, as_of=AS_OF).column_names.count("frames_t") == 1


def test_empty_frames(rs):
    df = typed_frame().iloc[:0]
    for kind, frame in kinds(df).items():
        out = once(rs.classify_frame(frame, as_of=AS_OF, on_error="skip"))
        assert column(out, "frames_t") == [], kind
        assert column(out, "frames_t_rejected_reason") == [], kind


def test_a_frozen_or_frame_population(rs):
    df = typed_frame()
    recs = records_of(df)
    frozen = rs.freeze(recs[:3], as_of=AS_OF)
    labels = expected(rs, recs, population=frozen)[0]
    assert column(rs.classify_frame(df, as_of=AS_OF, population=frozen), "frames_t") == labels
    got = rs.classify_frame(pl.from_pandas(df), as_of=AS_OF, population=df.iloc[:3])
    assert column(got, "frames_t") == labels


def test_shipped_rfm_on_the_example_customers():
    rs = rulekit.load("rfm")
    path = "examples/data/customers.csv"
    df = pd.read_csv(path)
    import csv

    with open(path, encoding="utf-8") as f:
        labels, rules, _ = expected(rs, list(csv.DictReader(f)))
    out = rs.classify_frame(df, as_of=AS_OF)
    assert column(out, "rfm") == labels
    assert column(out, "rfm_rule") == rules
    assert len(set(labels)) >= 6


def test_clear_errors():
    rs = rulekit.compile("IF x > 1 THEN big", "e.rules")
    with pytest.raises(RulekitError, match="classify_many"):
        rs.classify_frame([{"x": 1}])
    with pytest.raises(RulekitError, match="'fail' or 'skip'"):
        rs.classify_frame(pd.DataFrame({"x": [1]}), on_error="quarantine")
    with pytest.raises(RulekitError, match="labels must be"):
        rs.classify_frame(pd.DataFrame({"x": [1]}), labels="ids")
    with pytest.raises(RulekitError, match="two rulesets have the id"):
        rulekit.classify_frame(pd.DataFrame({"x": [1]}), [rs, rs])


def test_a_missing_library_names_its_extra(monkeypatch):
    from rulekit.frames import optional

    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(RulekitError, match=r'pip install "rulekit-engine\[polars\]"'):
        optional("polars")


def test_a_spark_frame_goes_to_the_spark_engine():
    try:
        importlib.import_module("rulekit.spark")
    except ImportError:
        pass
    else:
        pytest.skip("the Spark engine is installed: its own tests cover Spark frames")

    class DataFrame:  # what frame_kind sees of a Spark DataFrame: its type's module and name
        pass

    DataFrame.__module__ = "pyspark.sql.dataframe"
    rs = rulekit.compile("IF x > 1 THEN big", "s.rules")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RulekitError, match=r"rulekit-engine\[spark\]"):
            rs.classify_frame(DataFrame())


def test_nan_is_missing_in_polars_and_arrow(rs):
    # polars and Arrow keep NaN apart from null; rulekit takes both as missing
    values = [math.nan, 150.0, None, 300.0]
    recs = [{"amount": None if v is None or math.isnan(v) else v} for v in values]
    labels = expected(rs, recs)[0]
    frames = [
        pl.DataFrame({"amount": values}, strict=False, nan_to_null=False),
        pa.table({"amount": pa.array(values, pa.float64(), from_pandas=False)}),
    ]
    assert math.isnan(frames[0]["amount"][0]) and math.isnan(frames[1]["amount"][0].as_py())
    for frame in frames:
        assert column(rs.classify_frame(frame, as_of=AS_OF), "frames_t") == labels


def test_a_duckdb_relation_comes_back_on_its_own_connection(rs):
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE people AS SELECT 'c' || range AS customer, range * 60.0 AS amount FROM range(4)"
    )
    out = rs.classify_frame(con.sql("SELECT * FROM people"), as_of=AS_OF)
    joined = out.join(con.table("people").set_alias("p"), "customer").order("customer")
    assert [r[0] for r in joined.select("frames_t").fetchall()] == ["other", "other", "big", "big"]


def test_hit_unique_conflicts_are_set_aside_as_on_the_python_engine():
    rs = rulekit.compile(
        'ruleset u\nhit unique\nfield a : number\nrule "r1" if a > 1 then x\n'
        'rule "r2" if a > 5 then y\n',
        "u.rules",
    )
    df = pd.DataFrame({"a": [0, 2, 6, None]})
    recs = records_of(df)
    labels, rules, got = expected(rs, recs, on_error="skip")
    out = rs.classify_frame(pl.from_pandas(df), as_of=AS_OF, on_error="skip")
    assert column(out, "u") == labels and column(out, "u_rule") == rules
    assert column(out, "u_rejected_reason")[2] == got.rejected[0].reason
    with pytest.raises(RecordError) as python_error:
        rs.classify_many(recs, as_of=AS_OF)
    with pytest.raises(RecordError, match="hit unique") as frame_error:
        rs.classify_frame(df, as_of=AS_OF)
    assert str(frame_error.value) == str(python_error.value)
