"""Explanations recorded while evaluating (an observer on the traced code), why-not analysis,
and example runs. Nothing here re-derives a decision: it reads what the evaluation recorded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from . import nodes as n
from .checker import literal_value
from .compile.pysource import Bad, Conflict
from .errors import BadRecord, RecordError, RulekitError
from .runtime import Decision, Ruleset, as_date


@dataclass
class Trace:
    """What one traced evaluation observed."""

    values: dict[int, Any] = field(default_factory=dict)
    population_sizes: dict[int, int] = field(default_factory=dict)
    lets: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)

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


@dataclass
class Explanation:
    """The decision for one record and the evaluation that produced it."""

    ruleset: Ruleset
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
        if rs.hit in ("first", "priority") and self.decision and self.decision.rule:
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
        out = {"text": " ".join(p.source.snippet(node.span).split()), "value": _json(value),
               "type": str(p.types.get(node.id, "")), "missing": value is None}
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
                out["population"] = {"function": p.source.snippet(sub.span),
                                     "value": _json(self.trace.values.get(sub.id)),
                                     "of": self.trace.population_sizes[sub.id]}
                break
        return out

    def to_dict(self) -> dict:
        rs, p = self.ruleset, self.ruleset.program
        d = self.decision
        label_info = p.labels.get(d.label) if d and d.label else None
        rules = []
        for i, rule in enumerate(p.rules):
            status = self.rule_status(i)
            entry = {"name": rule.name, "file": p.path, "line": rule.line, "label": rule.label,
                     "priority": rule.priority, "status": status,
                     "result": _json(self.rule_values[i])}
            if status != "not reached":
                entry["condition"] = self.condition_tree(rule.condition)
            rules.append(entry)
        pops = []
        for node_id, size in self.trace.population_sizes.items():
            node = _find(p, node_id)
            pops.append({"function": " ".join(p.source.snippet(node.span).split()),
                         "value": _json(self.trace.values.get(node_id)), "of": size})
        return {
            "ruleset": rs.id, "file": p.path, "as_of": self.as_of.isoformat(), "hit": rs.hit,
            "decision": {
                "label": d.label if d else None, "labels": list(d.labels) if d else [],
                "display": d.display if d else None,
                "rule": d.rule.to_dict() if d and d.rule else None,
                "default": bool(d and d.labels and not d.rule),
                "strategy": label_info.decl.strategy.get("zh") if label_info and
                label_info.decl else None,
                "error": self.conflict,
            },
            "fields": [{"name": name, "display": info.display.get("zh"), "unit": info.unit,
                        "type": str(info.type), "value": _json(self.trace.fields.get(name))}
                       for name, info in p.fields.items()],
            "lets": [{"name": name, "display": info.decl.display.get("zh"),
                      "value": _json(self.trace.lets.get(name)),
                      "given": name in self.overrides}
                     for name, info in p.lets.items()],
            "population": pops,
            "rules": rules,
        }


def _json(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    return value


def _find(program, node_id):
    roots = [r.condition for r in program.rules] + [x.decl.expr for x in program.lets.values()]
    for root in roots:
        for node in n.walk(root):
            if node.id == node_id:
                return node
    raise KeyError(node_id)


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


def trace_record(rs: Ruleset, record, as_of, population, overrides, batch=None) -> Explanation:
    today = as_date(as_of)
    records = batch if batch is not None else [record]
    pops = rs._resolve_population(population, records, today, on_bad=lambda *a: None)
    tr = Trace()
    try:
        values = rs.compiled.trace(record, pops, today, tr.r, tr.rpop, tr.rlet, tr.rfield,
                                   overrides)
    except Bad as e:
        raise RecordError(BadRecord(0, e.field, e.value, e.reason, record)) from None
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
        return {"test": self.text, "value": _json(self.value), "result": _json(self.result),
                "needs": self.needs}


@dataclass
class WhyNotRule:
    rule: str
    line: int
    result: Any
    needs: list[Need]
    blocked_by: list[str]

    def to_dict(self):
        return {"rule": self.rule, "line": self.line, "result": _json(self.result),
                "needs": [x.to_dict() for x in self.needs], "blocked_by": self.blocked_by}


@dataclass
class WhyNot:
    label: str
    actual: Decision | None
    rules: list[WhyNotRule]
    explanation: Explanation

    def to_dict(self):
        return {"label": self.label, "actual": self.actual.to_dict() if self.actual else None,
                "rules": [r.to_dict() for r in self.rules]}


def _fmt(value, type_name: str, unit: str | None = None) -> str:
    if value is None:
        return "missing"
    if type_name == "duration":
        v = int(value) if float(value).is_integer() else round(value, 2)
        return f"{v} days"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        value = int(value) if value.is_integer() else round(value, 4)
    return f"{value}{' ' + unit if unit else ''}"


_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "=", "!=": "!="}


def _needs_compare(ex: Explanation, a: n.Node, op: str, b: n.Node) -> str:
    p = ex.ruleset.program
    va, vb = ex._v(a), ex._v(b)
    if not isinstance(a, (n.Name, n.Call)) and isinstance(b, (n.Name, n.Call)):
        a, b, va, vb, op = b, a, vb, va, _FLIP[op]
    tname = str(p.types.get(a.id, ""))
    name = " ".join(p.source.snippet(a.span).split())
    target = _fmt(vb, tname)
    if va is None:
        return f"{name} is missing; needs a value {op} {target}"
    if vb is None:
        return f"the other side ({' '.join(p.source.snippet(b.span).split())}) is missing"
    head = f"{name} = {_fmt(va, tname)}, needs {op} {target}"
    if isinstance(va, (int, float)) and isinstance(vb, (int, float)) and not isinstance(va, bool):
        step = 1 if tname in ("integer", "duration") and float(vb).is_integer() else 0
        unit = " days" if tname == "duration" else ""
        if op in (">=", ">"):
            gap = vb + (step if op == ">" else 0) - va
            if gap > 0:
                amount = gap if step or op == ">=" else gap
                more = f"{_num(amount)}{unit} more" if (step or op == ">=") else \
                    f"more than {_num(gap)}{unit} more"
                return f"{head}: {more}"
        if op in ("<=", "<"):
            gap = va - vb + (step if op == "<" else 0)
            if gap > 0:
                less = f"{_num(gap)}{unit} less" if (step or op == "<=") else \
                    f"more than {_num(gap)}{unit} less"
                return f"{head}: {less}"
    return head


def _num(x):
    return int(x) if float(x).is_integer() else round(x, 4)


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
        return [Need(text, None, value, "one of: " + " | ".join(
            x.needs for x in _needs(ex, node.left) + _needs(ex, node.right)))]
    if isinstance(node, n.Compare):
        out = []
        for i, op in enumerate(node.ops):
            a, b = node.operands[i], node.operands[i + 1]
            va, vb = ex._v(a), ex._v(b)
            from .semantics import as_ts

            ok = va is not None and vb is not None and _cmp(as_ts(va) if isinstance(
                va, dt.date) and isinstance(vb, dt.datetime) else va, op, as_ts(vb) if
                isinstance(vb, dt.date) and isinstance(va, dt.datetime) else vb)
            if not ok:
                out.append(Need(text, va, value, _needs_compare(ex, a, op, b)))
        return out
    if isinstance(node, n.Between):
        lo, hi = ex._v(node.low), ex._v(node.high)
        name = " ".join(p.source.snippet(node.operand.span).split())
        tname = str(p.types.get(node.operand.id, ""))
        v = ex._v(node.operand)
        word = "outside" if node.negated else "between"
        return [Need(text, v, value, f"{name} = {_fmt(v, tname)}, needs {word} "
                     f"{_fmt(lo, tname)} and {_fmt(hi, tname)}")]
    if isinstance(node, n.InList):
        v = ex._v(node.operand)
        name = " ".join(p.source.snippet(node.operand.span).split())
        opts = ex._v(node.options) if not isinstance(node.options, n.ListExpr) else \
            tuple(literal_value(i) if isinstance(i, n.Literal) else ex._v(i)
                  for i in node.options.items)
        shown = ", ".join(_fmt(o, "") for o in (opts or ()))
        word = "none of" if node.negated else "one of"
        return [Need(text, v, value, f"{name} = {_fmt(v, '')}, needs {word} [{shown}]")]
    if isinstance(node, n.IsMissing):
        name = " ".join(p.source.snippet(node.operand.span).split())
        return [Need(text, ex._v(node.operand), value,
                     f"{name} needs {'a value' if node.negated else 'to be missing'}")]
    if isinstance(node, n.Not):
        return [Need(text, None, value, f"needs `{text}` to be false (it is "
                     f"{'true' if ex._v(node.operand) is True else 'unknown'})")]
    if isinstance(node, n.Name):
        return [Need(text, value, value, f"{text} = {_fmt(value, 'boolean')}, needs true")]
    return [Need(text, value, value, f"needs `{text}` to be true (it is "
                 f"{'unknown' if value is None else 'false'})")]


def _cmp(a, op, b):
    return {"=": a == b, "!=": a != b, ">": a > b, ">=": a >= b, "<": a < b,
            "<=": a <= b}[op]


def why_not(rs: Ruleset, record, label: str, as_of=None, population=None, batch=None) -> WhyNot:
    if label not in rs.program.labels:
        from .suggest import nearest

        guess = nearest(label, rs.program.labels)
        raise RulekitError(f"unknown label {label!r} for ruleset {rs.id}"
                           + (f"; did you mean {guess!r}?" if guess else "")
                           + "; labels are " + ", ".join(rs.program.labels))
    ex = trace_record(rs, record, as_of, population, {}, batch)
    order = rs.compiled.order
    out = []
    for i, rule in enumerate(rs.program.rules):
        if rule.label != label:
            continue
        needs = _needs(ex, rule.condition)
        blocked = []
        if rs.hit in ("first", "priority"):
            for j in order[: order.index(i)]:
                if ex.rule_values[j] is True and rs.program.rules[j].label != label:
                    blocked.append(f"{rs.program.rules[j].name} (line {rs.program.rules[j].line})"
                                   f" → {rs.program.rules[j].label}")
        out.append(WhyNotRule(rule.name, rule.line, ex.rule_values[i], needs, blocked))
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


def run_examples(rs: Ruleset) -> list[ExampleResult]:
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
            results.append(ExampleResult(ex.name, p.path, ex.line, expected, None, False, None,
                                         str(e)))
            continue
        actual = exp.decision.labels if exp.decision else ()
        if exp.conflict:
            results.append(ExampleResult(ex.name, p.path, ex.line, expected, None, False, exp,
                                         exp.conflict))
            continue
        if rs.hit == "all":
            passed = set(actual) == set(expected)
        else:
            passed = tuple(actual) == expected
        results.append(ExampleResult(ex.name, p.path, ex.line, expected, tuple(actual), passed,
                                     exp))
    return results
