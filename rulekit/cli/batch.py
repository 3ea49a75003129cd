"""Batch commands of the CLI (`sql`, `profile`, `freeze`): registered on the main typer app.

They are thin layers over rulekit.engines: `sql` prints the query a ruleset compiles to,
`profile` turns a transactions log into one row per customer (DuckDB), `freeze` computes a
ruleset's populations once and saves them for later runs (`run --population FILE`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from rulekit.cli.app import Exit, Usage, app
from rulekit.cli.inputs import (
    _as_of,
    _duckdb_readable,
    _load_with_params,
    _read_values,
    _reading,
)
from rulekit.cli.options import (
    AsOf,
    DataEncoding,
    DateFormat,
    DecimalComma,
    Delimiter,
    Dialect,
    Engine,
    HeaderRow,
    MemoryLimit,
    Na,
    OnError,
    Params,
    Quiet,
    RulesetArg,
    Sheet,
    as_of_option,
    data_option,
    engine_option,
    on_error_option,
    out_option,
)
from rulekit.cli.output import _note, _plain, _print, ui
from rulekit.errors import RecordError
from rulekit.i18n import Msg, gettext


def _existing(path: str, option: str) -> Path:
    p = Path(path)
    if not p.is_file():
        raise Usage(
            Msg(
                "{option} {path}: no such file; check the path (it is relative to {cwd})",
                option=option,
                path=path,
                cwd=str(Path.cwd()),
            )
        )
    return p


def _writable(path: str, option: str) -> Path:
    p = Path(path)
    if not p.resolve().parent.is_dir():
        raise Usage(
            Msg(
                "{option} {path}: the directory {parent} does not exist",
                option=option,
                path=path,
                parent=str(p.parent),
            )
        )
    from rulekit.engines.duckdb_engine import EngineError, file_format

    try:
        file_format(p)
    except EngineError as e:
        raise Usage(f"{option} {e}") from None
    return p


# ================================================================ sql


@app.command("sql", no_args_is_help=True)
def sql_cmd(
    ruleset: RulesetArg,
    dialect: Annotated[Dialect, typer.Option("--dialect", help="SQL dialect.")] = Dialect.duckdb,
    table: Annotated[
        str | None,
        typer.Option(
            "--table",
            metavar="NAME",
            help="The table to read (columns of the declared types). Default: customers.",
        ),
    ] = None,
    data: Annotated[
        str | None,
        data_option(
            "Read this CSV/JSONL/Parquet file instead of a table, with the same checks as "
            "`run` (DuckDB only)."
        ),
    ] = None,
    as_of: Annotated[
        str | None, as_of_option("Pin 'today' (YYYY-MM-DD). Default: current_date.")
    ] = None,
    population: Annotated[
        bool,
        typer.Option(
            "--frozen-population",
            help="Rank against frozen population tables "
            "(rk_frozen_<k>_values / _groups) instead of the rows themselves.",
        ),
    ] = False,
    display: Annotated[
        bool, typer.Option("--display", help="Also output <id>_display, the label's display name.")
    ] = False,
    params: Params = None,
) -> None:
    """Print the SQL query a ruleset compiles to, ready to paste into a warehouse.

    The query reads a table whose columns hold the declared types (or, with --data, a file,
    coerced and checked as `run` does), and returns every row with the columns [bold]<id>[/bold]
    (the label) and [bold]<id>_rule[/bold] (the deciding rule), in input order.

    [bold]Examples[/bold]

    $ rulekit sql rfm
    $ rulekit sql lifecycle --dialect spark --table crm.customers
    $ rulekit sql rfm --data examples/data/customers.csv --as-of 2024-06-30
    """
    from rulekit.compile.sql import Relation, Source, generator_for

    rs = _load_with_params([ruleset], params)[0]
    today = _as_of(as_of)
    gen = generator_for(dialect.value)(rs.program, as_of=today, frozen=population, display=display)
    if data is not None:
        if dialect is not Dialect.duckdb:
            raise Usage(
                "--data reads files with DuckDB's readers; use --table with "
                f"--dialect {dialect.value}"
            )
        from rulekit.engines.duckdb_engine import connect, file_source

        source = file_source(connect(), _existing(data, "--data"))
    else:
        source = Source(Relation(table=table or "customers"))
    text = gen.labelled_sql(source, passthrough=True)
    for name, d in rs.program.decisions.items():  # named decisions: one query each
        sub = generator_for(dialect.value)(
            d.program, as_of=today, frozen=population, display=display
        )
        when = (
            f"; it applies only where {rs.id}_{d.parent} = '{d.parent_label}'" if d.parent else ""
        )
        text += (
            f";\n\n-- decision {name}: columns {d.column}, {d.column}_rule{when}\n"
            + sub.labelled_sql(source, passthrough=False)
        )
        gen.unsupported_messages.extend(sub.unsupported_messages)
    if gen.unsupported_messages:
        for message in dict.fromkeys(gen.unsupported_messages):
            _note(f"{dialect.value} cannot express: {message}", style="yellow")
    if ui.out.is_terminal:
        from rich.syntax import Syntax  # pygments: loaded only to show SQL

        _print(Syntax(text, "sql", theme="ansi_dark", background_color="default", word_wrap=False))
    else:
        ui.out.file.write(text + "\n")
        ui.out.file.flush()
    raise Exit(0)


# ================================================================ profile


@app.command(no_args_is_help=True)
def profile(
    transactions: Annotated[
        str,
        typer.Argument(
            metavar="TRANSACTIONS",
            help="Orders log: .csv, .jsonl or .parquet, one row per order (or order item).",
        ),
    ],
    customer: Annotated[
        str, typer.Option("--customer", metavar="COL", help="The customer id column.")
    ],
    date: Annotated[
        str, typer.Option("--date", metavar="COL", help="The order date column (YYYY-MM-DD).")
    ],
    amount: Annotated[str, typer.Option("--amount", metavar="COL", help="The amount column.")],
    out: Annotated[str, out_option("Where to write the profile (format by extension).")],
    order: Annotated[
        str | None,
        typer.Option(
            "--order",
            metavar="COL",
            help="The order id column; rows of one order count once. "
            "Default: every row is an order.",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        as_of_option(
            "Profile as of this date (YYYY-MM-DD); later rows are "
            "left out and counted. Default: today."
        ),
    ] = None,
    window: Annotated[
        str | None,
        typer.Option(
            "--window",
            metavar="DURATION",
            help="frequency and monetary count the last DURATION "
            "(e.g. 365d, 12mo). Default: the whole history.",
        ),
    ] = None,
    on_error: Annotated[
        OnError,
        on_error_option(
            "A bad row stops the run (fail), is set aside (skip), or is "
            "written to <out>.rejected.<ext> (quarantine)."
        ),
    ] = OnError.fail,
    memory_limit: MemoryLimit = None,
    quiet: Quiet = False,
    na: Na = None,
    decimal_comma: DecimalComma = False,
    date_format: DateFormat = None,
    delimiter: Delimiter = None,
    data_encoding: DataEncoding = None,
    sheet: Sheet = None,
    header_row: HeaderRow = None,
) -> None:
    """Compute one row per customer from a transactions log, with the catalog's field names.

    The profile has the customer column, first_purchase, last_purchase, recency_days,
    tenure_days, orders_count, frequency, monetary, avg_order_value, orders_30d, orders_90d,
    orders_365d, as_of_date and window_days — what the shipped rulesets read.

    [bold]Example[/bold]

    $ rulekit profile examples/data/transactions.csv --customer customer_id --date order_date --amount amount --order order_id --as-of 2024-06-30 --window 365d --out profile.csv
    $ rulekit run rfm --data profile.csv --as-of 2024-06-30
    """
    from rulekit.engines.profile import ProfileError, build_profile

    ui.quiet = quiet
    reading = _reading(na, decimal_comma, date_format, delimiter, data_encoding, sheet, header_row)
    src = _existing(transactions, "TRANSACTIONS")
    target = _writable(out, "--out")
    today = _as_of(as_of) or dt.date.today()
    try:
        result = build_profile(
            _duckdb_readable(src, reading),
            customer,
            date,
            amount,
            order,
            today,
            window,
            target,
            on_error=on_error.value,
            memory_limit=memory_limit,
            reading=reading,
        )
    except ProfileError as e:
        raise Usage(e.args[0] if e.args and isinstance(e.args[0], Msg) else str(e)) from None
    except RecordError as e:
        bad = e.bad
        _plain(
            gettext("error: {file} row {row}, column {column}: {reason}").format(
                file=src.name, row=bad.index + 1, column=bad.field, reason=bad.reason
            ),
            err=True,
        )
        _plain(
            "  "
            + gettext(
                "Fix the value, or run with --on-error skip to set bad rows aside, or "
                "--on-error quarantine to also write them to <out>.rejected.<ext>."
            ),
            err=True,
        )
        raise Exit(1) from None
    if quiet:
        raise Exit(0)
    summary = Table(
        title=gettext("profile of {file}").format(file=src.name),
        show_header=False,
        box=None,
        title_justify="left",
    )
    summary.add_column(style="bold")
    summary.add_column(justify="right")
    summary.add_row(gettext("customers"), f"{result.customers:,}")
    summary.add_row(gettext("rows read"), f"{result.rows_in:,}")
    summary.add_row("  " + gettext("used"), f"{result.used:,}")
    summary.add_row("  " + gettext("after the as-of date (left out)"), f"{result.after_as_of:,}")
    summary.add_row("  " + gettext("bad rows (set aside)"), f"{result.rejected:,}")
    summary.add_row(gettext("as of"), result.as_of.isoformat())
    summary.add_row(
        gettext("window"),
        gettext("{days} days").format(days=result.window_days)
        if result.window_days
        else gettext("whole history"),
    )
    summary.add_row(
        gettext("time"),
        gettext("{seconds} s ({rate} rows/s)").format(
            seconds=f"{result.seconds:.2f}", rate=f"{result.rows_per_second:,.0f}"
        ),
    )
    _print(summary)
    for bad in result.rejected_examples:
        _note(
            gettext("set aside: row {row}, column {column}: {reason}").format(
                row=bad.index + 1, column=bad.field, reason=bad.reason
            ),
            style="yellow",
        )
    _print(
        Text(
            gettext("wrote {count} customers to {path}").format(
                count=f"{result.customers:,}", path=target
            )
        ),
        soft_wrap=True,
    )
    if result.rejected_path:
        _print(
            Text(
                gettext("wrote {count} bad rows with their reasons to {path}").format(
                    count=f"{result.rejected:,}", path=result.rejected_path
                )
            ),
            soft_wrap=True,
        )
    raise Exit(0)


# ================================================================ freeze


@app.command(no_args_is_help=True)
def freeze(
    ruleset: RulesetArg,
    data: Annotated[str, data_option("The rows the population is computed from.")],
    out: Annotated[str, out_option("The population file to write (JSON).")],
    as_of: AsOf = None,
    engine: Annotated[
        Engine, engine_option("auto uses DuckDB for CSV, JSONL and Parquet files.")
    ] = Engine.auto,
    quiet: Quiet = False,
    na: Na = None,
    decimal_comma: DecimalComma = False,
    date_format: DateFormat = None,
    delimiter: Delimiter = None,
    data_encoding: DataEncoding = None,
    sheet: Sheet = None,
    header_row: HeaderRow = None,
    params: Params = None,
) -> None:
    """Compute a ruleset's populations once and save them, to rank later rows against the
    same thresholds ([bold]rulekit run --population FILE[/bold]).

    [bold]Example[/bold]

    $ rulekit freeze rfm --data examples/data/customers.csv --as-of 2024-06-30 --out rfm.population.json
    $ rulekit run rfm --data new_customers.csv --population rfm.population.json
    """
    from rulekit import engines

    ui.quiet = quiet
    reading = _reading(na, decimal_comma, date_format, delimiter, data_encoding, sheet, header_row)
    rs = _load_with_params([ruleset], params)[0]
    src = _existing(data, "--data")
    if not out.endswith(".json"):
        raise Usage(Msg("--out {out}: a population file is JSON; name it with .json", out=out))
    if not Path(out).resolve().parent.is_dir():
        raise Usage(
            Msg(
                "{option} {path}: the directory {parent} does not exist",
                option="--out",
                path=out,
                parent=str(Path(out).parent),
            )
        )
    if not rs.compiled.pop_keys:
        raise Usage(
            Msg(
                "ruleset {id} uses no population function (percentile, score, "
                "in top/bottom, cumulative_share): there is nothing to freeze",
                id=rs.id,
            )
        )
    today = _as_of(as_of) or dt.date.today()
    engine_name = engine.value
    if engine_name == "auto" and src.suffix.lower() in (".xlsx", ".xls", ".ods", ".tsv"):
        engine_name = "python"
    if engine_name == "python":
        frozen = rs.freeze(_read_values(rs, src, "--data", reading).rows, today)
    elif reading.values_default:
        frozen = engines.freeze(rs, str(_duckdb_readable(src, reading)), today, engine="duckdb")
    else:  # the value options are the Python reading's: DuckDB ranks the rows it read
        rows = _read_values(rs, src, "--data", reading).rows
        frozen = engines.freeze(rs, rows, today, engine="duckdb")
    frozen.save(out)
    if quiet:
        raise Exit(0)
    table = Table(
        title=gettext("population of {id} from {file} (as of {date})").format(
            id=rs.id, file=src.name, date=today.isoformat()
        ),
        title_justify="left",
        box=None,
    )
    table.add_column(gettext("ranked value"))
    table.add_column(gettext("groups"), justify="right")
    table.add_column(gettext("values"), justify="right")
    for key, pop in frozen.populations.items():
        what, by = key.split("|", 1)
        shown = gettext("{what} by {by}").format(what=what, by=by) if by else what
        table.add_row(shown, f"{len(pop.groups):,}", f"{pop.size:,}")
    _print(table)
    _print(
        Text(
            gettext(
                "wrote {out} ({rows} rows read); use it with rulekit run {ruleset} "
                "--population {out}"
            ).format(out=out, rows=f"{frozen.records:,}", ruleset=ruleset)
        ),
        soft_wrap=True,
    )
    raise Exit(0)
