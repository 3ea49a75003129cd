"""The `rulekit` command line: a thin layer over the public API. `main(argv) -> int`.

Exit codes: 0 success; 1 rule or data errors found (a rule file with errors, a bad record, a
failing example); 2 usage errors (an unknown option, a missing file, bad --record JSON, an
unknown field or label); 70 an internal error, which is a bug in rulekit and says where to report
it. No Python traceback reaches the user: it is saved to a file the message names.
"""

from __future__ import annotations

import datetime as dt
import enum
import importlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.text import Text

import rulekit
from rulekit import render
from rulekit.errors import LookupFailed, RecordError, RuleError, RulekitError
from rulekit.model.program import HitPolicy

# Where users report bugs; the internal-error message names it.
REPORT_AT = "the rulekit issue tracker"

app = typer.Typer(
    name="rulekit",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    help="rulekit — classify customers with plain-text rules, and explain why.\n\n"
    "RULESET, wherever it appears, is a path to a rule file or the id of a shipped "
    "ruleset (see [bold]rulekit list[/bold]).",
)


class Exit(Exception):
    """Leave a command with this exit code (everything has been printed)."""

    def __init__(self, code: int):
        self.code = code


class Usage(Exception):
    """A usage error (exit 2): the message says what was wrong and how to write it."""


class _UI:
    out: Console
    err: Console
    quiet: bool = False


ui = _UI()


def _consoles() -> None:
    # Made per call, not at import: width (COLUMNS), NO_COLOR and the terminal are read anew.
    # NO_COLOR means no escape codes at all (rich alone would still send bold and dim).
    plain = {"color_system": None} if os.environ.get("NO_COLOR") else {}
    ui.out = Console(highlight=False, emoji=False, soft_wrap=False, **plain)
    ui.err = Console(stderr=True, highlight=False, emoji=False, soft_wrap=False, **plain)
    ui.quiet = False


_consoles()


def __getattr__(name: str):
    # `out` and `err` were module-level consoles; commands registered from other modules
    # (cli_batch) may still import them. They are the consoles of the current call.
    if name in ("out", "err"):
        return getattr(ui, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _print(renderable: RenderableType = "", soft_wrap: bool = False) -> None:
    # rich pads table cells to the table's width; drop the trailing blanks it leaves.
    console = ui.out
    with console.capture() as captured:
        console.print(renderable, soft_wrap=soft_wrap)
    text = "\n".join(line.rstrip() for line in captured.get().split("\n"))
    console.file.write(text)
    console.file.flush()


def _plain(text: str, err: bool = False) -> None:
    """Text printed exactly (carets under source lines must not be re-wrapped)."""
    (ui.err if err else ui.out).print(text, markup=False, soft_wrap=True)


def _json_out(obj) -> None:
    ui.out.file.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")
    ui.out.file.flush()


def _note(message: str, style: str = "dim") -> None:
    if not ui.quiet:
        ui.err.print(Text(message, style=style), soft_wrap=True)


def _warn(message: str) -> None:
    if not ui.quiet:
        ui.err.print(Text("warning: " + message, style="yellow"), soft_wrap=True)


class Format(enum.StrEnum):
    text = "text"
    json = "json"


class OnError(enum.StrEnum):
    fail = "fail"
    skip = "skip"
    quarantine = "quarantine"


class Engine(enum.StrEnum):
    auto = "auto"
    python = "python"
    duckdb = "duckdb"


Quiet = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print only errors (and the result itself).")
]
Fmt = Annotated[Format, typer.Option("--format", help="text or json.")]


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False,
):
    if version:
        _print(f"rulekit {rulekit.__version__}")
        raise Exit(0)


# ================================================================ shared helpers


def _load(ref: str, strict: bool = False) -> rulekit.Ruleset:
    try:
        return rulekit.load(ref, strict=strict)
    except LookupFailed as e:
        raise Usage(str(e)) from None


