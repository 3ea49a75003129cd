"""`rulekit run`: classify every row of a data file (or of a profile made from raw orders)
with one or more rulesets, write or preview the labelled rows, and report the counts.

A file DuckDB can read and write goes file to file (rulekit.cli.files); otherwise the rows are
read and classified in Python (rulekit.cli.classify). Both print through rulekit.cli.report.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from rulekit import render
from rulekit.cli.app import Exit, Usage, app
from rulekit.cli.classify import _classify, _engine, _output_columns, _write_rejected
from rulekit.cli.inputs import (
    _as_of,
    _check_encoding,
    _duckdb_readable,
    _excel_dates,
    _frozen,
    _id_column,
    _load_with_params,
    _read,
    _reading,
    _stdin_file,
    _warn_serial_dates,
)
from rulekit.cli.options import (
    AsOf,
    DataEncoding,
    DataFormat,
    DateFormat,
    DecimalComma,
    Delimiter,
    Engine,
    HeaderRow,
    Labels,
    MemoryLimit,
    Na,
    OnError,
    Params,
    Quiet,
    Sheet,
    data_option,
    engine_option,
    on_error_option,
    out_option,
    population_option,
)
from rulekit.cli.output import _note, _progress, ui
from rulekit.cli.report import (
    _check_columns,
    _print_preview,
    _print_report,
    _print_written,
    _warn_replaced,
    report_bad_record,
)
from rulekit.cli.run_summary import write_summary_json
from rulekit.cli.streamed import _display_names
from rulekit.engines.results import result_columns
from rulekit.errors import RecordError

if TYPE_CHECKING:
    from rulekit import Ruleset
    from rulekit.documents import RejectedValueCount
    from rulekit.engines.python import BatchResult
    from rulekit.model.reading import ReadOptions


@app.command(no_args_is_help=True)
def run(
    rulesets: Annotated[
        list[str], typer.Argument(metavar="RULESET", help="Rule files or shipped ruleset ids.")
    ],
    data: Annotated[
        str | None, data_option("Input: .csv, .tsv, .jsonl, .parquet or .xlsx.")
    ] = None,
    out: Annotated[
        str | None, out_option("Output file, format by extension. Default: print a preview.")
    ] = None,
    as_of: AsOf = None,
    on_error: Annotated[
        OnError,
        on_error_option(
            "A bad record stops the run (fail), is set aside (skip), or is "
            "written to <out>.rejected.<ext> (quarantine)."
        ),
    ] = OnError.fail,
    engine: Annotated[
        Engine, engine_option("Evaluation engine; auto uses DuckDB when available.")
    ] = Engine.auto,
    population: Annotated[
        str | None,
        population_option(
            "Rank against a frozen population (rulekit freeze) instead of this data."
        ),
    ] = None,
    preview: Annotated[
        int, typer.Option("--preview", metavar="N", help="Rows to preview when there is no --out.")
    ] = 10,
    transactions: Annotated[
        str | None,
        typer.Option(
            "--transactions",
            metavar="FILE",
            help="Instead of --data: raw orders, profiled per customer in DuckDB first "
            "(see rulekit profile).",
        ),
    ] = None,
    customer: Annotated[
        str | None,
        typer.Option("--customer", metavar="COL", help="With --transactions: the customer column."),
    ] = None,
    date_col: Annotated[
        str | None,
        typer.Option("--date", metavar="COL", help="With --transactions: the order date column."),
    ] = None,
    amount: Annotated[
        str | None,
        typer.Option("--amount", metavar="COL", help="With --transactions: the amount column."),
    ] = None,
    order: Annotated[
        str | None,
        typer.Option("--order", metavar="COL", help="With --transactions: the order id column."),
    ] = None,
    window: Annotated[
        str | None,
        typer.Option(
            "--window",
            metavar="DURATION",
            help="With --transactions: frequency/monetary window, e.g. 365d.",
        ),
    ] = None,
    quiet: Quiet = False,
    na: Na = None,
    decimal_comma: DecimalComma = False,
    date_format: DateFormat = None,
    delimiter: Delimiter = None,
    data_encoding: DataEncoding = None,
    sheet: Sheet = None,
    header_row: HeaderRow = None,
    data_format: DataFormat = None,
    labels: Annotated[
        Labels,
        typer.Option(
            "--labels",
            help="Label ids (id), display names in the ruleset's language (name), or both "
            "(<id> and <id>_display).",
        ),
    ] = Labels.id,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            metavar="NAME",
            help="CSV output encoding, e.g. gbk (default utf-8; utf-8-sig when the input was GBK "
            "or had a BOM, so Excel opens it).",
        ),
    ] = None,
    out_format: Annotated[
        str | None,
        typer.Option(
            "--out-format",
            metavar="EXT",
            help="With --out -: the format written to standard output (csv, tsv, jsonl).",
        ),
    ] = None,
    summary_json: Annotated[
        str | None,
        typer.Option(
            "--summary-json",
            metavar="FILE",
            help="Also write the run summary as JSON (docs/schema/run-summary.schema.json).",
        ),
    ] = None,
    memory_limit: MemoryLimit = None,
    master: Annotated[
        str | None,
        typer.Option(
            "--master", metavar="URL", help="With --engine spark: the Spark master (local[*])."
        ),
    ] = None,
    spark_remote: Annotated[
        str | None,
        typer.Option(
            "--spark-remote",
            metavar="sc://HOST:PORT",
            help="With --engine spark: a Spark Connect server instead of a local Spark.",
        ),
    ] = None,
    params: Params = None,
    show_progress: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress",
            help="Show the progress bar on stderr even when it is not a terminal, or never "
            "(default: on a terminal).",
        ),
    ] = None,
) -> None:
    """Classify every row of a data file with one or more rulesets.

    The output keeps every input column and adds, per ruleset, a column named after the ruleset id (the label; a list under hit all) and [bold]<id>_rule[/bold] (the deciding rule). It ends with a summary: each label's count and share, and rows in = labelled + no label + set aside.

    [bold]Examples[/bold]

    $ rulekit run lifecycle rfm --data examples/data/customers.csv --as-of 2024-06-30
    $ rulekit run lifecycle --data customers.csv --out labelled.parquet --on-error quarantine
    $ rulekit run rfm --transactions examples/data/transactions.csv --customer customer_id --date order_date --amount amount --as-of 2024-06-30
    """

    ui.quiet = quiet
    ui.progress = show_progress
    reading = _reading(na, decimal_comma, date_format, delimiter, data_encoding, sheet, header_row)
    to_stdout = out == "-"
    if to_stdout:  # the rows go to standard output; every message to standard error
        out = _stdout_file(out_format)
        ui.out = ui.err
    try:
        _run(
            rulesets,
            data,
            out,
            as_of,
            on_error,
            engine,
            population,
            preview,
            transactions,
            customer,
            date_col,
            amount,
            order,
            window,
            quiet,
            reading,
            data_format,
            labels,
            encoding,
            summary_json,
            memory_limit,
            master,
            spark_remote,
            params=params,
        )
    finally:
        if to_stdout and out is not None:
            _copy_to_stdout(Path(out))


def _run(
    rulesets: list[str],
    data: str | None,
    out: str | None,
    as_of: str | None,
    on_error: OnError,
    engine: Engine,
    population: str | None,
    preview: int,
    transactions: str | None,
    customer: str | None,
    date_col: str | None,
    amount: str | None,
    order: str | None,
    window: str | None,
    quiet: bool,
    reading: ReadOptions,
    data_format: str | None,
    labels: Labels,
    encoding: str | None,
    summary_json: str | None,
    memory_limit: str | None,
    master: str | None = None,
    spark_remote: str | None = None,
    params: list[str] | None = None,
) -> None:
    from rulekit import io as rio
    from rulekit.engines.decisions import decision_columns

    today = _as_of(as_of) or dt.date.today()
    if data == "-":
        data = str(_stdin_file(data_format))
    if (data is None) == (transactions is None):
        raise Usage(
            "give the customers with --data FILE, or raw orders with --transactions FILE "
            "--customer COL --date COL --amount COL (one of the two)"
        )
    if transactions is not None:
        data = _profile_for_run(
            transactions, customer, date_col, amount, order, today, window, reading
        )
    assert data is not None  # --data FILE, or the profile of --transactions FILE
    if out is not None:
        try:
            rio.format_of(out)
        except rio.UnsupportedFormat as e:
            raise Usage(f"--out {e}") from None
        if not Path(out).resolve().parent.is_dir():
            raise Usage(f"--out {out}: the directory {Path(out).parent} does not exist")
        _refuse_overwrite(out, [data, population, summary_json])
        if encoding is not None:
            _check_encoding(encoding)
    if on_error is OnError.quarantine and out is None:
        raise Usage(
            "--on-error quarantine writes the bad rows to <out>.rejected.<ext>, so it "
            "needs --out FILE"
        )
    loaded = _load_with_params(rulesets, params)
    seen: dict[str, str] = {}
    for ref, rs in zip(rulesets, loaded, strict=True):
        if rs.id in seen:
            raise Usage(
                f"{ref} and {seen[rs.id]} are both ruleset {rs.id}; each ruleset gives "
                "one pair of output columns, so give it once"
            )
        seen[rs.id] = ref
    frozen = _frozen(population) if population else None
    if engine is Engine.spark and any(rs.named for rs in loaded):
        raise Usage(
            "named decisions (`decision NAME`) do not run on Spark yet; use --engine duckdb"
        )
    if engine is Engine.spark:
        from rulekit.cli.run_spark import run_on_spark

        run_on_spark(
            loaded, data, out, today, on_error.value, master, spark_remote, preview, frozen
        )
        return
    if master is not None or spark_remote is not None:
        raise Usage("--master and --spark-remote go with --engine spark")
    engine_name = _engine(engine.value)
    if Path(data).is_file():
        from rulekit.cli import files as cli_files

        plain = labels is Labels.id and encoding in (None, "utf-8", "utf-8-sig")
        plain = plain and not any(rs.named for rs in loaded)  # named decisions: below
        rows = cli_files.streams(engine_name, data, out, reading) if plain else None
        if rows is not None:  # DuckDB reads and writes the files itself
            cli_files.run_streaming(
                loaded,
                rows,
                out,
                today,
                on_error.value,
                frozen,
                preview,
                as_of is not None,
                engine_name,
                reading=reading,
                summary_json=summary_json,
                memory_limit=memory_limit,
                bom=encoding == "utf-8-sig" or None,
            )
        streamable = not any(rs.named for rs in loaded)  # named decisions: read whole, below
        if engine_name in ("python", "auto") and streamable:  # read, classified, written in chunks
            from rulekit.cli.streamed import run_stream

            run_stream(
                loaded,
                data,
                out,
                today,
                on_error.value,
                frozen,
                preview,
                as_of is not None,
                reading,
                labels.value,
                encoding,
                summary_json,
            )

    with _progress() as progress:
        task = progress.add_task(f"reading {Path(data).name}", total=None) if progress else None
        table = _read(data, read=reading)
        for note in table.notes:
            _note(note)
        if progress and task is not None:
            progress.remove_task(task)
        for rs in loaded:
            _check_columns(rs, table)
        results: list[tuple[Ruleset, BatchResult, float]] = []
        serial: dict[str, Any] = {}  # the Excel serial dates read (warned once per column)
        for rs in loaded:
            start = time.perf_counter()
            try:
                batch = _classify(
                    rs, _excel_dates(rs, table.rows, table.format, 0, serial), today,
                    on_error.value, engine_name, frozen, progress, reading,
                )  # fmt: skip
            except RecordError as e:
                report_bad_record(rs, e.bad, table)
                raise Exit(1) from None
            results.append((rs, batch, time.perf_counter() - start))

    _warn_serial_dates(table, serial)
    extra: dict[str, list[Any]] = {}
    for rs, batch, _ in results:
        ids, rules = _output_columns(rs, batch)
        shown = _display_names(rs, ids) if labels is not Labels.id else ids
        extra[rs.id] = shown if labels is Labels.name else ids
        if labels is Labels.both:
            extra[rs.id + "_display"] = shown
        extra[rs.id + "_rule"] = rules
        extra.update(decision_columns(rs, batch))  # `<id>_<decision>`, `<id>_<decision>_rule`
        extra.update(result_columns(rs.program, batch.decisions))  # outputs, attributes
    _warn_replaced(loaded, table.columns)

    # Excel on Windows reads UTF-8 only with a BOM: kept when the input was GBK or had one
    bom = table.bom or table.encoding not in ("utf-8", "ascii")
    out_encoding = encoding or ("utf-8-sig" if bom else "utf-8")
    if out is not None:
        try:
            rio.write_table(
                out, table.columns, table.rows, extra, arrow=table.arrow, encoding=out_encoding
            )
        except UnicodeEncodeError as e:
            raise Usage(
                f"--out {out}: the text {e.object[e.start : e.end]!r} cannot be written in "
                f"{out_encoding}; give --encoding utf-8-sig (Excel reads it too)"
            ) from None
    if summary_json is not None:
        write_summary_json(
            summary_json,
            data,
            out,
            [batch.summary(seconds) for _, batch, seconds in results],
            _rejected_values(results),
        )
    rejected_path = None
    if on_error is OnError.quarantine and any(batch.rejected for _, batch, _ in results):
        # as on DuckDB (engines.files): the quarantine file is written when a row was set aside
        assert out is not None  # quarantine needs --out (checked above)
        rejected_path = _write_rejected(Path(out), table, results)

    if quiet:
        raise Exit(0)
    if out is None and preview > 0 and len(table):
        n = min(preview, len(table))
        _print_preview(
            _id_column(table),
            [{**table.rows[i], **{k: v[i] for k, v in extra.items()}} for i in range(n)],
            loaded,
            len(table),
        )
    _print_report(
        table,
        [
            (rs, render.summary_json(rs, batch), batch.rejected, len(batch.rejected))
            for rs, batch, _ in results
        ],
        on_error.value,
        today,
        as_of is not None,
    )
    seconds = sum(s for _, _, s in results)
    _print_written(
        out,
        len(table),
        len(set(table.columns) | set(extra)),
        f"classified in {seconds:.2f} s",
        rejected_path,
        sum(len(b.rejected) for _, b, _ in results),
    )
    raise Exit(0)


def _profile_for_run(
    transactions: str,
    customer: str | None,
    date_col: str | None,
    amount: str | None,
    order: str | None,
    today: dt.date,
    window: str | None,
    reading: ReadOptions | None = None,
) -> str:
    """Profile raw orders per customer (DuckDB) into a temporary Parquet file; its path.
    `reading`: the reading options, which apply to the orders file."""
    import atexit
    import tempfile

    missing = [
        flag
        for flag, v in (("--customer", customer), ("--date", date_col), ("--amount", amount))
        if not v
    ]
    if missing:
        raise Usage(f"--transactions needs {', '.join(missing)} to name its columns")
    assert customer and date_col and amount  # (checked just above)
    if not Path(transactions).is_file():
        raise Usage(f"--transactions {transactions}: no such file")
    from rulekit.engines.profile import build_profile

    tmp = Path(tempfile.mkdtemp(prefix="rulekit-")) / (Path(transactions).stem + ".profile.parquet")

    def remove() -> None:
        tmp.unlink(missing_ok=True)
        tmp.parent.rmdir()

    atexit.register(remove)
    result = build_profile(
        _duckdb_readable(Path(transactions), reading),
        customer,
        date_col,
        amount,
        order,
        as_of=today,
        window=window,
        out=tmp,
        reading=reading,
    )
    _note(
        f"profiled {Path(transactions).name}: {result.to_dict().get('customers', '?')} "
        f"customers from its orders (as of {today.isoformat()})"
    )
    return str(tmp)


def _stdout_file(out_format: str | None) -> str:
    """A temporary file for `--out -`, named for the output format (removed at exit)."""
    import atexit
    import shutil
    import tempfile

    fmt = (out_format or "csv").lower().lstrip(".")
    if fmt not in ("csv", "tsv", "jsonl", "parquet"):
        raise Usage(f"--out-format {out_format!r}: give csv, tsv, jsonl or parquet")
    work = Path(tempfile.mkdtemp(prefix="rulekit-stdout-"))
    atexit.register(shutil.rmtree, work, True)
    return str(work / f"stdout.{fmt}")


def _copy_to_stdout(path: Path) -> None:
    import shutil
    import sys

    if path.is_file():
        sys.stdout.flush()
        with open(path, "rb") as f:
            shutil.copyfileobj(f, sys.stdout.buffer)
        sys.stdout.buffer.flush()


def _refuse_overwrite(out: str, inputs: list[str | None]) -> None:
    """--out must not be a file the run reads (it would be lost half-way)."""
    target = Path(out).resolve()
    for given in inputs:
        if given and given != "-" and Path(given).resolve() == target:
            raise Usage(
                f"--out {out} is also an input of this run; writing it would destroy the data "
                "being read: give another output file"
            )


def _rejected_values(results: list[tuple[Ruleset, BatchResult, float]]) -> list[RejectedValueCount]:
    """The rejected values of the Python path counted per ruleset, column and reason."""
    from collections import Counter

    from rulekit.cli.streamed import _reason_words, _rejected_values

    counts: Counter[tuple[str, str | None, str]] = Counter()
    for rs, batch, _ in results:
        for bad in batch.rejected:
            info = rs.fields.get(bad.field) if bad.field else None
            counts[(rs.id, info.column if info else None, _reason_words(bad.reason))] += 1
    return _rejected_values(counts)
