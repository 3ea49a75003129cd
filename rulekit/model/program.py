"""The checked program: the one model every later layer asks about a rule file.

The checker builds a `Program`; the Python compiler, the SQL generator, the engines and the
explanations read it. Every question asked of a checked program has its answer here, computed
once: which node has an id, which fields and lets an expression reads (through lets), the order
in which rules are evaluated, the labels a ruleset can give, and the hit policy as an enum.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from rulekit.errors import Diagnostic
from rulekit.model import datatypes as T
from rulekit.model.decisions import NamedDecision
from rulekit.model.outputs import AttributeInfo, OutputInfo
from rulekit.model.params import ParamInfo
from rulekit.model.semantics import CoercionError, coerce
from rulekit.source import Source
from rulekit.syntax import nodes as n


class HitPolicy(enum.StrEnum):
    """How the matching rules of a record make its decision."""

    FIRST = "first"  # the first matching rule in file order decides
    PRIORITY = "priority"  # the matching rule of highest priority decides (file order on ties)
    ALL = "all"  # every matching rule contributes its label
    UNIQUE = "unique"  # at most one rule may match; more is a bad record

    @property
    def single(self) -> bool:
        """One rule decides (first, priority): evaluation stops at the first match."""
        return self in (HitPolicy.FIRST, HitPolicy.PRIORITY)


@dataclass
class FieldInfo:
    name: str
    type: T.Type
    column: str
    decl: n.FieldDecl | None = None
    used: bool = False

    @property
    def display(self) -> n.Text:
        return self.decl.display if self.decl else n.Text()

    @property
    def unit(self) -> str | None:
        return self.decl.unit if self.decl else None

    @property
    def default(self) -> Any:
        """The value a missing record value takes (`field x : boolean default false`), or
        None when the field has no default."""
        if self.decl is None or self.decl.default is None:
            return None
        try:
            return coerce(n.literal_value(self.decl.default), self.type)
        except CoercionError:
            return None  # reported by the checker

    @property
    def one_of(self) -> tuple[Any, ...] | None:
        if self.decl and self.decl.one_of:
            return tuple(i.value for i in self.decl.one_of.items if isinstance(i, n.Literal))
        return None


@dataclass
class LetInfo:
    name: str
    decl: n.LetDecl
    type: T.Type
    index: int
    used: bool = False


@dataclass
class LabelInfo:
    name: str
    decl: n.LabelDecl | None = None

    @property
    def display(self) -> n.Text:
        return self.decl.display if self.decl else n.Text()


@dataclass(frozen=True)
class Reads:
    """What an expression reads, through the lets it uses: fields in declaration order, lets
    in definition order."""

    fields: tuple[str, ...]
    lets: tuple[str, ...]


@dataclass(eq=False)
class Program:
    """A checked rule file."""

    source: Source
    id: str
    display: n.Text
    description: n.Text
    source_ref: n.Text
    version: Any
    aliases: tuple[str, ...]
    hit: HitPolicy
    default: str | None
    fields: dict[str, FieldInfo]
    lets: dict[str, LetInfo]
    labels: dict[str, LabelInfo]
    rules: list[n.Rule]
    examples: list[n.Example]
    types: dict[int, T.Type]
    population_keys: dict[int, str]  # population node id -> key of its value population
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # the shared parameters it sees (rulekit.model.params), by name; `.used` those it reads
    params: dict[str, ParamInfo] = field(default_factory=dict)
    # the overrides it was checked with (name → value as given), kept to compile it again
    param_overrides: tuple[tuple[str, Any], ...] = ()
    # named decisions (`decision NAME … when PARENT is LABEL`, rulekit.model.decisions) by name,
    # in file order; empty in a file without one (the Program is its unnamed decision)
    decisions: dict[str, NamedDecision] = field(default_factory=dict)
    # named result values (each also a let) and the labels' constants (rulekit.model.outputs)
    outputs: dict[str, OutputInfo] = field(default_factory=dict)
    attributes: dict[str, AttributeInfo] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return self.source.path

    def type_of(self, node: n.Node) -> T.Type:
        return self.types[node.id]

    def expressions(self) -> list[n.Node]:
        """Every rule condition and let formula: the roots of all expressions."""
        return [r.condition for r in self.rules] + [x.decl.expr for x in self.lets.values()]

    @cached_property
    def _nodes(self) -> dict[int, n.Node]:
        out: dict[int, n.Node] = {}
        for root in self.expressions():
            for sub in n.walk(root):
                out.setdefault(sub.id, sub)
        return out

    def node(self, node_id: int) -> n.Node:
        """The expression node with this id."""
        return self._nodes[node_id]

    def population_nodes(self) -> dict[str, n.Node]:
        """Population key → the first node ranking by it."""
        out: dict[str, n.Node] = {}
        for root in self.expressions():
            for sub in n.walk(root):
                key = self.population_keys.get(sub.id)
                if key is not None:
                    out.setdefault(key, sub)
        return out

    # ---- what expressions read
    def reads(self, root: n.Node) -> Reads:
        """Fields and lets an expression reads, through the lets it uses."""
        fields: set[str] = set()
        lets: set[str] = set()
        stack = [root]
        while stack:
            for sub in n.walk(stack.pop()):
                if isinstance(sub, n.Name):
                    if sub.name in self.lets:
                        if sub.name not in lets:
                            lets.add(sub.name)
                            stack.append(self.lets[sub.name].decl.expr)
                    elif sub.name in self.fields:
                        fields.add(sub.name)
        return Reads(
            tuple(f for f in self.fields if f in fields), tuple(x for x in self.lets if x in lets)
        )

    @cached_property
    def rule_reads(self) -> tuple[Reads, ...]:
        """What each rule's condition reads, by rule index (file order)."""
        return tuple(self.reads(r.condition) for r in self.rules)

    # ---- evaluation order and labels
    @cached_property
    def order(self) -> tuple[int, ...]:
        """Evaluation position → rule index. File order; under `hit priority` highest priority
        first, file order on ties (a stable sort)."""
        indexes = list(range(len(self.rules)))
        if self.hit is HitPolicy.PRIORITY:
            indexes.sort(key=lambda i: (-self.rules[i].priority, i))
        return tuple(indexes)

    @cached_property
    def produced_labels(self) -> frozenset[str]:
        """Labels some rule (or the default) gives."""
        out = {r.label for r in self.rules}
        if self.default:
            out.add(self.default)
        return frozenset(out)
