"""Build cases/sql_null.json and cases/ranking.json. The expected values are copied from the
sources named in each case (DuckDB sqllogictest files, PostgreSQL's regression output, pandas'
documented examples), translated by LANGUAGE.md's definitions where noted; nothing here runs
rulekit.  python tests/conformance/tools/build_sql_rank.py"""

from __future__ import annotations

import json
import re
from fractions import Fraction as F
from pathlib import Path

CASES = Path(__file__).resolve().parent.parent / "cases"
DUCKDB = {"repo": "duckdb/duckdb", "commit": "044a04a7cd39e6e8235f756597ae42dde084e5e5"}
PG = {
    "repo": "postgres/postgres",
    "commit": "02ddd499322ab6f2f0d58692955dc9633c2150fc",
    "path": "src/test/regress/expected/window.out",
}
TRUTH = 'hit all\nrule "true" if {c} then yes\nrule "not true" if not ({c}) then no\n'
SQL_BOOL = {"1": ["yes"], "0": ["no"], "NULL": []}
V = {"true": True, "false": False, "NULL": None}

sql = []


def sql_case(name, path, query, decls, cond, records, outputs):
    sql.append(
        {
            "name": name,
            "source": DUCKDB | {"path": path, "case": query},
            "rules": decls + TRUTH.format(c=cond),
            "records": records,
            "expect": [SQL_BOOL[o] for o in outputs],
        }
    )


# test/sql/function/operator/test_conjunction.test: constant truth tables (a, b are fields)
CONJ = "test/sql/function/operator/test_conjunction.test"
for q, out in [
    ("true AND true", "1"), ("true AND false", "0"), ("false AND true", "0"),
    ("false AND false", "0"), ("false AND NULL", "0"), ("NULL AND false", "0"),
    ("NULL AND true", "NULL"), ("true AND NULL", "NULL"), ("true OR true", "1"),
    ("true OR NULL", "1"), ("NULL OR true", "1"), ("false OR NULL", "NULL"),
    ("NULL OR false", "NULL"), ("true OR false", "1"), ("false OR true", "1"),
    ("false OR false", "0"),
]:  # fmt: skip
    a, op, b = q.split()
    sql_case(
        f"conjunction/{q}",
        CONJ,
        f"SELECT {q}",
        "field a : boolean\nfield b : boolean\n",
        f"a {op.lower()} b",
        [{"a": V[a], "b": V[b]}],
        [out],
    )
# the same file, over table a(i) = 3, 4, 5; a NULL constant is a missing field n
for q, cond, out in [
    ("true AND i>3", "t and i > 3", ["0", "1", "1"]),
    ("i>3 AND true", "i > 3 and t", ["0", "1", "1"]),
    ("2>3 AND i>3", "2 > 3 and i > 3", ["0", "0", "0"]),
    ("false AND i>3", "f and i > 3", ["0", "0", "0"]),
    ("i>3 AND false", "i > 3 and f", ["0", "0", "0"]),
    ("false OR i>3", "f or i > 3", ["0", "1", "1"]),
    ("i>3 OR false", "i > 3 or f", ["0", "1", "1"]),
    ("true OR i>3", "t or i > 3", ["1", "1", "1"]),
    ("i>3 OR true", "i > 3 or t", ["1", "1", "1"]),
    ("NULL OR i>3", "n or i > 3", ["NULL", "1", "1"]),
    ("i>3 OR NULL", "i > 3 or n", ["NULL", "1", "1"]),
    ("NULL AND i>3", "n and i > 3", ["0", "NULL", "NULL"]),
    ("i>3 AND NULL", "i > 3 and n", ["0", "NULL", "NULL"]),
]:
    sql_case(
        f"conjunction/{q} FROM a",
        CONJ,
        f"SELECT {q} FROM a ORDER BY i",
        "field i : integer\nfield t : boolean\nfield f : boolean\nfield n : boolean\n",
        cond,
        [{"i": i, "t": True, "f": False, "n": None} for i in (3, 4, 5)],
        out,
    )
# test/sql/function/generic/test_between.test
BETW = "test/sql/function/generic/test_between.test"
for q, out in [
    ("10 BETWEEN 10 AND 20", "1"), ("9 BETWEEN 10 AND 20", "0"),
    ("10 BETWEEN NULL AND 20", "NULL"), ("30 BETWEEN NULL AND 20", "0"),
    ("10 BETWEEN 10 AND NULL", "NULL"), ("9 BETWEEN 10 AND NULL", "0"),
    ("NULL BETWEEN 10 AND 20", "NULL"), ("NULL BETWEEN NULL AND 20", "NULL"),
    ("NULL BETWEEN 10 AND NULL", "NULL"), ("NULL BETWEEN NULL AND NULL", "NULL"),
]:  # fmt: skip
    x, _, lo, _, hi = q.split()
    num = lambda s: None if s == "NULL" else int(s)  # noqa: E731
    sql_case(
        f"between/{q}",
        BETW,
        f"SELECT {q}",
        "field x : integer\nfield lo : integer\nfield hi : integer\n",
        "x between lo and hi",
        [{"x": num(x), "lo": num(lo), "hi": num(hi)}],
        [out],
    )
