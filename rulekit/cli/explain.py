"""`rulekit explain`: one record's decision, every rule with each sub-condition's values, and
(--why-not) what it would take to get another label. The record comes from --record JSON,
--set FIELD=VALUE or a row of --data; each value is checked against its field's type.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from rulekit import render
from rulekit.cli.app import Exit, Usage, app
from rulekit.cli.inputs import (
    _as_of,
    _frozen,
    _id_column,
    _load_with_params,
    _read_values,
    _reading,
    _suggest,
)
from rulekit.cli.options import (
    AsOf,
    DataEncoding,
    DateFormat,
    DecimalComma,
    Delimiter,
    Fmt,
    Format,
    HeaderRow,
    Na,
    Params,
    Quiet,
    Sheet,
    data_option,
    population_option,
)
from rulekit.cli.output import _json_out, _note, _plain, _print, ui
from rulekit.cli.report import _bad_record_text
from rulekit.errors import RecordError
from rulekit.i18n import N_, Msg

if TYPE_CHECKING:
    from rulekit import Ruleset
    from rulekit.cli.inputs import Rows
    from rulekit.documents import ExplainInput, NamedDecisionBrief
    from rulekit.engines.duckdb_lookup import FoundRow
    from rulekit.engines.population import FrozenPopulation
    from rulekit.explain import WhyNot
    from rulekit.io import Table


@app.command(no_args_is_help=True)
def explain(
    ruleset: Annotated[
        str, typer.Argument(metavar="RULESET", help="A rule file or shipped ruleset id.")
    ],
    record: Annotated[
        str | None,
        typer.Option(
            "--record", metavar="JSON", help="The record as a JSON object of field values."
        ),
    ] = None,
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="FIELD=VALUE",
            help="One field value (repeat it); `missing` for none. A let may be given too.",
        ),
    ] = None,
    data: Annotated[
        str | None, data_option("Data file: the population, and the row for --id.")
    ] = None,
    id_: Annotated[
        str | None,
        typer.Option("--id", metavar="ID", help="Explain the row of --data with this id."),
    ] = None,
    id_column: Annotated[
        str | None,
        typer.Option(
            "--id-column",
            metavar="COLUMN",
            help="The column --id looks in (default: customer_id, id, 客户编号, or the first).",
        ),
    ] = None,
    population: Annotated[
        str | None,
        population_option("A frozen population (rulekit freeze) or a data file to rank against."),
    ] = None,
    why_not: Annotated[
        str | None,
        typer.Option(
            "--why-not", metavar="LABEL", help="Also say what it would take to get LABEL."
        ),
    ] = None,
    as_of: AsOf = None,
    fmt: Fmt = Format.text,
    quiet: Quiet = False,
    na: Na = None,
    decimal_comma: DecimalComma = False,
    date_format: DateFormat = None,
    delimiter: Delimiter = None,
    data_encoding: DataEncoding = None,
    sheet: Sheet = None,
    header_row: HeaderRow = None,
    params: Params = None,
    decision: Annotated[
        str | None,
        typer.Option(
            "--decision",
            metavar="NAME",
            help="Explain this named decision of the file (`decision NAME`) instead.",
        ),
    ] = None,
) -> None:
    """Explain one record: the decision, then every rule with each sub-condition's values.

    The explanation is the evaluator's own trace, so it always agrees with [bold]run[/bold]. Give the record with --record, --set (repeatable), or --data FILE --id ID; population functions rank it within --data (or a frozen --population).

    [bold]Examples[/bold]

    $ rulekit explain lifecycle --set orders_count=12 --set recency_days=20d --set tenure_days=700d --set frequency=3 --as-of 2024-06-30 --why-not active
    $ rulekit explain rfm --data examples/data/customers.csv --id C000002 --as-of 2024-06-30
    $ rulekit explain lifecycle --record '{"orders_count": 1, "recency_days": 200}' --format json
    """
    ui.quiet = quiet
    reading = _reading(na, decimal_comma, date_format, delimiter, data_encoding, sheet, header_row)
    rs = _load_with_params([ruleset], params)[0]
    whole = rs
    if decision is not None:
        rs = _named_decision(rs, decision)
    today = _as_of(as_of) or dt.date.today()
    if id_ is None and record is None and not sets:
        raise Usage(
            N_(
                "give the record to explain: --record '{\"field\": value}', --set "
                "field=value (repeatable), or --data FILE --id ID"
            )
        )
    if id_ is not None and data is None:
        raise Usage(N_("--id picks a row of a data file: give the file with --data FILE"))
    if id_ is not None and record is not None:
        raise Usage(
            N_("give the record either with --record or with --data FILE --id ID, not both")
        )
    if why_not is not None and why_not not in rs.labels:
        guess = _suggest(why_not, rs.labels)
        labels = ", ".join(rs.labels)
        raise Usage(
            Msg(
                "--why-not {label}: ruleset {id} has no label {quoted}; did you mean {guess}? "
                "Its labels are {labels}",
                label=why_not,
                id=rs.id,
                quoted=repr(why_not),
                guess=repr(guess),
                labels=labels,
            )
            if guess
            else Msg(
                "--why-not {label}: ruleset {id} has no label {quoted} Its labels are {labels}",
                label=why_not,
                id=rs.id,
                quoted=repr(why_not),
                labels=labels,
            )
        )

    # --data FILE --id X on a big file: DuckDB finds the row (and ranks with the populations
    # it computes) without reading the file into Python; else the file is read as before.
    # (the fast path reads the file as it is: any reading option goes the Python way)
    plain = reading == type(reading)()
    found = _find_fast(data, id_, id_column) if data and id_ is not None and plain else None
    frozen_data = None
    if data and found is not None and population is None:
        frozen_data = _freeze_fast(rs, data, today)
    if found is not None and frozen_data is None and population is None and rs.compiled.pop_keys:
        found = None  # DuckDB could not rank it: the Python reading does
    table = _read_values(rs, data, "--data", reading) if data and found is None else None
    where: Rows | None = found if found is not None else table
    rec: dict[str, Any] = {}
    overrides: dict[str, Any] = {}
    source: ExplainInput = {"record": Msg("given on the command line")}
    row_index = None
    if id_ is not None and found is not None:
        row_index, column = _found_row(found, id_, id_column)
        rec = dict(found.row)
        source = {"record": found.where(row_index), "id_column": column, "id": id_}
    elif id_ is not None:
        assert table is not None  # --id needs --data (checked above)
        row_index, column = _find_row(table, id_, id_column)
        rec = dict(table.rows[row_index])
        source = {"record": table.where(row_index), "id_column": column, "id": id_}
    if record is not None:
        _record_from_json(rs, record, rec, overrides)
    for item in sets or []:
        _record_from_set(rs, item, rec, overrides)
    if sets and id_ is not None:
        source["record"] = Msg("{where} with --set values", where=source["record"])

    frozen: FrozenPopulation | None = None
    batch: list[dict[str, Any]] | None = None
    if population is not None:
        from rulekit import io as rio

        if Path(population).suffix.lower() in rio.FORMATS:
            batch = _read_values(rs, population, "--population", reading).rows
            source["population"] = f"{Path(population).name} ({render.plural(len(batch), 'row')})"
        else:
            frozen = _frozen(population)
            source["population"] = (
                f"frozen population {Path(population).name} "
                f"({frozen.records:,} records"
                + (f", as of {frozen.as_of}" if frozen.as_of else "")
                + ")"
            )
    elif found is not None:
        frozen = frozen_data  # the file's populations, computed by DuckDB (None: none ranked)
        source["population"] = f"{found.path.name} ({render.plural(found.rows, 'row')})"
    elif table is not None:
        batch = table.rows
        source["population"] = f"{table.path.name} ({render.plural(len(batch), 'row')})"
    elif rs.compiled.pop_keys:
        source["population"] = "the record alone"
        _note(
            f"ruleset {rs.id} ranks records within a population; with no --data or "
            "--population this record is ranked only against itself"
        )

    from rulekit.explain import why_not as why_not_fn

    if decision is not None:
        _note_not_applied(whole, decision, rec, today, frozen, batch, overrides)
    wn: WhyNot | None = None
    try:
        if why_not is not None:
            wn = why_not_fn(rs, rec, why_not, today, frozen, batch, overrides)
            ex = wn.explanation
        else:
            ex = rs.explain(rec, as_of=today, population=frozen, overrides=overrides, batch=batch)
    except RecordError as e:
        if row_index is not None and where is not None:
            e.bad.index = row_index
            _plain("error: " + _bad_record_text(rs, e.bad, where), err=True)
            _plain(
                f"  Fix the value in {where.path.name}, or override it with --set "
                f"{e.bad.field or 'field'}=VALUE",
                err=True,
            )
            raise Exit(1) from None
        raise Usage(_bad_record_text(rs, e.bad) + "; " + _value_hint(rs, e.bad.field)) from None

    d = render.explanation_json(ex)
    d["input"] = source
    if decision is None and rs.program.decisions:  # every named decision's label, in short
        d["decisions"] = _decisions_json(rs, rec, today, frozen, batch, overrides)
    if wn is not None:
        d["why_not"] = render.why_not_json(wn)
    if fmt is Format.json:
        _json_out(d)
        raise Exit(0)
    _print(render.explanation_text(d))
    for name, got in d.get("decisions", {}).items():
        rules = ", ".join(f"{r['name']} (line {r['line']})" for r in got["rules"])
        shown = ", ".join(got["labels"]) or ("not applied" if not got["applies"] else "none")
        _print(f"decision {name}: {shown}" + (f"  ← {rules}" if rules else ""))
    if wn is not None:
        _print()
        _print(render.why_not_text(d["why_not"]))
    raise Exit(0)


def _find_fast(data: str, ident: str, column: str | None) -> FoundRow | None:
    """The row with this id found by DuckDB (None: read the file in Python instead)."""
    from rulekit.engines.duckdb_lookup import find_row

    return find_row(data, ident, column)


def _freeze_fast(rs: Ruleset, data: str, today: dt.date) -> FrozenPopulation | None:
    """The file's populations computed by DuckDB (None: the ruleset ranks nothing, or DuckDB
    cannot read the file as the Python engine does)."""
    if not rs.compiled.pop_keys:
        return None
    from rulekit.engines.duckdb_engine import freeze
    from rulekit.errors import RulekitError

    try:
        return freeze(rs, data, today)
    except RulekitError:
        return None


def _found_row(found: FoundRow, ident: str, column: str | None) -> tuple[int, str]:
    """As _find_row, for a row DuckDB found."""
    col = column or _id_column(found)
    if col not in found.columns:
        guess = _suggest(col, found.columns)
        raise Usage(
            f"--id-column {col}: {found.path.name} has no such column"
            + (f"; did you mean {guess!r}?" if guess else "")
        )
    if not found.indexes:
        raise Usage(
            f"--id {ident}: no row of {found.path.name} has {col} = {ident!r}"
            + ("" if column else "; name the id column with --id-column")
        )
    if len(found.indexes) > 1:
        _note(
            f"{len(found.indexes)} rows of {found.path.name} have {col} = {ident!r}; "
            f"explaining the first ({found.where(found.indexes[0])})"
        )
    return found.indexes[0], col


def _find_row(table: Table, ident: str, column: str | None) -> tuple[int, str]:
    from rulekit import io as rio

    col = column or _id_column(table)
    if col not in table.columns:
        guess = _suggest(col, table.columns)
        raise Usage(
            f"--id-column {col}: {table.path.name} has no such column"
            + (f"; did you mean {guess!r}?" if guess else "")
        )
    want = ident.strip()
    hits = [i for i, row in enumerate(table.rows) if rio.cell_text(row.get(col)).strip() == want]
    if not hits:
        raise Usage(
            f"--id {ident}: no row of {table.path.name} has {col} = {ident!r}"
            + ("" if column else "; name the id column with --id-column")
        )
    if len(hits) > 1:
        _note(
            f"{len(hits)} rows of {table.path.name} have {col} = {ident!r}; explaining the "
            f"first ({table.where(hits[0])})"
        )
    return hits[0], col


def _value_hint(rs: Ruleset, name: str | None) -> str:
    from rulekit.model.datatypes import example_of

    info = rs.fields.get(name) if name else None
    if info is None:
        return "check the value"
    return f"{name} is a {info.type}; write a value such as {example_of(info.type)}"


def _put_value(
    rs: Ruleset,
    name: str,
    value: Any,
    rec: dict[str, Any],
    overrides: dict[str, Any],
    option: str,
) -> None:
    """Put a field's (or a let's) value into the record, checking it against the type."""
    from rulekit.model.semantics import CoercionError, coerce

    p = rs.program
    if name in p.fields:
        info = p.fields[name]
        target, column = info.type, info.column
    elif name in p.lets:
        target, column = p.lets[name].type, None
    else:
        by_column = {f.column: f for f in p.fields.values()}
        if name in by_column:
            target, column = by_column[name].type, name
        else:
            guess = _suggest(name, [*p.fields, *p.lets])
            raise Usage(
                f"{option}: ruleset {rs.id} has no field or let {name!r}"
                + (f"; did you mean {guess!r}?" if guess else ".")
                + " Its fields are "
                + ", ".join(p.fields)
            )
    try:
        typed = coerce(value, target)
    except CoercionError as e:
        from rulekit.model.datatypes import example_of

        raise Usage(
            f"{option}: {name}: {e.reason}; {name} is a {target}, e.g. {example_of(target)}"
        ) from None
    if column is None:
        overrides[name] = typed
    else:
        rec[column] = value


def _record_from_json(
    rs: Ruleset, text: str, rec: dict[str, Any], overrides: dict[str, Any]
) -> None:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise Usage(
            f"--record is not valid JSON ({e.msg} at column {e.colno}); write one JSON "
            'object, e.g. --record \'{"recency_days": 200, "frequency": 3}\''
        ) from None
    if not isinstance(obj, dict):
        raise Usage(
            f"--record must be a JSON object, not a {type(obj).__name__}; e.g. "
            "--record '{\"recency_days\": 200}'"
        )
    for key, value in obj.items():
        _put_value(rs, key, value, rec, overrides, "--record")


MISSING_WORDS = ("missing", "缺失", "null", "none", "")


def _record_from_set(
    rs: Ruleset, item: str, rec: dict[str, Any], overrides: dict[str, Any]
) -> None:
    name, sep, value = item.partition("=")
    if not sep or not name.strip():
        raise Usage(
            Msg(
                "--set {item}: write it as FIELD=VALUE, e.g. --set recency_days=200d",
                item=repr(item),
            )
        )
    name, value = name.strip(), value.strip()
    _put_value(
        rs, name, None if value.lower() in MISSING_WORDS else value, rec, overrides, f"--set {item}"
    )


def _named_decision(rs: Ruleset, name: str) -> Ruleset:
    """--decision NAME: the named decision as a ruleset (a usage error naming the decisions
    for a name the file does not have)."""
    names = list(rs.program.decisions)
    if name not in names:
        guess = _suggest(name, names)
        raise Usage(
            f"--decision {name}: ruleset {rs.id} has "
            + (f"no decision {name!r}" + (f" (did you mean {guess!r}?)" if guess else ""))
            + (f"; its decisions are {', '.join(names)}" if names else "; it has no named decision")
        )
    return rs.decision(name)


def _note_not_applied(
    rs: Ruleset,
    name: str,
    rec: dict[str, Any],
    today: dt.date,
    frozen: Any,
    batch: Any,
    overrides: dict[str, Any],
) -> None:
    """A note when the named decision does not apply to this record (its parent gave another
    label): the explanation below is of its rules alone."""
    from rulekit.explain.decisions import trace_decisions

    d = rs.program.decisions[name]
    if d.parent is None:
        return
    try:
        traced = trace_decisions(rs, rec, today, frozen if frozen is not None else batch, overrides)
    except RecordError:
        return
    if traced.get(name) is None:
        parent = traced.get(d.parent)
        got = parent.decision.labels if parent is not None and parent.decision else ()
        _note(
            f"decision {name} applies only where {d.parent} is {d.parent_label}; this "
            f"record's {d.parent} is {', '.join(got) or 'none'}, so it gets no {name} label "
            "(the rules below are evaluated as if it applied)"
        )


def _decisions_json(
    rs: Ruleset,
    rec: dict[str, Any],
    today: dt.date,
    frozen: Any,
    batch: Any,
    overrides: dict[str, Any],
) -> dict[str, NamedDecisionBrief]:
    """Each named decision of the record: applies (its parent gave its label), labels, rules
    (explain --decision NAME explains one in full)."""
    from rulekit.explain.decisions import trace_decisions

    traced = trace_decisions(rs, rec, today, frozen if frozen is not None else batch, overrides)
    out: dict[str, NamedDecisionBrief] = {}
    for name, ex in traced.items():
        dec = ex.decision if ex is not None else None
        out[name] = {
            "applies": ex is not None,
            "labels": list(dec.labels) if dec else [],
            "rules": [{"name": r.name, "line": r.line} for r in dec.rules] if dec else [],
        }
    return out