def _as_of(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise Usage(
            f"--as-of {text!r} is not a date; write it as YYYY-MM-DD, e.g. --as-of 2024-06-30"
        ) from None


def _read(path: str | Path, option: str = "--data"):
    from rulekit import io as rio

    try:
        return rio.read_table(path)
    except FileNotFoundError:
        raise Usage(
            f"{option} {path}: no such file; check the path (it is relative to {Path.cwd()})"
        ) from None
    except rio.UnsupportedFormat as e:
        raise Usage(f"{option} {e}") from None


def _rule_files(paths: list[str]) -> list[Path]:
    from rulekit.rulesets import resolve

    files: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(path.rglob("*.rules"))
            if not found:
                raise Usage(f"{p}: the directory holds no .rules files")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            try:
                files.append(resolve(p))
            except LookupFailed as e:
                raise Usage(str(e)) from None
    return files


def _read_rules(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise RulekitError(
            f"{render.show_path(path)}: byte {e.start} is not UTF-8; save the rule file as UTF-8"
        ) from None


ID_COLUMNS = ("customer_id", "id", "客户编号", "客户ID", "客户id", "客户号", "编号", "ID")


def _id_column(table) -> str:
    for name in ID_COLUMNS:
        if name in table.columns:
            return name
    return table.columns[0] if table.columns else "id"


def _suggest(name: str, candidates) -> str | None:
    """Did-you-mean: the nearest spelling, else the one candidate that contains the name
    (`recency` → `recency_days`)."""
    from rulekit.suggest import nearest

    candidates = list(candidates)
    guess = nearest(name, candidates)
    if guess is None and name:
        folded = name.replace("_", "").casefold()
        containing = [c for c in candidates if folded in c.replace("_", "").casefold()]
        if len(containing) == 1:
            guess = containing[0]
    return guess


def _bad_record_text(rs, bad, table=None) -> str:
    where = table.where(bad.index) if table is not None else "the record"
    text = f"ruleset {rs.id}: {where}"
    if bad.field:
        info = rs.fields.get(bad.field)
        text += f", field {bad.field}"
        if info is not None and info.column != bad.field:
            text += f" (column {info.column})"
    return f"{text}: {bad.reason}"


# ================================================================ run


@app.command(no_args_is_help=True)
def run(
    rulesets: Annotated[
        list[str], typer.Argument(metavar="RULESET", help="Rule files or shipped ruleset ids.")
    ],
    data: Annotated[
        str | None,
        typer.Option(
            "--data", "-d", metavar="FILE", help="Input: .csv, .tsv, .jsonl, .parquet or .xlsx."
        ),
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            "-o",
            metavar="FILE",
            help="Output file, format by extension. Default: print a preview.",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="DATE", help="Pin 'today' (YYYY-MM-DD). Default: today."),
    ] = None,
    on_error: Annotated[
        OnError,
        typer.Option(
            "--on-error",
            help="A bad record stops the run (fail), is set aside (skip), or is "
            "written to <out>.rejected.<ext> (quarantine).",
        ),
    ] = OnError.fail,
    engine: Annotated[
        Engine, typer.Option("--engine", help="Evaluation engine; auto uses DuckDB when available.")
    ] = Engine.auto,
    population: Annotated[
        str | None,
        typer.Option(
            "--population",
            metavar="FILE",
            help="Rank against a frozen population (rulekit freeze) instead of this data.",
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
):
    """Classify every row of a data file with one or more rulesets.

    The output keeps every input column and adds, per ruleset, a column named after the ruleset id (the label; a list under hit all) and [bold]<id>_rule[/bold] (the deciding rule). It ends with a summary: each label's count and share, and rows in = labelled + no label + set aside.

    [bold]Examples[/bold]

    $ rulekit run lifecycle rfm --data examples/data/customers.csv --as-of 2024-06-30
    $ rulekit run lifecycle --data customers.csv --out labelled.parquet --on-error quarantine
    $ rulekit run rfm --transactions examples/data/transactions.csv --customer customer_id --date order_date --amount amount --as-of 2024-06-30
    """
    from rulekit import io as rio

    ui.quiet = quiet
    today = _as_of(as_of) or dt.date.today()
    if (data is None) == (transactions is None):
        raise Usage(
            "give the customers with --data FILE, or raw orders with --transactions FILE "
            "--customer COL --date COL --amount COL (one of the two)"
        )
    if transactions is not None:
        data = _profile_for_run(transactions, customer, date_col, amount, order, today, window)
    if out is not None:
        try:
            rio.format_of(out)
        except rio.UnsupportedFormat as e:
            raise Usage(f"--out {e}") from None
        if not Path(out).resolve().parent.is_dir():
            raise Usage(f"--out {out}: the directory {Path(out).parent} does not exist")
    if on_error is OnError.quarantine and out is None:
        raise Usage(
            "--on-error quarantine writes the bad rows to <out>.rejected.<ext>, so it "
            "needs --out FILE"
        )
    loaded = [_load(r) for r in rulesets]
    seen: dict[str, str] = {}
    for ref, rs in zip(rulesets, loaded, strict=True):
        if rs.id in seen:
            raise Usage(
                f"{ref} and {seen[rs.id]} are both ruleset {rs.id}; each ruleset gives "
                "one pair of output columns, so give it once"
            )
        seen[rs.id] = ref
    frozen = _frozen(population) if population else None
    engine_name = _engine(engine.value)
    if Path(data).is_file():
        from rulekit.cli import files as cli_files

        rows = cli_files.streams(engine_name, data, out)
        if rows is not None:  # DuckDB reads and writes the files itself
            cli_files.run_streaming(
                sys.modules[__name__],
                loaded,
                rows,
                out,
                today,
                on_error.value,
                frozen,
                preview,
                as_of is not None,
                engine_name,
            )

    with _progress() as progress:
        task = progress.add_task(f"reading {Path(data).name}", total=None) if progress else None
        table = _read(data)
        if progress:
            progress.remove_task(task)
        for rs in loaded:
            _check_columns(rs, table)
        results = []
        for rs in loaded:
            start = time.perf_counter()
            try:
                batch = _classify(
                    rs, table.rows, today, on_error.value, engine_name, frozen, progress
                )
            except RecordError as e:
                report_bad_record(rs, e.bad, table)
                raise Exit(1) from None
            results.append((rs, batch, time.perf_counter() - start))

    extra: dict[str, list] = {}
    for rs, batch, _ in results:
        extra[rs.id], extra[rs.id + "_rule"] = _output_columns(rs, batch)
    _warn_replaced(loaded, table.columns)

    if out is not None:
        rio.write_table(out, table.columns, table.rows, extra, arrow=table.arrow, bom=table.bom)
    rejected_path = None
    if on_error is OnError.quarantine:
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


SET_ASIDE_SHOWN = 5  # bad rows named in the notes of an --on-error skip run


def _warn_replaced(loaded, columns) -> None:
    for rs in loaded:
        for name in (rs.id, rs.id + "_rule"):
            if name in columns:
                _warn(f"the input already has a column {name!r}; the output replaces it")


def _print_preview(id_col: str, rows: list, loaded, total: int) -> None:
    """The first output rows (mappings holding the id column and each ruleset's pair)."""
    from rulekit import io as rio

    def text(value) -> str:
        return ", ".join(value) if isinstance(value, list) else value or ""

    ids = [rio.cell_text(r.get(id_col)) for r in rows]
    cells = [[(text(r[rs.id]), text(r[rs.id + "_rule"])) for rs in loaded] for r in rows]
    _print(render.preview_table(id_col, ids, [rs.id for rs in loaded], cells, total))
    _print()


def _print_report(table, entries, on_error: str, today: dt.date, pinned: bool) -> None:
    """Per ruleset its summary and, under skip, the first rows set aside; then the as-of date.
    entries: (ruleset, summary_json, the first rejected rows, how many were rejected)."""
    for rs, summary, rejected, count in entries:
        _print(render.summary_text(summary))
        _print()
        if count and on_error == "skip":
            for bad in rejected[:SET_ASIDE_SHOWN]:
                _note("set aside: " + _bad_record_text(rs, bad, table), style="yellow")
            if count > SET_ASIDE_SHOWN:
                _note(
                    f"… and {count - SET_ASIDE_SHOWN:,} more; write them all with "
                    "--on-error quarantine --out FILE",
                    style="yellow",
                )
    note = "pinned with --as-of" if pinned else "today; pin it with --as-of"
    _print(Text(f"as of {today.isoformat()} ({note})"), soft_wrap=True)


def _print_written(out, rows: int, columns: int, how: str, rejected_path, rejected: int) -> None:
    """What a run wrote: the output (if any) and the rejected rows (if quarantined)."""
    if out is not None:
        _print(Text(f"wrote {rows:,} rows to {out} ({columns:,} columns; {how})"), soft_wrap=True)
    if rejected_path is not None:
        _print(
            Text(
                f"wrote {render.plural(rejected, 'rejected row')} with their reasons to "
                f"{rejected_path}"
            ),
            soft_wrap=True,
        )


def report_bad_record(rs, bad, table) -> None:
    """The error of a run stopped by a bad row (on_error fail), and the ways out."""
    _plain("error: " + _bad_record_text(rs, bad, table), err=True)
    fix = (
        f"Fix the value in {table.path.name}"
        if bad.field
        else "Make the rules exclusive (hit unique allows one match per row)"
    )
    _plain(
        f"  {fix}, or run with --on-error skip to set bad rows aside, or "
        "--on-error quarantine --out FILE to also write them, with their "
        "reasons, to FILE.rejected.<ext>.",
        err=True,
    )


def _profile_for_run(transactions, customer, date_col, amount, order, today, window) -> str:
    """Profile raw orders per customer (DuckDB) into a temporary Parquet file; its path."""
    import atexit
    import tempfile

    missing = [
        flag
        for flag, v in (("--customer", customer), ("--date", date_col), ("--amount", amount))
        if not v
    ]
    if missing:
        raise Usage(f"--transactions needs {', '.join(missing)} to name its columns")
    if not Path(transactions).is_file():
        raise Usage(f"--transactions {transactions}: no such file")
    from rulekit.engines.profile import build_profile

    tmp = Path(tempfile.mkdtemp(prefix="rulekit-")) / (Path(transactions).stem + ".profile.parquet")
    atexit.register(lambda: (tmp.unlink(missing_ok=True), tmp.parent.rmdir()))
    result = build_profile(
        transactions, customer, date_col, amount, order, as_of=today, window=window, out=tmp
    )
    _note(
        f"profiled {Path(transactions).name}: {result.to_dict().get('customers', '?')} "
        f"customers from its orders (as of {today.isoformat()})"
    )
    return str(tmp)


def _frozen(path: str):
    from rulekit.engines.population import FrozenPopulation

    if not Path(path).is_file():
        raise Usage(f"--population {path}: no such file; create one with rulekit freeze")
    try:
        return FrozenPopulation.load(path)
    except (ValueError, KeyError, TypeError):
        raise Usage(
            f"--population {path}: not a rulekit population file; create one with rulekit freeze"
        ) from None


def _engine(name: str) -> str:
    if name == "python":
        return name
    try:
        importlib.import_module("duckdb")
    except ImportError as e:
        if name == "auto":
            return "python"
        raise Usage(
            f"--engine {name} is not available in this installation ({e}); use --engine python"
        ) from None
    return name


class _NoProgress:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _progress():
    if ui.quiet or not ui.err.is_terminal:
        return _NoProgress()
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=ui.err,
        transient=True,
    )


CHUNK = 50_000


def _classify(rs, rows, today, on_error, engine, frozen, progress):
    """classify_many over all rows; in chunks (for the progress bar) when the input is large.
    Chunks rank against one population computed from all rows, so the labels are the same."""
    from rulekit.engines.python import BatchResult

    if engine != "python":
        task = (
            progress.add_task(f"classifying with {rs.id} ({engine})", total=None)
            if progress
            else None
        )
        try:
            return rs.classify_many(
                rows, as_of=today, population=frozen, on_error=on_error, engine=engine
            )
        except (ImportError, NotImplementedError) as e:
            if engine != "auto":
                raise Usage(
                    f"--engine {engine} cannot run ruleset {rs.id} ({e}); use --engine python"
                ) from None
            _note(f"engine auto: using python for {rs.id} ({e})")
            engine = "python"
        finally:
            if task is not None:
                progress.remove_task(task)
    if len(rows) <= CHUNK or progress is None:
        return rs.classify_many(
            rows, as_of=today, population=frozen, on_error=on_error, engine=engine
        )
    task = progress.add_task(f"classifying with {rs.id}", total=len(rows))
    population = frozen
    set_aside: dict = {}  # index → BadRecord, from building the population (as classify_many)
    if population is None and rs.compiled.pop_keys:
        from rulekit.engines.population import FrozenPopulation
        from rulekit.errors import BadRecord

        def bad(i, e, rec):
            set_aside.setdefault(i, BadRecord(i, e.field, e.value, e.reason, rec))

        pops = rs.populations(rows, today, on_bad=bad)
        if set_aside and on_error == "fail":
            raise RecordError(set_aside[min(set_aside)])
        population = FrozenPopulation(
            rs.id, dict(zip(rs.compiled.pop_keys, pops, strict=True)), len(rows), today.isoformat()
        )
    decisions: list = []
    rejected: list = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        try:
            part = rs.classify_many(
                chunk, as_of=today, population=population, on_error=on_error, engine=engine
            )
        except RecordError as e:
            e.bad.index += start
            raise
        decisions.extend(part.decisions)
        for record in part.rejected:
            record.index += start
            rejected.append(record)
        progress.advance(task, len(chunk))
    progress.remove_task(task)
    if set_aside:
        for i in set_aside:
            decisions[i] = None
        rejected = sorted(
            {**{r.index: r for r in rejected}, **set_aside}.values(), key=lambda r: r.index
        )
    return BatchResult(decisions, rejected, today)


def _check_columns(rs, table) -> None:
    columns = set(table.columns)
    wanted = [info.column for info in rs.fields.values()]
    missing = [c for c in wanted if c not in columns]
    if not missing or not wanted:
        return
    if len(missing) == len(wanted):
        _warn(
            f"none of the columns ruleset {rs.id} reads are in {table.path.name} "
            f"({', '.join(missing[:6])}{', …' if len(missing) > 6 else ''}), so no row can "
            "match a rule. If the data names them differently, map each field to its column "
            "with `from` in the rule file, e.g. field recency_days : duration from 最近购买天数"
        )
    else:
        _note(
            f"{rs.id}: {table.path.name} has no column {', '.join(missing)}; "
            "those fields are missing in every row"
        )


def _output_columns(rs, batch) -> tuple[list, list]:
    labels: list = []
    rules: list = []
    multi = rs.hit is HitPolicy.ALL
    cache: dict[int, tuple] = {}
    for d in batch.decisions:
        key = id(d)
        pair = cache.get(key)
        if pair is None:
            if d is None or not d.labels:
                pair = (None, None)
            elif multi:
                pair = (list(d.labels), [r.name for r in d.rules] or None)
            else:
                pair = (d.label, d.rule.name if d.rule else None)
            cache[key] = pair
        labels.append(pair[0])
        rules.append(pair[1])
    return labels, rules


def _write_rejected(out: Path, table, results) -> Path:
    from rulekit import io as rio
    from rulekit.engines.files import REJECTED_COLUMNS as meta
    from rulekit.engines.files import default_rejected

    path = default_rejected(out)
    rows = []
    for rs, batch, _ in results:
        for bad in batch.rejected:
            info = rs.fields.get(bad.field) if bad.field else None
            line = table.lines[bad.index] if table.lines else None
            value = (
                bad.value
                if bad.value is None or isinstance(bad.value, str)
                else rio.cell_text(bad.value)
            )
            rows.append(
                {
                    "rejected_row": bad.index + 1,
                    "rejected_line": line,
                    "rejected_ruleset": rs.id,
                    "rejected_field": bad.field,
                    "rejected_column": info.column if info else None,
                    "rejected_value": value,
                    "rejected_reason": bad.reason,
                    **{c: v for c, v in table.rows[bad.index].items() if c not in meta},
                }
            )
    rows.sort(key=lambda r: (r["rejected_row"], r["rejected_ruleset"]))
    rio.write_table(path, meta + [c for c in table.columns if c not in meta], rows, bom=table.bom)
    return path


# ================================================================ explain


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
        str | None,
        typer.Option(
            "--data", "-d", metavar="FILE", help="Data file: the population, and the row for --id."
        ),
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
        typer.Option(
            "--population",
            metavar="FILE",
            help="A frozen population (rulekit freeze) or a data file to rank against.",
        ),
    ] = None,
    why_not: Annotated[
        str | None,
        typer.Option(
            "--why-not", metavar="LABEL", help="Also say what it would take to get LABEL."
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="DATE", help="Pin 'today' (YYYY-MM-DD). Default: today."),
    ] = None,
    fmt: Fmt = Format.text,
    quiet: Quiet = False,
):
    """Explain one record: the decision, then every rule with each sub-condition's values.

    The explanation is the evaluator's own trace, so it always agrees with [bold]run[/bold]. Give the record with --record, --set (repeatable), or --data FILE --id ID; population functions rank it within --data (or a frozen --population).

    [bold]Examples[/bold]

    $ rulekit explain lifecycle --set orders_count=12 --set recency_days=20d --set tenure_days=700d --set frequency=3 --as-of 2024-06-30 --why-not active
    $ rulekit explain rfm --data examples/data/customers.csv --id C000002 --as-of 2024-06-30
    $ rulekit explain lifecycle --record '{"orders_count": 1, "recency_days": 200}' --format json
    """
    ui.quiet = quiet
    rs = _load(ruleset)
    today = _as_of(as_of) or dt.date.today()
    if id_ is None and record is None and not sets:
        raise Usage(
            "give the record to explain: --record '{\"field\": value}', --set "
            "field=value (repeatable), or --data FILE --id ID"
        )
    if id_ is not None and data is None:
        raise Usage("--id picks a row of a data file: give the file with --data FILE")
    if id_ is not None and record is not None:
        raise Usage("give the record either with --record or with --data FILE --id ID, not both")
    if why_not is not None and why_not not in rs.labels:
        guess = _suggest(why_not, rs.labels)
        raise Usage(
            f"--why-not {why_not}: ruleset {rs.id} has no label {why_not!r}"
            + (f"; did you mean {guess!r}?" if guess else "")
            + " Its labels are "
            + ", ".join(rs.labels)
        )

    table = _read(data) if data else None
    rec: dict = {}
    overrides: dict = {}
    source: dict = {"record": "given on the command line"}
    row_index = None
    if id_ is not None:
        row_index, column = _find_row(table, id_, id_column)
        rec = dict(table.rows[row_index])
        source = {"record": table.where(row_index), "id_column": column, "id": id_}
    if record is not None:
        _record_from_json(rs, record, rec, overrides)
    for item in sets or []:
        _record_from_set(rs, item, rec, overrides)
    if sets and id_ is not None:
        source["record"] += " with --set values"

    frozen, batch = None, None
    if population is not None:
        from rulekit import io as rio

        if Path(population).suffix.lower() in rio.FORMATS:
            batch = _read(population, "--population").rows
            source["population"] = f"{Path(population).name} ({len(batch):,} rows)"
        else:
            frozen = _frozen(population)
            source["population"] = (
                f"frozen population {Path(population).name} "
                f"({frozen.records:,} records"
                + (f", as of {frozen.as_of}" if frozen.as_of else "")
                + ")"
            )
    elif table is not None:
        batch = table.rows
        source["population"] = f"{table.path.name} ({len(batch):,} rows)"
    elif rs.compiled.pop_keys:
        source["population"] = "the record alone"
        _note(
            f"ruleset {rs.id} ranks records within a population; with no --data or "
            "--population this record is ranked only against itself"
        )

    from rulekit.explain import why_not as why_not_fn

    try:
        if why_not is not None:
            wn = why_not_fn(rs, rec, why_not, today, frozen, batch, overrides)
            ex = wn.explanation
        else:
            wn = None
            ex = rs.explain(rec, as_of=today, population=frozen, overrides=overrides, batch=batch)
    except RecordError as e:
        if row_index is not None:
            e.bad.index = row_index
            _plain("error: " + _bad_record_text(rs, e.bad, table), err=True)
            _plain(
                f"  Fix the value in {table.path.name}, or override it with --set "
                f"{e.bad.field or 'field'}=VALUE",
                err=True,
            )
            raise Exit(1) from None
        raise Usage(_bad_record_text(rs, e.bad) + "; " + _value_hint(rs, e.bad.field)) from None

    d = render.explanation_json(ex)
    d["input"] = source
    if wn is not None:
        d["why_not"] = render.why_not_json(wn)
    if fmt is Format.json:
        _json_out(d)
        raise Exit(0)
    _print(render.explanation_text(d))
    if wn is not None:
        _print()
        _print(render.why_not_text(d["why_not"]))
    raise Exit(0)