# over integers(i) = NULL, 1, 2, 3 (ORDER BY i with nulls first)
for q, cond, out in [
    ("i BETWEEN 1 AND 2", "i between 1 and 2", ["NULL", "1", "1", "0"]),
    ("i BETWEEN NULL AND 2", "i between n and 2", ["NULL", "NULL", "NULL", "0"]),
    ("i BETWEEN 2 AND NULL", "i between 2 and n", ["NULL", "0", "NULL", "NULL"]),
]:
    sql_case(
        f"between/{q} FROM integers",
        BETW,
        f"SELECT {q} FROM integers ORDER BY i",
        "field i : integer\nfield n : integer\n",
        cond,
        [{"i": i, "n": None} for i in (None, 1, 2, 3)],
        out,
    )
# test/sql/types/null/test_is_null.test over test(a) = 11, NULL, 13
ISNULL = "test/sql/types/null/test_is_null.test"
for q, cond, out in [
    ("a IS NULL", "a is missing", ["0", "1", "0"]),
    ("a IS NOT NULL", "a is not missing", ["1", "0", "1"]),
]:
    sql_case(
        f"is_null/{q}",
        ISNULL,
        f"SELECT {q} FROM test ORDER BY b",
        "field a : integer\n",
        cond,
        [{"a": a} for a in (11, None, 13)],
        out,
    )
# test/sql/types/null/test_null.test: NULL propagates through arithmetic; x / 0 is NULL
NULLT = "test/sql/types/null/test_null.test"
VALUE = 'let v = {e}\nhit first\ndefault other\nrule "missing" if v is missing then null\n'
for q, e, recs, out in [
    ("SELECT 3 + NULL", "3 + n", [{"n": None}], ["null"]),
    ("SELECT NULL + 3", "n + 3", [{"n": None}], ["null"]),
    ("SELECT NULL + NULL", "n + n", [{"n": None}], ["null"]),
    ("SELECT 1 + (NULL + NULL)", "1 + (n + n)", [{"n": None}], ["null"]),
    ("SELECT 4 / 0", "4 / z", [{"z": 0}], ["null"]),
    ("SELECT a / 0 FROM test", "a / 0", [{"a": 11}, {"a": None}, {"a": 13}], ["null"] * 3),
    ("SELECT a / (a - a) FROM test", "a / (a - a)", [{"a": 11}, {"a": None}, {"a": 13}],
     ["null"] * 3),
]:  # fmt: skip
    fields = sorted({k for r in recs for k in r})
    sql.append(
        {
            "name": f"null/{q}",
            "source": DUCKDB | {"path": NULLT, "case": q},
            "rules": "".join(f"field {f} : number\n" for f in fields) + VALUE.format(e=e),
            "records": recs,
            "expect": out,
        }
    )
# a + b over test(a, b) = (11, 22), (NULL, 21), (13, 22): 33, NULL, 35
sql.append(
    {
        "name": "null/SELECT a + b FROM test",
        "source": DUCKDB | {"path": NULLT, "case": "SELECT a + b FROM test"},
        "rules": "field a : integer\nfield b : integer\nlet v = a + b\nhit first\n"
        'rule "missing" if v is missing then null\nrule "33" if v = 33 then v33\n'
        'rule "35" if v = 35 then v35\n',
        "records": [{"a": 11, "b": 22}, {"a": None, "b": 21}, {"a": 13, "b": 22}],
        "expect": ["v33", "null", "v35"],
    }
)

