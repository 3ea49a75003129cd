"""Explanations recorded while evaluating (an observer on the traced code), why-not analysis,
and example runs. Nothing here re-derives a decision: it reads what the evaluation recorded."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rulekit.compile.pysource import Bad, Conflict
from rulekit.engines.python import CompiledRuleset, Decision, as_date
from rulekit.errors import BadRecord, RecordError, RulekitError
from rulekit.model.program import HitPolicy
from rulekit.syntax import nodes as n
from rulekit.syntax.nodes import literal_value


@dataclass
class Trace:
    """What one traced evaluation observed."""

    values: dict[int, Any] = field(default_factory=dict)
    population_sizes: dict[int, int] = field(default_factory=dict)
    lets: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    bad: dict[str, Any] = field(default_factory=dict)  # field → the Bad raised reading it

    def r(self, node_id, value):
        self.values[node_id] = value
        return value

    def rpop(self, node_id, values, value):
        self.population_sizes[node_id] = values.n
        return value

    def rlet(self, name, value):
        self.lets[name] = value

    def rfield(self, name, value):
        self.fields[name] = value

    def rbad(self, name, error):
        self.bad[name] = error


@dataclass
class Explanation:
    """The decision for one record and the evaluation that produced it."""

    ruleset: CompiledRuleset
    as_of: dt.date
    decision: Decision | None
    rule_values: tuple  # three-valued result of each rule's condition, file order
    trace: Trace
    overrides: dict
    conflict: str | None = None

    @property
    def label(self):
        return self.decision.label if self.decision else None

    def rule_status(self, index: int) -> str:
        """decided | matched | not matched | unknown | not reached."""
        rs = self.ruleset
        order = rs.compiled.order
        value = self.rule_values[index]
        decided = self.decision.rules if self.decision else ()
        ref = rs.rule_refs[index]
        if ref in decided and value is True:
            return "decided"
        if rs.hit.single and self.decision and self.decision.rule:
            decider = rs.rule_refs.index(self.decision.rule)
            if order.index(index) > order.index(decider):
                return "not reached"
        if value is True:
            return "matched"
        return "unknown" if value is None else "not matched"

    # ---- structured form
    def condition_tree(self, node: n.Node) -> dict:
        p = self.ruleset.program
        text = p.source.snippet(node.span)
        out: dict[str, Any] = {"text": " ".join(text.split()), "value": _json(self._v(node))}
        if isinstance(node, (n.And, n.Or)):
            out["kind"] = "and" if isinstance(node, n.And) else "or"
            out["children"] = [self.condition_tree(node.left), self.condition_tree(node.right)]
        elif isinstance(node, n.Not):
            out["kind"] = "not"
            out["children"] = [self.condition_tree(node.operand)]
        else:
            out["kind"] = "test"
            out["operands"] = [self.operand(o) for o in _operands(node)]
        return out

    def _v(self, node: n.Node):
        if isinstance(node, n.Literal):
            return node.value
        return self.trace.values.get(node.id)

    def operand(self, node: n.Node) -> dict:
        p = self.ruleset.program
        value = self._v(node)
        out = {
            "text": " ".join(p.source.snippet(node.span).split()),
            "value": _json(value),
            "type": str(p.types.get(node.id, "")),
            "missing": value is None,
        }
        if isinstance(node, n.Name):
            info = p.fields.get(node.name)
            if info is not None:
                out["field"] = node.name
                out["unit"] = info.unit
                out["display"] = info.display.get("zh")
            elif node.name in p.lets:
                out["let"] = node.name
        for sub in n.walk(node):
            if sub.id in self.trace.population_sizes:
                out["population"] = {
                    "function": p.source.snippet(sub.span),
                    "value": _json(self.trace.values.get(sub.id)),
                    "of": self.trace.population_sizes[sub.id],
                }
                break
        return out

    def to_dict(self) -> dict:
        rs, p = self.ruleset, self.ruleset.program
        d = self.decision
        label_info = p.labels.get(d.label) if d and d.label else None
        rules = []
        for i, rule in enumerate(p.rules):
            status = self.rule_status(i)
            entry = {
                "name": rule.name,
                "file": p.path,
                "line": rule.line,
                "label": rule.label,
                "priority": rule.priority,
                "status": status,
                "result": _json(self.rule_values[i]),
            }
            if status != "not reached":
                entry["condition"] = self.condition_tree(rule.condition)
            rules.append(entry)
        pops = []
        for node_id, size in self.trace.population_sizes.items():
            node = p.node(node_id)
            pops.append(
                {
                    "function": " ".join(p.source.snippet(node.span).split()),
                    "value": _json(self.trace.values.get(node_id)),
                    "of": size,
                }
            )
        return {
            "ruleset": rs.id,
            "file": p.path,
            "as_of": self.as_of.isoformat(),
            "hit": rs.hit,
            "decision": {
                "label": d.label if d else None,
                "labels": list(d.labels) if d else [],
                "display": d.display if d else None,
                "rule": d.rule.to_dict() if d and d.rule else None,
                "default": bool(d and d.labels and not d.rule),
                "strategy": label_info.decl.strategy.get("zh")
                if label_info and label_info.decl
                else None,
                "error": self.conflict,
            },
            "fields": [
                {
                    "name": name,
                    "display": info.display.get("zh"),
                    "unit": info.unit,
                    "type": str(info.type),
                    "value": _json(self.trace.fields.get(name)),
                }
                for name, info in p.fields.items()
            ],
            "lets": [
                {
                    "name": name,
                    "display": info.decl.display.get("zh"),
                    "value": _json(self.trace.lets.get(name)),
                    "given": name in self.overrides,
                }
                for name, info in p.lets.items()
            ],
            "population": pops,
            "rules": rules,
        }


def _json(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    return value


def _operands(node: n.Node) -> tuple:
    if isinstance(node, n.Compare):
        return node.operands
    if isinstance(node, n.Between):
        return (node.operand, node.low, node.high)
    if isinstance(node, n.InList):
        return (node.operand, node.options)
    if isinstance(node, (n.IsMissing,)):
        return (node.operand,)
    if isinstance(node, n.StringTest):
        return (node.operand, node.pattern)
    if isinstance(node, n.RankIn):
        return (node.operand, node.fraction)
    return (node,)


def _first_bad(rs: CompiledRuleset, tr: Trace, values, validate: str):
    """The bad value that makes this record bad, by the fast path's rule: a field counts only
    if a rule evaluated up to the decision reads it (or every declared field, validate="all")."""
    if not tr.bad:
        return None
    if validate == "all":
        return next(tr.bad[f] for f in rs.program.fields if f in tr.bad)
    single = rs.hit.single
    for ri in rs.compiled.order:
        for f in rs.compiled.rule_fields[ri]:
            if f in tr.bad:
                return tr.bad[f]
        if single and values[ri] is True:
            return None
    return None


def trace_record(
    rs: CompiledRuleset, record, as_of, population, overrides, batch=None, validate: str = "needed"
) -> Explanation:
    today = as_date(as_of)
    records = batch if batch is not None else [record]
    pops = rs._resolve_population(population, records, today, on_bad=lambda *a: None)
    tr = Trace()
    try:
        values = rs.compiled.trace(
            record, pops, today, tr.r, tr.rpop, tr.rlet, tr.rfield, tr.rbad, overrides
        )
    except Bad as e:
        raise RecordError(BadRecord(0, e.field, e.value, e.reason, record)) from None
    bad = _first_bad(rs, tr, values, validate)
    if bad is not None:
        raise RecordError(BadRecord(0, bad.field, bad.value, bad.reason, record))
    matched = [i for i, v in enumerate(values) if v is True]
    conflict = None
    try:
        decision = rs.decision_for(matched)
    except Conflict as e:
        decision, conflict = None, rs.conflict_reason(e.mask)
    return Explanation(rs, today, decision, values, tr, overrides, conflict)


# ---------------------------------------------------------------- why not


@dataclass
class Need:
    """One failed test of a rule and the nearest value that would pass it."""

    text: str
    value: Any
    result: Any
    needs: str

    def to_dict(self):
        return {
            "test": self.text,
            "value": _json(self.value),
            "result": _json(self.result),
            "needs": self.needs,
        }


@dataclass
class WhyNotRule:
    rule: str
    line: int
    result: Any
    needs: list[Need]
    blocked_by: list[str]
    # The earlier rules that matched and would still win, as data: name, file, line, label.
    blocking: list[dict] = field(default_factory=list)

    def to_dict(self):
        return {
            "rule": self.rule,
            "line": self.line,
            "result": _json(self.result),
            "needs": [x.to_dict() for x in self.needs],
            "blocked_by": self.blocked_by,
            "blocking": self.blocking,
        }


@dataclass
class WhyNot:
    label: str
    actual: Decision | None
    rules: list[WhyNotRule]
    explanation: Explanation

    def to_dict(self):
        return {
            "label": self.label,
            "actual": self.actual.to_dict() if self.actual else None,
            "rules": [r.to_dict() for r in self.rules],
        }


_MONEY = {
    "CNY": "¥",
    "RMB": "¥",
    "元": "¥",
    "人民币": "¥",
    "¥": "¥",
    "USD": "$",
    "$": "$",
    "EUR": "€",
    "€": "€",
}


def _number(x, money: bool = False) -> str:
    """12000 → 12,000; 93.07692 → 93.08; 0.12345 → 0.1235 (money keeps two decimals)."""
    if isinstance(x, Decimal):
        x = int(x) if x == x.to_integral_value() else float(x)
    if isinstance(x, float) and x.is_integer() and abs(x) < 2**53:
        x = int(x)
    if isinstance(x, int):
        return f"{x:,}"
    if money:
        return f"{x:,.2f}"
    digits = 2 if abs(x) >= 1 else 4
    return f"{x:,.{digits}f}".rstrip("0").rstrip(".")


def describe_value(value, type_name: str = "", unit: str | None = None) -> str:
    """A value in words and units, as explanations show it: `200 days`, `¥12,000`, `12 orders`,
    `"north"`, `missing`."""
    if value is None:
        return "missing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        element = type_name[len("list of ") :] if type_name.startswith("list of ") else ""
        return "[" + ", ".join(describe_value(v, element) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if not isinstance(value, (int, float, Decimal)):
        return str(value)
    if type_name == "duration":
        return f"{_number(value)} day" if value == 1 else f"{_number(value)} days"
    if unit in _MONEY:
        return ("-" if value < 0 else "") + _MONEY[unit] + _number(abs(value), money=True)
    text = _number(value)
    if not unit:
        return text
    if any(c.isdigit() for c in unit):  # a scale such as 1-5 or 0..1
        return f"{text} ({unit})"
    if value == 1:  # 1 order, 1 order/window
        unit = re.sub(r"^([A-Za-z]{2,})s\b", r"\1", unit)
    return f"{text} {unit}"


_SYMBOL = {">": ">", ">=": "≥", "<": "<", "<=": "≤", "=": "=", "!=": "≠"}
_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "=", "!=": "!="}


def _unit_of(ex: Explanation, node: n.Node) -> str | None:
    if isinstance(node, n.Name) and node.name in ex.ruleset.program.fields:
        return ex.ruleset.program.fields[node.name].unit
    return None


def _needs_compare(ex: Explanation, a: n.Node, op: str, b: n.Node) -> str:
    p = ex.ruleset.program
    va, vb = ex._v(a), ex._v(b)
    if not isinstance(a, (n.Name, n.Call)) and isinstance(b, (n.Name, n.Call)):
        a, b, va, vb, op = b, a, vb, va, _FLIP[op]
    tname = str(p.types.get(a.id, ""))
    unit = _unit_of(ex, a) or _unit_of(ex, b)
    name = " ".join(p.source.snippet(a.span).split())
    target = describe_value(vb, tname, unit)
    sym = _SYMBOL[op]
    if va is None:
        return f"{name} is missing; needs a value {sym} {target}"
    if vb is None:
        return f"the other side ({' '.join(p.source.snippet(b.span).split())}) is missing"
    head = f"{name} = {describe_value(va, tname, unit)}, needs {sym} {target}"
    if isinstance(va, (int, float)) and isinstance(vb, (int, float)) and not isinstance(va, bool):
        step = 1 if tname in ("integer", "duration") and float(vb).is_integer() else 0

        def amount(x):  # durations and money carry their unit; counts are plain numbers
            return (
                describe_value(x, tname, unit) if tname == "duration" or unit in _MONEY else _num(x)
            )

        if op in (">=", ">"):
            gap = vb + (step if op == ">" else 0) - va
            if gap > 0:
                more = (
                    f"{amount(gap)} more"
                    if (step or op == ">=")
                    else f"more than {amount(gap)} more"
                )
                return f"{head}: {more}"
        if op in ("<=", "<"):
            gap = va - vb + (step if op == "<" else 0)
            if gap > 0:
                less = (
                    f"{amount(gap)} less"
                    if (step or op == "<=")
                    else f"more than {amount(gap)} less"
                )
                return f"{head}: {less}"
    return head


def _num(x) -> str:
    return _number(x)


def _needs(ex: Explanation, node: n.Node) -> list[Need]:
    """The failed leaf tests under `node` (a condition that is not true)."""
    value = ex._v(node)
    p = ex.ruleset.program
    text = " ".join(p.source.snippet(node.span).split())
    if value is True:
        return []
    if isinstance(node, n.And):
        return _needs(ex, node.left) + _needs(ex, node.right)
    if isinstance(node, n.Or):
        return [
            Need(
                text,
                None,
                value,
                "one of: "
                + " | ".join(x.needs for x in _needs(ex, node.left) + _needs(ex, node.right)),
            )
        ]
    if isinstance(node, n.Compare):
        out = []
        for i, op in enumerate(node.ops):
            a, b = node.operands[i], node.operands[i + 1]
            va, vb = ex._v(a), ex._v(b)
            from rulekit.model.semantics import as_ts

            ok = (
                va is not None
                and vb is not None
                and _cmp(
                    as_ts(va) if isinstance(va, dt.date) and isinstance(vb, dt.datetime) else va,
                    op,
                    as_ts(vb) if isinstance(vb, dt.date) and isinstance(va, dt.datetime) else vb,
                )
            )
            if not ok:
                out.append(Need(text, va, value, _needs_compare(ex, a, op, b)))
        return out
    if isinstance(node, n.Between):
        lo, hi = ex._v(node.low), ex._v(node.high)
        name = " ".join(p.source.snippet(node.operand.span).split())
        tname = str(p.types.get(node.operand.id, ""))
        unit = _unit_of(ex, node.operand)
        v = ex._v(node.operand)
        word = "outside" if node.negated else "between"
        return [
            Need(
                text,
                v,
                value,
                f"{name} = {describe_value(v, tname, unit)}, needs {word} "
                f"{describe_value(lo, tname, unit)} and {describe_value(hi, tname, unit)}",
            )
        ]
    if isinstance(node, n.InList):
        v = ex._v(node.operand)
        name = " ".join(p.source.snippet(node.operand.span).split())
        opts = (
            ex._v(node.options)
            if not isinstance(node.options, n.ListExpr)
            else tuple(
                literal_value(i) if isinstance(i, n.Literal) else ex._v(i)
                for i in node.options.items
            )
        )
        shown = ", ".join(describe_value(o, "") for o in (opts or ()))
        word = "none of" if node.negated else "one of"
        return [Need(text, v, value, f"{name} = {describe_value(v, '')}, needs {word} [{shown}]")]
    if isinstance(node, n.IsMissing):
        name = " ".join(p.source.snippet(node.operand.span).split())
        return [
            Need(
                text,
                ex._v(node.operand),
                value,
                f"{name} needs {'a value' if node.negated else 'to be missing'}",
            )
        ]
    if isinstance(node, n.Not):
        return [
            Need(
                text,
                None,
                value,
                f"needs `{text}` to be false (it is "
                f"{'true' if ex._v(node.operand) is True else 'unknown'})",
            )
        ]
    if isinstance(node, n.RankIn):
        v = ex._v(node.operand)
        name = " ".join(p.source.snippet(node.operand.span).split())
        unit = _unit_of(ex, node.operand)
        size = ex.trace.population_sizes.get(node.id)
        where = "top" if node.top else "bottom"
        share = " ".join(p.source.snippet(node.fraction.span).split())
        of = f" of {size:,} customers" if size is not None else ""
        return [
            Need(
                text,
                v,
                value,
                f"{name} = {describe_value(v, str(p.types.get(node.operand.id, '')), unit)}"
                f", needs to rank in the {where} {share}{of}",
            )
        ]
    if isinstance(node, n.Name):
        let = p.lets.get(node.name)
        if let is not None and node.name not in ex.overrides:
            # A true/false let: say which part of its formula fails.
            inner = _needs(ex, let.decl.expr)
            if inner:
                return inner
        return [
            Need(text, value, value, f"{text} = {describe_value(value, 'boolean')}, needs true")
        ]
    return [
        Need(
            text,
            value,
            value,
            f"needs `{text}` to be true (it is {'unknown' if value is None else 'false'})",
        )
    ]


def _cmp(a, op, b):
    return {"=": a == b, "!=": a != b, ">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[op]


def why_not(
    rs: CompiledRuleset, record, label: str, as_of=None, population=None, batch=None, overrides=None
) -> WhyNot:
    if label not in rs.program.labels:
        from rulekit.suggest import nearest

        guess = nearest(label, rs.program.labels)
        raise RulekitError(
            f"unknown label {label!r} for ruleset {rs.id}"
            + (f"; did you mean {guess!r}?" if guess else "")
            + "; labels are "
            + ", ".join(rs.program.labels)
        )
    ex = trace_record(rs, record, as_of, population, overrides or {}, batch)
    order = rs.compiled.order
    out = []
    for i, rule in enumerate(rs.program.rules):
        if rule.label != label:
            continue
        needs = _needs(ex, rule.condition)
        blocked, blocking = [], []
        if rs.hit.single:
            for j in order[: order.index(i)]:
                other = rs.program.rules[j]
                if ex.rule_values[j] is True and other.label != label:
                    blocked.append(f"{other.name} (line {other.line}) → {other.label}")
                    blocking.append(
                        {
                            "name": other.name,
                            "file": rs.path,
                            "line": other.line,
                            "label": other.label,
                        }
                    )
        out.append(WhyNotRule(rule.name, rule.line, ex.rule_values[i], needs, blocked, blocking))
    return WhyNot(label, ex.decision, out, ex)


# ---------------------------------------------------------------- examples


@dataclass
class ExampleResult:
    name: str
    file: str
    line: int
    expected: tuple | None
    actual: tuple | None
    passed: bool
    explanation: Explanation | None
    error: str | None = None

    def describe(self) -> str:
        exp = "none" if not self.expected else ", ".join(self.expected)
        act = "none" if not self.actual else ", ".join(self.actual)
        if self.error:
            return f"{self.file}:{self.line}: example {self.name!r}: {self.error}"
        return f"{self.file}:{self.line}: example {self.name!r}: expected {exp}, got {act}"


def run_examples(rs: CompiledRuleset) -> list[ExampleResult]:
    p = rs.program
    results = []
    for ex in p.examples:
        record, overrides = {}, {}
        for g in ex.given:
            value = literal_value(g.value_node)
            if g.name in p.lets:
                overrides[g.name] = value
            elif g.name in p.fields:
                record[p.fields[g.name].column] = value
        expected = tuple(ex.expect) if ex.expect is not None else ()
        try:
            exp = trace_record(rs, record, ex.as_of, None, overrides)
        except RecordError as e:
            results.append(
                ExampleResult(ex.name, p.path, ex.line, expected, None, False, None, str(e))
            )
            continue
        actual = exp.decision.labels if exp.decision else ()
        if exp.conflict:
            results.append(
                ExampleResult(ex.name, p.path, ex.line, expected, None, False, exp, exp.conflict)
            )
            continue
        if rs.hit is HitPolicy.ALL:
            passed = set(actual) == set(expected)
        else:
            passed = tuple(actual) == expected
        results.append(
            ExampleResult(ex.name, p.path, ex.line, expected, tuple(actual), passed, exp)
        )
    return results
