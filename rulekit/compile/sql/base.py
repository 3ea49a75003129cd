"""The state of one compilation, shared by every part of the generator.

`GeneratorBase` takes the checked Program and plans the names of the query once: the internal
CTE and column names (`rk_…`), a column per field, let, population argument and population
function, and the columns of frozen populations and exact sums — every name unique without
regard to case, as SQL compares them. The parts of the generator (arithmetic.py,
expressions.py, populations.py, coercion.py, layout.py, queries.py) are mixins over this base:
the attributes they share are declared here, so each type-checks on its own.

It asks the program model for everything it knows (`Program.node`, `reads`, `order`, `hit`,
`population_nodes`, `type_of`) rather than deriving it again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from rulekit.compile.sql.dialect import Dialect
from rulekit.model import datatypes as T
from rulekit.model.program import Program
from rulekit.syntax import nodes as n

PopNode = n.Call | n.RankIn  # a node ranking a row in a population

# The internal names every query uses (each prefixed with PREFIX and made unique).
_INTERNAL = (
    "src",
    "raw",
    "row",
    "input",
    "prep",
    "fields",
    "checked",
    "valid",
    "decided",
    "pos",
    "matches",
    "bad",
    "pop_bad",
    "all_bad",
    "stage",
    "field",
    "value",
    "reason",
    "flag",
)


@dataclass
class Step:
    """One computed column: a let, a population argument or a population function."""

    name: str  # SQL column name
    sql: str = ""
    deps: set[str] = field(default_factory=set)  # names of steps it needs
    kind: str = "let"  # let | arg | scale | pop
    node: n.Node | None = None
    comment: str | None = None


class GeneratorBase(Dialect):
    """One program being compiled: its options and the planned names of its query."""

    # Set while the CTE chain is built (layout.py), read by the final SELECTs (queries.py).
    why_col: dict[str, str]  # field -> column of its bad value's full reason
    with_reasons: bool  # whether the rejected rows carry their value and reason
    checked: str  # the CTE holding the rows with their pop_bad / all_bad indexes
    _frozen_done: set[str]  # population keys whose frozen tables are joined already
    _names: set[str]  # the column names planned so far, lower case
    user_names: set[str]  # the user's names (fields, lets, columns), lower case
    _lambda_count: int  # lambda variables numbered so far in this query
    field_names: list[dict[str, str]]  # per field: its bad / text / why columns

    def __init__(
        self,
        program: Program,
        as_of: dt.date | None = None,
        frozen: bool = False,
        lang: str = "zh",
        validate: str = "needed",
        display: bool = False,
        compact_text: bool = False,
    ):
        self.p = program
        self.display = display
        self.compact_text = compact_text
        self.as_of = as_of
        self.frozen = frozen
        self.validate = validate
        self.lang = lang
        self.unsupported_messages = []
        self.rules = program.rules
        self.order = program.order  # evaluation position -> rule index
        self._planned_for: tuple[str, ...] | None = None
        self.plan_names(())
        # the fields a live population reads (through lets), so checks first; in field order
        read = {f for node in self.pop_nodes.values() for f in program.reads(node).fields}
        self.pop_fields = [f for f in program.fields if f in read]

    def plan_names(self, columns: Iterable[str]) -> None:
        """Plan every name of the query (again) for a source with these columns: internal
        names start with a prefix no user name starts with (fields, lets, their columns and
        the source's columns, without regard to case, as SQL compares names), so that none
        can collide with the user's; lambda variables are numbered from 1 per query."""
        program = self.p
        user = [*program.fields, *program.lets, *columns]
        user += [info.column for info in program.fields.values()]
        planned = tuple(user)
        if planned == self._planned_for:
            self._lambda_count = 0
            return
        self._planned_for = planned
        self.user_names = {u.lower() for u in user}
        prefix, i = type(self).PREFIX, 0
        while any(u.startswith(prefix.lower()) for u in self.user_names):
            i += 1
            prefix = f"{type(self).PREFIX[:-1]}{i}_"
        self.PREFIX = prefix
        self._lambda_count = 0
        self._names = set()
        self.internal = {k: self._unique(self.PREFIX + k) for k in _INTERNAL}
        self.field_index = {name: i for i, name in enumerate(program.fields)}
        self.err_col: dict[str, str] = {}  # field -> column of its failure words
        self.text_col: dict[str, str] = {}  # field -> column of its raw text
        self.has_pop_bad = self.has_all_bad = False
        self.field_col = {name: self._unique(name) for name in program.fields}
        self.let_col = {name: self._unique(name) for name in program.lets}
        keys = list(dict.fromkeys(program.population_keys.values()))
        self.pop_keys = keys
        self.pop_key_index = {k: i for i, k in enumerate(keys)}
        # key -> first node with it
        self.pop_nodes = cast(dict[str, PopNode], program.population_nodes())
        self.arg_col = {k: self._unique(f"{self.PREFIX}arg_{i}") for i, k in enumerate(keys)}
        self.pop_col: dict[int, str] = {}  # population node id -> its column
        for let in program.lets.values():
            if n.is_population(let.decl.expr):
                self.pop_col[let.decl.expr.id] = self.let_col[let.name]
        for i, node_id in enumerate(sorted(program.population_keys)):
            self.pop_col.setdefault(node_id, self._unique(f"{self.PREFIX}pop_{i}"))
        self.frozen_col = {
            k: {
                part: self._unique(f"{self.PREFIX}{part}_{i}")
                for part in ("less", "greater", "n", "below", "total")
            }
            for i, k in enumerate(keys)
        }
        share_keys = [
            key
            for node_id, key in program.population_keys.items()
            if isinstance(call := program.node(node_id), n.Call) and call.func == "cumulative_share"
        ]
        self.scaled_col: dict[str, str] = {}  # key -> column of its exact sum terms
        self.scale_col: dict[str, tuple[str, str]] = {}  # key -> (scale, size) columns
        if not self.frozen and self.EXACT_DIVISION:
            for key in dict.fromkeys(share_keys):
                i = self.pop_key_index[key]
                self.scaled_col[key] = self._unique(f"{self.PREFIX}exact_{i}")
                self.scale_col[key] = (
                    self._unique(f"{self.PREFIX}scale_{i}"),
                    self._unique(f"{self.PREFIX}size_{i}"),
                )
        self.field_names = [  # the per-field columns: failure, raw text, reason
            {part: self._unique(f"{self.PREFIX}{part}_{i}") for part in ("bad", "text", "why")}
            for i in range(len(program.fields))
        ]

    def _unique(self, name: str) -> str:
        """A column name unused so far; SQL compares names without case, so do we."""
        candidate, i = name, 1
        while candidate.lower() in self._names:
            i += 1
            candidate = f"{name}_{i}"
        self._names.add(candidate.lower())
        return candidate

    def lambda_var(self) -> str:
        """A lambda variable: numbered per query, never the name of a user's column."""
        while True:
            self._lambda_count += 1
            name = f"e{self._lambda_count}"
            if name not in self.user_names:
                return self.identifier_sql(name)

    def type_of(self, node: n.Node) -> T.Type:
        return self.p.type_of(node)


# ---------------------------------------------------------------------- text of the query


def indent(text: str, by: int = 2) -> str:
    pad = " " * by
    return "\n".join(pad + line if line else line for line in text.split("\n"))


def comment(text: str | None) -> str:
    """Text safe inside a `--` comment: one line, nothing that could end it."""
    return " ".join(str(text or "").split())


def sep_comments(items: list[str]) -> list[str]:
    """`expr  -- note` items joined by commas need the comma before the comment."""
    out = []
    for i, item in enumerate(items):
        last = i == len(items) - 1
        if "  -- " in item:
            code, note = item.split("  -- ", 1)
            out.append(f"{code}{'' if last else ','}  -- {note}")
        else:
            out.append(item + ("" if last else ","))
    return out
