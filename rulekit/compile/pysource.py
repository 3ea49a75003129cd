"""Compile a checked Program to Python source, then to code objects.

This module owns the layout of the generated module; the expressions inside it come from
`compile.pyvalues` (value context) and `compile.pytruth` (truth context), and the names the
generated code calls at run time from `compile.pyruntime`. Five functions are generated:

* `_batch` — the fast path. Conditions are compiled in *truth context* (see `pytruth`): code
  that is true exactly when a condition is true under SQL's three-valued logic. Rules are tried
  in the program's evaluation order (`Program.order`); a field is read and coerced just before
  the first rule that reads it (`Program.rule_reads`).
* `_one` — the same evaluation for one record (`Ruleset.classify`): returns its decision, or
  raises `Bad` / `Conflict`, with no per-call list, callback or batch setup.
* `_validate` — reads and coerces every declared field, decides nothing (validate="all").
* `_trace` — the observed path used by explain, why-not and examples. Every node is evaluated to
  its three-valued value and reported to an observer (`_r(node_id, value)`), so an explanation
  is a record of the evaluation, not a re-derivation.
* `_popargs` — the ranked value (and its group) of each population key, for one record.

Rule text never becomes code: names become generated identifiers (f_0, l_3, t_7), and every
constant goes through `repr()` only when `safe_repr` accepts its type, else into the namespace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rulekit.compile.pyoutputs import write_outputs
from rulekit.compile.pyruntime import Bad, Conflict, make_coercer, runtime_namespace
from rulekit.compile.pytruth import Emitter
from rulekit.model.program import HitPolicy, Program
from rulekit.model.stages import key_stages, ranked_parts

__all__ = ["Bad", "Compiled", "Conflict", "compile_program"]

# The old name of `pyruntime.make_coercer` (the DuckDB engine imports it from here).
_make_coercer = make_coercer

# Generated functions (arguments as in the `def` lines below):
# _batch(records, start, _P, _today, _T, out, bad) appends one decision (or None) per record;
# _trace(rec, _P, _today, _r, _rpop, _rlet, _rfield, _rbad, _ov) → each rule's value, file order;
# _popargs(rec, _today) → (value, group) per population key; _validate(rec) → True or `Bad`;
# _one(rec, _P, _today, _T) → the decision of one record, or `Bad` / `Conflict` raised.
BatchFunction = Callable[..., None]
TraceFunction = Callable[..., tuple[Any, ...]]
PopArgsFunction = Callable[..., tuple[tuple[Any, Any], ...]]
ValidateFunction = Callable[..., bool]
OneFunction = Callable[..., Any]


@dataclass
class Compiled:
    """Generated source and the functions it defines."""

    source: str
    batch: BatchFunction
    trace: TraceFunction
    popargs: PopArgsFunction
    order: list[int]  # rule indexes (file order) in evaluation order
    pop_keys: list[str]  # population keys, index = position in _P
    pop_partitioned: list[bool]
    namespace: dict[str, Any] = field(repr=False)
    validate: ValidateFunction  # reads and coerces every declared field (validate="all")
    rule_fields: list[list[str]]  # fields each rule reads, declaration order
    one: OneFunction  # one record → its decision, or Bad / Conflict raised
    one_uses_today: bool  # False: _one never reads the evaluation date (as_of=None costs nothing)
    # staged populations: key indexes per stage (popargs gives stage 0, pop_stage_args[s - 1]
    # stage s, from the populations of the stages before); empty when nothing is staged
    pop_stages: list[list[int]] = field(default_factory=list)
    pop_stage_args: list[PopArgsFunction] = field(default_factory=list)
    # _outputs(rec, _P, _today) → the outputs' values (compile.pyoutputs); None without outputs
    outputs: OneFunction | None = None


# Cheap class tests that skip the coercer for a value already of the field's type. An int
# beyond 64 bits goes through the coercer: for an integer it is a bad value, for a number or a
# duration the coercer keeps it, or makes it ±infinity beyond the double range. (The bounds are
# small ints: comparing with a 309-digit bound on every read cost the fast path ~25%.)
_INT64 = "-9223372036854775808 <= {v} <= 9223372036854775807"
_CHECKS = {
    "integer": f"{{v}}.__class__ is not int or not {_INT64}",
    "number": f"((_c := {{v}}.__class__) is not int or not {_INT64}) and "
    "(_c is not float or {v} != {v})",
    "duration": f"((_c := {{v}}.__class__) is not int or not {_INT64}) and "
    "(_c is not float or {v} != {v})",
    "boolean": "{v}.__class__ is not bool",
    "string": "{v}.__class__ is not str or not {v}",
    "date": "{v}.__class__ is not _date",
    "timestamp": "{v}.__class__ is not _datetime",
}


class _Module:
    """The generated module's source lines and namespace, written one function at a time."""

    def __init__(self, program: Program):
        self.p = program
        self.em = Emitter(program)
        self.ns = runtime_namespace()
        self.lines: list[str] = []
        self.field_index = {name: i for i, name in enumerate(program.fields)}
        self.order = list(program.order)
        self.reads = [(list(r.fields), list(r.lets)) for r in program.rule_reads]
        self.one_uses_today = True  # whether _one reads the evaluation date (set by one())
        self.pop_stages: list[list[int]] = []  # key indexes per stage, when staged

    def w(self, line: str) -> None:
        self.lines.append(line)

    # ---- statements shared by every generated function
    def load(self, indent: str, name: str, capture: bool = False) -> None:
        """Read field `name` from the record (`get`) and coerce it into its variable."""
        w, em = self.w, self.em
        i = self.field_index[name]
        info = self.p.fields[name]
        v = em.field_var[name]
        cname = f"C_{i}"
        self.ns[cname] = make_coercer(name, info.type, info.one_of)
        check = _CHECKS.get(info.type.name) if not info.type.is_list and not info.one_of else None
        convert = f"if {check.format(v=v)}: {v} = {cname}({v})" if check else f"{v} = {cname}({v})"
        if capture:  # traced: a bad value is recorded, the caller decides whether it matters
            w(f"{indent}try:")
            w(f"{indent}    {v} = get({em.const(info.column)})")
            w(f"{indent}    {convert}")
            if info.default is not None:  # traced: reported missing, then as its default
                w(f"{indent}    if {v} is None:")
                w(f"{indent}        _rfield({name!r}, None)")
                w(f"{indent}        {v} = {em.const(info.default)}")
            w(f"{indent}except Bad as e:")
            w(f"{indent}    {v} = None")
            w(f"{indent}    _rbad({name!r}, e)")
        else:
            w(f"{indent}{v} = get({em.const(info.column)})")
            w(f"{indent}{convert}")
            if info.default is not None:  # `default d`: a missing (or empty) value is d
                w(f"{indent}if {v} is None: {v} = {em.const(info.default)}")

    def let(self, indent: str, name: str, overridable: bool = False) -> None:
        """Compute let `name` into its variable (traced: unless the caller overrides it)."""
        w, em = self.w, self.em
        v = em.let_var[name]
        code, _ = em.v(self.p.lets[name].decl.expr)
        if overridable:
            w(f"{indent}{v} = _ov.get({name!r}, _UNSET)")
            w(f"{indent}if {v} is _UNSET: {v} = {code}")
            w(f"{indent}_rlet({name!r}, {v})")
        else:
            w(f"{indent}{v} = {code}")

    def bind_populations(self, indent: str) -> None:
        for k, part in enumerate(self.em.pop_partitioned):
            if not part:
                self.w(f"{indent}_V_{k} = _P[{k}].values(None)")

    # ---- the generated functions
    def decide(self, indent: str, found: Callable[[str], str], nothing: str) -> None:
        """The rules in evaluation order: a field is read (and coerced) just before the first
        rule that needs it, a let computed just before its first use. Under first/priority a
        record decided by an early rule never touches the fields only later rules read.
        `found(decision)` is the statement that ends with a decision; `nothing` ends the
        evaluation when no rule matched (first/priority)."""
        w, em, rules, order = self.w, self.em, self.p.rules, self.order
        loaded_f: set[str] = set()
        loaded_l: set[str] = set()

        def prepare(indent: str, ri: int) -> None:
            fs, ls = self.reads[ri]
            for name in fs:
                if name not in loaded_f:
                    self.load(indent, name)
                    loaded_f.add(name)
            for name in ls:
                if name not in loaded_l:
                    self.let(indent, name)
                    loaded_l.add(name)

        if self.p.hit.single:
            for pos, ri in enumerate(order):
                prepare(indent, ri)
                w(f"{indent}if {em.t(rules[ri].condition, True)}: {found(f'_T[{pos}]')}")
            w(f"{indent}{nothing}")
        else:
            for ri in order:
                prepare(indent, ri)
            w(f"{indent}m = 0")
            for pos, ri in enumerate(order):
                w(f"{indent}if {em.t(rules[ri].condition, True)}: m |= {1 << pos}")
            if self.p.hit is HitPolicy.UNIQUE:
                w(f"{indent}if m & (m - 1): raise Conflict(m)")
            w(f"{indent}d = _T.get(m)")
            w(f"{indent}if d is None: d = _T.make(m)")
            w(f"{indent}{found('d')}")

    def batch(self) -> None:
        """Every record of a list, one decision (or None and a call of `bad`) each."""
        w = self.w
        self.em.trace = False
        w("def _batch(records, start, _P, _today, _T, out, bad):")
        w("    append = out.append")
        self.bind_populations("    ")
        w("    for rec in (records if start == 0 else records[start:]):")
        w("        try:")
        w("            get = rec.get")
        if self.p.hit.single:
            w("            while True:")
            self.decide(
                "                ", lambda d: f"append({d}); break", "append(_T[-1]); break"
            )
        else:
            self.decide("            ", lambda d: f"append({d})", "")
        w("        except (Bad, Conflict) as e:")
        w("            bad(len(out), e, rec)")
        w("            append(None)")
        w("")

    def one(self) -> None:
        """One record: its decision, or `Bad` / `Conflict` raised (Ruleset.classify)."""
        w = self.w
        self.em.trace = False
        w("def _one(rec, _P, _today, _T):")
        start = len(self.lines)
        w("    get = rec.get")
        self.bind_populations("    ")
        self.decide("    ", lambda d: f"return {d}", "return _T[-1]")
        w("")
        self.one_uses_today = any("_today" in line for line in self.lines[start:])

    def validate(self) -> None:
        """validate="all": read and coerce every declared field, decide nothing."""
        self.w("def _validate(rec):")
        self.w("    get = rec.get")
        for name in self.p.fields:
            self.load("    ", name)
        self.w("    return True")
        self.w("")

    def trace(self) -> None:
        """Every node's value goes to the observer. All fields are read; a bad one is reported
        to `_rbad`, and explain applies the same rule as the fast path (bad only if a rule
        evaluated before the decision reads it)."""
        w, em = self.w, self.em
        em.trace = True
        w("def _trace(rec, _P, _today, _r, _rpop, _rlet, _rfield, _rbad, _ov):")
        w("    get = rec.get")
        self.bind_populations("    ")
        for name in self.p.fields:
            self.load("    ", name, capture=True)
            w(f"    _rfield({name!r}, {em.field_var[name]})")
        for name in self.p.lets:
            self.let("    ", name, overridable=True)
        w("    return (")
        for rule in self.p.rules:
            code, _ = em.v(rule.condition)
            w(f"        {code},")
        w("    )")
        w("")

    def pop_arg_lets(self, indent: str, ks: list[int]) -> None:
        """Read the fields and compute the lets the ranked values of these keys read."""
        program, em = self.p, self.em
        nodes = program.population_nodes()
        fields: set[str] = set()
        lets: set[str] = set()
        for k in ks:
            reads = program.reads(nodes[em.pop_keys[k]])
            fields.update(reads.fields)
            lets.update(reads.lets)
        for name in program.fields:
            if name in fields:
                self.load(indent, name)
        for name in program.lets:
            if name in lets:
                self.let(indent, name)

    def pop_arg_items(self, indent: str, ks: list[int]) -> None:
        """`return (…)`: per key, the ranked value (missing outside its filter) and group."""
        em = self.em
        nodes = self.p.population_nodes()
        items = []
        for k in ks:
            arg, among, by = ranked_parts(nodes[em.pop_keys[k]])
            x, _ = em.v(arg)
            if among is not None:
                x = f"({x} if {em.v(among)[0]} is True else None)"
            items.append(f"({x}, {em.v(by)[0] if by is not None else 'None'})")
        self.w(f"{indent}return (" + "".join(i + ", " for i in items) + ")")

    def popargs(self) -> None:
        """The ranked value (and its group) of each population key."""
        w, em, program = self.w, self.em, self.p
        em.trace = False
        w("def _popargs(rec, _today):")
        w("    get = rec.get")
        if not em.pop_keys:  # the same lines as below, without walking the tree three times
            w("    return ()")
            return
        pop_nodes = program.population_nodes()
        pop_fields: list[str] = []
        pop_lets: list[str] = []
        for node in pop_nodes.values():
            reads = program.reads(node)
            pop_fields += [f for f in reads.fields if f not in pop_fields]
            pop_lets += [x for x in reads.lets if x not in pop_lets]
        for name in program.fields:
            if name in pop_fields:
                self.load("    ", name)
        stages = key_stages(program)
        staged = any(stages.values())
        if staged:  # stage 0 computes only the lets its keys read (the others rank)
            self.pop_stages = staged_keys(em.pop_keys, stages)
            first = {em.pop_keys[k] for k in self.pop_stages[0]}
            pop_lets = []
            for key, node in pop_nodes.items():
                if key in first:
                    pop_lets += [x for x in program.reads(node).lets if x not in pop_lets]
        for name in program.lets:
            if name in pop_lets:
                self.let("    ", name)
        if not staged:
            self.pop_arg_items("    ", list(range(len(em.pop_keys))))
            return
        # staged populations: stage 0 here, each later stage from the populations before it
        self.pop_arg_items("    ", self.pop_stages[0])
        for s in range(1, len(self.pop_stages)):
            w("")
            w(f"def _popargs_{s}(rec, _today, _P):")
            w("    get = rec.get")
            self.bind_populations("    ")
            self.pop_arg_lets("    ", self.pop_stages[s])
            self.pop_arg_items("    ", self.pop_stages[s])


