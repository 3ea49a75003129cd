"""Build cases/dmn_tck.json from the DMN TCK (github.com/dmn-tck/tck).

Run with the TCK checked out or mirrored (git directory as TCK_GIT): every expected value is read
from the TCK's own test XML; the rule text is the translation of the TCK's decision (hand-written
for decision tables, mechanical for FEEL literal expressions). Nothing here runs rulekit.

    TCK_GIT=/work/.mirror/dmn-tck+tck/repo python tests/conformance/tools/build_tck.py
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = os.environ.get("TCK_GIT", "/work/.mirror/dmn-tck+tck/repo")
OUT = Path(__file__).resolve().parent.parent / "cases" / "dmn_tck.json"
NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
L2, L3 = "TestCases/compliance-level-2", "TestCases/compliance-level-3"
COMMIT = subprocess.run(
    ["git", "-C", REPO, "rev-parse", "HEAD"], capture_output=True, text=True
).stdout.strip()


def show(path: str) -> bytes:
    return subprocess.run(["git", "-C", REPO, "show", "HEAD:" + path], capture_output=True).stdout


def tag(e) -> str:
    return e.tag.split("}")[-1]


def value_of(node):
    """The value held by an inputNode, expected, component or item element."""
    if node is None:
        return None
    comps = node.findall("{*}component")
    if comps:
        return {c.get("name"): value_of(c) for c in comps}
    lst = node.find("{*}list")
    if lst is not None:
        return [value_of(i) for i in lst.findall("{*}item")]
    v = node.find("{*}value")
    if v is None or v.get(NIL) == "true":
        return None
    return v.text


def test_cases(folder: str, name: str):
    """[(case id, {input: value}, {result node: expected})] from the test XML."""
    path = f"{folder}/{name}/{name}-test-01.xml"
    root = ET.fromstring(show(path))
    out = []
    for tc in root:
        if tag(tc) != "testCase":
            continue
        inputs, results, errors = {}, {}, {}
        for n in tc:
            if tag(n) == "inputNode":
                inputs[n.get("name")] = value_of(n)
            elif tag(n) == "resultNode":
                e = n.find("{*}expected")
                results[n.get("name")] = value_of(e)
                errors[n.get("name")] = n.get("errorResult") == "true"
        out.append((tc.get("id"), inputs, results, errors, path))
    return out


def literal_decisions(folder: str, name: str) -> dict[str, str]:
    root = ET.fromstring(show(f"{folder}/{name}/{name}.dmn"))
    out = {}
    for d in root.iter():
        if tag(d) == "decision":
            lits = [x for x in d.iter() if tag(x) == "literalExpression"]
            if lits:
                out[d.get("name")] = lits[0].findtext("{*}text")
    return out


CASES: list[dict] = []
SKIPPED: list[str] = []


FLOAT_BUG = "number literals are binary floats, so decimal sums and differences are inexact"
XFAIL = {
    "0100-arithmetic/add_lhs_number_to_rhs_number_005": FLOAT_BUG,  # 1.2345 + 2.234 = 3.4685
    "0100-arithmetic/subtract_lhs_number_minus_rhs_number_006": FLOAT_BUG,  # 1.1234 - -0.2345
}


def add(case_id, path, rules, records, expect, *, note=None, tck_case=None, expect_rule=None):
    c = {
        "name": case_id,
        "source": {"repo": "dmn-tck/tck", "commit": COMMIT, "path": path, "case": tck_case},
        "rules": rules,
        "records": records,
        "expect": expect,
    }
    if expect_rule is not None:
        c["expect_rule"] = expect_rule
    if note:
        c["note"] = note
    if case_id in XFAIL:
        c["xfail"] = XFAIL[case_id]
    CASES.append(c)


# ------------------------------------------------------------------ decision tables (level 2)

APPROVAL_FIELDS = """field Age : number
field RiskCategory : string one of ["High", "Low", "Medium"]
field isAffordable : boolean
"""


def approval_record(inputs):
    return {
        "Age": float(inputs["Age"]) if "." in inputs["Age"] else int(inputs["Age"]),
        "RiskCategory": inputs["RiskCategory"],
        "isAffordable": inputs["isAffordable"] == "true",
    }


# The deciding rule of each test case (001, 002, 003), read off the TCK's table: the one rule
# whose entries the inputs satisfy (UNIQUE, FIRST), or the matching rule of the highest output
# priority (PRIORITY). Its output is the TCK's expected output.
DECIDING = {
    "0004-simpletable-U": ["r1", "r2", "r3"],
    "0006-simpletable-P1": ["r1", "r2", "r3"],
    "0010-multi-output-U": ["r2", "r3", "r4"],
    "0108-first-hitpolicy": ["r1", "r2", "r3"],
    "0111-first-hitpolicy-singleoutputcol": ["r1", "r2", "r3"],
    "0118-multi-priority-hitpolicy": ["r3", "r1", "r2"],
}


def table(name, rules, result, to_label, record=approval_record, note=None):
    for k, (cid, inputs, results, _errors, path) in enumerate(test_cases(L2, name)):
        exp = to_label(results[result])
        add(
            f"{name}/{cid}",
            path,
            rules,
            [record(inputs)],
            [exp],
            note=note,
            tck_case=cid,
            expect_rule=[DECIDING[name][k]] if name in DECIDING else None,
        )


def single(v):
    return v


def joined(v):  # a multi-output row {Status, Rate} as one label Status_Rate
    return "_".join(v.values()) if isinstance(v, dict) else v


def joined_list(v):  # RULE ORDER / COLLECT over a multi-output table: a list of rows
    return [joined(x) for x in (v if isinstance(v, list) else [v])]


table(
    "0004-simpletable-U",
    APPROVAL_FIELDS
    + """hit unique
