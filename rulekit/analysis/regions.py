"""Regions a person can read: the uncovered set of a table over bounded variables (scores,
`one of` fields, lets that are a score) as disjoint boxes whose union is exactly that set.

A box maps each variable to an inclusive range of its values. Boxes are grown greedily from a
point of the set, one variable end at a time, each step proven by the solver (the grown box has
no point outside the set and none in an earlier box), so the boxes are disjoint and exact.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import z3

from rulekit.analysis.encode import Encoder, Val
from rulekit.engines.python import CompiledRuleset
from rulekit.explain.trace import trace_record
from rulekit.model.program import Program
from rulekit.syntax import nodes as n

MAX_BOXES = 64


@dataclass
class Atom:
    """A bounded variable the rules read: its name as written, its z3 value and its domain."""

    name: str
    val: Val
    values: list[Any]  # Python values, in order
    terms: list[Any]  # the same as z3 constants

    def within(self, lo: int, hi: int) -> Any:
        return z3.Or([self.val.term == t for t in self.terms[lo : hi + 1]])


def _score_of(node: n.Node, program: Program) -> int | None:
    """n when the node is `score(…, n)` (through a let that is exactly one)."""
    if isinstance(node, n.Call) and node.func == "score":
        size = node.args[1] if len(node.args) > 1 else None
        return int(size.value) if isinstance(size, n.Literal) else None
    if isinstance(node, n.Name) and node.name in program.lets:
        return _score_of(program.lets[node.name].decl.expr, program)
    return None


def atoms(enc: Encoder) -> list[Atom] | None:
    """The bounded variables every rule condition reads, or None when a rule also reads an
    unbounded value (then a gap has witnesses but no exact boxes)."""
    program = enc.program
    found: dict[str, Atom] = {}
    pure = True
    seen_lets: set[str] = set()

    def visit(node: n.Node) -> None:
        nonlocal pure
        for sub in _walk_atoms(node):
            text = program.source.text[sub.span.start : sub.span.end]
            size = _score_of(sub, program)
            if size is not None:
                if text not in found:
                    vals = list(range(1, size + 1))
                    found[text] = Atom(text, enc.value(sub), vals, [z3.IntVal(v) for v in vals])
                continue
            if isinstance(sub, n.Name) and sub.name in program.lets:
                if sub.name not in seen_lets:
                    seen_lets.add(sub.name)
                    visit(program.lets[sub.name].decl.expr)
                continue
            if isinstance(sub, n.Name) and sub.name in program.fields:
                info = program.fields[sub.name]
                one_of = info.one_of
                if one_of and all(isinstance(v, (int, str)) for v in one_of):
                    if sub.name not in found:
                        vals = sorted(set(one_of), key=lambda v: (str(type(v)), v))
                        terms = [enc._const(v, info.type) for v in vals]
                        found[sub.name] = Atom(sub.name, enc.fields[sub.name], vals, terms)
                    continue
                pure = False
                continue
            if isinstance(sub, n.Today) or n.is_population(sub):
                pure = False

    for rule in program.rules:
        visit(rule.condition)
    return list(found.values()) if pure and found else None


def _walk_atoms(node: n.Node) -> list[n.Node]:
    """Names, `today` and population calls, not descending into a score call."""
    out: list[n.Node] = []
    stack = [node]
    while stack:
        sub = stack.pop()
        if isinstance(sub, (n.Name, n.Today)) or n.is_population(sub):
            out.append(sub)
            continue
        stack.extend(reversed(n.children(sub)))
    return out


@dataclass
class Region:
    boxes: list[dict[str, tuple[int, int]]]  # atom name → (lo, hi) indexes into its values
    cells: int
    total: int
    complete: bool  # False: stopped at MAX_BOXES or a solver time-out


class BoxFinder:
    """Grows boxes with a z3 solver that already holds the program's domain constraints."""

    def __init__(self, solver: z3.Solver, atoms_: list[Atom], covered: Any):
        self.solver = solver
        self.atoms = atoms_
        self.covered = covered
        self.present = z3.And(
            [z3.Not(a.val.missing) for a in atoms_]
            + [a.within(0, len(a.terms) - 1) for a in atoms_]
        )

    def _box(self, box: dict[str, tuple[int, int]]) -> Any:
        return z3.And([a.within(*box[a.name]) for a in self.atoms])

    def _check(self, *constraints: Any) -> z3.CheckSatResult:
        self.solver.push()
        self.solver.add(*constraints)
        try:
            return self.solver.check()
        finally:
            self.solver.pop()

    def _index(self, model: Any, atom: Atom) -> int:
        v = model.eval(atom.val.term, model_completion=True)
        for i, t in enumerate(atom.terms):
            if z3.is_true(model.eval(v == t, model_completion=True)):
                return i
        return 0

    def find(self) -> tuple[Region, list[Any]]:
        """The region and, per box, the model of its seed point."""
        boxes: list[dict[str, tuple[int, int]]] = []
        seeds: list[Any] = []
        taken: list[Any] = []
        complete = True
        while len(boxes) < MAX_BOXES:
            self.solver.push()
            self.solver.add(self.present, z3.Not(self.covered), *[z3.Not(b) for b in taken])
            r = self.solver.check()
            model = self.solver.model() if r == z3.sat else None
            self.solver.pop()
            if r != z3.sat:
                complete = complete and r == z3.unsat
                break
            seeds.append(model)
            box = {a.name: (self._index(model, a),) * 2 for a in self.atoms}
            blocked = z3.Or(self.covered, *taken) if taken else self.covered
            for a in self.atoms:
                for end in (1, 0):  # grow the upper end, then the lower one
                    while True:
                        lo, hi = box[a.name]
                        nxt = (lo, hi + 1) if end else (lo - 1, hi)
                        if nxt[0] < 0 or nxt[1] >= len(a.terms):
                            break
                        trial = {**box, a.name: nxt}
                        res = self._check(self.present, self._box(trial), blocked)
                        if res != z3.unsat:
                            complete = complete and res == z3.sat
                            break
                        box = trial
            boxes.append(box)
            taken.append(self._box(box))
        else:
            complete = False
        cells = sum(_size(b) for b in boxes)
        total = 1
        for a in self.atoms:
            total *= len(a.terms)
        return Region(boxes, cells, total, complete), seeds