def _find_row(table, ident: str, column: str | None) -> tuple[int, str]:
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


def _value_hint(rs, name: str | None) -> str:
    from rulekit.model.datatypes import example_of

    info = rs.fields.get(name) if name else None
    if info is None:
        return "check the value"
    return f"{name} is a {info.type}; write a value such as {example_of(info.type)}"


def _put_value(rs, name: str, value, rec: dict, overrides: dict, option: str) -> None:
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


def _record_from_json(rs, text: str, rec: dict, overrides: dict) -> None:
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


def _record_from_set(rs, item: str, rec: dict, overrides: dict) -> None:
    name, sep, value = item.partition("=")
    if not sep or not name.strip():
        raise Usage(f"--set {item!r}: write it as FIELD=VALUE, e.g. --set recency_days=200d")
    name, value = name.strip(), value.strip()
    _put_value(
        rs, name, None if value.lower() in MISSING_WORDS else value, rec, overrides, f"--set {item}"
    )


# ================================================================ check


@app.command(no_args_is_help=True)
def check(
    files: Annotated[
        list[str],
        typer.Argument(metavar="FILE", help="Rule files, directories, or shipped ruleset ids."),
    ],
    strict: Annotated[
        bool, typer.Option("--strict", help="Also require every field and label to be declared.")
    ] = False,
    fmt: Fmt = Format.text,
    quiet: Quiet = False,
):
    """Check rule files: every problem with file:line:col, a caret under it, and a hint.

    Exits with 1 when any error is found (warnings alone exit 0). --strict also requires every field and label to be declared.

    [bold]Examples[/bold]

    $ rulekit check rulesets/ --strict
    $ rulekit check my_rules.rules --format json
    """
    ui.quiet = quiet
    paths = _rule_files(files)
    shown = [render.show_path(p) for p in paths]
    diags = []
    for path, name in zip(paths, shown, strict=True):
        diags.extend(rulekit.check_text(_read_rules(path), name, strict).diagnostics)
    errors = sum(d.severity == "error" for d in diags)
    if fmt is Format.json:
        _json_out(render.check_json(shown, diags))
        raise Exit(1 if errors else 0)
    for d in diags:
        if quiet and d.severity != "error":
            continue
        _plain(d.render())
        _plain("")
    if not quiet:
        _plain(
            f"{render.plural(len(paths), 'file')} checked: {render.plural(errors, 'error')}, "
            f"{render.plural(len(diags) - errors, 'warning')}"
        )
    raise Exit(1 if errors else 0)


