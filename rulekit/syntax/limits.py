"""How deep an expression may nest, checked on the parsed Lark tree before anything recursive
runs (the LALR parse itself keeps its stack in a list, so any depth parses).

Every later pass (building the nodes, the checker, the Python and SQL generators, explanations)
walks an expression recursively, and the generated Python may not nest brackets more than 200
deep. So:

* a run of `and` (or of `or`) longer than `CHAIN` terms is regrouped into a balanced tree of
  runs: `a or b or … ` with 10,000 terms nests about 25 levels, and means exactly the same
  (Kleene `and` and `or` are associative; the terms keep their order);
* any other nesting — brackets around an operation, `not`, unary `-`, a function call, each
  `+ - * /` of a run (they stay left to right: `a - b - c` is `(a - b) - c`) — counts one level,
  and an expression deeper than `MAX_DEPTH` levels is a `too-deeply-nested` error at the place
  where it goes too deep.
"""

from __future__ import annotations

from lark import Token, Tree
from lark.tree import Meta

from rulekit.errors import Diagnostic
from rulekit.i18n import N_, Msg
from rulekit.source import Source, Span

MAX_DEPTH = 32  # levels of one expression (docs/language.md § Limits)
MAX_LET_CHAIN = 500  # lets that build on each other (each is a step of the SQL query)
# `min`, `max` and `round` repeat their argument in the generated SQL (a missing-value test, a
# range test), so each of them nested in another doubles the query or more: at most this many.
MAX_REPEATING = 4
REPEATING = frozenset({"min", "max", "round"})
SPLIT_HINT = N_("split it: name a part with `let part = …` and use `part` here")
# The message of the safety net in rulekit.check_text (marked here for the catalog).
NESTS_TOO_DEEPLY = N_("this expression nests too deeply for rulekit to evaluate")
CHAIN = 16  # a run of `and` / `or` up to this many terms stays as written (left to right)

_JUNCTIONS = ("or_", "and_")
# Trees that are not a level of their own: a call's argument list, `by F`, a literal's token.
_FLAT = frozenset({"args", "by", "literal"})
# Statements: the root of each check (depth 0).
Node = Tree[Token] | Token


def _start(x: Node) -> int:
    pos = x.start_pos if isinstance(x, Token) else x.meta.start_pos
    assert pos is not None  # every lexed token and propagated meta has a position
    return pos


def _end(x: Node) -> int:
    pos = x.end_pos if isinstance(x, Token) else x.meta.end_pos
    assert pos is not None
    return pos


def _meta(first: Node, last: Node) -> Meta:
    meta = Meta()  # type: ignore[no-untyped-call]  # (lark leaves its __init__ untyped)
    meta.start_pos, meta.end_pos = _start(first), _end(last)
    meta.empty = False
    return meta


def _left_deep(kind: str, terms: list[Node]) -> Node:
    out = terms[0]
    for term in terms[1:]:
        out = Tree(kind, [out, term], _meta(terms[0], term))
    return out


def _balanced(kind: str, terms: list[Node]) -> Node:
    """Runs of at most CHAIN terms, left to right, joined pairwise (depth log2 of the runs)."""
    if len(terms) <= CHAIN:
        return _left_deep(kind, terms)
    mid = (len(terms) // CHAIN + 1) // 2 * CHAIN
    return Tree(
        kind,
        [_balanced(kind, terms[:mid]), _balanced(kind, terms[mid:])],
        _meta(terms[0], terms[-1]),
    )


def _terms(tree: Tree[Token]) -> list[Node]:
    """The terms of a left-deep run of one junction, in order (iteratively)."""
    rights: list[Node] = []
    cur: Node = tree
    while isinstance(cur, Tree) and cur.data == tree.data and len(cur.children) == 2:
        rights.append(cur.children[1])
        cur = cur.children[0]
    rights.append(cur)
    rights.reverse()
    return rights


def balance(tree: Tree[Token]) -> None:
    """Regroup every run of `and` / `or` longer than CHAIN terms, in place."""
    stack: list[Node] = [tree]
    while stack:
        node = stack.pop()
        if not isinstance(node, Tree):
            continue
        if node.data in _JUNCTIONS:
            terms = _terms(node)
            if len(terms) > CHAIN:
                regrouped = _balanced(str(node.data), terms)
                assert isinstance(regrouped, Tree)
                node.children = regrouped.children
                stack.extend(terms)
                continue
        stack.extend(node.children)


def too_deep(statement: Tree[Token], source: Source) -> Diagnostic | None:
    """The diagnostic of the first place where an expression of `statement` nests more than
    MAX_DEPTH levels, or None."""
    stack: list[tuple[Node, int, int]] = [(statement, 0, 0)]
    while stack:
        node, depth, repeating = stack.pop()
        if not isinstance(node, Tree):
            continue
        if node is not statement and node.data not in _FLAT:
            depth += 1
        name = node.children[0] if node.data == "call" and node.children else None
        if isinstance(name, Token) and str(name).lower() in REPEATING:
            repeating += 1
            if repeating > MAX_REPEATING:
                return _too_deep(
                    node,
                    source,
                    Msg(
                        "more than {count} of `min`, `max` and `round` nest here",
                        count=MAX_REPEATING,
                    ),
                    Msg(SPLIT_HINT),
                )
        if depth > MAX_DEPTH:
            return _too_deep(
                node,
                source,
                Msg("this expression nests more than {count} levels deep", count=MAX_DEPTH),
                Msg(
                    "split it: name a part with `let part = …` and use `part` here; brackets, "
                    "`not`, `-`, function calls and each `+ - * /` of a run add a level "
                    "(a long run of `and` / `or` is fine)"
                ),
            )
        stack.extend((c, depth, repeating) for c in reversed(node.children))
    return None


def _too_deep(node: Tree[Token], source: Source, message: str, hint: str) -> Diagnostic:
    """The `too-deeply-nested` diagnostic at `node` (its first 40 characters underlined)."""
    start = _start(node)
    span = Span(start, max(start + 1, min(_end(node), start + 40)))
    return diagnostic(source, span, message, hint, label=Msg("too deep from here"))


def diagnostic(
    source: Source, span: Span, message: str, hint: str = SPLIT_HINT, label: str = ""
) -> Diagnostic:
    """A `too-deeply-nested` diagnostic: the one shape of every depth error (the limits above,
    and the safety net of rulekit.check_text / compile). Plain texts are looked up in the
    catalog when shown (rulekit.i18n)."""
    message, hint = _msg(message), _msg(hint)
    label = _msg(label) if label else label
    return Diagnostic("too-deeply-nested", message, source, span, label=label, hint=hint)


def _msg(text: str) -> Msg:
    return text if isinstance(text, Msg) else Msg(text)