rule "r1" if Age >= 18 and RiskCategory in ["Medium", "Low"] and isAffordable = true then Approved
rule "r2" if Age < 18 and RiskCategory in ["Medium", "Low"] and isAffordable = true then Declined
rule "r3" if RiskCategory in ["High"] and isAffordable = true then Declined
rule "r4" if isAffordable = false then Declined
""",
    "Approval Status",
    single,
)
table(
    "0005-simpletable-A",
    APPROVAL_FIELDS
    + """hit first  # ANY: every matching rule has the same output, so the first one gives it
rule "r1" if Age >= 18 and RiskCategory in ["Medium", "Low"] and isAffordable = true then Approved
rule "r2" if Age < 18 then Declined
rule "r3" if RiskCategory in ["High"] then Declined
rule "r4" if isAffordable = false then Declined
""",
    "Approval Status",
    single,
    note="ANY translated to hit first (all matching rules agree on the output)",
)
table(
    "0006-simpletable-P1",
    APPROVAL_FIELDS
    + """hit priority  # output values "Approved", "Declined": Approved ranks first
rule "r1" if Age >= 18 and RiskCategory in ["Medium", "Low"] and isAffordable = true then Approved priority 2
rule "r2" if Age < 18 then Declined priority 1
rule "r3" if RiskCategory in ["High"] then Declined priority 1
rule "r4" if isAffordable = false then Declined priority 1
""",
    "Approval Status",
    single,
    note="PRIORITY by output-value order translated to explicit priority N",
)
table(
    "0007-simpletable-P2",
    APPROVAL_FIELDS
    + """hit priority
rule "r1" if Age >= 18 and RiskCategory in ["Medium", "Low"] and isAffordable = true then Approved priority 2
rule "r2" if true then Declined priority 1
""",
    "Approval Status",
    single,
    note="'-' in every column: the condition `true`",
)
table(
    "0010-multi-output-U",
    APPROVAL_FIELDS
    + """hit unique  # two outputs (Status, Rate) as one label Status_Rate
rule "r1" if Age >= 18 and RiskCategory = "Low" and isAffordable then Approved_Best
rule "r2" if Age >= 18 and RiskCategory = "Medium" and isAffordable then Approved_Standard
rule "r3" if Age < 18 and RiskCategory in ["Medium", "Low"] and isAffordable then Declined_Standard
rule "r4" if RiskCategory = "High" and isAffordable then Declined_Standard
rule "r5" if not isAffordable then Declined_Standard
""",
    "Approval",
    joined,
)
table(
    "0108-first-hitpolicy",
    APPROVAL_FIELDS
    + """hit first
rule "r1" if Age >= 18 and RiskCategory = "Medium" and isAffordable then Approved_Best
rule "r2" if Age >= 12 and RiskCategory = "Medium" and isAffordable then Approved_Standard
rule "r3" if Age < 12 and RiskCategory = "Low" and isAffordable then Declined_Standard
""",
    "Approval",
    joined,
)
table(
    "0109-ruleOrder-hitpolicy",
    APPROVAL_FIELDS
    + """hit all  # RULE ORDER: every match in rule order (no output repeats in these cases)
rule "r1" if Age >= 18 and RiskCategory = "Medium" and isAffordable then Approved_Best
rule "r2" if Age >= 12 and RiskCategory = "Medium" and isAffordable then Approved_Standard
rule "r3" if Age < 12 and RiskCategory = "Low" and isAffordable then Declined_Standard
""",
    "Approval",
    joined_list,
    note="RULE ORDER translated to hit all (no case repeats an output)",
)
table(
    "0111-first-hitpolicy-singleoutputcol",
    """field age : number
hit first
rule "r1" if age > 18 then Cars
rule "r2" if age > 12 then Videogames
rule "r3" if age > 0 then Toys
""",
    "Advertisement",
    single,
    record=lambda i: {"age": int(i["age"])},
)
table(
    "0112-ruleOrder-hitpolicy-singleinoutcol",
    """field Age : number
hit all  # RULE ORDER
rule "r1" if Age >= 18 then Best
rule "r2" if Age >= 12 then Standard
rule "r3" if Age < 12 then Standard
""",
    "Approval",
    lambda v: v if isinstance(v, list) else [v],
    record=lambda i: {"Age": int(i["Age"])},
    note="RULE ORDER translated to hit all (no case repeats an output)",
)
table(
    "0117-multi-any-hitpolicy",
    APPROVAL_FIELDS
    + """hit first  # ANY: every matching rule has the same output
rule "r1" if Age >= 18 and RiskCategory = "Low" and isAffordable then Approved_Best
rule "r2" if Age >= 18 and RiskCategory = "Medium" and isAffordable then Approved_Standard
rule "r3" if Age < 18 and RiskCategory in ["Medium", "Low"] and isAffordable then Declined_Standard
rule "r4" if RiskCategory = "High" and isAffordable then Declined_Standard
rule "r5" if not isAffordable then Declined_Standard
rule "r6" if Age >= 19 and RiskCategory = "Low" and isAffordable then Approved_Best
""",
    "Approval",
    joined,
    note="ANY translated to hit first (all matching rules agree on the output)",
)
table(
    "0118-multi-priority-hitpolicy",
    APPROVAL_FIELDS
    + """hit priority  # first output's values "Approved", "Declined": Approved ranks first
