"""The explanation of one record — what a traced evaluation observed (`Trace`) and the decision
it led to (`Explanation`) — and its document, `Explanation.to_dict()`, which is exactly what
`rulekit explain --format json` prints (less the command line's `input` and `why_not`).

Nothing here re-derives a decision: it reads what the evaluation recorded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from rulekit.documents import (
    EXPLANATION_FORMAT,
    Condition,
    ExplainedDecision,
    ExplanationDocument,
    FieldValue,
    LetValue,
    Operand,
    PopulationValue,
    RuleResult,
    Status,
    show_path,
)
from rulekit.engines.decision import rule_ref_document as rule_ref
from rulekit.engines.python import CompiledRuleset, Decision
from rulekit.explain.outputs import results_entries
from rulekit.explain.values import (
    describe_value,
    hit_name,
    jsonable,
    label_info,
    snippet,
    unreadable,
)
from rulekit.i18n import Msg
from rulekit.model.params import shown_params
from rulekit.source import Span
from rulekit.syntax import nodes as n


def _defaulted(shown: str) -> str:
    """The value of a field that took its declared default (`field x : … default d`), marked
    so in any language."""
    return Msg("{value} (default)", value=shown)


@dataclass
class Trace:
    """What one traced evaluation observed: the compiled trace function calls these."""

    values: dict[int, Any] = field(default_factory=dict)  # node id → its value
    population_sizes: dict[int, int] = field(default_factory=dict)  # node id → population size
    lets: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    bad: dict[str, Any] = field(default_factory=dict)  # field → the Bad raised reading it
    defaulted: set[str] = field(default_factory=set)  # fields whose value is their default

    def r(self, node_id: int, value: Any) -> Any:
        self.values[node_id] = value
        return value

    def rpop(self, node_id: int, values: Any, value: Any) -> Any:
        self.population_sizes[node_id] = values.n
        return value

    def rlet(self, name: str, value: Any) -> None:
        self.lets[name] = value

    def rfield(self, name: str, value: Any) -> None:
        # a field with a default is reported twice when its value is missing: missing, then
        # the default that replaces it (`field x : … default d`)
        if value is not None and name in self.fields and self.fields[name] is None:
            self.defaulted.add(name)
        self.fields[name] = value

    def rbad(self, name: str, error: Any) -> None:
        self.bad[name] = error


@dataclass
class Explanation:
    """The decision for one record and the evaluation that produced it."""

    ruleset: CompiledRuleset
    as_of: dt.date
    decision: Decision | None
    rule_values: tuple[bool | None, ...]  # each rule condition's three-valued result, file order
    trace: Trace
    overrides: dict[str, Any]
    conflict: str | None = None

    @property
    def label(self) -> str | None:
        return self.decision.label if self.decision else None

    def rule_status(self, index: int) -> Status:
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

    def value_of(self, node: n.Node) -> Any:
        """The value the evaluation saw for an expression node (a literal is its own value)."""
        if isinstance(node, n.Literal):
            return node.value
        return self.trace.values.get(node.id)

    def to_dict(self) -> ExplanationDocument:
        """The explanation document (format rulekit-explanation/1); see docs/cli.md."""
        return explanation_document(self)


def operands(node: n.Node) -> tuple[n.Node, ...]:
    """The operands a test compares (the node itself for a true/false value)."""
    if isinstance(node, n.Compare):
        return tuple(node.operands)
    if isinstance(node, n.Between):
        return (node.operand, node.low, node.high)
    if isinstance(node, n.InList):
        return (node.operand, node.options)
    if isinstance(node, n.IsMissing):
        return (node.operand,)
    if isinstance(node, n.StringTest):
        return (node.operand, node.pattern)
    if isinstance(node, n.RankIn):
        return (node.operand, node.fraction)
    return (node,)


# ---------------------------------------------------------------- the document


def explanation_document(ex: Explanation) -> ExplanationDocument:
    """The evaluation of one record, as recorded by the engine's observer (never recomputed)."""
    rs, p, tr = ex.ruleset, ex.ruleset.program, ex.trace
    d = ex.decision
    labels = list(d.labels) if d else []
    decision: ExplainedDecision = {
        "label": d.label if d else None,
        "labels": labels,
        "display": d.display if d else None,
        "rule": rule_ref(d.rule) if d and d.rule else None,
        "rules": [rule_ref(r) for r in d.rules] if d else [],
        "default": bool(d and d.labels and not d.rule),
        "error": ex.conflict,
        "label_info": [label_info(p, lab) for lab in labels],
    }
    fields: list[FieldValue] = []
    for name, info in p.fields.items():
        value = tr.fields.get(name)
        fields.append(
            {
                "name": name,
                "display": info.display.zh,
                "display_en": info.display.en,
                "column": info.column,
                "type": str(info.type),
                "unit": info.unit,
                "value": jsonable(value),
                "shown": (
                    _defaulted(describe_value(value, str(info.type), info.unit))
                    if name in tr.defaulted
                    else unreadable(tr.bad[name].value, tr.bad[name].reason)
                    if name in tr.bad and value is None
                    else describe_value(value, str(info.type), info.unit)
                ),
            }
        )
    in_lets: set[int] = set()
    lets: list[LetValue] = []
    for name, let in p.lets.items():
        value = tr.lets.get(name)
        pops = []
        if name not in ex.overrides:
            for sub in n.walk(let.decl.expr):
                if sub.id in tr.population_sizes:
                    in_lets.add(sub.id)
                    pops.append(_population(ex, sub))
        lets.append(
            {
                "name": name,
                "display": let.decl.display.zh,
                "display_en": let.decl.display.en,
                "type": str(let.type),
                "expression": snippet(p, let.decl.expr),
                "constant": is_constant(let.decl.expr),
                "value": jsonable(value),
                "shown": describe_value(value, str(let.type)),
                "given": name in ex.overrides,
                "population": pops,
            }
        )
    rules: list[RuleResult] = []
    for position, index in enumerate(rs.compiled.order, 1):
        rule = p.rules[index]
        status = ex.rule_status(index)
        entry: RuleResult = {
            "position": position,
            "name": rule.name,
            "file": show_path(p.path),
            "line": rule.line,
            "label": rule.label,
            "label_display": label_info(p, rule.label)["display"],
            "priority": rule.priority,
            "status": status,
            "result": jsonable(ex.rule_values[index]),
        }
        if status != "not reached":
            entry["condition"] = (
                _condition(ex, rule.condition)
                if rule.pick_test is None
                else _pick_condition(ex, rule, rule.pick_test)
            )
        rules.append(entry)
    doc: ExplanationDocument = {
        "format": EXPLANATION_FORMAT,
        "ruleset": {
            "id": rs.id,
            "display": p.display.zh,
            "display_en": p.display.en,
            "file": show_path(p.path),
            "hit": hit_name(rs.hit),
            "default": rs.default,
        },
        "as_of": ex.as_of.isoformat(),
        "decision": decision,
        "fields": fields,
        "lets": lets,
        "population": [
            _population(ex, p.node(node_id))
            for node_id in tr.population_sizes
            if node_id not in in_lets
        ],
        "rules": rules,
    }
    if p.params:
        doc["params"] = shown_params(p.params)
    if rs.has_results:
        doc["outputs"], doc["attributes"] = results_entries(rs, d)
    return doc