# ================================================================ test


@app.command("test", no_args_is_help=True)
def test_cmd(
    paths: Annotated[
        list[str],
        typer.Argument(metavar="FILE|DIR", help="Rule files, directories, or shipped ruleset ids."),
    ],
    fmt: Fmt = Format.text,
    quiet: Quiet = False,
):
    """Run every `example` in the rule files, and report which rules no example exercises.

    A failure shows the expected and the actual label and the explanation of why the actual label was given. A rule is exercised when it decided at least one example. Exits with 1 on any failure.

    [bold]Examples[/bold]

    $ rulekit test rulesets/
    $ rulekit test my_rules.rules lifecycle
    """
    ui.quiet = quiet
    files = _rule_files(paths)
    report = []
    for path in files:
        name = render.show_path(path)
        try:
            rs = rulekit.compile(_read_rules(path), name)
        except RuleError as e:
            report.append({"file": name, "error": e.render(), "examples": [], "rules": []})
            continue
        results = rs.test()
        exercised = set()
        for r in results:
            if r.explanation is not None and r.explanation.decision is not None:
                exercised.update(r.explanation.decision.rules)
        report.append(
            {
                "file": name,
                "ruleset": rs.id,
                "error": None,
                "examples": [_example_json(r) for r in results],
                "rules": [
                    {"name": ref.name, "line": ref.line, "exercised": ref in exercised}
                    for ref in rs.rule_refs
                ],
            }
        )
    examples = [e for f in report for e in f["examples"]]
    failed = sum(not e["passed"] for e in examples)
    broken = sum(f["error"] is not None for f in report)
    rules = [r for f in report for r in f["rules"]]
    covered = sum(r["exercised"] for r in rules)
    code = 1 if failed or broken else 0
    if fmt is Format.json:
        _json_out(
            {
                "format": "rulekit-test/1",
                "files": report,
                "passed": len(examples) - failed,
                "failed": failed,
                "broken_files": broken,
                "rules": len(rules),
                "rules_exercised": covered,
            }
        )
        raise Exit(code)
    for f in report:
        _print_test_file(f, quiet)
    if not quiet:
        _print(
            Text(
                f"{render.plural(len(files), 'file')}, "
                f"{render.plural(len(examples), 'example')}; rules exercised by an example: "
                f"{covered:,} of {len(rules):,}"
            )
        )
    summary = f"{len(examples) - failed} passed, {failed} failed"
    if broken:
        summary += f" ({render.plural(broken, 'file')} with rule errors)"
    _plain(summary)
    raise Exit(code)


