"""Staged populations and population filters: which populations must be known before another.

A population function ranks a value that may itself rank (`score(0.5 * score(recency, 5) +
0.3 * score(frequency, 5), 10)`), directly or through lets, and its filter (`among COND`) may
rank too. A key's stage is 0 when nothing inside its ranked value or its filter ranks, else one
more than the highest stage it reads: the engines build the populations stage by stage (every
record's inner ranks first, then the values ranked against them).
"""

from __future__ import annotations

from rulekit.model.program import Program
from rulekit.syntax import nodes as n


def ranked_parts(node: n.Node) -> tuple[n.Node, n.Node | None, n.Name | None]:
    """A population node's (ranked value, filter or None, `by` field or None)."""
    if isinstance(node, n.RankIn):
        return node.operand, node.among, node.by
    assert isinstance(node, n.Call)
    return node.args[0], node.among, node.by


def inner_keys(program: Program, root: n.Node) -> set[str]:
    """The population keys an expression ranks by, through the lets it reads."""
    keys: set[str] = set()
    seen: set[str] = set()
    stack = [root]
    while stack:
        for sub in n.walk(stack.pop()):
            key = program.population_keys.get(sub.id)
            if key is not None:
                keys.add(key)
            if isinstance(sub, n.Name) and sub.name in program.lets and sub.name not in seen:
                seen.add(sub.name)
                stack.append(program.lets[sub.name].decl.expr)
    return keys


def key_stages(program: Program) -> dict[str, int]:
    """Population key → its stage (0: ranks plain values; k: reads populations of stage < k)."""
    nodes = program.population_nodes()
    needs: dict[str, set[str]] = {}
    for key, node in nodes.items():
        arg, among, _ = ranked_parts(node)
        inner = inner_keys(program, arg)
        if among is not None:
            inner |= inner_keys(program, among)
        inner.discard(key)  # a value cannot rank by its own population (checked): no cycle
        needs[key] = inner
    stage: dict[str, int] = {}

    def depth(key: str, path: frozenset[str]) -> int:
        if key not in stage:
            deps = [d for d in needs.get(key, ()) if d not in path]
            stage[key] = 1 + max((depth(d, path | {key}) for d in deps), default=-1)
        return stage[key]

    for key in nodes:
        depth(key, frozenset())
    return stage


def is_staged(program: Program) -> bool:
    """Whether any population ranks a value (or filters by a condition) that ranks."""
    return any(s > 0 for s in key_stages(program).values())
