"""The query layout: the chain of CTEs every query starts with, each a named pass with one job.

    rk_input     the source rows, each with its row number (input order)
    rk_prep_N    helper columns of text values: stripped, digits made ASCII, parsed, by level
    rk_fields    every field coerced to its declared type, exactly as semantics.py coerces
                 record values, and each field's failure (see coercion.py)
    rk_checked   the first bad field a live population reads, and under validate="all" the
                 first bad field of all
    rk_valid     the rows without a bad population argument: the population
    rk_step_N    lets, population arguments and population functions, level by level
    rk_decided   the hit policy: the deciding rule's position, or every matching position

queries.py adds the SELECT the caller asked for. Bad values follow the Python engine exactly: a
field is checked when the evaluation reads it (what each rule reads is the program model's
`Program.rule_reads`, in evaluation order `Program.order`).
"""

from __future__ import annotations

from pathlib import Path

from rulekit.compile.sql.base import Step, comment, indent, sep_comments
from rulekit.compile.sql.coercion import Coercion
from rulekit.compile.sql.populations import Populations
from rulekit.compile.sql.relation import Source


class Layout(Populations, Coercion):
    """The CTE chain down to the decided rows."""

    def _steps(self) -> list[list[Step]]:
        """Lets, population arguments and population functions grouped into levels: a step's
        level is one more than the deepest step it reads."""
        steps = self.population_steps()
        for let in self.p.lets.values():
            col = self.let_col[let.name]
            if col in steps:  # a let that is a population function: computed as that step
                steps[col].comment = f"let {let.name} = {steps[col].comment}"
                continue
            steps[col] = Step(
                col,
                self.sql(let.decl.expr),
                self._reads(let.decl.expr),
                "let",
                let.decl.expr,
                f"let {let.name}",
            )
        level: dict[str, int] = {}

        def depth(name: str) -> int:
            if name not in steps:
                return 0
            if name not in level:
                level[name] = 1 + max((depth(d) for d in steps[name].deps), default=0)
            return level[name]

        for name in steps:
            depth(name)
        out: list[list[Step]] = [[] for _ in range(max(level.values(), default=0))]
        for name, step in steps.items():  # dict order: arguments, populations, lets
            out[level[name] - 1].append(step)
        return out

    def _first_bad(self, names: list[str]) -> str | None:
        """The index of the first of these fields (in this order) whose value is bad."""
        whens = [
            f"WHEN {self.identifier_sql(self.err_col[f])} IS NOT NULL THEN {self.field_index[f]}"
            for f in names
            if f in self.err_col
        ]
        return f"CASE {' '.join(whens)} END" if whens else None

    def _ctes(
        self, source: Source, passthrough: bool, reasons: bool = False
    ) -> tuple[list[tuple[str, str]], str]:
        """The CTE chain down to the decided rows; returns (ctes, name of the last CTE).

        Bad values follow runtime.py exactly. A field is checked when the evaluation reads it:
        under first/priority just before the first rule (in evaluation order) that needs it,
        so the hit CASE interleaves "is this field bad?" with the rules; under all/unique every
        field a rule reads. A live population reads the fields of its arguments first: a row
        with a bad one there is rejected and left out of the population. validate="all" checks
        every declared field.
        """
        self.plan_names(c for c in source.columns or {} if c != source.row_number)
        N = self.internal
        ident = self.identifier_sql
        self._frozen_done = set()
        ctes: list[tuple[str, str]] = []
        rel = self.relation_sql(source.relation)
        row = ident(N["row"])
        numbered = ident(source.row_number) if source.row_number else self.row_number_sql()
        select = [f"{numbered} AS {row}"]
        if passthrough:
            select.insert(0, f"{self.pack_row_sql(ident(N['src']))} AS {ident(N['raw'])}")
        ctes.append((N["input"], f"SELECT *, {', '.join(select)}\nFROM {rel} AS {ident(N['src'])}"))
        prev = self._field_ctes(ctes, source, passthrough, reasons)
        prev = self._checked_ctes(ctes, prev)
        prev = self._step_ctes(ctes, prev)
        ctes.append((N["decided"], self._hit_sql(prev)))
        return ctes, N["decided"]

    def _field_ctes(
        self, ctes: list[tuple[str, str]], source: Source, passthrough: bool, reasons: bool
    ) -> str:
        """Fields: each column coerced; a bad value's failure, reason and raw text in columns
        of their own (reasons only for the queries that list rejected rows). Helper columns
        first, level by level."""
        N = self.internal
        ident = self.identifier_sql
        row = ident(N["row"])
        items = [row] + ([ident(N["raw"])] if passthrough else [])
        self.err_col, self.text_col, self.why_col = {}, {}, {}
        self.with_reasons = reasons
        checks, helpers = [], []
        for i, (name, info) in enumerate(self.p.fields.items()):
            col = source.column(info.column)
            fs = self.coerce_field(name, info, col, i)
            helpers += fs.helpers
            note = (
                f"field {name} : {info.type}"
                + (f" default {self.value_sql(info.default)}" if info.default is not None else "")
                + (f" (column {info.column})" if info.column != name else "")
                + (f" — no column {info.column}: always missing" if col.kind == "absent" else "")
            )
            target = ident(self.field_col[name])
            value = fs.value if fs.value == target else f"{fs.value} AS {target}"
            items.append(f"{value}  -- {comment(note)}")
            if fs.fail is not None:
                self.err_col[name] = self.field_names[i]["bad"]
                self.text_col[name] = self.field_names[i]["text"]
                checks.append(f"{fs.fail} AS {ident(self.err_col[name])}")
                if reasons:
                    checks.append(f"{fs.text} AS {ident(self.text_col[name])}")
                    self.why_col[name] = self.field_names[i]["why"]
                    checks.append(
                        f"CASE WHEN ({fs.fail}) IS NOT NULL THEN {fs.reason} END AS "
                        f"{ident(self.why_col[name])}"
                    )
        source_cte = N["input"]
        # each text column stripped, its digits made ASCII, its number parsed: once, in
        # helper columns, level by level
        for level in range(1, 1 + max((lv for _, _, lv in helpers), default=0)):
            name = f"{N['prep']}_{level}"
            ctes.append(
                (
                    name,
                    "SELECT\n"
                    + indent(
                        ",\n".join(
                            ["*"]
                            + [f"{sql} AS {ident(col)}" for col, sql, lv in helpers if lv == level]
                        )
                    )
                    + f"\nFROM {ident(source_cte)}",
                )
            )
            source_cte = name
        ctes.append(
            (
                N["fields"],
                "SELECT\n"
                + indent("\n".join(sep_comments(items + checks)))
                + f"\nFROM {ident(source_cte)}",
            )
        )
        return N["fields"]

    def _checked_ctes(self, ctes: list[tuple[str, str]], prev: str) -> str:
        """The first bad field a live population reads (those rows are left out of it), and
        under validate="all" the first bad field of all."""
        N = self.internal
        ident = self.identifier_sql
        pop_bad = self._first_bad(self.pop_fields) if self.pop_keys and not self.frozen else None
        all_bad = self._first_bad(list(self.p.fields)) if self.validate == "all" else None
        extra = []
        if pop_bad:
            extra.append(f"{pop_bad} AS {ident(N['pop_bad'])}")
        if all_bad:
            extra.append(f"{all_bad} AS {ident(N['all_bad'])}")
        self.has_pop_bad, self.has_all_bad = bool(pop_bad), bool(all_bad)
        if extra:
            ctes.append((N["checked"], "SELECT *, " + ", ".join(extra) + f"\nFROM {ident(prev)}"))
            prev = N["checked"]
        self.checked = prev
        if pop_bad:
            # the population: rows whose population arguments read only good values
            ctes.append(
                (N["valid"], f"SELECT * FROM {ident(prev)}\nWHERE {ident(N['pop_bad'])} IS NULL")
            )
            prev = N["valid"]
        return prev

    def _step_ctes(self, ctes: list[tuple[str, str]], prev: str) -> str:
        """Lets and populations, level by level; frozen populations join their tables first."""
        ident = self.identifier_sql
        for i, steps in enumerate(self._steps()):
            for step in steps:
                if step.kind == "pop" and step.node is not None:
                    if self.frozen:
                        prev = self.frozen_joins(ctes, prev, step.node)
                    else:
                        prev = self.population_joins(ctes, prev, step.node)
            cols = []
            for step in steps:
                if step.kind == "pop" and step.node is not None:
                    step.sql = self.population_sql(step.node)
                cols.append(f"{step.sql} AS {ident(step.name)}  -- {comment(step.comment)}")
            name = f"{self.PREFIX}step_{i + 1}"
            ctes.append(
                (
                    name,
                    "SELECT\n"
                    + indent("\n".join(sep_comments(["*"] + cols)))
                    + f"\nFROM {ident(prev)}",
                )
            )
            prev = name
        return prev

    def population_joins(self, ctes: list[tuple[str, str]], prev: str, node: object) -> str:
        """A dialect's CTEs computing a live population's statistics before its step (Spark:
        grouped counts joined back); by default none, the windows of populations.py."""
        return prev

    def _hit_sql(self, prev: str) -> str:
        """The hit policy. first/priority: one CASE in evaluation order, giving the deciding
        position, or -(1 + field index) for the bad value the evaluation reached first.
        all/unique: every matching position, and the first bad value any rule reads."""
        ident = self.identifier_sql
        N = self.internal
        loaded: set[str] = set()
        new_fields = []
        for ri in self.order:
            fresh = [f for f in self.p.rule_reads[ri].fields if f not in loaded]
            loaded |= set(fresh)
            new_fields.append(fresh)
        conds = [self.sql(self.rules[ri].condition) for ri in self.order]
        notes = [comment(f"{self.rules[ri].name} → {self.rules[ri].label}") for ri in self.order]
        if self.p.hit.single:
            whens = []
            for pos, (c, note) in enumerate(zip(conds, notes)):
                for f in new_fields[pos]:
                    if f in self.err_col:
                        whens.append(
                            f"WHEN {ident(self.err_col[f])} IS NOT NULL THEN "
                            f"{-1 - self.field_index[f]}  -- bad value: {comment(f)}"
                        )
                whens.append(f"WHEN {c} THEN {pos}  -- {note}")
            if not whens:
                return f"SELECT *, CAST(NULL AS INTEGER) AS {ident(N['pos'])}\nFROM {ident(prev)}"
            return (
                "SELECT\n  *,\n  CASE\n"
                + indent("\n".join(whens), 4)
                + f"\n  END AS {ident(N['pos'])}\nFROM {ident(prev)}"
            )
        items = [
            f"CASE WHEN {c} THEN {pos} END  -- {note}"
            for pos, (c, note) in enumerate(zip(conds, notes))
        ]
        v = ident("v")
        matches = (
            self.list_filter_sql(
                self.list_sql(["\n" + indent("\n".join(sep_comments(items)), 4) + "\n  "]),
                v,
                f"{v} IS NOT NULL",
            )
            if items
            else self.cast_sql("[]", self.list_type_sql("INTEGER"))
        )
        bad = self._first_bad([f for fs in new_fields for f in fs]) or "CAST(NULL AS INTEGER)"
        return (
            f"SELECT\n  *,\n  {matches} AS {ident(N['matches'])},\n  {bad} AS "
            f"{ident(N['bad'])}\nFROM {ident(prev)}"
        )

    def _with(self, ctes: list[tuple[str, str]], final: str) -> str:
        header = self._header()
        body = ",\n".join(
            f"{self.identifier_sql(name)} AS (\n{indent(sql)}\n)" for name, sql in ctes
        )
        text = f"{header}WITH\n{body}\n{final}"
        if self.unsupported_messages:
            text = (
                "".join(
                    f"-- unsupported in {self.DIALECT}: {comment(m)}\n"
                    for m in dict.fromkeys(self.unsupported_messages)
                )
                + text
            )
        return text

    def _header(self) -> str:
        p = self.p
        today = self.as_of.isoformat() if self.as_of else "current_date"
        return (
            f"-- rulekit ruleset {comment(p.id)} ({comment(Path(p.path).name)}): "
            f"{len(p.rules)} rules, hit {p.hit}, as of {today}\n"
            f"-- generated from the checked rule file; dialect {self.DIALECT}\n"
        )

    def needs_order(self) -> bool:
        """Whether rows can come out of order (windows and joins reorder; projections don't)."""
        return bool(self.pop_keys)