def _example_json(r) -> dict:
    out = {
        "name": r.name,
        "file": render.show_path(r.file),
        "line": r.line,
        "expected": list(r.expected or ()),
        "actual": list(r.actual or ()),
        "passed": r.passed,
        "error": r.error,
    }
    out["explanation"] = (
        render.explanation_json(r.explanation)
        if not r.passed and r.explanation is not None
        else None
    )
    return out


def _print_test_file(f: dict, quiet: bool) -> None:
    if f["error"] is not None:
        _print(Text("ERROR ", style="bold red").append(f["file"], style="bold"))
        _plain(f["error"])
        _plain("")
        return
    failed = [e for e in f["examples"] if not e["passed"]]
    missing = [r for r in f["rules"] if not r["exercised"]]
    if quiet and not failed:
        return
    n = len(f["examples"])
    head = Text("FAIL " if failed else "ok   ", style="bold red" if failed else "green")
    head.append(f["file"], style="bold")
    head.append(
        f"  {n - len(failed)}/{n} examples passed · rules exercised "
        f"{len(f['rules']) - len(missing)}/{len(f['rules'])}",
        style="dim",
    )
    _print(head)
    for e in failed:
        _print(Padding(_failure_view(e), (0, 0, 0, 4)))
    if missing and not quiet:
        for r in missing:
            _print(
                Text(
                    f"    not exercised by any example: rule {r['name']} ({f['file']}:{r['line']})",
                    style="yellow",
                )
            )


