"""The analysis of one checked ruleset: each question put to z3 over the encoded program, each
satisfiable answer turned into a witness record and run through the real evaluator.

Questions, per rule in evaluation order: can its condition be true (else `contradiction`)? can
it decide, given the rules before it (else `unreachable`, naming the covering rules)? does an
earlier rule take part of it (`partially-shadowed`)? under `hit unique`, can another rule match
with it (`overlap`)? Per table: without a default, can no rule match (`gap`, with exact boxes over
bounded variables)? Per conjunct: is it implied by the rest (`redundant-condition`)? Per pair of
rules reading the same values: are they the same condition (`duplicate-rule`)?
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import z3

from rulekit.analysis import regions
from rulekit.analysis.allow import accepting, allows
from rulekit.analysis.encode import Encoder, day_number, num
from rulekit.analysis.report import FileAnalysis, Finding
from rulekit.analysis.witness import Witness, run
from rulekit.engines.python import CompiledRuleset
from rulekit.model.program import HitPolicy
from rulekit.syntax import nodes as n

Check = Callable[[Witness], bool]
TIMEOUT_MS = 2000
MAX_OVERLAPS = 8  # other rules looked for per rule under hit unique
MAX_DUPLICATE_GROUP = 40
MINIMISE = 12  # unsat cores up to this size are made minimal


def _conjuncts(node: n.Node) -> list[n.Node]:
    if isinstance(node, n.And):
        return _conjuncts(node.left) + _conjuncts(node.right)
    return [node]


class Analyzer:
    def __init__(self, rs: CompiledRuleset, as_of: object = None, timeout_ms: int = TIMEOUT_MS):
        self.rs = rs
        self.p = rs.program
        today = None
        self.as_of: dt.date | None = None
        if as_of is not None:
            d = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
            self.as_of = d
            today = num(day_number(d))
        self.enc = Encoder(self.p, today=today)
        self.fire = [self.enc.cond(r.condition).true for r in self.p.rules]
        self.solver = z3.Solver()  # the domain only: questions about rules on their own
        self.solver.set("timeout", timeout_ms)
        self.solver.add(*self.enc.domain)
        # the evaluation-order questions: before[pos] is "a rule at an earlier position fires",
        # defined position by position as covered() walks the order (linear, incremental)
        self.ordered = z3.Solver()
        self.ordered.set("timeout", timeout_ms)
        self.ordered.add(*self.enc.domain)
        self.before: list[Any] = [z3.BoolVal(False)]
        self.cores = z3.Solver()  # which earlier rules cover a rule: checks with assumptions
        self.cores.set("timeout", timeout_ms)
        self.cores.add(*self.enc.domain)
        self._marked: set[int] = set()
        self.out = FileAnalysis(rs, rs.path)
        self.satisfiable: list[bool] = [True] * len(self.p.rules)

    # ---- solver helpers
    def check(self, *constraints: Any, solver: Any = None) -> tuple[str, Any]:
        solver = solver or self.solver
        solver.push()
        try:
            solver.add(*constraints)
            r = solver.check()
            return str(r), (solver.model() if r == z3.sat else None)
        finally:
            solver.pop()

    def core(self, base: list[Any], parts: list[Any]) -> list[int] | None:
        """Indexes of a small subset of `parts` that is unsatisfiable together with `base`
        (minimal when the solver's core has at most MINIMISE parts)."""
        solver = self.solver
        solver.push()
        try:
            solver.add(*base)
            marks = [z3.Bool(f"core:{i}") for i in range(len(parts))]
            for m, part in zip(marks, parts, strict=True):
                solver.add(z3.Implies(m, part))
            return self._minimal(solver, marks)
        finally:
            solver.pop()

    def covering(self, i: int, earlier: list[int]) -> list[int] | None:
        """Earlier rules that together take every customer of rule i (a small set). The
        implications `p_j → fire_j` and `q_j → ¬fire_j` are added once per rule, so each
        question is one check with assumptions."""
        for j in [i, *earlier]:
            if j not in self._marked:
                self._marked.add(j)
                self.cores.add(z3.Implies(z3.Bool(f"p:{j}"), self.fire[j]))
                self.cores.add(z3.Implies(z3.Bool(f"q:{j}"), z3.Not(self.fire[j])))
        marks = [z3.Bool(f"q:{j}") for j in earlier]
        keep = self._minimal(self.cores, marks, [z3.Bool(f"p:{i}")])
        return None if keep is None else [earlier[k] for k in keep]

    @staticmethod
    def _minimal(solver: Any, marks: list[Any], fixed: list[Any] | None = None) -> list[int] | None:
        fixed = fixed or []
        if solver.check(*fixed, *marks) != z3.unsat:
            return None
        core = {str(c) for c in solver.unsat_core()}
        keep = [i for i, m in enumerate(marks) if str(m) in core]
        if len(keep) <= MINIMISE:
            for i in list(keep):  # drop what is not needed
                trial = [marks[j] for j in keep if j != i]
                if solver.check(*fixed, *trial) == z3.unsat:
                    keep.remove(i)
        return keep

    def witness(self, model: Any, ok: Callable[[Witness], bool]) -> Witness | None:
        w = run(self.rs, model, self.enc)
        if w is None or not ok(w):
            self.out.unverified += 1
            return None
        return w

    def unknown(self, question: str) -> None:
        self.out.unknown.append(question)

    def name(self, i: int) -> str:
        r = self.p.rules[i]
        return f"rule “{r.name}” (line {r.line})" if r.named else f"the rule on line {r.line}"

    def text(self, node: n.Node) -> str:
        return self.p.source.text[node.span.start : node.span.end]

    def add(self, f: Finding) -> None:
        self.out.findings.append(f)

    # ---- the questions
    def run(self) -> FileAnalysis:
        start = time.perf_counter()
        models = self.rules_fire()
        if self.p.hit.single:
            self.covered(models)
        elif self.p.hit is HitPolicy.UNIQUE:
            self.overlaps()
        if not self.p.default:
            self.gaps()
        self.redundant()
        self.duplicates(models)
        self.unused()
        self.accept()
        self.out.seconds = time.perf_counter() - start
        return self.out

    def rules_fire(self) -> list[Any]:
        models: list[Any] = []
        for i, rule in enumerate(self.p.rules):
            r, model = self.check(self.fire[i])
            models.append(model)
            if r == "unsat":
                self.satisfiable[i] = False
                parts = _conjuncts(rule.condition)
                why = ""
                if len(parts) > 1:
                    keep = self.core([], [self.enc.cond(c).true for c in parts])
                    if keep:
                        why = " and ".join(f"`{self.text(parts[k])}`" for k in keep)
                proof = (
                    f"no record makes {why} true together"
                    if why
                    else f"no record makes `{self.text(rule.condition)}` true"
                )
                self.add(
                    Finding(
                        "contradiction",
                        f"{self.name(i)} can never fire: its condition is never true"
                        + (f" ({why} cannot all hold)" if why else ""),
                        "fix the comparison (a typo in a number or a reversed < or >?) "
                        "or delete the rule",
                        rules=[i],
                        labels=[rule.label],
                        lines=[rule.line],
                        proof=proof,
                    )
                )
            elif r == "unknown":
                self.unknown(f"can {self.name(i)} fire?")
        return models

    def covered(self, models: list[Any]) -> None:
        order = self.p.order
        for pos, i in enumerate(order):
            if pos > 0:  # define before[pos] = before[pos - 1] or fire[order[pos - 1]]
                b = z3.Bool(f"before:{pos}")
                self.ordered.add(b == z3.Or(self.before[-1], self.fire[order[pos - 1]]))
                self.before.append(b)
            if not self.satisfiable[i] or pos == 0:
                continue
            earlier = [order[k] for k in range(pos)]
            r, _ = self.check(self.fire[i], z3.Not(self.before[pos]), solver=self.ordered)
            if r == "unsat":
                cover = self.covering(i, earlier) or earlier
                w = self.witness(models[i], _taken(i))
                rule = self.p.rules[i]
                names = ", ".join(self.name(j) for j in cover)
                self.add(
                    Finding(
                        "unreachable",
                        f"{self.name(i)} can never fire: every customer it matches is taken "
                        f"first by {names}",
                        "move it above the rules that cover it, narrow them, or delete it",
                        rules=[i, *cover],
                        labels=[rule.label],
                        lines=[rule.line],
                        witness=w,
                        proof=f"no record matches {self.name(i)} and none of {names}",
                    )
                )
                continue
            if r == "unknown":
                self.unknown(f"can {self.name(i)} decide?")
                continue
            model = models[i]  # the rule's own example often already matches an earlier rule
            earlier_fire = z3.Or([self.fire[j] for j in earlier])
            if model is None or not z3.is_true(model.eval(earlier_fire, model_completion=True)):
                r, model = self.check(self.fire[i], self.before[pos], solver=self.ordered)
                if r != "sat":
                    continue
            w = self.witness(model, _taken(i))
            if w is None:
                continue
            j = w.deciding[0]
            self.add(
                Finding(
                    "partially-shadowed",
                    f"part of {self.name(i)} is taken by {self.name(j)}, which comes first: "
                    "customers matching both get "
                    f"{self.p.rules[j].label}",
                    "intended with `hit first`? Then nothing to do; otherwise narrow the "
                    "earlier rule or reorder them",
                    rules=[i, j],
                    labels=[self.p.rules[i].label, self.p.rules[j].label],
                    lines=[self.p.rules[i].line],
                    witness=w,
                )
            )

    def overlaps(self) -> None:
        for i in range(len(self.p.rules)):
            if not self.satisfiable[i]:
                continue
            found: list[int] = []
            others = [j for j in range(i) if self.satisfiable[j]]
            while len(found) < MAX_OVERLAPS:
                rest = [self.fire[j] for j in others if j not in found]
                if not rest:
                    break
                r, model = self.check(self.fire[i], z3.Or(rest))
                if r == "unknown":
                    self.unknown(f"can {self.name(i)} match together with another rule?")
                if r != "sat":
                    break
                w = self.witness(model, _conflict(i))
                if w is None:
                    break
                new = [j for j in w.matched if j < i and j not in found]
                if not new:
                    break
                for j in new:
                    found.append(j)
                    self.add(
                        Finding(
                            "overlap",
                            f"{self.name(j)} and {self.name(i)} can both match one customer; "
                            "under `hit unique` that customer is a bad record",
                            "make the conditions exclusive, or use `hit first` / `hit priority` "
                            "if one should win",
                            rules=[j, i],
                            labels=[self.p.rules[j].label, self.p.rules[i].label],
                            lines=[self.p.rules[j].line, self.p.rules[i].line],
                            witness=w,
                        )
                    )

    def gaps(self) -> None:
        nothing = z3.Not(z3.Or(self.fire)) if self.fire else z3.BoolVal(True)
        atoms = regions.atoms(self.enc)

        def no_rule(w: Witness) -> bool:
            return not w.matched and w.explanation.conflict is None

        if atoms:
            cells = regions.grid_uncovered(self.rs, atoms, self.as_of or dt.date.today())
            if cells is not None:  # a small grid: every cell evaluated on the engine
                region = regions.boxes_of(cells, atoms)
                seeds = []
                if region.boxes:
                    first = region.boxes[0]
                    box = z3.And([a.within(*first[a.name]) for a in atoms])
                    r, model = self.check(nothing, box, *[z3.Not(a.val.missing) for a in atoms])
                    seeds = [model] if r == "sat" else []
            else:
                finder = regions.BoxFinder(self.solver, atoms, z3.Or(self.fire or [False]))
                region, seeds = finder.find()
            if region.boxes and seeds:
                w = self.witness(seeds[0], no_rule)
                shown = "; ".join(_box_text(atoms, b) for b in region.boxes[:6])
                more = f"; and {len(region.boxes) - 6} more" if len(region.boxes) > 6 else ""
                self.add(
                    Finding(
                        "gap",
                        f"no rule matches {region.cells} of {region.total} cells of "
                        f"{', '.join(a.name for a in atoms)}: {shown}{more}",
                        "add rules for these cells, or a `default` label",
                        region=region,
                        atoms=atoms,
                        witness=w,
                        lines=[],
                    )
                )
                if not region.complete:
                    self.unknown("the uncovered cells (stopped before all were found)")
            present = z3.And([z3.Not(a.val.missing) for a in atoms])
            r, model = self.check(nothing, z3.Not(present))
            if r == "sat":
                w = self.witness(model, no_rule)
                if w is not None:
                    absent = [a.name for a in atoms if w_missing(w, a.name, self)]
                    self.add(
                        Finding(
                            "gap",
                            "no rule matches some customers with a missing value"
                            + (f" ({', '.join(absent)} missing)" if absent else ""),
                            "add a rule for missing values (`x is missing`), or a `default` label",
                            witness=w,
                            severity="info",
                        )
                    )
            return
        read = sorted({f for reads in self.p.rule_reads for f in reads.fields})
        present = z3.And([z3.Not(self.enc.fields[f].missing) for f in read] or [True])
        for with_missing in (False, True):
            # first a customer with every value the rules read; then one with missing values
            r, model = self.check(nothing, z3.Not(present) if with_missing else present)
            if r == "unknown":
                self.unknown("does some customer match no rule?")
            if r != "sat":
                continue
            w = self.witness(model, no_rule)
            if w is None:
                continue
            absent = [f for f in read if w.record.get(f) is None]
            self.add(
                Finding(
                    "gap",
                    (
                        "no rule matches some customers with missing values"
                        + (f" ({', '.join(absent)} missing)" if absent else "")
                        if with_missing
                        else "some customers match no rule and, without a `default`, get no label"
                    ),
                    "add rules for them, or a `default` label (if no label is intended, accept "
                    "it with `# allow: gap — reason`)",
                    witness=w,
                    severity="info" if with_missing else "",
                )
            )

    def redundant(self) -> None:
        for i, rule in enumerate(self.p.rules):
            if not self.satisfiable[i]:
                continue
            written = rule.condition
            if rule.pick_test is not None and isinstance(written, n.And):
                written = written.left  # `highest(…)`: only the condition as written
            parts = _conjuncts(written)
            if len(parts) < 2:
                continue
            truths = [self.enc.cond(c).true for c in parts]
            for k, part in enumerate(parts):
                rest = [t for j, t in enumerate(truths) if j != k]
                r, _ = self.check(*rest, z3.Not(truths[k]))
                if r == "unsat":
                    self.add(
                        Finding(
                            "redundant-condition",
                            f"`{self.text(part)}` in {self.name(i)} is always true when the rest "
                            "of its condition is",
                            "delete it, or correct it if it was meant to say something else",
                            rules=[i],
                            labels=[rule.label],
                            lines=[rule.line],
                            proof=f"no record makes the rest of the condition true and "
                            f"`{self.text(part)}` not true",
                        )
                    )
                    truths[k] = z3.BoolVal(True)  # report the pair `x > 5 and x > 3` once

    def duplicates(self, models: list[Any]) -> None:
        groups: dict[Any, list[int]] = {}
        for i, reads in enumerate(self.p.rule_reads):
            if self.satisfiable[i]:
                groups.setdefault(reads, []).append(i)
        for members in groups.values():
            if len(members) > MAX_DUPLICATE_GROUP:
                key: dict[str, list[int]] = {}
                for i in members:
                    key.setdefault(self.text(self.p.rules[i].condition), []).append(i)
                pairs = [(g[0], j) for g in key.values() for j in g[1:]]
            else:
                pairs = [(a, b) for k, a in enumerate(members) for b in members[k + 1 :]]
            seen: set[int] = set()
            for a, b in pairs:
                if b in seen:
                    continue
                r, _ = self.check(self.fire[a] != self.fire[b])
                if r != "unsat":
                    continue
                seen.add(b)
                w = self.witness(models[a], _both(a, b))
                ra, rb = self.p.rules[a], self.p.rules[b]
                self.add(
                    Finding(
                        "duplicate-rule",
                        f"{self.name(b)} has the same condition as {self.name(a)}"
                        + (f" (labels {ra.label} and {rb.label})" if ra.label != rb.label else ""),
                        "delete one of them, or correct the condition that was meant to differ",
                        rules=[b, a],
                        labels=list(dict.fromkeys([ra.label, rb.label])),
                        lines=[rb.line],
                        witness=w,
                        proof="no record matches one of them and not the other",
                    )
                )

    def unused(self) -> None:
        dead = {f.rules[0] for f in self.out.findings if f.kind in ("unreachable", "contradiction")}
        produced = {r.label for i, r in enumerate(self.p.rules) if i not in dead}
        if self.p.default:
            produced.add(self.p.default)
        for name, info in self.p.labels.items():
            if info.decl is None or name in produced:
                continue
            givers = [i for i, r in enumerate(self.p.rules) if r.label == name]
            why = "only rules that can never fire give it" if givers else "no rule gives it"
            self.add(
                Finding(
                    "unused-label",
                    f"label {name!r} is declared but never given: {why}",
                    "fix the rules that should give it, or delete the label",
                    rules=givers,
                    labels=[name],
                    lines=[self.p.source.line_col(info.decl.span.start)[0]],
                )
            )
        read: set[str] = set()
        for reads in self.p.rule_reads:
            read.update(reads.fields)
        for name, finfo in self.p.fields.items():
            if finfo.decl is None or name in read:
                continue
            self.add(
                Finding(
                    "unused-field",
                    f"field {name!r} is declared but no rule reads it",
                    "use it in a rule, or delete the declaration",
                    lines=[self.p.source.line_col(finfo.decl.span.start)[0]],
                )
            )

    def accept(self) -> None:
        text = self.p.source.text
        found = allows(text)
        for f in self.out.findings:
            lines = list(f.lines) + [self.p.rules[i].line for i in f.rules[:1]]
            a = accepting(text, found, f.kind, lines)
            if a is not None:
                f.accepted, f.accepted_line = a.reason, a.line


def _taken(i: int) -> Check:
    """The witness matches rule i and an earlier rule decides it."""
    return lambda w: i in w.matched and bool(w.deciding) and w.deciding[0] != i


def _conflict(i: int) -> Check:
    """The witness matches rule i and another: under hit unique, a conflict."""
    return lambda w: i in w.matched and len(w.matched) > 1 and w.explanation.conflict is not None


def _both(a: int, b: int) -> Check:
    return lambda w: a in w.matched and b in w.matched


def w_missing(w: Witness, name: str, an: Analyzer) -> bool:
    return (
        name in w.record
        and w.record[name] is None
        or (name in an.p.lets and w.explanation.trace.lets.get(name, 0) is None)
    )


def _box_text(atoms: list[regions.Atom], box: dict[str, tuple[int, int]]) -> str:
    parts = []
    for a in atoms:
        lo, hi = box[a.name]
        if lo == 0 and hi == len(a.values) - 1:
            continue
        vlo, vhi = a.values[lo], a.values[hi]
        parts.append(f"{a.name} {vlo}" if lo == hi else f"{a.name} {vlo}–{vhi}")
    return ", ".join(parts) or "every cell"


def analyze_ruleset(
    rs: CompiledRuleset, as_of: object = None, timeout_ms: int = TIMEOUT_MS
) -> FileAnalysis:
    """Every finding of one compiled ruleset (with named decisions: of the first part; all
    of them with analyze_parts)."""
    return analyze_parts(rs, as_of, timeout_ms)[0]


def analyze_parts(
    rs: CompiledRuleset, as_of: object = None, timeout_ms: int = TIMEOUT_MS
) -> list[FileAnalysis]:
    """Every finding of one compiled ruleset: one analysis, or one per decision of a file with
    named decisions (analysis/decisions.py)."""
    if not rs.named:
        return [Analyzer(rs, as_of, timeout_ms).run()]
    from rulekit.analysis.decisions import analyze_decisions

    return analyze_decisions(rs, lambda part: Analyzer(part, as_of, timeout_ms).run())