rule "r1" if Age >= 18 and RiskCategory in ["Medium", "Low"] and isAffordable then Approved_Basic priority 2
rule "r2" if Age < 18 then Declined_Standard priority 1
rule "r3" if RiskCategory = "High" then Approved_Standard priority 2
""",
    "Approval Status",
    joined,
    note="PRIORITY by output-value order translated to explicit priority N",
)
table(
    "0119-multi-collect-hitpolicy",
    APPROVAL_FIELDS
    + """hit all  # COLLECT without aggregation
rule "r1" if Age >= 18 and RiskCategory in ["Medium", "Low"] and isAffordable then Approved_Basic
rule "r2" if Age < 18 then Declined_Standard
rule "r3" if RiskCategory = "High" then Approved_Standard
""",
    "Approval Status",
    joined_list,
    note="COLLECT translated to hit all; the TCK lists the rows in rule order",
)
# COLLECT COUNT: the number of matching rules = the number of labels under hit all (every
# rule has its own output)
for cid, inputs, results, _e, path in test_cases(L2, "0116-count-collect-hitpolicy"):
    n = int(results["Salary"])
    labels = ["s100", "s200", "s300", "s500"][:n]
    add(
        f"0116-count-collect-hitpolicy/{cid}",
        path,
        """field NumOfYears : number
hit all  # COLLECT C+: count of the matching rules; these cases match a prefix of the rules
rule "r1" if NumOfYears > 1 then s100
rule "r2" if NumOfYears > 2 then s200
rule "r3" if NumOfYears > 3 then s300
rule "r4" if NumOfYears > 5 then s500
""",
        [{"NumOfYears": int(inputs["NumOfYears"])}],
        [labels],
        tck_case=cid,
        note=f"COLLECT COUNT = {n}: the first {n} rules match (thresholds are increasing)",
    )

# 0017-tableTests (level 3): UNIQUE and PRIORITY tables over a structure's component, a range
# with variable bounds, and dates. `true`/`false` outputs become labels yes / no.
TT = "0017-tableTests"
TT_RULES = {
    "priceGt10": (
        "field price : number\nhit unique\n"
        'rule "r1" if price > 10 then yes\nrule "r2" if price <= 10 then no\n'
    ),
    "priceInRange": (
        "field price : number\nfield numB : number\nfield numC : number\nhit priority\n"
        'rule "r1" if price between numB and numC then In_range priority 2  # [numB..numC]\n'
        'rule "r2" if true then Not_in_range priority 1\n'
    ),
    "dateCompare1": (
        "field dateD : date\nhit unique\n"
        'rule "r1" if dateD > 2016-10-01 then yes\nrule "r2" if dateD <= 2016-10-01 then no\n'
    ),
    "dateCompare2": (
        "field dateD : date\nfield dateE : date\nhit unique\n"
        'rule "r1" if dateD > dateE then yes\nrule "r2" if dateD <= dateE then no\n'
    ),
}
for cid, inputs, results, _e, path in test_cases(L3, TT):
    ((dec, exp),) = results.items()
    rec = {}
    for k, v in inputs.items():
        if k == "structA":
            rec["price"] = int(v["price"])  # structA.price
        elif k.startswith("num"):
            rec[k] = int(v)
        else:
            rec[k] = v
    label = {"true": "yes", "false": "no"}.get(exp, str(exp).replace(" ", "_"))
    add(
        f"{TT}/{cid}",
        path,
        TT_RULES[dec],
        [rec],
        [label],
        tck_case=cid,
        note=f"decision {dec}; the structure's component structA.price is the field price",
    )

# 0050-feel-abs-function (level 3): abs over numbers and days-and-time durations
ABS = {
    "001": ("number", 1, "1"), "002": ("number", -1, "1"), "003": ("number", 0, "0"),
    "006": ("number", -1, "1"),  # abs(n:-1): a named argument
    "011": ("duration", -1, "1d"), "011_a": ("duration", 1, "1d"),
}  # fmt: skip
decisions = literal_decisions(L3, "0050-feel-abs-function")
for cid, _i, results, _errors, path in test_cases(L3, "0050-feel-abs-function"):
    ((dec, exp),) = results.items()
    if cid not in ABS:
        SKIPPED.append(f"0050-feel-abs-function/{cid}: {decisions[dec]}")
        continue
    typ, x, want = ABS[cid]
    add(
        f"0050-feel-abs-function/{cid}",
        path,
        f"field x : {typ}\nlet v = abs(x)\nhit first\ndefault other\n"
        f'rule "missing" if v is missing then null\nrule "equal" if v = {want} then equal\n',
        [{"x": x}],
        ["equal"],
        tck_case=cid,
        note=f"FEEL: {decisions[dec]} = {exp} (x holds the argument; a duration in days)",
    )

SKIPPED += [
    "0110-outputOrder-hitpolicy, 0113-outputOrder-hitpolicy-singleinoutcol: OUTPUT ORDER sorts "
    "the matches by output priority; hit all keeps file order",
    "0114-min-collect-hitpolicy, 0115-sum-collect-hitpolicy: COLLECT MIN / SUM aggregate numeric "
    "outputs; a rulekit result is a label",
    "0020-vacation-days (level 3): COLLECT MAX tables combined by arithmetic into a number",
    "0001-0003 input data, 0008-0009 BKM invocation, 0100-0102 FEEL constants: no decision table "
    "or no rulekit counterpart",
    "0036-dt-variable-input (level 3): input entries compared against a structure input, with "
    "times and years-months durations rulekit has no type for",
]

# 0004-lending (level 3), test case 001: the lending example's single-output tables, each fed
# with the case's inputs and the TCK's expected values of the decisions it depends on
# (ApplicationRiskScore = 130, Pre-bureauRiskCategory = LOW, ...). Outputs with a space become
# labels with an underscore (VERY LOW -> VERY_LOW).
LENDING = {
    "Pre-bureauRiskCategory": (
        """field ExistingCustomer : boolean
