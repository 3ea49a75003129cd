"""The checked language's tree: frozen, slotted dataclasses, each with an id and a span.

Types live in a side table keyed by node id (see rulekit.check), so nodes stay plain data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rulekit.source import Span


@dataclass(frozen=True, slots=True, eq=False)
class Node:
    id: int
    span: Span


# ---------------------------------------------------------------- expressions


@dataclass(frozen=True, slots=True, eq=False)
class Literal(Node):
    """A constant. kind: number, percent, duration, date, timestamp, string, boolean."""

    value: Any
    kind: str
    text: str


@dataclass(frozen=True, slots=True, eq=False)
class Today(Node):
    """`today`: the evaluation date."""


@dataclass(frozen=True, slots=True, eq=False)
class Name(Node):
    """A field or let reference."""

    name: str


@dataclass(frozen=True, slots=True, eq=False)
class ListExpr(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Neg(Node):
    operand: Node


@dataclass(frozen=True, slots=True, eq=False)
class Binary(Node):
    """Arithmetic: op is one of + - * /."""

    op: str
    left: Node
    right: Node
    op_span: Span


@dataclass(frozen=True, slots=True, eq=False)
class Compare(Node):
    """A comparison chain: operands[0] ops[0] operands[1] ops[1] operands[2] …"""

    operands: tuple[Node, ...]
    ops: tuple[str, ...]  # normalised: > >= < <= = !=
    op_spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Between(Node):
    operand: Node
    low: Node
    high: Node
    negated: bool


@dataclass(frozen=True, slots=True, eq=False)
class InList(Node):
    operand: Node
    options: Node  # a ListExpr or a list-valued expression
    negated: bool


@dataclass(frozen=True, slots=True, eq=False)
class IsMissing(Node):
    operand: Node
    negated: bool


@dataclass(frozen=True, slots=True, eq=False)
class StringTest(Node):
    """op: contains | starts_with | ends_with."""

    op: str
    operand: Node
    pattern: Node
    negated: bool


@dataclass(frozen=True, slots=True, eq=False)
class Call(Node):
    """A function call; `by` partitions a population function."""

    func: str
    args: tuple[Node, ...]
    by: Name | None
    name_span: Span
    among: Node | None = None  # a population filter: rank among the rows where it is true


@dataclass(frozen=True, slots=True, eq=False)
class RankIn(Node):
    """`x in top p [by F]` / `x in bottom p [by F]`."""

    operand: Node
    top: bool
    fraction: Node
    by: Name | None
    among: Node | None = None  # a population filter: rank among the rows where it is true


@dataclass(frozen=True, slots=True, eq=False)
class And(Node):
    left: Node
    right: Node


@dataclass(frozen=True, slots=True, eq=False)
class Or(Node):
    left: Node
    right: Node


@dataclass(frozen=True, slots=True, eq=False)
class Not(Node):
    operand: Node


POPULATION_FUNCTIONS = ("percentile", "score", "cumulative_share")


def is_population(node: Node) -> bool:
    return isinstance(node, RankIn) or (
        isinstance(node, Call) and node.func in POPULATION_FUNCTIONS
    )


def children(node: Node) -> tuple[Node, ...]:
    """Direct sub-expressions, in evaluation order."""
    if isinstance(node, (Literal, Today, Name)):
        return ()
    if isinstance(node, ListExpr):
        return node.items
    if isinstance(node, (Neg, Not, IsMissing)):
        return (node.operand,)
    if isinstance(node, (Binary, And, Or)):
        return (node.left, node.right)
    if isinstance(node, Compare):
        return node.operands
    if isinstance(node, Between):
        return (node.operand, node.low, node.high)
    if isinstance(node, InList):
        return (node.operand, node.options)
    if isinstance(node, StringTest):
        return (node.operand, node.pattern)
    if isinstance(node, Call):
        return node.args + _among(node) + ((node.by,) if node.by else ())
    if isinstance(node, RankIn):
        return (node.operand, node.fraction) + _among(node) + ((node.by,) if node.by else ())
    if isinstance(node, Conditional):
        return (node.condition, node.then, node.otherwise)
    raise TypeError(f"not an expression node: {type(node).__name__}")


def _among(node: Call | RankIn) -> tuple[Node, ...]:
    return (node.among,) if node.among is not None else ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of an expression, parents before children."""
    yield node
    for child in children(node):
        yield from walk(child)


# ---------------------------------------------------------------- statements


@dataclass(frozen=True, slots=True, eq=False)
class Text:
    """A display text with its optional English twin."""

    zh: str | None = None
    en: str | None = None

    def get(self, lang: str = "zh") -> str | None:
        return (self.en or self.zh) if lang == "en" else (self.zh or self.en)