# test/sql/function/generic/test_in.test over integers(i) = NULL, 1, 2, 3 (nulls first). SQL
# defines `x IN (a, b)` as `x = a OR x = b`: a list with expressions or NULL is written so
IN_T = "test/sql/function/generic/test_in.test"
EIGHT = "[1, 2, 3, 4, 5, 6, 7, 8]"
TEENS = "11, 12, 13, 14, 15, 16, 17, 18"
for q, cond, out in [
    ("i IN (1, 2, 3, 4, 5, 6, 7, 8)", f"i in {EIGHT}", ["NULL", "1", "1", "1"]),
    ("i NOT IN (1, 3, 4, 5, 6, 7, 8)", "i not in [1, 3, 4, 5, 6, 7, 8]", ["NULL", "0", "1", "0"]),
    ("i IN (1, 2, NULL, 4, 5, 6, 7, 8)", "i in [1, 2, 4, 5, 6, 7, 8] or i = n",
     ["NULL", "1", "1", "NULL"]),
    ("i IN (i + 1)", "i = i + 1", ["NULL", "0", "0", "0"]),
    ("i IN (i + 1, 42, i)", "i = i + 1 or i = 42 or i = i", ["NULL", "1", "1", "1"]),
    ("1 IN (i - 1, i, i + 1)", "1 = i - 1 or 1 = i or 1 = i + 1", ["NULL", "1", "1", "0"]),
    ("1 NOT IN (i - 1, i, i + 1)", "not (1 = i - 1 or 1 = i or 1 = i + 1)",
     ["NULL", "0", "0", "1"]),
    (f"i IN ({TEENS}, 1, i)", f"i in [{TEENS}, 1] or i = i", ["NULL", "1", "1", "1"]),
    (f"i NOT IN ({TEENS}, 1, i)", f"not (i in [{TEENS}, 1] or i = i)", ["NULL", "0", "0", "0"]),
    (f"1 IN ({TEENS}, 1, i)", f"one in [{TEENS}, 1] or one = i", ["1", "1", "1", "1"]),
    (f"1 NOT IN ({TEENS}, 1, i)", f"not (one in [{TEENS}, 1] or one = i)", ["0", "0", "0", "0"]),
]:  # fmt: skip
    sql_case(
        f"in/{q}",
        IN_T,
        f"SELECT i, {q} FROM integers ORDER BY i",
        "field i : integer\nfield n : integer\nfield one : integer\n",
        cond,
        [{"i": i, "n": None, "one": 1} for i in (None, 1, 2, 3)],
        out,
    )
for q, cond, rec, out in [
    ("SELECT 1 IN [1, 2, 3]", "x in [1, 2, 3]", {"x": 1}, "1"),
    ("SELECT 1 IN [2, 2, 3]", "x in [2, 2, 3]", {"x": 1}, "0"),
]:
    sql_case(f"in/{q}", IN_T, q, "field x : integer\n", cond, [rec], [out])
# test/sql/subquery/any_all/test_scalar_in.test
SCALAR_IN = "test/sql/subquery/any_all/test_scalar_in.test"
for q, cond, rec, out in [
    ("SELECT 1 IN (SELECT 1)", "x in [1]", {"x": 1}, "1"),
    ("SELECT NULL IN (SELECT 1)", "x in [1]", {"x": None}, "NULL"),
    ("SELECT 1 IN (SELECT NULL)", "x = n", {"x": 1, "n": None}, "NULL"),
    ("SELECT 1 IN (SELECT 2)", "x in [2]", {"x": 1}, "0"),
    ("SELECT 4 IN (SELECT * FROM integers) -- 1, 2, 3", "x in [1, 2, 3]", {"x": 4}, "0"),
    ("SELECT 1 IN (SELECT * FROM integers) -- 1, 2, 3", "x in [1, 2, 3]", {"x": 1}, "1"),
    ("SELECT 4 IN (SELECT * FROM integers) -- 1, 2, 3, NULL", "x in [1, 2, 3] or x = n",
     {"x": 4, "n": None}, "NULL"),
    ("SELECT 1 IN (SELECT * FROM integers) -- 1, 2, 3, NULL", "x in [1, 2, 3] or x = n",
     {"x": 1, "n": None}, "1"),
]:  # fmt: skip
    sql_case(
        f"in/{q}",
        SCALAR_IN,
        q,
        "field x : integer\nfield n : integer\n",
        cond,
        [{"n": None} | rec],
        [out],
    )
# test/sql/function/operator/test_comparison.test
CMP = "test/sql/function/operator/test_comparison.test"
for q, cond, rec, out in [
    ("1 == 1", "x == 1", {"x": 1}, "1"), ("1 = 1", "x = 1", {"x": 1}, "1"),
    ("1 == 0", "x == 0", {"x": 1}, "0"), ("1 = 0", "x = 0", {"x": 1}, "0"),
    ("1 == NULL", "x == n", {"x": 1}, "NULL"), ("1 <> 1", "x <> 1", {"x": 1}, "0"),
    ("1 != 1", "x != 1", {"x": 1}, "0"), ("1 <> 0", "x <> 0", {"x": 1}, "1"),
    ("1 != 0", "x != 0", {"x": 1}, "1"), ("1 <> NULL", "x <> n", {"x": 1}, "NULL"),
    ("1 < 2 AND 2 < 3", "x < 2 and 2 < 3", {"x": 1}, "1"),
]:  # fmt: skip
    sql_case(
        f"comparison/{q}",
        CMP,
        f"SELECT {q}",
        "field x : integer\nfield n : integer\n",
        cond,
        [{"n": None} | rec],
        [out],
    )