def staged_keys(keys: list[str], stages: dict[str, int]) -> list[list[int]]:
    """Key indexes per stage, stage 0 first."""
    out: list[list[int]] = [[] for _ in range(1 + max(stages.values(), default=0))]
    for k, key in enumerate(keys):
        out[stages[key]].append(k)
    return out


class LazyTrace:
    """The generated `_trace`, compiled on its first call. Only explain, why-not and examples
    trace; compiling it with the rest would double the compile time of a large rule file."""

    def __init__(self, source: str, filename: str, ns: dict[str, Any]):
        self.source, self.filename, self.ns = source, filename, ns
        self.fn: TraceFunction | None = None

    def __call__(self, *args: Any) -> tuple[Any, ...]:
        fn = self.fn
        if fn is None:
            exec(compile(self.source, self.filename, "exec"), self.ns)  # noqa: S102 - as above
            fn = self.fn = self.ns["_trace"]
        return fn(*args)


def compile_program(program: Program) -> Compiled:
    """Generate the module for a checked program, execute it and return its functions."""
    module = _Module(program)
    module.batch()
    module.one()
    module.validate()
    start = len(module.lines)
    module.trace()
    end = len(module.lines)
    module.popargs()
    if program.outputs:
        write_outputs(module)
    lines = module.lines
    source = "\n".join(lines) + "\n"
    ns = module.ns
    ns.update(module.em.consts)
    filename = f"<rulekit {program.path}>"
    # everything but _trace now; _trace (explain's, as long as the rest together) on first use.
    # Blank lines keep each function at its line of `source`.
    eager = "\n".join(lines[:start] + [""] * (end - start) + lines[end:]) + "\n"
    code = compile(eager, filename, "exec")
    exec(code, ns)  # noqa: S102 - source generated from the checked tree only
    return Compiled(
        source,
        ns["_batch"],
        LazyTrace("\n" * start + "\n".join(lines[start:end]) + "\n", filename, ns),
        ns["_popargs"],
        module.order,
        module.em.pop_keys,
        module.em.pop_partitioned,
        ns,
        ns["_validate"],
        [fs for fs, _ in module.reads],
        ns["_one"],
        module.one_uses_today,
        module.pop_stages,
        [ns[f"_popargs_{s}"] for s in range(1, len(module.pop_stages))],
        ns.get("_outputs"),
    )