def _population(ex: Explanation, node: n.Node) -> PopulationValue:
    p = ex.ruleset.program
    value = ex.trace.values.get(node.id)
    return {
        "function": snippet(p, node),
        "kind": "rank" if isinstance(node, n.RankIn) else "value",
        "value": jsonable(value),
        "shown": describe_value(value, str(p.types.get(node.id, ""))),
        "of": ex.trace.population_sizes[node.id],
    }


def _flatten(node: n.Node, kind: type[n.And] | type[n.Or]) -> list[n.Node]:
    if isinstance(node, kind):
        return _flatten(node.left, kind) + _flatten(node.right, kind)
    return [node]


def is_constant(node: n.Node) -> bool:
    """A literal, a negated literal or a list of them: nothing an explanation needs to show."""
    if isinstance(node, n.Literal):
        return True
    if isinstance(node, n.Neg):
        return is_constant(node.operand)
    if isinstance(node, n.ListExpr):
        return all(is_constant(i) for i in node.items)
    return False


def _condition(ex: Explanation, node: n.Node) -> Condition:
    p = ex.ruleset.program
    value = jsonable(ex.value_of(node))
    text = snippet(p, node)
    if isinstance(node, (n.And, n.Or)):
        kind = n.And if isinstance(node, n.And) else n.Or
        return {
            "kind": "all" if kind is n.And else "any",
            "text": text,
            "result": value,
            "children": [_condition(ex, c) for c in _flatten(node, kind)],
        }
    if isinstance(node, n.Not):
        return {
            "kind": "not",
            "text": text,
            "result": value,
            "children": [_condition(ex, node.operand)],
        }
    out: Condition = {
        "kind": "test",
        "text": text,
        "result": value,
        "operands": [_operand(ex, o) for o in operands(node) if not is_constant(o)],
    }
    if node.id in ex.trace.population_sizes:
        out["population"] = {"of": ex.trace.population_sizes[node.id]}
    return out


def _pick_condition(ex: Explanation, rule: n.Rule, test: n.Node) -> Condition:
    """A `highest(…)` / `lowest(…)` candidate's rule: its written condition, then one test
    "`highest(…)` → label" with the candidates' values (not the expanded comparisons)."""
    p = ex.ruleset.program
    cond = rule.condition
    assert isinstance(cond, n.And)
    values: list[n.Node] = []  # the candidates' values, this rule's own first
    for sub in n.walk(test):
        if isinstance(sub, n.IsMissing) and all(v is not sub.operand for v in values):
            values.append(sub.operand)
    words = p.source.snippet(Span(cond.left.span.end, cond.span.end)).split()
    pick: Condition = {
        "kind": "test",
        "text": " ".join(words[1:]) + " → " + rule.label,  # without `then`
        "result": jsonable(ex.value_of(test)),
        "operands": [_operand(ex, v) for v in values if not is_constant(v)],
    }
    return {
        "kind": "all",
        "text": snippet(p, cond),
        "result": jsonable(ex.value_of(cond)),
        "children": [_condition(ex, cond.left), pick],
    }


def _operand(ex: Explanation, node: n.Node) -> Operand:
    p = ex.ruleset.program
    value = ex.value_of(node)
    tname = str(p.types.get(node.id, ""))
    out: dict[str, Any] = {"text": snippet(p, node), "value": jsonable(value), "type": tname}
    unit = None
    if isinstance(node, n.Name):
        if node.name in p.lets:
            out["let"] = node.name
        elif node.name in p.fields:
            out["field"] = node.name
            unit = p.fields[node.name].unit
    out["unit"] = unit
    out["shown"] = describe_value(value, tname, unit)
    if isinstance(node, n.Name) and node.name in ex.trace.defaulted:
        out["shown"] = _defaulted(out["shown"])
    for sub in n.walk(node):
        if sub.id in ex.trace.population_sizes:
            out["population"] = _population(ex, sub)
            break
    return cast(Operand, out)  # built key by key to keep the documented key order