# SQLite's sqllogictest, test/evidence/in1.test (mirror gregrahn/sqllogictest): the IN / NOT IN
# matrix (R-50221-42915) over explicit lists. A NULL in the list is a missing field n (SQL's
# x IN (a, NULL) = x = a OR x = NULL); a NULL left operand is a missing x. Empty lists (`IN ()`,
# an SQLite extension) and subqueries over tables are left out.
SQLITE = {
    "repo": "gregrahn/sqllogictest",
    "commit": "df004f696d1183b14f06058bb0c18d340b051ce1",
    "path": "test/evidence/in1.test",
}
IN1 = [
    ("SELECT 1 IN (2)", "0"), ("SELECT 1 IN (2,3,4,5,6,7,8,9)", "0"),
    ("SELECT 1 NOT IN (2)", "1"), ("SELECT 1 NOT IN (2,3,4,5,6,7,8,9)", "1"),
    ("SELECT 1 IN (2,3,4)", "0"), ("SELECT 1 NOT IN (2,3,4)", "1"),
    ("SELECT 'a' IN ('b','c','d')", "0"), ("SELECT 'a' NOT IN ('b','c','d')", "1"),
    ("SELECT 2 IN (2,3,4,null)", "1"), ("SELECT 3 NOT IN (2,3,4,null)", "0"),
    ("SELECT 4 IN (2,3,4)", "1"), ("SELECT 2 NOT IN (2,3,4)", "0"),
    ("SELECT 'b' IN ('b','c','d')", "1"), ("SELECT 'c' NOT IN ('b','c','d')", "0"),
    ("SELECT 'd' IN ('b','c',null,'d')", "1"), ("SELECT 'b' NOT IN (null,'b','c','d')", "0"),
    ("SELECT 1 IN (2,3,4,null)", "NULL"), ("SELECT 1 NOT IN (2,3,4,null)", "NULL"),
    ("SELECT 'a' IN ('b','c',null,'d')", "NULL"), ("SELECT 'a' NOT IN (null,'b','c','d')", "NULL"),
    ("SELECT null IN (2,3,4,null)", "NULL"), ("SELECT null NOT IN (2,3,4,null)", "NULL"),
    ("SELECT null IN (2,3,4)", "NULL"), ("SELECT null NOT IN (2,3,4)", "NULL"),
    ("SELECT null IN ('b','c','d')", "NULL"), ("SELECT null NOT IN ('b','c','d')", "NULL"),
    ("SELECT null IN ('b','c',null,'d')", "NULL"),
    ("SELECT null NOT IN (null,'b','c','d')", "NULL"),
]  # fmt: skip
for q, out in IN1:
    m = re.fullmatch(r"SELECT (\S+) (NOT IN|IN) \((.*)\)", q)
    lhs, op, items = m.groups()
    items = [i.strip() for i in items.split(",")]
    has_null = "null" in items
    vals = [i.replace("'", '"') for i in items if i != "null"]
    text = any(v.startswith('"') for v in vals)
    cond = f"x in [{', '.join(vals)}]" + (" or x = n" if has_null else "")
    if op == "NOT IN":
        cond = f"not ({cond})" if has_null else f"x not in [{', '.join(vals)}]"
    x = None if lhs == "null" else (lhs.strip("'") if text else int(lhs))
    typ = "string" if text else "integer"
    sql.append(
        {
            "name": f"sqlite-in1/{q}",
            "source": SQLITE | {"case": q},
            "rules": f"field x : {typ}\nfield n : {typ}\n" + TRUTH.format(c=cond),
            "records": [{"x": x, "n": None}],
            "expect": [SQL_BOOL[out]],
        }
    )

# test_comparison.test, string <-> number: a numeric string is cast where a number is compared
# ('1000' > 20 is true), two strings compare as text ('1000' > '20' is false), and a string that
# is no number is an error ('abc' > 10, 20.0 = 'abc'): in rulekit a value that cannot be coerced
# to the declared type is a bad record naming the field.
for q, decl, cond, rec, out in [
    ("select '1000' > 20", "field x : number\n", "x > 20", {"x": "1000"}, "1"),
    ("select '1000' > '20'", "field x : string\n", 'x > "20"', {"x": "1000"}, "0"),
    ("select ('abc' between '20' and 'true')", "field x : string\n",
     'x between "20" and "true"', {"x": "abc"}, "1"),
]:  # fmt: skip
    sql_case(f"comparison/{q}", CMP, q, decl, cond, [rec], [out])