@dataclass(frozen=True, slots=True, eq=False)
class FieldDecl(Node):
    name: str
    name_span: Span
    type_name: str  # as written; resolved by the checker
    list_of: bool
    type_span: Span
    display: Text
    unit: str | None
    column: str | None
    one_of: ListExpr | None
    default: Node | None = None  # `default false`: the value taken when the record's is missing


@dataclass(frozen=True, slots=True, eq=False)
class LetDecl(Node):
    name: str
    name_span: Span
    expr: Node
    display: Text


@dataclass(frozen=True, slots=True, eq=False)
class LabelDecl(Node):
    name: str
    name_span: Span
    display: Text
    description: Text
    strategy: Text
    # `with discount = 10%, cadence = 7d`: constants of this label (rulekit.check.outputs)
    attributes: tuple[Attribute, ...] = ()


@dataclass(frozen=True, slots=True, eq=False)
class Rule(Node):
    name: str
    named: bool
    condition: Node
    label: str
    label_span: Span
    priority: int
    because: Text
    line: int
    # a `highest(…)` / `lowest(…)` rule's candidate: the test that its label wins (the right
    # side of `condition`, not written in the file; syntax/picks.py)
    pick_test: Node | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Given(Node):
    name: str
    name_span: Span
    value: Any  # decoded literal value (None = missing)
    value_node: Node | None


@dataclass(frozen=True, slots=True, eq=False)
class Example(Node):
    name: str
    given: tuple[Given, ...]
    as_of: Any  # date | None
    expect: tuple[str, ...] | None  # None = expect no label
    expect_span: Span
    line: int
    # `expect channel = end_user, …`: what named decisions give; then the ruleset's own label
    # (the unnamed decision) is not checked (`checks_label` False)
    decisions: tuple[DecisionExpect, ...] = ()
    checks_label: bool = True
    # `expect vip with r_score = 5, discount = 10%`: outputs and attributes the example checks
    expect_with: tuple[Given, ...] = ()


@dataclass(frozen=True, slots=True, eq=False)
class Meta(Node):
    """A header item: key is ruleset|description|source|version|alias|hit|default."""

    key: str
    value: Any
    value_span: Span


@dataclass(eq=False)
class File:
    """A parsed rule file: statements in file order; `unparsed`, the stretches of text skipped
    after a syntax error (each from the start of the broken statement)."""

    statements: list[Node] = field(default_factory=list)
    unparsed: list[Span] = field(default_factory=list)


def literal_value(node: Node | None) -> Any:
    """The Python value of an example's literal (lists become tuples)."""
    if node is None:
        return None
    if isinstance(node, ListExpr):
        return tuple(literal_value(i) for i in node.items)
    if isinstance(node, Literal):
        return node.value
    return None


@dataclass(frozen=True, slots=True, eq=False)
class ParamDecl(Node):
    """`param NAME = VALUE ["显示名"] [en "display"]`: a named constant (see rulekit.model.params)."""

    name: str
    name_span: Span
    value: Node  # a Literal (a missing value is rejected by the checker) or a ListExpr of them
    display: Text


@dataclass(frozen=True, slots=True, eq=False)
class UseDecl(Node):
    """`use "params.rules"`: the params of another file, by a path relative to this file."""

    path: str
    path_span: Span


# ---------------------------------------------------------------- added constructs


@dataclass(frozen=True, slots=True, eq=False)
class Conditional(Node):
    """`if COND then A else B` as a value; an unknown (missing) COND takes B, as SQL's CASE.
    `else if` chains nest in `otherwise`."""

    condition: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True, slots=True, eq=False)
class DecisionDecl(Node):
    """`decision NAME ["显示名"] [en "…"] [when PARENT is LABEL]`: a named decision; the hit,
    default, label and rule statements after it (up to the next one) are its own
    (rulekit.model.decisions)."""

    name: str
    name_span: Span
    display: Text
    parent: str | None = None
    parent_span: Span | None = None
    parent_label: str | None = None
    parent_label_span: Span | None = None


@dataclass(frozen=True, slots=True, eq=False)
class DecisionExpect:
    """One `NAME = LABEL` of an example's `expect`: the label(s) a named decision gives
    (None: no label)."""

    decision: str
    span: Span
    labels: tuple[str, ...] | None


@dataclass(frozen=True, slots=True, eq=False)
class OutputDecl(Node):
    """`output NAME = EXPR`: a named result value, returned with every record's decision. The
    checker also declares it as a let of the same name (rulekit.check.outputs)."""

    name: str
    name_span: Span
    expr: Node
    display: Text


@dataclass(frozen=True, slots=True, eq=False)
class Attribute(Node):
    """`discount = 10%` after a label's `with`: a constant of that label."""

    name: str
    name_span: Span
    value: Node  # a Literal (missing rejected by the checker) or a ListExpr
