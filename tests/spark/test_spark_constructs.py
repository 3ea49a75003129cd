"""The language's newer constructs on Spark against DuckDB, row for row: conditional values
(`if … then … else`, else-if chains, Chinese keywords, in a population argument), field
defaults (a missing, empty or absent column), `highest` / `lowest` (ties, missing candidates,
under hit unique), population filters (`among`, with `by`, top/bottom, cumulative_share),
staged populations, and shared parameters (`param`, `use`, an override). Seeded messy records
(missing values, text, bad values): the same labels, deciding rules and bad-record reasons
(field and words). Every case runs in one batched Spark job (support.classify_cases)."""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path

import rulekit
from tests.conformance.test_conformance import BAD, _in_memory
from tests.spark.support import classify_cases
from tests.spark.test_spark_frozen import MIXED
from tests.test_lang_conditionals import CONDITIONAL, DEFAULTS, PICK
from tests.test_params import PARAMS, RULES
from tests.test_population_stages import STAGED

AS_OF = dt.date(2024, 6, 30)
FULL = os.environ.get("RULEKIT_SPARK_FULL") == "1"

CHINESE = """
规则集 t3 "测试"
字段 分群 : 文本
字段 消费 : 数字 默认 0
标签 高 "高"
标签 低 "低"
令 门槛 = 如果 分群 = "a" 那么 100 否则 如果 分群 = "b" 那么 200 否则 500
如果 消费 > 门槛 则 高
如果 消费 <= 门槛 则 最低(低: 消费, 高: 门槛)
"""

POPULATION_CONDITIONAL = """
ruleset popcond
field x : number default 5
field g : string
field f : integer default 0
let s = score(if g = "a" then x * 10 else x, 3 among f > 0)
let t = x in top 25% among (f >= 1 and g is not missing) by g
hit all
if s = 3 then s3
if s = 1 then s1
if s is missing then s_missing
if t then top
if t is missing then top_missing
if x > 2 then highest(big: x, small: f)
"""

# CI's subset in few rulesets (each ruleset is a Spark plan, and Spark takes a while to plan
# one): conditional values and an else-if chain, field defaults, highest and lowest, a param
# from a `use`d file and one of its own, overridden
COMBINED = """
ruleset combined
use "params.rules"
param cut = 10
field seg : string
field spend : number default 0
field is_member : boolean default false
field p : number
field q : number
label vip
label std
label price
label quality
let threshold = if seg = "a" then 100 else if seg = "b" then 200 else vip_min
rule "vip" if spend > threshold and is_member then vip
rule "std" if (if seg = "b" then spend > cut else spend > 20) then std
rule "pick" if p > 0 or q > 0 then highest(price: p, quality: q)
rule "low" if p < 0 then lowest(price: p, quality: q)
"""

PARAM_OVERRIDE = """
ruleset po
param cut = 10
param names = ["a", "b"]
field v : number
field n : string
if v > cut and n in names then hi
if v <= cut then lo
"""

# per field type: (good values, messy ones) drawn by the generator
VALUES = {
    "number": [0, 1, 2.5, 0.1, 0.3, -3, 7, 100, 1e-9, 12345.678],
    "integer": [0, 1, 2, 3, 5, 20],
    "string": ["a", "b", "c", "北京"],
    "boolean": [True, False],
    "date": ["2020-01-01", "2024-01-01", "2024-06-30"],
    "duration": [0, 30, 200, 400],
}
MESSY = [None, None, "", "abc"]