for q, cond in [("select 'abc' > 10", "x > 10"), ("select 20.0 = 'abc'", "20.0 = x")]:
    sql.append(
        {
            "name": f"comparison/{q}",
            "source": DUCKDB | {"path": CMP, "case": f"statement error: {q}"},
            "rules": "field x : number\n" + TRUTH.format(c=cond),
            "records": [{"x": "abc"}, {"x": "12"}],
            "expect": [{"bad": "", "field": "x"}, SQL_BOOL["1" if ">" in cond else "0"]],
            "note": "the error is per record: a bad record; the second record (a numeric "
            "string, cast as '1000' > 20 is) shows the run goes on",
        }
    )

# test/sql/function/operator/test_arithmetic_sqllogic.test: a WHERE clause mixing NULL bounds,
# NULL arithmetic and NOT BETWEEN; over tab1 it keeps the rows with col2 = 96 and 68 (rows 1, 3).
# CAST(NULL AS INTEGER) is a missing integer field n. A WHERE keeps a row only when TRUE: the
# rule fires only then. Unary + (no rulekit operator; it is the identity) is dropped.
ARITH = "test/sql/function/operator/test_arithmetic_sqllogic.test"
sql.append(
    {
        "name": "arithmetic_sqllogic/NOT 18 BETWEEN NULL AND ... OR NOT col0 BETWEEN ... AND NULL",
        "source": DUCKDB
        | {
            "path": ARITH,
            "case": "SELECT DISTINCT - col2 AS col2 FROM tab1 WHERE "
            "NOT 18 BETWEEN NULL AND ( + col0 * + CAST ( NULL AS INTEGER ) + - 3 / "
            "col2 ) OR NOT col0 BETWEEN col2 + + col1 AND NULL ORDER BY 1 DESC",
        },
        "rules": "field col0 : integer\nfield col1 : integer\nfield col2 : integer\n"
        "field n : integer\nhit first\n"
        'rule "where" if not (18 between n and (col0 * n + -3 / col2)) '
        "or not (col0 between col2 + col1 and n) then kept\n",
        "records": [
            {"col0": 51, "col1": 14, "col2": 96, "n": None},
            {"col0": 85, "col1": 5, "col2": 59, "n": None},
            {"col0": 91, "col1": 47, "col2": 68, "n": None},
        ],
        "expect": ["kept", None, "kept"],
    }
)

# ------------------------------------------------------------------ ranking
rank = []
# PostgreSQL window.out over tenk1 WHERE unique2 < 10: rows (ten, four) in the output's order
TENK = [(0, 0), (0, 0), (4, 0), (1, 1), (1, 1), (7, 1), (9, 1), (0, 2), (1, 3), (3, 3)]
TEN_RECORDS = [{"ten": t, "four": f} for t, f in TENK]
PCT = [0, 0, 1, 0, 0, 0.6666666666666666, 1, 0, 0, 1]  # percent_rank() (partition by four)
CUME = [0.6666666666666666, 0.6666666666666666, 1, 0.5, 0.5, 0.75, 1, 1, 0.5, 1]  # cume_dist()
RANK = [1, 1, 3, 1, 1, 3, 4, 1, 1, 2]  # rank() OVER (PARTITION BY four ORDER BY ten)
SIZES = {0: 3, 1: 4, 2: 1, 3: 2}
TF = "field ten : integer\nfield four : integer\n"


def pct_label(p):
    return {0: "p0", 1: "p100"}.get(p, "p66")


rank.append(
    {
        "name": "pg/percent_rank partition by four",
        "source": PG | {"case": "SELECT percent_rank() OVER (PARTITION BY four ORDER BY ten)"},
        "rules": TF + "let p = percentile(ten by four)\nhit first\n"
        'rule "0" if p = 0 then p0\nrule "100" if p = 100 then p100\n'
        'rule "66.67" if p > 66.66 and p < 66.67 then p66\n',
        "records": TEN_RECORDS,
        "expect": [pct_label(p) for p in PCT],
        "note": "percentile = 100 × percent_rank (the same definition)",
    }
)
for p in (F("0.5"), F("0.3"), F("0.26"), F("0.01")):
    rank.append(
        {
            "name": f"pg/cume_dist partition by four: top {round(p * 100)}%",
            "source": PG | {"case": "SELECT cume_dist() OVER (PARTITION BY four ORDER BY ten)"},
            "rules": TF
            + f'hit first\nrule "top" if ten in top {round(p * 100)}% by four then top\n',
            "records": TEN_RECORDS,
            "expect": ["top" if c > 1 - p + 1e-12 else None for c in CUME],
            "note": "x in top p ⟺ greater(x) < p·N ⟺ cume_dist(x) > 1 − p (cume_dist = "
            "(N − greater(x)) / N)",
        }
    )
