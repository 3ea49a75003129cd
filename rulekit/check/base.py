"""The state every part of the checker shares, and the services they all use.

The checker is one object assembled from parts by job (`checker.Checker` = expressions + calls
on this base). This base owns what they share: the symbol tables being built (fields, lets,
labels), the side table of node types, the types inferred for undeclared fields, the population
keys, and reporting. It also declares the typing entry points each part calls and another part
implements, so each part can be checked and read on its own.
"""

from __future__ import annotations

import re

from rulekit.check.report import Report, Severity
from rulekit.model import datatypes as T
from rulekit.model.program import FieldInfo, LabelInfo, LetInfo
from rulekit.source import Source, Span
from rulekit.suggest import NameIndex
from rulekit.syntax import nodes as n

_DECLARES = {"field": "field", "字段": "field", "let": "let", "令": "let"}
_DECLARES |= {"label": "label", "标签": "label"}
_BROKEN_DECL = re.compile(
    r"^[ \t\u3000]*(field|字段|let|令|label|标签)\s+([^\W\d]\w*)", re.IGNORECASE | re.MULTILINE
)


def broken_declarations(text: str, unparsed: list[Span]) -> dict[str, set[str]]:
    """kind (field, let, label) → the names declared by the unparsed stretches of text (by a
    line that begins with `field NAME`, `let NAME` or `label NAME`)."""
    out: dict[str, set[str]] = {"field": set(), "let": set(), "label": set()}
    for span in unparsed:
        for m in _BROKEN_DECL.finditer(text, span.start, span.end):
            out[_DECLARES[m.group(1).lower()]].add(m.group(2))
    return out


def inferable(t: T.Type) -> T.Type:
    """The type an undeclared field gets from a use that implies `t`: a whole number implies a
    `number`, never an `integer` (`monetary > 5000` must not set aside `6000.50` as bad)."""
    if t == T.INTEGER:
        return T.NUMBER
    if t.is_list and t.element == T.INTEGER:
        return T.list_of(T.NUMBER)
    return t


class CheckerBase:
    """Shared state of one check of one file."""

    def __init__(self, file: n.File, source: Source, strict: bool = False) -> None:
        self.file = file
        self.source = source
        self.strict = strict
        self.report = Report(source)
        self.declared_fields = False  # the file declares its fields: nothing is inferred
        self.declared_labels = False  # the file declares its labels
        self.types: dict[int, T.Type] = {}  # node id -> type
        self.fields: dict[str, FieldInfo] = {}
        self.lets: dict[str, LetInfo] = {}
        self.labels: dict[str, LabelInfo] = {}
        self.inferred: dict[str, T.Type] = {}  # undeclared field -> the type its use implies
        self.inferred_at: dict[str, Span] = {}  # undeclared field -> the use that implied it
        self.population_keys: dict[int, str] = {}
        self.let_names = {s.name for s in file.statements if isinstance(s, n.LetDecl)}
        # Names declared by statements that did not parse (after a syntax error): taken as
        # declared, so that their uses are not reported as unknown on top of the syntax error.
        self.broken = broken_declarations(source.text, file.unparsed)
        self._let_has_population: dict[str, bool] = {}
        self._visible_lets: set[str] = set()  # lets defined above the current statement
        self._names: NameIndex | None = None  # fields, then lets: for did-you-mean
        self._labels: NameIndex | None = None
        self._by_type: tuple[int, dict[T.Type, str]] | None = None

    # ---------------------------------------------------------------- reporting
    def error(
        self,
        code: str,
        message: str,
        span: Span,
        hint: str | None = None,
        label: str = "",
        severity: Severity = "error",
    ) -> None:
        self.report.error(code, message, span, hint, label, severity)

    def warn(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.report.warn(code, message, span, hint)

    def _line_of(self, decl: n.Node | None) -> int:
        """The line a declaration starts on (0 for a field known only by inference)."""
        return self.source.line_col(decl.span.start)[0] if decl is not None else 0

    def snippet(self, node: n.Node) -> str:
        """The source text of a node, as written."""
        return self.source.snippet(node.span)

    # ---------------------------------------------------------------- did-you-mean
    def names_index(self) -> NameIndex:
        """The declared fields, then the lets in file order (built once, when the fields are
        declared): a did-you-mean query compares with a bounded few of them."""
        if self._names is None:
            lets = [
                s.name for s in self.file.statements if isinstance(s, (n.LetDecl, n.OutputDecl))
            ]
            self._names = NameIndex([*self.fields, *lets])
        return self._names

    def _not_visible(self, name: str) -> bool:
        """A let not yet defined at this point (not a candidate for did-you-mean)."""
        return name not in self.fields and name not in self._visible_lets

    def first_field_of(self, t: T.Type) -> str | None:
        """The first field of type `t` (a table made once per set of fields)."""
        if self._by_type is None or self._by_type[0] != len(self.fields):
            table: dict[T.Type, str] = {}
            for name, info in self.fields.items():
                table.setdefault(info.type, name)
            self._by_type = (len(self.fields), table)
        return self._by_type[1].get(t)

    def labels_index(self) -> NameIndex:
        """The declared labels (built once, after their declarations)."""
        if self._labels is None:
            self._labels = NameIndex(self.labels)
        return self._labels

    # ---------------------------------------------------------------- implemented by the parts
    def expr(self, node: n.Node, expected: T.Type | None = None) -> T.Type:
        """Type an expression and record its type; `expected` guides inference. (expressions)"""
        raise NotImplementedError

    def call(self, node: n.Call) -> T.Type:
        """Type a function call. (calls)"""
        raise NotImplementedError

    def rank_in(self, node: n.RankIn) -> T.Type:
        """Type `x in top p [by F]`. (calls)"""
        raise NotImplementedError

    def condition(self, node: n.Node) -> None:
        """Type a condition: it must be true/false. (expressions)"""
        raise NotImplementedError

    def conditional(self, node: n.Conditional, expected: T.Type | None) -> T.Type:
        """Type `if C then A else B`. (conditionals)"""
        raise NotImplementedError

    # ---------------------------------------------------------------- inference
    def bind(self, node: n.Node, t: T.Type) -> T.Type | None:
        """Give an undeclared field the type its use implies; returns the bound type."""
        if (
            isinstance(node, n.Name)
            and node.name not in self._visible_lets
            and node.name not in self.fields
            and not self.declared_fields
            and self.inferred.get(node.name, T.UNKNOWN) == T.UNKNOWN
            and t not in (T.UNKNOWN, T.ERROR, T.NULL)
        ):
            t = inferable(t)
            self.inferred[node.name] = t
            self.inferred_at[node.name] = node.span
            self.types[node.id] = t
            return t
        return None

    def contains_population(self, node: n.Node) -> bool:
        """Whether an expression ranks against the population, directly or through a let."""
        for sub in n.walk(node):
            if n.is_population(sub):
                return True
            if isinstance(sub, n.Name) and self._let_has_population.get(sub.name):
                return True
        return False