def records_for(rs: rulekit.Ruleset, count: int, seed: int) -> list[dict]:
    """Seeded records for the ruleset's fields; a column of mixed kinds is all text (as Spark
    holds it), so that both engines read the same values. One field is left out of some
    records (absent from the dict and the frame alike when no record has it)."""
    rnd = random.Random(seed)
    fields = rs.program.fields
    rows = []
    for _ in range(count):
        row = {}
        for info in fields.values():
            good = VALUES.get(info.type.name, ["x"])
            roll = rnd.random()
            row[info.column] = rnd.choice(MESSY) if roll < 0.15 else rnd.choice(good)
        rows.append(row)
    for column in {info.column for info in fields.values()}:
        kinds = {type(r[column]) for r in rows if r[column] is not None}
        if len(kinds) > 1 or kinds == {str}:
            for r in rows:
                if r[column] is not None:
                    v = r[column]
                    r[column] = ("true" if v else "false") if isinstance(v, bool) else str(v)
    return rows


def cases(tmp_path: Path) -> list[dict]:
    (tmp_path / "params.rules").write_text(PARAMS, encoding="utf-8")
    (tmp_path / "r.rules").write_text(RULES, encoding="utf-8")
    (tmp_path / "combined.rules").write_text(COMBINED, encoding="utf-8")
    combined = rulekit.load(tmp_path / "combined.rules", params={"cut": 3})
    out = [{"name": "combined", "ruleset": combined, "records": records_for(combined, 60, 30)}]
    for name, text in (("chinese", CHINESE), ("population_conditional", POPULATION_CONDITIONAL)):
        rs = rulekit.compile(text, f"{name}.rules")
        out.append({"name": name, "ruleset": rs, "records": records_for(rs, 50, len(out))})
    # a column the records never have: the field's default fills it on every row
    absent = rulekit.compile(DEFAULTS, "absent.rules")
    rows = [{k: v for k, v in r.items() if k != "spend"} for r in records_for(absent, 20, 22)]
    out.append({"name": "defaults_absent_column", "ruleset": absent, "records": rows})
    return out + (full_cases(tmp_path) if FULL else [])


def full_cases(tmp_path: Path) -> list[dict]:
    """Each construct in a ruleset of its own, the filters and staged populations live, and
    shipped rulesets (RULEKIT_SPARK_FULL=1)."""
    texts = {
        "conditional": CONDITIONAL,
        "defaults": DEFAULTS,
        "pick": PICK,
        "pick_unique": "hit unique\n" + PICK,
        "chinese": CHINESE,
        "among_by_share": MIXED,
        "staged": STAGED,
    }
    out = []
    for i, (name, text) in enumerate(texts.items()):
        rs = rulekit.compile(text, f"{name}.rules")
        out.append({"name": f"full_{name}", "ruleset": rs, "records": records_for(rs, 40, i)})
    uses = rulekit.load(tmp_path / "r.rules")
    out.append({"name": "use", "ruleset": uses, "records": records_for(uses, 30, 20)})
    override = rulekit.compile(PARAM_OVERRIDE, "po.rules", params={"cut": 3})
    out.append(
        {"name": "param_override", "ruleset": override, "records": records_for(override, 30, 21)}
    )
    # shipped rulesets that use the shared parameters file
    for ref in ("lifecycle_active_sleeping", "abc_analysis"):
        rs = rulekit.load(ref)
        out.append({"name": ref, "ruleset": rs, "records": records_for(rs, 40, len(out))})
    return out


def test_new_constructs_agree_with_duckdb(spark, tmp_path):
    todo = cases(tmp_path)
    got = classify_cases(todo, AS_OF)
    for case in todo:
        rs = case["ruleset"]
        want = _in_memory(rs, case["records"], "duckdb")
        assert want == _in_memory(rs, case["records"], "python"), case["name"]
        spark_rows = got[case["name"]]
        assert not isinstance(spark_rows, str), spark_rows
        spark_rows = [(BAD, g[1]) if len(g) == 2 else g for g in spark_rows]
        for i, (w, g) in enumerate(zip(want, spark_rows, strict=True)):
            assert g == w, f"{case['name']} record {i} {case['records'][i]!r}"
        kinds = {w[0] is BAD for w in want}
        assert False in kinds, case["name"]  # some rows were labelled or unlabelled, not all bad
    assert {c["name"] for c in todo} <= set(got)