for n in (2, 3, 4):
    want = [min(n, 1 + (n * (r - 1)) // SIZES[f]) for r, (_t, f) in zip(RANK, TENK, strict=True)]
    rank.append(
        {
            "name": f"pg/rank partition by four: score(ten, {n})",
            "source": PG
            | {"case": "SELECT rank() OVER (PARTITION BY four ORDER BY ten) AS rank_1"},
            "rules": TF
            + f"let s = score(ten, {n} by four)\nhit first\n"
            + "".join(f'rule "{k}" if s = {k} then s{k}\n' for k in range(1, n + 1)),
            "records": TEN_RECORDS,
            "expect": [f"s{w}" for w in want],
            "note": "score by the spec from PostgreSQL's rank(): less(x) = rank − 1; "
            "PostgreSQL's ntile splits ties, rulekit's score does not",
        }
    )
for q in (F("0.2"), F("0.5")):  # x in bottom q ⟺ rank − 1 < q·N
    rank.append(
        {
            "name": f"pg/rank partition by four: bottom {round(q * 100)}%",
            "source": PG
            | {"case": "SELECT rank() OVER (PARTITION BY four ORDER BY ten) AS rank_1"},
            "rules": TF
            + f'hit first\nrule "b" if ten in bottom {round(q * 100)}% by four then low\n',
            "records": TEN_RECORDS,
            "expect": [
                "low" if r - 1 < q * SIZES[f] else None
                for r, (_t, f) in zip(RANK, TENK, strict=True)
            ],
            "note": "x in bottom p ⟺ less(x) < p·N, less(x) = rank − 1",
        }
    )
# empsalary (window.out): rank() OVER (PARTITION BY depname ORDER BY salary)
EMP = [
    ("develop", 7, 4200), ("develop", 9, 4500), ("develop", 11, 5200), ("develop", 10, 5200),
    ("develop", 8, 6000), ("personnel", 5, 3500), ("personnel", 2, 3900), ("sales", 3, 4800),
    ("sales", 4, 4800), ("sales", 1, 5000),
]  # fmt: skip
EMP_RANK = [1, 2, 3, 3, 5, 1, 2, 1, 1, 3]
DEPN = {"develop": 5, "personnel": 2, "sales": 3}
EF = "field depname : string\nfield empno : integer\nfield salary : integer\n"
EMP_RECORDS = [{"depname": d, "empno": e, "salary": s} for d, e, s in EMP]
rank.append(
    {
        "name": "pg/empsalary rank by depname: percentile",
        "source": PG
        | {
            "case": "SELECT depname, empno, salary, rank() OVER (PARTITION BY depname ORDER BY salary)"
        },
        "rules": EF
        + "let p = percentile(salary by depname)\nhit first\n"
        + "".join(f'rule "{k}" if p = {k} then p{k}\n' for k in (0, 25, 50, 100)),
        "records": EMP_RECORDS,
        "expect": [
            f"p{round(100 * (r - 1) / (DEPN[d] - 1))}"
            for r, (d, _e, _s) in zip(EMP_RANK, EMP, strict=True)
        ],
        "note": "percentile = 100 (rank − 1) / (N − 1), rank from PostgreSQL's output",
    }
)
# sum(salary) OVER (PARTITION BY depname ORDER BY salary DESC), rank() OVER the same window:
# rows in that output's order; cumulative_share = that running sum / the partition's total
EMP_DESC = [("develop", 6000), ("develop", 5200), ("develop", 5200), ("develop", 4500),
            ("develop", 4200), ("personnel", 3900), ("personnel", 3500), ("sales", 5000),
            ("sales", 4800), ("sales", 4800)]  # fmt: skip
RUNSUM = [6000, 16400, 16400, 20900, 25100, 3900, 7400, 5000, 14600, 14600]
DESC_RANK = [1, 2, 2, 4, 5, 1, 2, 1, 2, 2]
TOTAL = {"develop": 25100, "personnel": 7400, "sales": 14600}
DESC_RECORDS = [{"depname": d, "salary": s} for d, s in EMP_DESC]
DF = "field depname : string\nfield salary : integer\n"
for cut in (F("0.5"), F("0.8")):
    rank.append(
        {
            "name": f"pg/empsalary running sum desc: cumulative_share <= {round(cut * 100)}%",
            "source": PG
            | {
                "case": "SELECT sum(salary) OVER w, rank() OVER w FROM empsalary WINDOW w AS (PARTITION BY depname ORDER BY salary DESC)"
            },
            "rules": DF + f"let c = cumulative_share(salary by depname)\nhit first\n"
            f'rule "A" if c <= {round(cut * 100)}% then A\n',
            "records": DESC_RECORDS,
            "expect": [
                "A" if F(s, TOTAL[d]) <= cut else None
                for s, (d, _x) in zip(RUNSUM, EMP_DESC, strict=True)
            ],
            "note": "cumulative_share(x) = Σ{v ≥ x} / Σ P = PostgreSQL's running sum in "
            "descending order (RANGE frame: ties included) / the partition's sum",
        }
    )
for p in (F("0.2"), F("0.4"), F("0.5")):
    rank.append(
        {
            "name": f"pg/empsalary rank desc: top {round(p * 100)}%",
            "source": PG
            | {
                "case": "SELECT sum(salary) OVER w, rank() OVER w FROM empsalary WINDOW w AS (PARTITION BY depname ORDER BY salary DESC)"
            },
            "rules": DF
            + f'hit first\nrule "top" if salary in top {round(p * 100)}% by depname then top\n',
            "records": DESC_RECORDS,
            "expect": [
                "top" if r - 1 < p * TOTAL_N else None
                for r, TOTAL_N in zip(DESC_RANK, [DEPN[d] for d, _s in EMP_DESC], strict=True)
            ],
            "note": "x in top p ⟺ greater(x) < p·N, greater(x) = rank() descending − 1",
        }
    )
# "identical windows with different names": sum(salary) OVER w1, count(*) OVER w2 with
# w1 = w2 = (ORDER BY salary) over all of empsalary: the default RANGE frame gives, per row,
# Σ{v ≤ x} and #{v ≤ x}. So greater(x) = N − count, less(x) = count − #ties(x), and
# cumulative_share(x) = Σ{v ≥ x} / Σ P = (Σ P − Σ{v < x}) / Σ P, Σ{v < x} = the previous
# group's running sum.
ALL_SAL = [3500, 3900, 4200, 4500, 4800, 4800, 5000, 5200, 5200, 6000]  # ORDER BY salary
ALL_SUM = [3500, 7400, 11600, 16100, 25700, 25700, 30700, 41100, 41100, 47100]
ALL_CNT = [1, 2, 3, 4, 6, 6, 7, 9, 9, 10]
N_ALL, TOT_ALL = 10, 47100
ties = [ALL_SAL.count(x) for x in ALL_SAL]
below = [  # Σ{v < x}: the running sum of the previous salary group
    max([0] + [ALL_SUM[j] for j in range(len(ALL_SAL)) if ALL_SAL[j] < x]) for x in ALL_SAL
]
WIN = PG | {
    "case": "SELECT sum(salary) OVER w1, count(*) OVER w2 FROM empsalary "
    "WINDOW w1 AS (ORDER BY salary), w2 AS (ORDER BY salary)"
}
SAL_RECORDS = [{"salary": x} for x in ALL_SAL]
for p in (F("0.3"), F("0.5")):
    rank.append(
        {
            "name": f"pg/empsalary count over (order by salary): top {round(p * 100)}%",
            "source": WIN,
            "rules": f'field salary : integer\nhit first\nrule "top" if salary in top {round(p * 100)}% then top\n',
            "records": SAL_RECORDS,
            "expect": ["top" if N_ALL - c < p * N_ALL else None for c in ALL_CNT],
            "note": "greater(x) = N − count(*) over (order by salary), RANGE frame",
        }
    )
    rank.append(
        {
            "name": f"pg/empsalary count over (order by salary): bottom {round(p * 100)}%",
            "source": WIN,
            "rules": f'field salary : integer\nhit first\nrule "low" if salary in bottom {round(p * 100)}% then low\n',
            "records": SAL_RECORDS,
            "expect": [
                "low" if c - t < p * N_ALL else None for c, t in zip(ALL_CNT, ties, strict=True)
            ],
            "note": "less(x) = count(*) over (order by salary) − the ties of x",
        }
    )
for cut in (F("0.5"), F("0.8")):
    rank.append(
        {
            "name": f"pg/empsalary sum over (order by salary): cumulative_share <= {round(cut * 100)}%",
            "source": WIN,
            "rules": "field salary : integer\nlet c = cumulative_share(salary)\nhit first\n"
            f'rule "A" if c <= {round(cut * 100)}% then A\n',
            "records": SAL_RECORDS,
            "expect": ["A" if F(TOT_ALL - b, TOT_ALL) <= cut else None for b in below],
            "note": "cumulative_share(x) = (Σ P − Σ{v < x}) / Σ P from the ascending running sum",
        }
    )
# pandas DataFrame.rank docs: Number_legs [4, 2, 4, 8, NaN]; documented default (average)
# rank 2.5, 1, 2.5, 4, NaN and max rank 3, 1, 3, 4, NaN; pct_rank 0.625, 0.25, 0.625, 1, NaN
PANDAS = {
    "repo": "pandas-dev/pandas",
    "path": "pandas/core/generic.py (NDFrame.rank docstring)",
}
LEGS = [4, 2, 4, 8, None]
AVG, MAXR = [2.5, 1, 2.5, 4, None], [3, 1, 3, 4, None]
N_LEGS = 4
LF = "field Animal : string\nfield Number_legs : number\n"
LEG_RECORDS = [
    {"Animal": a, "Number_legs": n}
    for a, n in zip(["cat", "penguin", "dog", "spider", "snake"], LEGS)
]
less = [None if a is None else 2 * a - m - 1 for a, m in zip(AVG, MAXR)]  # min rank − 1
rank.append(
    {
        "name": "pandas/rank pct: percentile",
        "source": PANDAS | {"case": "df['Number_legs'].rank(method='average' / 'max', pct=True)"},
        "rules": LF + "let p = percentile(Number_legs)\nhit first\ndefault other\n"
        'rule "missing" if p is missing then unranked\n'
        + "".join(
            f'rule "{k}" if p > {k} - 0.01 and p < {k} + 0.01 then p{k.split(".")[0]}\n'
            for k in ("0", "33.33", "100")
        ),
        "records": LEG_RECORDS,
        "expect": [
            "unranked" if x is None else f"p{ {0: '0', 1: '33', 3: '100'}[x] }" for x in less
        ],
        "note": "pandas' pct rank is average rank / N (0.625 for the cats); rulekit's percentile "
        "is 100 × less / (N − 1) with less = min rank − 1 = 2 × average − max − 1: 33.33",
    }
)
for p in (F("0.25"), F("0.5")):
    rank.append(
        {
            "name": f"pandas/rank max: top {round(p * 100)}%",
            "source": PANDAS | {"case": "df['Number_legs'].rank(method='max')"},
            "rules": LF
            + f'hit first\nrule "top" if Number_legs in top {round(p * 100)}% then top\n',
            "records": LEG_RECORDS,
            "expect": [None if m is None or not (N_LEGS - m < p * N_LEGS) else "top" for m in MAXR],
            "note": "greater(x) = N − max rank; NaN is missing: out of the population, no label",
        }
    )
# pandas.qcut docs: pd.qcut(range(5), 4, labels=False) -> [0, 0, 1, 2, 3]
rank.append(
    {
        "name": "pandas/qcut range(5) into 4: score",
        "source": {
            "repo": "pandas-dev/pandas",
            "path": "pandas/core/reshape/tile.py (qcut docstring)",
            "case": "pd.qcut(range(5), 4, labels=False)",
        },
        "rules": "field x : integer\nlet s = score(x, 4)\nhit first\n"
        + "".join(f'rule "{k}" if s = {k} then q{k}\n' for k in range(1, 5)),
        "records": [{"x": i} for i in range(5)],
        "expect": [f"q{b + 1}" for b in [0, 0, 1, 2, 3]],
        "note": "score is 1-based (qcut's bin + 1); here the spec's 1 + floor(4·less/5) "
        "agrees with qcut's quantile bins",
    }
)

# pd.qcut(range(5), 3, labels=["good", "medium", "bad"]) -> [good, good, medium, bad, bad]: qcut
# cuts at interpolated quantiles (1.33, 2.67); the spec's score(x, 3) = 1 + floor(3·less/5) gives
# 1, 1, 2, 2, 3. The expectation follows the spec; 3 is "medium" (2) here where qcut says "bad".
rank.append(
    {
        "name": "pandas/qcut range(5) into 3: score by the spec",
        "source": {
            "repo": "pandas-dev/pandas",
            "path": "pandas/core/reshape/tile.py (qcut docstring)",
            "case": 'pd.qcut(range(5), 3, labels=["good", "medium", "bad"])',
        },
        "rules": "field x : integer\nlet s = score(x, 3)\nhit first\n"
        'rule "1" if s = 1 then good\nrule "2" if s = 2 then medium\nrule "3" if s = 3 then bad\n',
        "records": [{"x": i} for i in range(5)],
        "expect": ["good", "good", "medium", "medium", "bad"],
        "note": "translated by LANGUAGE.md: score uses ranks (less(x)), qcut interpolated "
        "quantiles; pandas documents [good, good, medium, bad, bad]",
    }
)

for name, cases, src in (
    ("sql_null", sql, "DuckDB sqllogictest files (duckdb/duckdb) and SQLite sqllogictest"),
    ("ranking", rank, "PostgreSQL regression tests and pandas documentation"),
):
    (CASES / f"{name}.json").write_text(
        json.dumps({"source": src, "skipped": [], "cases": cases}, ensure_ascii=False, indent=1)
        + "\n",
        encoding="utf-8",
    )
    print(name, len(cases))
