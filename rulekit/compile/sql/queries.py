"""The queries: the SELECT the caller asked for, after layout.py's CTE chain.

    labelled_sql           every row with its label, display name and deciding rule
    rejected_sql           the bad rows: stage, field, value and reason
    decisions_sql          the compact answer the Python API decodes
    population_values_sql  the values a frozen population is built from

A decided row's outcome follows the Python engine: a bad value the evaluation reached (stage 3),
a bad population argument (stage 2), validate="all" (stage 1), or under `hit unique` more than
one matching rule; else its label, by the hit policy (`Program.hit`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

from rulekit.compile.sql.base import indent
from rulekit.compile.sql.layout import Layout
from rulekit.compile.sql.outputs import result_column_names, result_values_sql, with_results
from rulekit.compile.sql.relation import Source
from rulekit.model.outputs import has_results
from rulekit.model.program import HitPolicy


class Queries(Layout):
    """The final SELECTs and the result columns they add."""

    # ---- the outcome of a decided row
    def _bad_index_sql(self) -> str:
        """The field index a decided row is rejected for (validate="all" first), or NULL."""
        N = self.internal
        ident = self.identifier_sql
        parts = []
        if self.has_all_bad:
            parts.append(ident(N["all_bad"]))
        if self.p.hit.single:
            pos = ident(N["pos"])
            parts.append(f"CASE WHEN {pos} < 0 THEN -1 - {pos} END")
        else:
            parts.append(ident(N["bad"]))
        return f"COALESCE({', '.join(parts)})" if len(parts) > 1 else parts[0]

    def _conflict_sql(self) -> str:
        return f"{self.list_length_sql(self.identifier_sql(self.internal['matches']))} > 1"

    def _good_row_sql(self) -> str:
        cond = f"{self._bad_index_sql()} IS NULL"
        if self.p.hit is HitPolicy.UNIQUE:
            cond += f" AND NOT {self._conflict_sql()}"
        return cond

    def _field_case(self, index: str, cols: dict[str, str]) -> str:
        """The column of the field with this index (error reason or raw text)."""
        whens = " ".join(
            f"WHEN {self.field_index[f]} THEN {self.identifier_sql(c)}" for f, c in cols.items()
        )
        return f"CASE {index} {whens} END" if whens else "NULL"

    def _field_name_case(self, index: str) -> str:
        whens = " ".join(
            f"WHEN {self.field_index[f]} THEN {self.string_sql(f)}" for f in self.err_col
        )
        return f"CASE {index} {whens} END" if whens else "NULL"

    # ---- per-position constants, for the final SELECTs
    def _case_by_pos(self, pos: str, values: Sequence[str | None], default: str | None) -> str:
        whens = " ".join(
            f"WHEN {i} THEN {self.string_sql(v)}" for i, v in enumerate(values) if v is not None
        )
        other = self.string_sql(default) if default is not None else "NULL"
        if not whens:
            return other
        return f"CASE {pos} {whens} ELSE {other} END"

    @overload
    def label_display(self, label: str) -> str: ...
    @overload
    def label_display(self, label: None) -> None: ...
    def label_display(self, label: str | None) -> str | None:
        if label is None:
            return None
        info = self.p.labels.get(label)
        return (info.display.get(self.lang) if info else None) or label

    def result_names(self, rule_column: bool = True) -> list[str]:
        """The names of the result columns labelled_sql adds."""
        rid = self.p.id
        return (
            [rid]
            + ([rid + "_rule"] if rule_column else [])
            + ([rid + "_display"] if self.display else [])
            + (result_column_names(self) if has_results(self.p) else [])
        )

    def _result_columns(self, good: str | None = None, rule_column: bool = True) -> list[str]:
        """The label and the deciding rule, in columns named after the ruleset (`run`'s output
        columns): `<id>` and `<id>_rule`; under hit all, the list of labels (in file order,
        without repeats) and the list of matching rules. With display, also `<id>_display`.
        With `good` (a condition), a row where it is not true gets no label and no rule."""
        columns = self._result_values()
        if has_results(self.p):  # outputs and attributes (compile/sql/outputs.py)
            columns += result_values_sql(self)
        names = self.result_names()
        if not rule_column:
            del columns[1], names[1]
        ident = self.identifier_sql
        return [
            f"{value if good is None else f'CASE WHEN {good} THEN {value} END'} AS {ident(name)}"
            for value, name in zip(columns, names, strict=True)
        ]

    def _result_values(self) -> list[str]:
        ident = self.identifier_sql
        N = self.internal
        labels = [self.rules[ri].label for ri in self.order]
        names = [self.rules[ri].name for ri in self.order]
        default = self.p.default
        if self.p.hit is not HitPolicy.ALL:
            pos = ident(N["pos"])
            if self.p.hit is HitPolicy.UNIQUE:
                m = ident(N["matches"])
                pos = (
                    f"(CASE WHEN {self.list_length_sql(m)} = 1 THEN "
                    f"{self.list_element_sql(m, '0')} END)"
                )
            label = self._case_by_pos(pos, labels, default)
            rule = self._case_by_pos(pos, names, None)
            if self.compact_text:  # one dictionary of values, written faster than free text
                label = self.text_set_sql(label, labels + ([default] if default else []))
                rule = self.text_set_sql(rule, names)
            out = [label, rule]
            if self.display:
                shown = [self.label_display(x) for x in labels]
                out.append(self._case_by_pos(pos, shown, self.label_display(default)))
            return out
        m = ident(N["matches"])
        p = ident("p")
        as_labels = self.list_transform_sql(m, p, self._case_by_pos(p, labels, None))
        distinct = self.list_distinct_ordered_sql(as_labels)
        fallback = self.list_sql([self.string_sql(default)]) if default else "NULL"
        label_list = f"CASE WHEN {self.list_length_sql(m)} = 0 THEN {fallback} ELSE {distinct} END"
        rule_list = (
            f"CASE WHEN {self.list_length_sql(m)} > 0 THEN "
            f"{self.list_transform_sql(m, p, self._case_by_pos(p, names, None))} END"
        )
        out = [label_list, rule_list]
        if self.display:
            lab = ident("l")
            shown = list(dict.fromkeys(labels + ([default] if default else [])))
            display_of = (
                (
                    "CASE "
                    + lab
                    + " "
                    + " ".join(
                        f"WHEN {self.string_sql(x)} THEN {self.string_sql(self.label_display(x))}"
                        for x in shown
                    )
                    + " END"
                )
                if shown
                else "NULL"
            )
            joined = self.list_join_sql(
                self.list_transform_sql(label_list, lab, display_of), self.LABEL_SEPARATOR
            )
            out.append(f"NULLIF({joined}, '')")
        return out

    def _conflict_reason_sql(self) -> str:
        """engines.python.CompiledRuleset.conflict_reason, in SQL."""
        refs = [f"{r.name} ({self.p.path}:{r.line})" for r in (self.rules[i] for i in self.order)]
        p = self.identifier_sql("p")
        each = self.list_transform_sql(
            self.identifier_sql(self.internal["matches"]), p, self._case_by_pos(p, refs, None)
        )
        return (
            f"{self.string_sql('hit unique: more than one rule matched: ')} || "
            f"{self.list_join_sql(each, '; ')}"
        )

    # ------------------------------------------------------------------ the final SELECTs
    def labelled_sql(
        self,
        source: Source,
        passthrough: bool = True,
        order: bool | None = None,
        keep_bad: bool = False,
        rule_column: bool = True,
        flag_bad: bool = False,
    ) -> str:
        """Every good row with its label, display name and deciding rule, in input order.

        passthrough: the input's columns come first (a column named like a result column is
        replaced by it); else the row number. keep_bad: the bad rows too, with no label and no
        rule (`rulekit run`'s output); else they are left out. rule_column: the `<id>_rule`
        column. flag_bad (with keep_bad): a last column, `rk_flag`, is 1 on a bad row."""
        ctes, last = self._ctes(source, passthrough)
        ident = self.identifier_sql
        N = self.internal
        row = ident(N["row"])
        bad = self.err_col or self.p.hit is HitPolicy.UNIQUE
        names = self.result_names(rule_column)
        results = self._result_columns(
            self._good_row_sql() if bad and keep_bad else None, rule_column
        )
        flag = ident(N["flag"])
        if flag_bad:
            results.append(
                f"CASE WHEN NOT ({self._good_row_sql()}) THEN 1 END AS {flag}"
                if bad
                else f"CAST(NULL AS INTEGER) AS {flag}"
            )
        if passthrough:
            # unknown schema: a field's column is surely there (a result named like it replaces it)
            known = list(source.columns or (i.column for i in self.p.fields.values()))
            replaced = [c for c in dict.fromkeys(known) if c in set(names)]
            head = [self.star_sql(ident(N["raw"]), replaced + list(source.relation.hidden))]
        else:
            head = [row]
        ordered = order if order is not None else self.needs_order()
        if keep_bad and self.has_pop_bad:
            # rows with a bad population argument never reach the decision: add them back,
            # with no result, and put every row in its place
            extra = [row] if passthrough else []
            decided = (
                "SELECT\n" + indent(",\n".join(head + results + extra)) + f"\nFROM {ident(last)}"
            )
            nulls = [f"NULL AS {ident(c)}" for c in names] + ([f"1 AS {flag}"] if flag_bad else [])
            back = (
                "SELECT\n"
                + indent(",\n".join(head + nulls + extra))
                + f"\nFROM {ident(self.checked)}\nWHERE {ident(N['pop_bad'])} IS NOT NULL"
            )
            star = self.star_sql(None, [N["row"]]) if passthrough else "*"
            return self._with(
                ctes,
                f"SELECT {star}\nFROM (\n{indent(decided)}\nUNION ALL\n"
                f"{indent(back)}\n)\nORDER BY {row}",
            )
        final = "SELECT\n" + indent(",\n".join(head + results)) + f"\nFROM {ident(last)}"
        if bad and not keep_bad:
            final += f"\nWHERE {self._good_row_sql()}"
        if ordered:
            final += f"\nORDER BY {row}"
        return self._with(ctes, final)

    def _rejected_parts(
        self, raw: list[str], decided: str, conflicts: bool = True, with_result: bool = False
    ) -> list[str]:
        """SELECTs of the rejected rows: (row, [result,] stage, field, value, reason, raw…).
        stage 1 = validate="all", 2 = a population argument, 3 = the evaluation (or a unique
        conflict): the order in which runtime.py meets them. With with_result, the good rows
        come too (stage NULL) with their result, so one scan of the decided rows answers all."""
        ident = self.identifier_sql
        N = self.internal
        row = ident(N["row"])
        parts = []
        result = ident(N["pos"]) if self.p.hit.single else ident(N["matches"])

        def columns(index: str, stage: str, extra_reason: str | None = None) -> list[str]:
            if not self.with_reasons:  # the compact form: which field; Python words the reason
                return [f"{stage} AS {ident(N['stage'])}", f"{index} AS {ident(N['field'])}"]
            reason = self._field_case(index, self.why_col)
            if extra_reason:
                reason = f"COALESCE({reason}, {extra_reason})"
            return [
                f"{stage} AS {ident(N['stage'])}",
                f"{self._field_name_case(index)} AS {ident(N['field'])}",
                f"{self._field_case(index, self.text_col)} AS {ident(N['value'])}",
                f"{reason} AS {ident(N['reason'])}",
            ]

        if self.has_pop_bad:
            index = (
                f"COALESCE({ident(N['all_bad'])}, {ident(N['pop_bad'])})"
                if self.has_all_bad
                else ident(N["pop_bad"])
            )
            stage = (
                f"CASE WHEN {ident(N['all_bad'])} IS NOT NULL THEN 1 ELSE 2 END"
                if self.has_all_bad
                else "2"
            )
            head = [row] + (["NULL"] if with_result else [])
            parts.append(
                "SELECT "
                + ", ".join(head + columns(index, stage) + raw)
                + f"\nFROM {ident(self.checked)}\nWHERE {ident(N['pop_bad'])} IS NOT NULL"
            )
        index = self._bad_index_sql() if self.err_col else "CAST(NULL AS INTEGER)"
        bad = f"{index} IS NOT NULL" if self.err_col else "FALSE"
        conflict = self._conflict_sql() if conflicts and self.p.hit is HitPolicy.UNIQUE else "FALSE"
        if bad == "FALSE" and conflict == "FALSE" and not with_result:
            return parts
        stage = "3"
        if self.has_all_bad:
            stage = f"CASE WHEN {ident(N['all_bad'])} IS NOT NULL THEN 1 ELSE 3 END"
        stage = f"CASE WHEN {bad} OR {conflict} THEN {stage} END"
        conflict_reason = (
            f"CASE WHEN {conflict} THEN {self._conflict_reason_sql()} END"
            if conflict != "FALSE"
            else None
        )
        head = [row] + (
            [f"CASE WHEN NOT ({bad}) THEN {result} END AS {ident('result')}"] if with_result else []
        )
        where = "" if with_result else f"\nWHERE {bad} OR {conflict}"
        parts.append(
            "SELECT "
            + ", ".join(head + columns(index, stage, conflict_reason) + raw)
            + f"\nFROM {ident(decided)}{where}"
        )
        return parts

    def rejected_sql(
        self, source: Source, passthrough: bool = True, conflicts: bool = True, reasons: bool = True
    ) -> str | None:
        """The bad rows, in input order: row number, stage, field, value, reason (and the raw
        row); without reasons, only row number, stage and the bad field's index (cheaper).
        None when no row can be bad."""
        ctes, last = self._ctes(source, passthrough, reasons=reasons)
        ident = self.identifier_sql
        hidden = list(source.relation.hidden)
        raw = [self.star_sql(ident(self.internal["raw"]), hidden)] if passthrough else []
        parts = self._rejected_parts(raw, last, conflicts)
        if not parts:
            return None
        return self._with(
            ctes, "\nUNION ALL\n".join(parts) + f"\nORDER BY {ident(self.internal['row'])}"
        )

    def decisions_sql(self, source: Source) -> str:
        """The compact answer the Python API decodes, one row per input row in input order:
        (row, result, stage, field). result is the deciding position (NULL: no rule) under
        first/priority, the matching positions under all/unique; stage is NULL for a good row
        (a unique conflict is left to the caller, which sees the positions); field is the index
        of the bad field, whose reason the caller words with semantics.py itself."""
        ctes, last = self._ctes(source, passthrough=False, reasons=False)
        ident = self.identifier_sql
        parts = self._rejected_parts([], last, conflicts=False, with_result=True)
        parts = parts[1:] + parts[:1] if len(parts) > 1 else parts
        if has_results(self.p):
            return with_results(self, ctes, "\nUNION ALL\n".join(parts), last)
        return self._with(
            ctes, "\nUNION ALL\n".join(parts) + f"\nORDER BY {ident(self.internal['row'])}"
        )

    def population_values_sql(self, source: Source, key: str) -> str:
        """The sorted non-missing values of one population key, per group (to freeze it)."""
        ctes, last = self._ctes(source, passthrough=False)
        ident = self.identifier_sql
        x, part = self._pop_parts(key)
        g = part if part else "NULL"
        final = (
            f"SELECT {g} AS {ident('g')}, list({x} ORDER BY {x}) AS {ident('values')}\n"
            f"FROM {ident(last)}\nWHERE {x} IS NOT NULL\nGROUP BY {g}"
        )
        return self._with(ctes, final)