field ApplicationRiskScore : number
hit unique
rule "r1" if not ExistingCustomer and ApplicationRiskScore < 100 then HIGH
rule "r2" if not ExistingCustomer and 100 <= ApplicationRiskScore < 120 then MEDIUM
rule "r3" if not ExistingCustomer and 120 <= ApplicationRiskScore < 130 then LOW
rule "r4" if not ExistingCustomer and ApplicationRiskScore > 130 then VERY_LOW
rule "r5" if ExistingCustomer and ApplicationRiskScore < 80 then DECLINE
rule "r6" if ExistingCustomer and 80 <= ApplicationRiskScore < 90 then HIGH
rule "r7" if ExistingCustomer and ApplicationRiskScore between 90 and 110 then MEDIUM
rule "r8" if ExistingCustomer and ApplicationRiskScore > 110 then LOW
""",
        lambda i, r: {
            "ExistingCustomer": i["ApplicantData"]["ExistingCustomer"] == "true",
            "ApplicationRiskScore": int(r["ApplicationRiskScore"]),
        },
        "r8",
    ),
    "Post-bureauRiskCategory": (
        """field ExistingCustomer : boolean
field ApplicationRiskScore : number
field CreditScore : number
hit unique
rule "r1" if not ExistingCustomer and ApplicationRiskScore < 120 and CreditScore < 590 then HIGH
rule "r2" if not ExistingCustomer and ApplicationRiskScore < 120 and CreditScore between 590 and 610 then MEDIUM
rule "r3" if not ExistingCustomer and ApplicationRiskScore < 120 and CreditScore > 610 then LOW
rule "r4" if not ExistingCustomer and ApplicationRiskScore between 120 and 130 and CreditScore < 600 then HIGH
rule "r5" if not ExistingCustomer and ApplicationRiskScore between 120 and 130 and CreditScore between 600 and 625 then MEDIUM
rule "r6" if not ExistingCustomer and ApplicationRiskScore between 120 and 130 and CreditScore > 625 then LOW
rule "r7" if not ExistingCustomer and ApplicationRiskScore > 130 then VERY_LOW
rule "r8" if ExistingCustomer and ApplicationRiskScore <= 100 and CreditScore < 580 then HIGH
rule "r9" if ExistingCustomer and ApplicationRiskScore <= 100 and CreditScore between 580 and 600 then MEDIUM
rule "r10" if ExistingCustomer and ApplicationRiskScore <= 100 and CreditScore > 600 then LOW
rule "r11" if ExistingCustomer and ApplicationRiskScore > 100 and CreditScore < 590 then HIGH
rule "r12" if ExistingCustomer and ApplicationRiskScore > 100 and CreditScore between 590 and 615 then MEDIUM
rule "r13" if ExistingCustomer and ApplicationRiskScore > 100 and CreditScore > 615 then LOW
""",
        lambda i, r: {
            "ExistingCustomer": i["ApplicantData"]["ExistingCustomer"] == "true",
            "ApplicationRiskScore": int(r["ApplicationRiskScore"]),
            "CreditScore": int(i["BureauData"]["CreditScore"]),
        },
        "r13",
    ),
    "BureauCallType": (
        """field PreBureauRiskCategory : string
hit unique
rule "r1" if PreBureauRiskCategory in ["HIGH", "MEDIUM"] then FULL
rule "r2" if PreBureauRiskCategory in ["LOW"] then MINI
rule "r3" if PreBureauRiskCategory in ["VERY LOW", "DECLINE"] then NONE_CALL  # `none` is a keyword
""",
        lambda i, r: {"PreBureauRiskCategory": r["Pre-bureauRiskCategory"]},
        "r2",
    ),
    "Eligibility": (
        """field PreBureauRiskCategory : string
field PreBureauAffordability : boolean
field Age : number
hit priority  # output values "INELIGIBLE", "ELIGIBLE": INELIGIBLE ranks first
rule "r1" if PreBureauRiskCategory = "DECLINE" then INELIGIBLE priority 2
rule "r2" if PreBureauAffordability = false then INELIGIBLE priority 2
rule "r3" if Age < 18 then INELIGIBLE priority 2
rule "r4" if true then ELIGIBLE priority 1
""",
        lambda i, r: {
            "PreBureauRiskCategory": r["Pre-bureauRiskCategory"],
            "PreBureauAffordability": r["Pre-bureauAffordability"] == "true",
            "Age": int(i["ApplicantData"]["Age"]),
        },
        "r4",
    ),
    "Strategy": (
        """field Eligibility : string one of ["ELIGIBLE", "INELIGIBLE"]