def _failure_view(e: dict) -> RenderableType:
    from rich.console import Group

    def labels(xs):
        return ", ".join(xs) if xs else "none"

    head = Text("✗ example ", style="red")
    head.append(e["name"], style="bold")
    head.append(f"  {e['file']}:{e['line']}", style="dim")
    parts: list[RenderableType] = [head]
    if e["error"]:
        parts.append(Text("  error: " + e["error"], style="red"))
    else:
        parts.append(Text(f"  expected: {labels(e['expected'])}"))
        parts.append(Text(f"  actual:   {labels(e['actual'])}"))
    if e["explanation"] is not None:
        parts.append(Text(f"  why {labels(e['actual'])}:", style="bold"))
        parts.append(Padding(render.explanation_text(e["explanation"], compact=True), (0, 0, 0, 2)))
    return Group(*parts)


# ================================================================ list and show


def _shipped() -> list[tuple[Path, object]]:
    from rulekit.rulesets import shipped_dir

    out = []
    for path in sorted(shipped_dir().glob("*.rules")):
        out.append((path, rulekit.check_text(path.read_text(encoding="utf-8"), str(path))))
    return out


@app.command("list")
def list_cmd(
    fmt: Fmt = Format.text,
):
    """List the shipped rulesets: id, Chinese and English name, hit policy, labels, source.

    [bold]Examples[/bold]

    $ rulekit list
    $ rulekit list --format json
    """
    entries = [render.ruleset_entry(program, str(path)) for path, program in _shipped()]
    if fmt is Format.json:
        _json_out({"format": "rulekit-list/1", "rulesets": entries})
    else:
        _print(render.list_table(entries))
    raise Exit(0)