def _size(box: dict[str, tuple[int, int]]) -> int:
    out = 1
    for lo, hi in box.values():
        out *= hi - lo + 1
    return out


GRID_LIMIT = 5000  # cells evaluated one by one on the engine; larger grids go to the solver


def grid_uncovered(
    rs: CompiledRuleset, atoms_: list[Atom], as_of: object
) -> set[tuple[int, ...]] | None:
    """The cells (value indexes per atom) where no rule is true, each evaluated on the Python
    engine (fields given, lets given directly); None when the grid is too large or an atom is
    neither a field nor a let."""
    program = rs.program
    total = 1
    for a in atoms_:
        total *= len(a.values)
        if a.name not in program.fields and a.name not in program.lets:
            return None
    if total > GRID_LIMIT:
        return None
    out: set[tuple[int, ...]] = set()
    for idx in itertools.product(*(range(len(a.values)) for a in atoms_)):
        record: dict[str, Any] = {}
        overrides: dict[str, Any] = {}
        for a, i in zip(atoms_, idx, strict=True):
            if a.name in program.fields:
                record[program.fields[a.name].column] = a.values[i]
            else:
                overrides[a.name] = a.values[i]
        ex = trace_record(rs, record, as_of, None, overrides)
        if not any(v is True for v in ex.rule_values):
            out.add(idx)
    return out


def boxes_of(cells: set[tuple[int, ...]], atoms_: list[Atom]) -> Region:
    """Disjoint boxes whose union is exactly `cells`, grown greedily from the smallest cell."""
    left = set(cells)
    sizes = [len(a.values) for a in atoms_]
    boxes: list[dict[str, tuple[int, int]]] = []
    for seed in sorted(cells):
        if seed not in left:
            continue
        lo, hi = list(seed), list(seed)
        for d in range(len(sizes)):
            for step in (1, -1):
                while True:
                    edge = hi[d] + 1 if step > 0 else lo[d] - 1
                    if edge < 0 or edge >= sizes[d]:
                        break
                    ranges = [
                        range(lo[k], hi[k] + 1) if k != d else (edge,) for k in range(len(sizes))
                    ]
                    slab = list(itertools.product(*ranges))
                    if not all(c in left for c in slab):
                        break
                    if step > 0:
                        hi[d] = edge
                    else:
                        lo[d] = edge
        box_cells = itertools.product(*(range(lo[k], hi[k] + 1) for k in range(len(sizes))))
        left.difference_update(box_cells)
        boxes.append({a.name: (lo[k], hi[k]) for k, a in enumerate(atoms_)})
    total = 1
    for s in sizes:
        total *= s
    return Region(boxes, len(cells), total, True)