field BureauCallType : string one of ["FULL", "MINI", "NONE"]
hit unique
rule "r1" if Eligibility = "INELIGIBLE" then DECLINE
rule "r2" if Eligibility = "ELIGIBLE" and BureauCallType in ["FULL", "MINI"] then BUREAU
rule "r3" if Eligibility = "ELIGIBLE" and BureauCallType = "NONE" then THROUGH
""",
        lambda i, r: {"Eligibility": r["Eligibility"], "BureauCallType": r["BureauCallType"]},
        "r2",
    ),
}
for cid, inputs, results, _e, path in test_cases(L3, "0004-lending"):
    for dec, (rules, record, rule) in LENDING.items():
        add(
            f"0004-lending/{cid}/{dec}",
            path,
            rules,
            [record(inputs, results)],
            [results[dec].replace(" ", "_")],
            tck_case=cid,
            expect_rule=[rule],
            note=f"decision {dec} (its table), fed the TCK's values of the decisions it reads",
        )

# ------------------------------------------------------------------ three-valued logic

TRUTH = """hit all
rule "true" if {c} then yes
rule "not true" if not ({c}) then no
"""


def truth_label(v):
    return {"true": ["yes"], "false": ["no"], None: []}[v]


def boolval(v):
    return {"true": True, "false": False, None: None}[v]


for cid, inputs, results, _e, path in test_cases(L2, "0106-feel-ternary-logic"):
    rec = {"A": boolval(inputs["A"]), "B": boolval(inputs["B"])}
    for dec, expr in (("DecisionAnd", "A and B"), ("DecisionOr", "A or B")):
        add(
            f"0106-feel-ternary-logic/{cid}/{dec}",
            path,
            "field A : boolean\nfield B : boolean\n" + TRUTH.format(c=expr),
            [rec],
            [truth_label(results[dec])],
            tck_case=cid,
        )
for cid, inputs, results, _e, path in test_cases(L2, "0107-feel-ternary-logic-not"):
    add(
        f"0107-feel-ternary-logic-not/{cid}",
        path,
        "field A : boolean\n" + TRUTH.format(c="not A"),
        [{"A": boolval(inputs["A"])}],
        [truth_label(results["DecisionNot"])],
        tck_case=cid,
    )

# ------------------------------------------------------------------ FEEL literal expressions


def feel_literal(tok: str):
    """(rulekit literal text, field type, record value) of one FEEL literal, or None."""
    tok = tok.strip()
    if tok in ("true", "false"):
        return tok, "boolean", tok == "true"
    m = re.fullmatch(r"-?\d+(\.\d+)?", tok)
    if m:
        return tok, "number", float(tok) if "." in tok else int(tok)
    m = re.fullmatch(r'"([^"]*)"', tok)
    if m:
        return tok, "string", m.group(1)
    m = re.fullmatch(r'(?:date\("|@")(\d{4}-\d\d-\d\d)"\)?', tok)
    if m:
        return m.group(1), "date", m.group(1)
    m = re.fullmatch(r'(?:date and time\("|@")(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)"\)?', tok)
    if m:
        return m.group(1), "timestamp", m.group(1)
    m = re.fullmatch(r'(?:duration\("|@")(-?)P(\d+)([DY])"\)?', tok)
    if m:
        sign, n, unit = m.groups()
        days = int(n) * (365 if unit == "Y" else 1)
        text = f"{n}{'y' if unit == 'Y' else 'd'}"
        return (f"-{text}" if sign else text), "duration", (-days if sign else days)
    if tok == "null":
        return "null", None, None
    return None


def split_top(s: str) -> list[str]:
    """Split on commas outside brackets and quotes."""
    out, depth, cur, q = [], 0, "", False
    for ch in s:
        if ch == '"':
            q = not q
        if not q and ch in "([":
            depth += 1
        if not q and ch in ")]":
            depth -= 1
        if ch == "," and depth == 0 and not q:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [x.strip() for x in out]


def unary(test: str, types: set):
    """A FEEL unary test over x as a rulekit condition."""
    test = test.strip()
    m = re.fullmatch(r"([\[(\]])\s*(.+?)\s*\.\.\s*(.+?)\s*([\])\[])", test)
    if m and ".." in test and not test.startswith("[["):
        lo, hi = feel_literal(m.group(2)), feel_literal(m.group(3))
        if not lo or not hi or None in (lo[1], hi[1]):
            return None
        types.update({lo[1], hi[1]})
        if m.group(1) == "[" and m.group(4) == "]":
            return f"x between {lo[0]} and {hi[0]}"
        a = "<=" if m.group(1) == "[" else "<"
        b = "<=" if m.group(4) == "]" else "<"
        return f"{lo[0]} {a} x {b} {hi[0]}"
    m = re.fullmatch(r"(<=|>=|<|>|!=|=)\s*(.+)", test)
    if m:
        v = feel_literal(m.group(2))
        if not v or v[1] is None:
            return None
        types.add(v[1])
        return f"x {m.group(1)} {v[0]}"
    if test.startswith("[") and test.endswith("]"):  # a list: of values or of ranges
        items = split_top(test[1:-1])
        if all(feel_literal(i) for i in items):
            vals = [feel_literal(i) for i in items]
            types.update(v[1] for v in vals)
            return f"x in [{', '.join(v[0] for v in vals)}]"
        parts = [unary(i, types) for i in items]
        if None in parts:
            return None
        return " or ".join(f"({p})" for p in parts)
    if test.startswith("(") and test.endswith(")") and ".." not in test:
        parts = [unary(i, types) for i in split_top(test[1:-1])]
        if None in parts:
            return None
        return " or ".join(f"({p})" if " " in p else p for p in parts)
    v = feel_literal(test)
    if v and v[1] is not None:
        types.add(v[1])
        return f"x = {v[0]}"
    return None


FEEL_TYPES = {"number": "number", "string": "string", "date": "date", "timestamp": "timestamp"}


def literal_cases(name: str, translate):
    decisions = literal_decisions(L3, name)
    for cid, _inputs, results, errors, path in test_cases(L3, name):
        for dec, exp in results.items():
            expr = decisions[dec]
            got = translate(expr)
            if got is None:
                SKIPPED.append(f"{name}/{cid}: {expr}")
                continue
            rules, record = got
            if errors[dec]:
                SKIPPED.append(f"{name}/{cid}: {expr} (an error in FEEL)")
                continue
            add(
                f"{name}/{cid}",
                path,
                rules,
                [record],
                [truth_label(exp)],
                tck_case=cid,
                note=f"FEEL: {expr}",
            )


def translate_in(expr: str):
    lhs, _, rhs = expr.partition(" in ")
    if "null" in expr:
        return None  # written by hand below
    v = feel_literal(lhs)
    if not v or v[1] is None:
        return None
    types = {v[1]}
    cond = unary(rhs, types)
    if cond is None or len(types) != 1:
        return None
    return (f"field x : {v[1]}\n" + TRUTH.format(c=cond), {"x": v[2]})


def translate_between(expr: str):
    m = re.fullmatch(r"(.+) between (.+) and (.+)", expr)
    if not m or "null" in expr:
        return None
    vals = [feel_literal(g) for g in m.groups()]
    if None in vals or len({v[1] for v in vals}) != 1:
        return None
    cond = f"x between {vals[1][0]} and {vals[2][0]}"
    return (f"field x : {vals[0][1]}\n" + TRUTH.format(c=cond), {"x": vals[0][2]})


literal_cases("0072-feel-in", translate_in)
literal_cases("0071-feel-between", translate_between)

# null operands, by hand: a null is a missing field
NULL_BETWEEN = {
    "null_001": ("x between 1 and 10", {"x": None}),
    "null_002": ("x between lo and 10", {"x": 2, "lo": None}),
    "null_003": ("x between 1 and hi", {"x": 2, "hi": None}),
}
NULL_IN = {
    "null_001": ("x between 1 and 10", {"x": None}),  # null in [1..10]
    "null_001_a": ("lo < x and x <= 10", {"x": 5, "lo": None}),  # 5 in (null..10]
    "null_001_b": ("1 <= x and x < hi", {"x": 5, "hi": None}),  # 5 in [1..null)
    "null_001_c": ("x between 1 and hi", {"x": 5, "hi": None}),  # 5 in [1..null]
    "null_001_d": ("x between lo and 10", {"x": 5, "lo": None}),  # 5 in [null..10]
}
for name, table_ in (("0071-feel-between", NULL_BETWEEN), ("0072-feel-in", NULL_IN)):
    decisions = literal_decisions(L3, name)
    for cid, _i, results, errors, path in test_cases(L3, name):
        if cid in table_:
            cond, rec = table_[cid]
            ((dec, exp),) = results.items()
            add(
                f"{name}/{cid}",
                path,
                "field x : number\nfield lo : number\nfield hi : number\n" + TRUTH.format(c=cond),
                [{"x": None, "lo": None, "hi": None} | rec],
                [truth_label(exp)],
                tck_case=cid,
                note=f"FEEL: {decisions[dec]} (null is a missing field; FEEL "
                + ("raises an error, rulekit gives unknown" if errors[dec] else "gives null")
                + ": no label either way)",
            )

# conjunction / disjunction / negation / equality over true, false, null (fields a, b)
BOOL = {"true": True, "false": False, "null": None}


def translate_bool(expr: str):
    m = re.fullmatch(r"(true|false|null) (and|or) (true|false|null)", expr)
    if m:
        a, op, b = m.groups()
        return (
            "field a : boolean\nfield b : boolean\n" + TRUTH.format(c=f"a {op} b"),
            {"a": BOOL[a], "b": BOOL[b]},
        )
    m = re.fullmatch(r"not\((true|false|null)\)", expr)
    if m:
        return ("field a : boolean\n" + TRUTH.format(c="not a"), {"a": BOOL[m.group(1)]})
    return None


for name in ("0064-feel-conjunction", "0065-feel-disjunction", "0066-feel-negation"):
    literal_cases(name, translate_bool)


# equality: FEEL's `=` with a null operand is null-safe (null = null is true, 100 = null is
# false), rulekit's `=` is SQL's (unknown). The null rows are skipped; the rest translate.
def translate_eq(expr: str):
    m = re.fullmatch(r"(.+?) (=|!=) (.+)", expr)
    if not m or "null" in expr:
        return None
    a, b = feel_literal(m.group(1)), feel_literal(m.group(3))
    if m.group(1) in ("true", "false") and m.group(3) in ("true", "false"):
        return (
            "field x : boolean\n" + TRUTH.format(c=f"x {m.group(2)} {m.group(3)}"),
            {"x": BOOL[m.group(1)]},
        )
    if not a or not b or a[1] != b[1]:
        return None
    return (
        f"field x : {a[1]}\n" + TRUTH.format(c=f"x {m.group(2)} {b[0]}"),
        {"x": a[2]},
    )


literal_cases("0068-feel-equality", translate_eq)

# ------------------------------------------------------------------ strings


def string_cases(name, table_, folder=L3):
    """table_: case id -> (declarations, condition, record); the TCK's true/false/null is the
    expected truth of the condition."""
    decisions = literal_decisions(folder, name)
    for cid, _i, results, errors, path in test_cases(folder, name):
        for dec, exp in results.items():
            key = cid if len(results) == 1 else f"{cid}/{dec}"
            if key not in table_:
                SKIPPED.append(f"{name}/{key}: {decisions.get(dec, dec)}")
                continue
            decls, cond, rec = table_[key]
            add(
                f"{name}/{key}",
                path,
                decls + TRUTH.format(c=cond),
                [rec],
                [truth_label(exp)],
                tck_case=cid,
                note=f"FEEL: {decisions.get(dec, dec)}"
                + (" (an error in FEEL: null; unknown in rulekit)" if errors[dec] else ""),
            )


S, ST = "field s : string\n", "field s : string\nfield t : string\n"
# 1110-feel-contains-function. The empty string is missing in rulekit data (docs §4), so an
# empty haystack is written as a literal.
string_cases(
    "1110-feel-contains-function",
    {
        "001_2a4d7448c6": (ST, "s contains t", {"s": None, "t": None}),
        "002_d2a1831b5c": (S, 's contains "bar"', {"s": None}),
        "003_df56e0a1ad": (ST, "s contains t", {"s": "bar", "t": None}),
        "004_805503b274": (S, 's contains "bar"', {"s": "foobar"}),
        "005_5c1269db16": (S, 's contains "o"', {"s": "foobar"}),
        "006_babdaf4f36": (S, 's contains ""', {"s": "abc"}),
        "007_d24a599180": ("", '"" contains "ab"', {"id": 1}),
        "008_cf1311586a": ("", '"" contains ""', {"id": 1}),
        "009_c4b50ad623": (S, 's contains "bar"', {"s": "foobar"}),
        "010_9ae03e0e59": (S, 's contains "b"', {"s": "foobar"}),
    },
)
# 0002-string-functions, case 001 (A = "banana", B = "a"): the context entries of decision Basic
BANANA = {"A": "banana", "B": "a"}
AB = "field A : string\nfield B : string\n"
BASIC = {
    "startsWithX": 'A starts with "x"', "startsWithB": "A starts with B",
    "endsWithX": 'A ends with "x"', "endsWithB": "A ends with B",
    "containsX": 'A contains "x"', "containsB": "A contains B",
}  # fmt: skip
for cid, _inputs, results, _e, path in test_cases(L3, "0002-string-functions"):
    if cid != "001":
        continue
    values = results["Basic"]
    assert isinstance(values, dict), values
    for entry, cond in BASIC.items():
        add(
            f"0002-string-functions/001/{entry}",
            path,
            AB + TRUTH.format(c=cond),
            [dict(BANANA)],
            [truth_label(values[entry])],
            tck_case="001",
            note=f"context entry {entry} of decision Basic",
        )
# 0083-feel-unicode: FEEL's \u and \U escapes are written out as the characters they denote
string_cases(
    "0083-feel-unicode",
    {
        "decision_001_b": (S, 's = "🐎"', {"s": "\U0001f40e"}),
        "decision_005": (S, 's contains "😀"', {"s": "\U0001f40e\U0001f600"}),
        "decision_005_a": (S, 's contains "😀"', {"s": "\U0001f40e\U0001f600"}),
        "endswith_001": (S, 's ends with "😀"', {"s": "\U0001f40e\U0001f600"}),
    },
)


def length_cases(name, table_):
    decisions = literal_decisions(L3, name)
    for cid, _i, results, _errors, path in test_cases(L3, name):
        ((dec, exp),) = results.items()
        if cid not in table_:
            SKIPPED.append(f"{name}/{cid}: {decisions[dec]}")
            continue
        arg, rec = table_[cid]
        add(
            f"{name}/{cid}",
            path,
            ("field s : string\n" if rec else "")
            + f"let n = len({arg})\nhit first\ndefault other\n"
            f'rule "missing" if n is missing then null\nrule "equal" if n = {exp} then equal\n',
            [rec or {"id": 1}],
            ["equal"],
            tck_case=cid,
            note=f"FEEL: {decisions[dec]} = {exp}",
        )


length_cases(
    "1104-feel-string-length-function",
    {
        "001_1afe6930d1": ('""', None),
        "002_249c23050d": ("s", {"s": "a"}),
        "003_e1df507dee": ("s", {"s": "abc"}),
        "004_f4c02fac3d": ("s", {"s": "xyz123"}),
        "005_ca834dabac": ("s", {"s": "aaaaa dddd"}),
        "006_6c4930a0eb": ("s", {"s": "aaaaa dddd "}),
    },
)
length_cases(
    "0083-feel-unicode",
    {
        "decision_001": ("s", {"s": "\t"}),
        "decision_001_a": ("s", {"s": "\U0001f40e"}),
        "decision_002": ("s", {"s": "\\u0009"}),
        "decision_003": ("s", {"s": "\U0001f4a9"}),
        "decision_003_a": ("s", {"s": "\U0001f4a9"}),
        "decision_004": ("s", {"s": "\U0001f40e\U0001f600"}),
        "decision_004_a": ("s", {"s": "\U0001f40e\U0001f600"}),
    },
)

# ------------------------------------------------------------------ arithmetic

VALUE = """let v = {e}
hit first
default other
rule "missing" if v is missing then null
rule "equal" if v = {want} then equal
"""


def feel_duration(tok: str):
    """A FEEL days-and-time duration literal (@"P1DT2H") as a rulekit duration sum, or None."""
    m = re.fullmatch(r'@"(-?)P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?"', tok)
    if not m:
        return None
    sign, d, h, mi, sec = m.groups()
    parts = [
        f"{d}d" if d else None,
        f"{h}h" if h else None,
        f"{mi}min" if mi else None,
        f"{sec}s" if sec else None,
    ]
    parts = [p for p in parts if p and not re.fullmatch(r"0+[a-z]+", p)] or (
        ["0d"] if any((d, h, mi, sec)) else []
    )
    if not parts:
        return None
    text = " + ".join(parts)
    text = f"({text})" if len(parts) > 1 else text
    return f"-{text}" if sign else text


def feel_value(tok: str):
    """A FEEL @-literal: a days-and-time duration or a date, as rulekit text."""
    m = re.fullmatch(r'@"(\d{4}-\d\d-\d\d)"', tok)
    return m.group(1) if m else feel_duration(tok)


def translate_arith(expr: str, expected):
    """A FEEL arithmetic expression over numbers, days-and-time durations and dates, with its
    TCK value, as (rulekit expression, rulekit value); None when it does not translate.
    Years-and-months durations are left out: FEEL's months are calendar months, rulekit's
    `mo` is 30 days and `y` 365 days, so P1M * 12 = P1Y holds in FEEL and not by the spec."""
    if any(w in expr for w in ("function", "null", "**", "string(")):
        return None
    if '"' in re.sub(r'@"[^"]*"', "", expr):
        return None
    if re.search(r'@"-?P\d+[YM]', expr) or re.search(r'@"-?P\d+Y', expr):
        return None
    has_date = re.search(r'@"\d{4}-\d\d-\d\d"', expr)
    if has_date and re.search(r'@"-?P[^"]*T', expr):
        return None  # date ± hours: a date in FEEL, a timestamp in rulekit
    if re.search(r'@"(\d\d:|\d{4}-\d\d-\d\dT)', expr):
        return None  # times and date-times
    e = re.sub(r'@"[^"]*"', lambda m: feel_value(m.group(0)) or "??", expr)
    if "??" in e:
        return None
    e = e.replace("--", "- -")
    if expected is None:
        want = None
    elif re.fullmatch(r"-?P.*", expected):
        want = feel_duration(f'@"{expected}"')
        if want is None:
            return None
    elif re.fullmatch(r"\d{4}-\d\d-\d\d", expected):
        want = expected
    elif re.fullmatch(r"-?\d+(\.\d+)?", expected):
        want = expected
    else:
        return None
    return e, want


def arith_cases(folder, name, only=None):
    decisions = literal_decisions(folder, name)
    for cid, inputs, results, errors, path in test_cases(folder, name):
        for dec, exp in results.items():
            expr = decisions[dec]
            if inputs or (only and not re.match(only, cid)):
                SKIPPED.append(f"{name}/{cid}: {expr}")
                continue
            got = translate_arith(expr, exp)
            if got is None or (errors[dec] and "null" not in expr and "/ 0" not in expr):
                SKIPPED.append(f"{name}/{cid}: {expr}")
                continue
            e, want = got
            add(
                f"{name}/{cid}",
                path,
                VALUE.format(e=e, want=want)
                if want is not None
                else VALUE.format(e=e, want=0).rsplit("rule", 1)[0],  # no value to compare
                [{"id": 1}],  # no field is read: only an id
                ["null" if want is None else "equal"],
                tck_case=cid,
                note=f"FEEL: {expr} = {exp if exp is not None else 'null'}",
            )


def arith_null_cases():  # 0105 feel-math 023-030: null operands are missing fields
    name = "0105-feel-math"
    decisions = literal_decisions(L2, name)
    for cid, _inputs, results, _errors, path in test_cases(L2, name):
        ((dec, exp),) = results.items()
        expr = decisions[dec]
        if "null" not in expr:
            continue
        e = expr.replace("null", "n")
        add(
            f"{name}/{cid}",
            path,
            "field n : number\n" + VALUE.format(e=e, want=0),
            [{"n": None}],
            ["null"],
            tck_case=cid,
            note=f"FEEL: {expr} = null (null is a missing field)",
        )


arith_cases(
    L3, "0100-arithmetic", only=r"(multiply|divide|add|subtract)_lhs_(number|dtDuration|date)_"
)
arith_cases(L3, "0099-arithmetic-negation")
arith_cases(L2, "0105-feel-math")
arith_null_cases()

_included = {c["name"] for c in CASES}
SKIPPED = [x for x in SKIPPED if x.split(": ", 1)[0] not in _included]
OUT.write_text(
    json.dumps(
        {
            "source": "DMN TCK, https://github.com/dmn-tck/tck at " + COMMIT,
            "skipped": SKIPPED,
            "cases": CASES,
        },
        ensure_ascii=False,
        indent=1,
    )
    + "\n",
    encoding="utf-8",
)
print(len(CASES), "cases,", len(SKIPPED), "skipped ->", OUT)