@app.command(no_args_is_help=True)
def show(
    ruleset: Annotated[
        str, typer.Argument(metavar="RULESET", help="A shipped ruleset id or a rule file.")
    ],
    fmt: Fmt = Format.text,
):
    """Show one ruleset: description, fields, labels with strategies, rules and examples.

    [bold]Examples[/bold]

    $ rulekit show rfm
    $ rulekit show lifecycle --format json
    """
    from rulekit.rulesets import resolve

    try:
        path = resolve(ruleset)
    except LookupFailed as e:
        raise Usage(str(e)) from None
    program = rulekit.check_text(_read_rules(path), str(path))
    if any(d.severity == "error" for d in program.diagnostics):
        raise RuleError(program.diagnostics)
    s = render.show_json(program)
    if fmt is Format.json:
        _json_out(s)
    else:
        _print(render.show_text(s))
    raise Exit(0)


# ================================================================ entry point


def _click_errors():
    """The click exception classes: typer ≥ 0.16 vendors click as typer._click."""
    usage, click_exc, abort = [], [], [typer.Abort]
    for name in ("typer._click.exceptions", "click.exceptions"):
        try:
            mod = importlib.import_module(name)
        except ImportError:
            continue
        usage.append(mod.UsageError)
        click_exc.append(mod.ClickException)
        if hasattr(mod, "Abort"):
            abort.append(mod.Abort)
    return tuple(usage), tuple(click_exc), tuple(abort)


