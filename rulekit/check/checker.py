"""Check a parsed file: resolve names, infer and check types, validate examples, and collect
every diagnostic. The result is a `Program`: the one checked tree every backend compiles.

Undeclared fields (allowed only in a file that declares none) get the type their use implies.
That takes two passes over the same code: the first binds types silently, the second reports.
"""

from __future__ import annotations

import re
from typing import Any

from rulekit.errors import Diagnostic
from rulekit.model import datatypes as T
from rulekit.model.program import FieldInfo, HitPolicy, LabelInfo, LetInfo, Program
from rulekit.source import Source, Span
from rulekit.suggest import nearest
from rulekit.syntax import nodes as n
from rulekit.syntax.nodes import literal_value
from rulekit.syntax.parser import HIT_POLICIES

FUNCTIONS = (
    "min",
    "max",
    "abs",
    "round",
    "coalesce",
    "days_since",
    "len",
    "percentile",
    "score",
    "cumulative_share",
)


def _default_id(path: str) -> str:
    stem = re.sub(r"\.rules$", "", path.replace("\\", "/").rsplit("/", 1)[-1])
    ident = re.sub(r"\W+", "_", stem).strip("_")
    return ident if ident and not ident[0].isdigit() and path != "<string>" else "rules"


class Checker:
    def __init__(self, file: n.File, source: Source, strict: bool = False):
        self.file = file
        self.source = source
        self.strict = strict
        self.diagnostics: list[Diagnostic] = []
        self.quiet = False
        self.types: dict[int, T.Type] = {}
        self.fields: dict[str, FieldInfo] = {}
        self.lets: dict[str, LetInfo] = {}
        self.labels: dict[str, LabelInfo] = {}
        self.inferred: dict[str, T.Type] = {}
        self.inferred_at: dict[str, Span] = {}
        self.population_keys: dict[int, str] = {}
        self._let_has_population: dict[str, bool] = {}
        self._visible_lets: set[str] = set()

    # ---------------------------------------------------------------- reporting
    def error(self, code, message, span, hint=None, label="", severity="error"):
        if self.quiet:
            return
        self.diagnostics.append(
            Diagnostic(code, message, self.source, span, severity=severity, label=label, hint=hint)
        )

    def warn(self, code, message, span, hint=None):
        self.error(code, message, span, hint, severity="warning")

    # ---------------------------------------------------------------- entry
    def check(self) -> Program:
        st = self.file.statements
        metas = [s for s in st if isinstance(s, n.Meta)]
        field_decls = [s for s in st if isinstance(s, n.FieldDecl)]
        let_decls = [s for s in st if isinstance(s, n.LetDecl)]
        label_decls = [s for s in st if isinstance(s, n.LabelDecl)]
        rules = [s for s in st if isinstance(s, n.Rule)]
        examples = [s for s in st if isinstance(s, n.Example)]

        header = self._header(metas)
        self._declare_fields(field_decls)
        self.declared_fields = bool(field_decls)
        self.declared_labels = bool(label_decls)
        for decl in label_decls:
            if decl.name in self.labels:
                self.error(
                    "duplicate-name",
                    f"label `{decl.name}` is declared twice",
                    decl.name_span,
                    hint="remove one of the declarations",
                )
            self.labels[decl.name] = LabelInfo(decl.name, decl)
        for decl in let_decls:
            if decl.name in self.fields:
                self.error(
                    "duplicate-name",
                    f"`{decl.name}` is already a field",
                    decl.name_span,
                    hint="give the let another name",
                )

        # Pass 1 binds the types of undeclared fields silently; pass 2 reports.
        if not self.declared_fields:
            self.quiet = True
            self._check_body(let_decls, rules)
            self.quiet = False
            for name, t in self.inferred.items():
                if t == T.UNKNOWN:
                    self.inferred[name] = T.NUMBER
            self.types.clear()
            self.lets.clear()
            self._visible_lets.clear()
            self.population_keys.clear()
        self._check_body(let_decls, rules)
        for name, t in self.inferred.items():
            self.fields[name] = FieldInfo(name, t, name, None, used=True)

        hit, default = header["hit"], header["default"]
        produced = {r.label for r in rules}
        if default:
            self._check_label_ref(default, header["default_span"])
            produced.add(default)
        for rule in rules:
            self._check_label_ref(rule.label, rule.label_span)
            if rule.priority and hit != "priority":
                self.warn(
                    "ignored-priority",
                    f"`priority {rule.priority}` has no effect under `hit {hit}`",
                    rule.label_span,
                    hint="use `hit priority`, or remove it",
                )
        if not self.declared_labels:
            for label in [r.label for r in rules] + ([default] if default else []):
                self.labels.setdefault(label, LabelInfo(label))
        for ex in examples:
            self._check_example(ex)
        self._warnings(produced, rules)

        return Program(
            source=self.source,
            id=header["id"],
            display=header["display"],
            description=header["description"],
            source_ref=header["source"],
            version=header["version"],
            aliases=header["aliases"],
            hit=HitPolicy(hit),
            default=default,
            fields=self.fields,
            lets=self.lets,
            labels=self.labels,
            rules=rules,
            examples=examples,
            types=self.types,
            population_keys=self.population_keys,
            diagnostics=sorted(
                self.diagnostics, key=lambda d: (d.severity != "error", d.span.start)
            ),
        )

    def _check_body(self, let_decls, rules):
        for i, decl in enumerate(let_decls):
            t = self.expr(decl.expr)
            if decl.name not in self.lets and decl.name not in self.fields:
                self.lets[decl.name] = LetInfo(decl.name, decl, t, i)
                self._let_has_population[decl.name] = self._contains_population(decl.expr)
                self._visible_lets.add(decl.name)
            elif decl.name in self.lets:
                self.error(
                    "duplicate-name",
                    f"let `{decl.name}` is defined twice",
                    decl.name_span,
                    hint="remove one definition, or rename it",
                )
        for rule in rules:
            self.condition(rule.condition)

    # ---------------------------------------------------------------- declarations
    def _header(self, metas):
        h: dict[str, Any] = {
            "id": _default_id(self.source.path),
            "display": n.Text(),
            "description": n.Text(),
            "source": n.Text(),
            "version": None,
            "aliases": (),
            "hit": "first",
            "default": None,
            "default_span": None,
        }
        seen: dict[str, n.Meta] = {}
        for m in metas:
            if m.key in ("ruleset", "hit", "default", "version") and m.key in seen:
                self.error(
                    "duplicate-name",
                    f"`{m.key}` is given twice",
                    m.value_span,
                    hint=f"keep one `{m.key}`",
                )
            seen[m.key] = m
            if m.key == "ruleset":
                h["id"], h["display"] = m.value
            elif m.key in ("description", "source"):
                prev = h[m.key]
                h[m.key] = n.Text(m.value.zh or prev.zh, m.value.en or prev.en)
            elif m.key == "version":
                h["version"] = m.value
            elif m.key == "alias":
                h["aliases"] = h["aliases"] + m.value
            elif m.key == "hit":
                if m.value not in HIT_POLICIES:
                    guess = nearest(m.value, HIT_POLICIES)
                    self.error(
                        "unknown-hit-policy",
                        f"unknown hit policy `{m.value}`",
                        m.value_span,
                        hint=(f"did you mean `{guess}`? " if guess else "")
                        + "hit policies are first, priority, all, unique",
                    )
                else:
                    h["hit"] = m.value
            elif m.key == "default":
                h["default"], h["default_span"] = m.value, m.value_span
        return h

    def _declare_fields(self, decls):
        for d in decls:
            base = T.SCALARS.get(d.type_name.lower())
            if base is None:
                guess = nearest(d.type_name, [k for k in T.SCALARS if k.isascii()])
                self.error(
                    "unknown-type",
                    f"unknown type `{d.type_name}`",
                    d.type_span,
                    hint=(f"did you mean `{guess}`? " if guess else "") + "types are "
                    "integer, number, boolean, string, date, timestamp, duration",
                )
                base = T.ERROR
            t = T.list_of(base) if d.list_of else base
            if d.name in self.fields:
                self.error(
                    "duplicate-name",
                    f"field `{d.name}` is declared twice",
                    d.name_span,
                    hint="remove one of the declarations",
                )
                continue
            if d.one_of is not None:
                for item in d.one_of.items:
                    it = self.expr(item)
                    if (
                        base != T.ERROR
                        and not isinstance(item, n.Literal)
                        or (base != T.ERROR and T.unify(it, base) is None)
                    ):
                        self.error(
                            "bad-declaration",
                            f"`one of` value {item_text(self, item)} is not {a(base)}",
                            item.span,
                            hint=f"write values such as {T.example_of(base)}",
                        )
            self.fields[d.name] = FieldInfo(d.name, t, d.column or d.name, d)

    # ---------------------------------------------------------------- names
    def _name(self, node: n.Name, expected: T.Type | None = None) -> T.Type:
        name = node.name
        if name in self._visible_lets:
            self.lets[name].used = True
            return self.lets[name].type
        if name in self.fields:
            self.fields[name].used = True
            return self.fields[name].type
        later_let = any(isinstance(s, n.LetDecl) and s.name == name for s in self.file.statements)
        if later_let:
            self.error(
                "unknown-field",
                f"`{name}` is used before its `let`",
                node.span,
                hint=f"move `let {name} = …` above its first use",
            )
            return T.ERROR
        if self.declared_fields:
            guess = nearest(name, [*self.fields, *self._visible_lets])
            self.error(
                "unknown-field",
                f"unknown field `{name}`",
                node.span,
                hint=f"did you mean `{guess}`?"
                if guess
                else f'declare it: field {name} : number "显示名"',
            )
            return T.ERROR
        current = self.inferred.get(name, T.UNKNOWN)
        if current == T.UNKNOWN and expected not in (None, T.UNKNOWN, T.ERROR, T.NULL):
            self.inferred[name] = expected
            self.inferred_at[name] = node.span
            return expected
        self.inferred.setdefault(name, current)
        return current

    def _bind(self, node: n.Node, t: T.Type) -> T.Type | None:
        """Give an undeclared field the type its use implies; returns the bound type."""
        if (
            isinstance(node, n.Name)
            and node.name not in self._visible_lets
            and node.name not in self.fields
            and not self.declared_fields
            and self.inferred.get(node.name, T.UNKNOWN) == T.UNKNOWN
            and t not in (T.UNKNOWN, T.ERROR, T.NULL)
        ):
            self.inferred[node.name] = t
            self.inferred_at[node.name] = node.span
            self.types[node.id] = t
            return t
        return None

    # ---------------------------------------------------------------- expressions
    def condition(self, node: n.Node) -> None:
        t = self.expr(node, T.BOOLEAN)
        if t not in (T.BOOLEAN, T.ERROR, T.UNKNOWN):
            self.error(
                "not-a-condition",
                f"this condition is {a(t)}, not true/false",
                node.span,
                hint=f"compare it, e.g. `{item_text(self, node)} > {T.example_of(t)}`"
                if t.orderable
                else None,
            )

    def expr(self, node: n.Node, expected: T.Type | None = None) -> T.Type:
        t = getattr(self, "_" + type(node).__name__)(node, expected)
        self.types[node.id] = t
        return t

    def _Literal(self, node: n.Literal, expected):
        return T.literal_type(node.kind, node.value)

    def _Today(self, node, expected):
        return T.DATE

    def _Name(self, node, expected):
        return self._name(node, expected)

    def _ListExpr(self, node: n.ListExpr, expected):
        el: T.Type | None = expected.element if expected and expected.is_list else None
        for item in node.items:
            it = self.expr(item, el)
            if it in (T.ERROR, T.UNKNOWN):
                continue
            if el is None or el == T.UNKNOWN:
                el = it
                continue
            common = T.unify(el, it)
            if common is None:
                self.error(
                    "type-mismatch",
                    f"a list mixes {el} and {it} values",
                    item.span,
                    hint="a list holds values of one type",
                )
                return T.ERROR
            el = common
        return T.list_of(el or T.UNKNOWN)

    def _Neg(self, node: n.Neg, expected):
        t = self.expr(node.operand, expected)
        if t.numeric or t in (T.DURATION, T.ERROR, T.UNKNOWN):
            return t
        self.error(
            "type-mismatch",
            f"cannot negate {a(t)}",
            node.span,
            hint="`-` applies to numbers and durations",
        )
        return T.ERROR

    def _pair(self, a: n.Node, b: n.Node, expected=None) -> tuple[T.Type, T.Type]:
        ta = self.expr(a, expected)
        tb = self.expr(b, ta if ta not in (T.UNKNOWN, T.ERROR) else expected)
        if ta == T.UNKNOWN and tb not in (T.UNKNOWN, T.ERROR):
            ta = self._bind(a, tb) or ta
        return ta, tb

    def _Binary(self, node: n.Binary, expected):
        ta, tb = self.expr(node.left, None), None
        hint_t = ta if ta not in (T.UNKNOWN, T.ERROR) else None
        if node.op in ("*", "/") and ta == T.DURATION:
            hint_t = None if node.op == "/" else T.NUMBER
        tb = self.expr(node.right, hint_t)
        if ta == T.UNKNOWN and tb not in (T.UNKNOWN, T.ERROR):
            ta = self._bind(node.left, tb) or ta
        if T.ERROR in (ta, tb) or T.UNKNOWN in (ta, tb):
            return T.ERROR if T.ERROR in (ta, tb) else T.UNKNOWN
        result = T.arithmetic(node.op, ta, tb)
        if result is None:
            self._mismatch(
                node.op_span,
                f"cannot compute {ta} {node.op} {tb}",
                node.left,
                node.right,
                ta,
                tb,
                f"{ta} {node.op} {tb}",
            )
            return T.ERROR
        return result

    def _mismatch(self, span, message, left, right, ta, tb, label):
        conflict = next(
            (x for x in (left, right) if isinstance(x, n.Name) and x.name in self.inferred_at), None
        )
        if conflict is not None:
            line = self.source.line_col(self.inferred_at[conflict.name].start)[0]
            self.error(
                "conflicting-use",
                f"`{conflict.name}` is used as {a(self.inferred[conflict.name])} "
                f"(line {line}) and differently here",
                span,
                label=label,
                hint=f"declare the field: field {conflict.name} : {self.inferred[conflict.name]}",
            )
            return
        hint = None
        for name_node, lit_node, name_t, lit_t in ((left, right, ta, tb), (right, left, tb, ta)):
            if isinstance(lit_node, n.Literal) and name_t == T.DURATION and lit_t.numeric:
                hint = (
                    f"{item_text(self, name_node)} is a duration: write "
                    f"`{lit_node.text}d` for {lit_node.text} days"
                )
            elif (
                isinstance(name_node, n.Name)
                and name_node.name in self.fields
                and lit_t not in (T.ERROR, T.UNKNOWN)
            ):
                f = self.fields[name_node.name]
                unit = f" ({f.unit})" if f.unit else ""
                alt = [k for k, v in self.fields.items() if v.type == lit_t]
                hint = f"{f.name} is {a(f.type)}{unit}" + (
                    f"; did you mean {alt[0]}?" if len(alt) >= 1 else ""
                )
            if hint:
                break
        if hint is None and (ta == T.DURATION or tb == T.DURATION):
            hint = "durations are written like 180d, 6mo, 1y"
        self.error("type-mismatch", message, span, hint=hint, label=label)

    def _Compare(self, node: n.Compare, expected):
        types = []
        for i, operand in enumerate(node.operands):
            prev = types[-1] if types and types[-1] not in (T.UNKNOWN, T.ERROR) else None
            t = self.expr(operand, prev)
            if i > 0 and types[-1] == T.UNKNOWN and t not in (T.UNKNOWN, T.ERROR):
                types[-1] = self._bind(node.operands[i - 1], t) or types[-1]
            types.append(t)
        for i, op in enumerate(node.ops):
            ta, tb = types[i], types[i + 1]
            if T.ERROR in (ta, tb) or T.UNKNOWN in (ta, tb):
                continue
            if not T.comparable(ta, tb, op):
                a_word = (
                    "cannot order"
                    if T.unify(ta, tb) and op not in ("=", "!=")
                    else "cannot compare"
                )
                self._mismatch(
                    node.op_spans[i],
                    f"{a_word} {a(ta)} with {a(tb)}",
                    node.operands[i],
                    node.operands[i + 1],
                    ta,
                    tb,
                    f"{ta} {op} {tb}",
                )
        return T.BOOLEAN

    def _Between(self, node: n.Between, expected):
        t = self.expr(node.operand)
        for bound in (node.low, node.high):
            tb = self.expr(bound, t if t not in (T.UNKNOWN, T.ERROR) else None)
            if t == T.UNKNOWN and tb not in (T.UNKNOWN, T.ERROR):
                t = self._bind(node.operand, tb) or t
            if T.ERROR in (t, tb) or T.UNKNOWN in (t, tb):
                continue
            if not T.comparable(t, tb, "<"):
                self._mismatch(
                    bound.span,
                    f"`between` needs bounds of the same type: {t} between {tb}",
                    node.operand,
                    bound,
                    t,
                    tb,
                    f"{tb}",
                )
        return T.BOOLEAN

    def _InList(self, node: n.InList, expected):
        t = self.expr(node.operand)
        lt = self.expr(node.options, T.list_of(t) if t not in (T.UNKNOWN, T.ERROR) else None)
        if lt in (T.ERROR, T.UNKNOWN):
            return T.BOOLEAN
        if not lt.is_list:
            self.error(
                "type-mismatch",
                f"`in` needs a list, not {a(lt)}",
                node.options.span,
                hint='write a list such as ["north", "south"]',
            )
            return T.BOOLEAN
        if t == T.UNKNOWN and lt.element != T.UNKNOWN:
            t = self._bind(node.operand, lt.element) or t
        if (
            t not in (T.UNKNOWN, T.ERROR)
            and lt.element != T.UNKNOWN
            and not T.comparable(t, lt.element, "=")
        ):
            self._mismatch(
                node.options.span,
                f"cannot look for {a(t)} in {a(lt)}",
                node.operand,
                node.options,
                t,
                lt,
                f"{t} in {lt}",
            )
        return T.BOOLEAN

    def _IsMissing(self, node, expected):
        self.expr(node.operand)
        return T.BOOLEAN

    def _StringTest(self, node: n.StringTest, expected):
        for part in (node.operand, node.pattern):
            t = self.expr(part, T.STRING)
            if t == T.UNKNOWN:
                self._bind(part, T.STRING)
            elif t not in (T.STRING, T.ERROR):
                word = node.op.replace("_", " ")
                if isinstance(part, n.Name) and part.name in self.inferred_at:
                    self._mismatch(part.span, "", part, part, t, T.STRING, f"{t}, not text")
                    continue
                self.error(
                    "type-mismatch",
                    f"`{word}` works on text, not on a {t}",
                    part.span,
                    hint="compare numbers with `>`, `=` …",
                )
        return T.BOOLEAN

    def _And(self, node, expected):
        return self._logic(node, (node.left, node.right))

    def _Or(self, node, expected):
        return self._logic(node, (node.left, node.right))

    def _Not(self, node, expected):
        return self._logic(node, (node.operand,))

    def _logic(self, node, parts):
        for p in parts:
            self.condition(p)
        return T.BOOLEAN

    # ---------------------------------------------------------------- functions
    def _arity(self, node: n.Call, lo: int, hi: int | None, usage: str) -> bool:
        k = len(node.args)
        if k < lo or (hi is not None and k > hi):
            self.error(
                "wrong-arguments",
                f"`{node.func}` takes {usage}, given {k}",
                node.span,
                hint=f"write {node.func}({usage_example(node.func)})",
            )
            for a in node.args:
                self.expr(a)
            return False
        return True

    def _Call(self, node: n.Call, expected):
        f = node.func
        if f not in FUNCTIONS:
            guess = nearest(f, FUNCTIONS)
            self.error(
                "unknown-function",
                f"unknown function `{f}`",
                node.name_span,
                hint=(f"did you mean `{guess}`? " if guess else "")
                + "functions are "
                + ", ".join(FUNCTIONS),
            )
            for a in node.args:
                self.expr(a)
            return T.ERROR
        if node.by is not None and f not in n.POPULATION_FUNCTIONS:
            self.error(
                "wrong-arguments",
                f"`by` only goes with population functions, not `{f}`",
                node.by.span,
                hint="remove `by …`",
            )
        if f in n.POPULATION_FUNCTIONS:
            return self._population(node)
        if f in ("min", "max", "coalesce"):
            if not self._arity(node, 1, None, "one or more values"):
                return T.ERROR
            t: T.Type | None = None
            for a in node.args:
                ta = self.expr(a, t)
                if ta in (T.ERROR, T.UNKNOWN):
                    continue
                common = T.unify(t, ta) if t else ta
                if common is None or (f != "coalesce" and not common.orderable):
                    self.error(
                        "type-mismatch",
                        f"`{f}` mixes {a(t)} and {a(ta)}",
                        a.span,
                        hint=f"give {f} values of one type",
                    )
                    return T.ERROR
                t = common
            return t or T.UNKNOWN
        if f == "abs":
            if not self._arity(node, 1, 1, "one number or duration"):
                return T.ERROR
            t = self.expr(node.args[0], T.NUMBER)
            return self._want(
                node.args[0], t, ("integer", "number", "duration"), "a number or duration"
            )
        if f == "round":
            if not self._arity(node, 1, 2, "a number and the digits to keep"):
                return T.ERROR
            t = self.expr(node.args[0], T.NUMBER)
            self._want(node.args[0], t, ("integer", "number"), "a number")
            if len(node.args) == 2:
                d = node.args[1]
                self.expr(d, T.INTEGER)
                if not (isinstance(d, n.Literal) and isinstance(d.value, int)):
                    self.error(
                        "wrong-arguments",
                        "the digits of `round` must be a whole number written in the rule",
                        d.span,
                        hint="e.g. round(x, 2)",
                    )
            return T.NUMBER
        if f == "days_since":
            if not self._arity(node, 1, 1, "one date"):
                return T.ERROR
            t = self.expr(node.args[0], T.DATE)
            if t == T.UNKNOWN:
                self._bind(node.args[0], T.DATE)
                return T.DURATION
            self._want(node.args[0], t, ("date", "timestamp"), "a date")
            return T.DURATION
        if f == "len":
            if not self._arity(node, 1, 1, "one list or text"):
                return T.ERROR
            t = self.expr(node.args[0], T.STRING)
            if t not in (T.ERROR, T.UNKNOWN, T.STRING) and not t.is_list:
                self.error(
                    "type-mismatch",
                    f"`len` needs a list or text, not {a(t)}",
                    node.args[0].span,
                    hint="len counts list items or characters",
                )
            return T.INTEGER
        raise AssertionError(f)

    def _want(self, node, t, names, words):
        if t in (T.ERROR, T.UNKNOWN):
            return t
        if t.name not in names:
            self.error(
                "type-mismatch",
                f"expected {words}, not {a(t)}",
                node.span,
                hint=f"for example {T.example_of(T.SCALARS.get(names[0], T.NUMBER))}",
            )
            return T.ERROR
        return t

    def _population_arg(self, node: n.Node, arg: n.Node, by: n.Name | None) -> T.Type:
        t = self.expr(arg, T.NUMBER)
        if t == T.UNKNOWN:
            t = self._bind(arg, T.NUMBER) or t
        t = self._want(arg, t, ("integer", "number", "duration"), "a number or duration")
        if self._contains_population(arg):
            self.error(
                "nested-population",
                "a population function cannot take another one's result as its input",
                arg.span,
                hint="rank the underlying value directly, e.g. percentile(monetary)",
            )
        if by is not None:
            if by.name in self._visible_lets or (
                self.declared_fields and by.name not in self.fields
            ):
                self.error(
                    "wrong-arguments",
                    f"`by` needs a field, and `{by.name}` is not one",
                    by.span,
                    hint="partition by a data field such as region",
                )
            else:
                self.expr(by)
        snippet = re.sub(r"\s+", "", self.source.snippet(arg.span))
        self.population_keys[node.id] = f"{snippet}|{by.name if by else ''}"
        return t

    def _population(self, node: n.Call) -> T.Type:
        f = node.func
        if f == "score":
            if not self._arity(node, 2, 2, "a value and the number of scores"):
                return T.ERROR
            self._population_arg(node, node.args[0], node.by)
            k = node.args[1]
            self.expr(k, T.INTEGER)
            if not (isinstance(k, n.Literal) and isinstance(k.value, int) and k.value >= 1):
                self.error(
                    "wrong-arguments",
                    "the number of scores must be a whole number written in the rule",
                    k.span,
                    hint="e.g. score(monetary, 5)",
                )
            return T.INTEGER
        if not self._arity(node, 1, 1, "one value"):
            return T.ERROR
        self._population_arg(node, node.args[0], node.by)
        return T.NUMBER

    def _RankIn(self, node: n.RankIn, expected):
        self._population_arg(node, node.operand, node.by)
        ft = self.expr(node.fraction, T.NUMBER)
        frac = node.fraction
        if not (isinstance(frac, n.Literal) and frac.kind in ("percent", "number")):
            self.error(
                "wrong-arguments",
                "the share after `top`/`bottom` must be written in the rule",
                frac.span,
                hint="e.g. monetary in top 10%",
            )
        elif ft.numeric and not (0 <= frac.value <= 1):
            self.error(
                "wrong-arguments",
                f"`{frac.text}` is not a share between 0 and 1",
                frac.span,
                hint=f"write a percentage such as {frac.text}%",
            )
        return T.BOOLEAN

    def _contains_population(self, node: n.Node) -> bool:
        for sub in n.walk(node):
            if n.is_population(sub):
                return True
            if isinstance(sub, n.Name) and self._let_has_population.get(sub.name):
                return True
        return False

    # ---------------------------------------------------------------- labels, examples
    def _check_label_ref(self, label: str, span: Span) -> None:
        if self.declared_labels and label not in self.labels:
            guess = nearest(label, self.labels)
            self.error(
                "unknown-label",
                f"unknown label `{label}`",
                span,
                hint=(f"did you mean `{guess}`? " if guess else "")
                + "declared labels are "
                + ", ".join(self.labels),
            )

    def _check_example(self, ex: n.Example) -> None:
        from rulekit.model.semantics import (  # semantics imports nothing from here
            CoercionError,
            coerce,
        )

        for g in ex.given:
            target = self.fields.get(g.name) or self.lets.get(g.name)
            if target is None:
                guess = nearest(g.name, [*self.fields, *self.lets])
                self.error(
                    "bad-example",
                    f"example `{ex.name}` gives `{g.name}`, which is neither a field nor a let",
                    g.name_span,
                    hint=f"did you mean `{guess}`?" if guess else None,
                )
                continue
            value = literal_value(g.value_node)
            try:
                coerce(value, target.type)
            except CoercionError as e:
                self.error(
                    "bad-example",
                    f"`{g.name}` is {a(target.type)}: {e.reason}",
                    g.value_node.span,
                    hint=f"write a value such as {T.example_of(target.type)}",
                )
        for label in ex.expect or ():
            if label not in self.labels:
                guess = nearest(label, self.labels)
                self.error(
                    "unknown-label",
                    f"example `{ex.name}` expects unknown label `{label}`",
                    ex.expect_span,
                    hint=(f"did you mean `{guess}`? " if guess else "")
                    + "labels are "
                    + ", ".join(self.labels),
                )

    def _warnings(self, produced: set[str], rules: list[n.Rule]) -> None:
        if self.strict:
            self._strict(rules)
        if any(d.severity == "error" for d in self.diagnostics):
            return  # "unused" is noise while a typo hides the use
        for label in self.labels.values():
            if label.decl and label.name not in produced:
                self.warn(
                    "unused-label",
                    f"label `{label.name}` is declared but no rule gives it",
                    label.decl.name_span,
                    hint="add a rule that gives it, or remove the label",
                )
        for let in self.lets.values():
            if not let.used:
                self.warn(
                    "unused-let",
                    f"let `{let.name}` is never used",
                    let.decl.name_span,
                    hint="use it in a rule, or remove it",
                )
        for f in self.fields.values():
            if f.decl and not f.used:
                self.warn(
                    "unused-field",
                    f"field `{f.name}` is declared but no rule reads it",
                    f.decl.name_span,
                    hint="use it in a rule, or remove the declaration",
                )

    def _strict(self, rules: list[n.Rule]) -> None:
        if True:
            if not self.declared_fields:
                for name in self.inferred:
                    self.error(
                        "undeclared",
                        f"field `{name}` is not declared (strict mode)",
                        self.inferred_at.get(name, Span(0, 0)),
                        hint=f'declare it: field {name} : {self.inferred[name]} "显示名"',
                    )
            if not self.declared_labels:
                for rule in rules:
                    self.error(
                        "undeclared",
                        f"label `{rule.label}` is not declared (strict mode)",
                        rule.label_span,
                        hint=f'declare it: label {rule.label} "显示名"',
                    )


def a(word) -> str:
    """`a number`, `an integer`."""
    text = str(word)
    return ("an " if text[:1] in "aeiou" else "a ") + text


def item_text(checker: Checker, node: n.Node) -> str:
    return checker.source.snippet(node.span)


def usage_example(func: str) -> str:
    return {
        "min": "a, b",
        "max": "a, b",
        "abs": "x",
        "round": "x, 2",
        "coalesce": "x, 0",
        "days_since": "last_purchase",
        "len": "tags",
        "percentile": "monetary",
        "score": "monetary, 5",
        "cumulative_share": "monetary",
    }.get(func, "…")


def check(file: n.File, source: Source, strict: bool = False) -> Program:
    return Checker(file, source, strict).check()
