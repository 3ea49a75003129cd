"""The SQL generator: one handler per node in every dialect, quoting in one place, readable
output, the query of `rulekit sql` running as printed, and the Spark dialect as a subclass."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest

import rulekit
from rulekit.cli import main
from rulekit.compile.sql import Relation, Source, generator_for
from rulekit.compile.sql.duckdb import DuckDBGenerator
from rulekit.compile.sql.generator import _EXPRESSION_NODES, Generator
from rulekit.compile.sql.spark import SparkGenerator
from rulekit.engines import sql_for
from rulekit.syntax import nodes as n

from .conftest import RULESETS

AS_OF = dt.date(2024, 6, 30)
TABLE = Source(Relation(table="customers"))


@pytest.mark.parametrize("cls", [DuckDBGenerator, SparkGenerator])
def test_every_node_class_has_a_handler(cls):
    expression_classes = {
        c
        for c in vars(n).values()
        if isinstance(c, type)
        and issubclass(c, n.Node)
        and c not in (n.Node,)
        and c.__name__
        not in ("FieldDecl", "LetDecl", "LabelDecl", "Rule", "Given", "Example", "Meta")
        and c.__name__ not in ("ParamDecl", "UseDecl")  # statements (params are folded away)
        and c.__name__ not in ("DecisionDecl", "OutputDecl", "Attribute")  # statements
    }
    assert expression_classes == set(_EXPRESSION_NODES)
    assert set(cls._dispatch) == set(_EXPRESSION_NODES)


def test_dialects_are_small_subclasses():
    assert issubclass(SparkGenerator, Generator) and issubclass(DuckDBGenerator, Generator)
    assert DuckDBGenerator.NULL_ORDERING == "nulls_are_last"
    assert SparkGenerator.NULL_ORDERING == "nulls_are_small"
    assert generator_for("spark") is SparkGenerator
    with pytest.raises(rulekit.RulekitError):
        generator_for("oracle")


NASTY = [
    "it's",
    'say "hi"',
    "back\\slash",
    "-- not a comment",
    "*/ /*",
    "'); DROP TABLE customers; --",
    "北京",
    "",
]


@pytest.mark.parametrize("text", NASTY)
def test_strings_are_data_never_code(text):
    """Every string of a rule reaches SQL through string_sql: the query runs and compares with
    the exact text."""
    lit = text.replace("\\", "\\\\").replace('"', '\\"')
    rs = rulekit.compile(f'field s : string\nrule "r{lit}" if s = "{lit}" then hit', "q.rules")
    records = [{"s": text}, {"s": text + "x"}, {"s": None}]
    got = rs.classify_many(records, engine="duckdb")
    assert (
        got.labels
        == rs.classify_many(records).labels
        == (["hit", None, None] if text else [None, None, None])
    )
    assert got[0].rule is None or got[0].rule.name == "r" + text


def test_names_are_quoted_by_construction():
    """Names that are SQL keywords, have quotes or Chinese letters, or differ only by case."""
    text = r"""
    field select : integer
    field 最近购买 : duration from "col \"quoted\" -- x"
    field Order : number
    let order_ = select * 2
    if select > 1 and 最近购买 > 30d and Order >= 0 and order_ > 2 then ok
    """
    rs = rulekit.compile(text, "names.rules")
    records = [
        {"select": 3, 'col "quoted" -- x': 40, "Order": 1},
        {"select": 1, 'col "quoted" -- x': 40, "Order": 1},
    ]
    assert rs.classify_many(records, engine="duckdb").labels == ["ok", None]
    sql = DuckDBGenerator(rs.program).labelled_sql(TABLE)
    assert '"col ""quoted"" -- x"' in sql
    assert '`col "quoted" -- x`' in SparkGenerator(rs.program).labelled_sql(TABLE)


def test_quoting_happens_in_two_methods_only():
    """Outside identifier_sql and string_sql, the generator never builds a quoted name or
    text from user data: every occurrence of a field name in the SQL is quoted."""
    rs = rulekit.compile(
        'field weird_name : string\nif weird_name = "weird_name" then x', "w.rules"
    )
    sql = DuckDBGenerator(rs.program, as_of=AS_OF).labelled_sql(TABLE)
    for match in re.finditer("weird_name", sql):
        before = sql[match.start() - 1]
        assert (
            before in "\"'"
            or sql[: match.start()].rstrip().endswith("--")
            or "--" in sql[sql.rfind("\n", 0, match.start()) : match.start()]
        ), sql


def test_readable_output_of_rfm():
    rs = rulekit.load(RULESETS / "rfm.rules")
    sql = sql_for(rs, as_of=AS_OF)
    assert sql.startswith("-- rulekit ruleset rfm")
    assert "as of 2024-06-30" in sql
    # the spec's window definitions, with explicit null ordering
    assert (
        'least(5, 1 + (5 * (rank() OVER (ORDER BY "rk_arg_1" ASC NULLS LAST) - 1)) // '
        'count("rk_arg_1") OVER ())' in sql
    )
    assert "-- R高 F高 M高 → important_value" in sql
    assert 'AS "rfm_rule"' in sql and sql.rstrip().endswith('ORDER BY "rk_row"')
    # one CASE in evaluation order decides
    assert sql.count("THEN 0  --") == 1


def test_printed_query_runs_and_agrees_with_python():
    rs = rulekit.load(RULESETS / "rfm.rules")
    from rulekit import io as rio

    table = rio.read_table(RULESETS.parent / "examples" / "data" / "customers.csv")
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE customers AS SELECT * FROM read_csv(?, all_varchar = false)",
        [str(table.path)],
    )
    got = con.execute(sql_for(rs, as_of=AS_OF)).fetchall()
    names = [d[0] for d in con.description]
    labels = [dict(zip(names, r))["rfm"] for r in got]
    assert labels == rs.classify_many(table.rows, as_of=AS_OF).labels


def test_sql_command(capsys):
    assert main(["sql", str(RULESETS / "rfm.rules"), "--as-of", "2024-06-30"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("-- rulekit ruleset rfm") and "ORDER BY" in out
    assert main(["sql", "rfm", "--dialect", "spark", "--table", "crm.customers"]) == 0
    out = capsys.readouterr().out
    assert "FROM `crm`.`customers`" in out and "current_date" in out and " div " in out
    assert main(["sql", "rfm", "--data", "examples/data/customers.csv"]) == 0
    assert "read_csv(" in capsys.readouterr().out
    assert main(["sql", "rfm", "--dialect", "spark", "--data", "x.csv"]) == 2
    assert main(["sql", "no_such_ruleset"]) == 2


def test_spark_dialect_overrides():
    rs = rulekit.compile(
        """
        hit all
        field s : string
        field tags : list of string
        field d : date
        field x : number
        let r = round(x, 2)
        if s starts with "a" and len(tags) > 1 then a
        if "b" in tags or d + 3d > 2024-01-01 then b
        if r / 2 > 1 and s contains "北" then c
        """,
        "spark.rules",
    )
    sql = SparkGenerator(rs.program, as_of=AS_OF).labelled_sql(TABLE)
    for part in (
        "`s`",
        "startswith(`s`, 'a')",
        "size(`tags`)",
        "array_contains(`tags`, 'b')",
        "date_add(`d`,",
        "round(CAST(`x` AS DOUBLE), 2)",
        "filter(array(",
        "array_distinct(",
        "-> ",
        "contains(`s`, '北')",
    ):
        assert part in sql, part
    assert "lambda" not in sql
    assert SparkGenerator(rs.program).string_sql("it's \\") == "'it\\'s \\\\'"


def test_unsupported_constructs_are_recorded_not_raised():
    rs = rulekit.load(RULESETS / "rfm.rules")
    gen = SparkGenerator(rs.program)  # Spark reads tables, not files
    sql = gen.labelled_sql(Source(Relation(path="customers.csv", format="csv")))
    assert gen.unsupported_messages
    assert sql.startswith("-- unsupported in spark: reading the file customers.csv")


def test_rounding_half_away_from_zero_on_the_decimal_form():
    rs = rulekit.compile(
        "field x : number\nlet r = round(x, 2)\nif r = 2.68 then up\nif r = 2.67 then down",
        "r.rules",
    )
    records = [{"x": 2.675}, {"x": 2.665}, {"x": -2.675}, {"x": 2.6749999}]
    assert (
        rs.classify_many(records, engine="duckdb").labels
        == rs.classify_many(records).labels
        == ["up", "down", None, "down"]
    )


def test_division_by_zero_and_min_max_with_missing():
    rs = rulekit.compile(
        """
        field a : number
        field b : number
        if a / b > 1 then ratio
        if min(a, b) is missing then nomin
        if max(a, b) > 5 then big
        """,
        "d.rules",
    )
    records = [{"a": 4, "b": 0}, {"a": 4, "b": 2}, {"a": None, "b": 9}, {"a": 9, "b": 1}]
    assert (
        rs.classify_many(records, engine="duckdb").labels
        == rs.classify_many(records).labels
        == [None, "ratio", "nomin", "ratio"]
    )


def test_docs_show_the_current_query(capsys):
    """docs/batch.md shows what `rulekit sql rfm --as-of 2024-06-30` prints, verbatim."""
    doc = (RULESETS.parent / "docs" / "batch.md").read_text(encoding="utf-8")
    shown = doc.split("```sql\n", 1)[1].split("```", 1)[0]
    assert main(["sql", "rfm", "--as-of", "2024-06-30"]) == 0
    assert capsys.readouterr().out == shown


def test_readme_shows_the_current_query(capsys):
    """README.md shows the decision step of `rulekit sql lifecycle --as-of 2024-06-30`."""
    readme = (RULESETS.parent / "README.md").read_text(encoding="utf-8")
    shown = readme.split("```sql\n", 1)[1].split("```", 1)[0]
    assert main(["sql", "lifecycle", "--as-of", "2024-06-30"]) == 0
    out = capsys.readouterr().out
    assert shown.startswith('"rk_decided" AS (') and out.endswith(shown)