def _usage_error(e) -> int:
    ctx = getattr(e, "ctx", None)
    message = e.format_message()
    if not message:  # `rulekit` alone: the help was printed
        return 2
    _plain(f"error: {message}", err=True)
    if ctx is not None:
        _plain(ctx.get_usage(), err=True)
        _plain(f"Run '{ctx.command_path} --help' for the options and examples.", err=True)
    return 2


def _internal_error(e: BaseException) -> int:
    import tempfile
    import traceback

    saved = ""
    try:
        with tempfile.NamedTemporaryFile(
            "w", prefix="rulekit-crash-", suffix=".txt", delete=False, encoding="utf-8"
        ) as f:
            f.write(f"rulekit {rulekit.__version__}, Python {sys.version.split()[0]}\n")
            f.write("command: rulekit " + " ".join(sys.argv[1:]) + "\n\n")
            traceback.print_exception(e, file=f)
            saved = f" and the details saved in {f.name}"
    except OSError:
        pass
    _plain(f"internal error: {type(e).__name__}: {e}", err=True)
    _plain(
        "This is a bug in rulekit, not a problem with your rules or data. Please report it "
        f"on {REPORT_AT} with the command you ran{saved}.",
        err=True,
    )
    return 70


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 rule/data errors, 2 usage errors)."""
    _consoles()
    usage_errors, click_errors, aborts = _click_errors()
    try:
        rv = app(
            args=list(argv) if argv is not None else sys.argv[1:],
            prog_name="rulekit",
            standalone_mode=False,
        )
        return rv if isinstance(rv, int) else 0
    except Exit as e:
        return e.code
    except Usage as e:
        _plain(f"error: {e}", err=True)
        return 2
    except RuleError as e:
        _plain(e.render(), err=True)
        n = len(e.errors)
        _plain(
            f"\n{render.plural(n, 'error')} in the rule file; fix "
            f"{'it' if n == 1 else 'them'} and run again (rulekit check FILE checks it alone)",
            err=True,
        )
        return 1
    except (LookupFailed, FileNotFoundError) as e:
        _plain(f"error: {e}", err=True)
        return 2
    except BrokenPipeError:
        return 0
    except OSError as e:  # permission denied, disk full …: the machine's, not rulekit's fault
        where = f" {e.filename}" if e.filename else ""
        _plain(f"error: cannot read or write{where}: {e.strerror or e}", err=True)
        return 1
    except RulekitError as e:
        _plain(f"error: {e}", err=True)
        return 1
    except usage_errors as e:
        return _usage_error(e)
    except click_errors as e:
        _plain(f"error: {e.format_message()}", err=True)
        return getattr(e, "exit_code", 1) or 1
    except (KeyboardInterrupt, *aborts):
        _plain("interrupted", err=True)
        return 130
    except Exception as e:  # a bug in rulekit
        return _internal_error(e)


# Batch commands (sql, profile, freeze) live in their own module and register on `app`.
from rulekit.cli import batch as cli_batch  # noqa: E402,F401
