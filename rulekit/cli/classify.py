"""`run`'s classification in Python (rulekit.io rows in memory): which engine, the ruleset
over every row (in chunks behind the progress bar when the input is large), the two output
columns per ruleset, and the file of rejected rows under --on-error quarantine.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rulekit.cli.app import Usage
from rulekit.cli.output import _note
from rulekit.errors import RecordError
from rulekit.model.program import HitPolicy

if TYPE_CHECKING:
    from rich.progress import Progress

    from rulekit import Ruleset
    from rulekit.compile.pysource import Bad
    from rulekit.engines.population import FrozenPopulation
    from rulekit.engines.python import BatchResult
    from rulekit.errors import BadRecord
    from rulekit.io import Table
    from rulekit.model.reading import ReadOptions

CHUNK = 50_000


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


def _classify(
    rs: Ruleset,
    rows: Sequence[Mapping[str, Any]],
    today: dt.date,
    on_error: str,
    engine: str,
    frozen: FrozenPopulation | None,
    progress: Progress | None,
    read: ReadOptions | None = None,
) -> BatchResult:
    """classify_many over all rows; in chunks (for the progress bar) when the input is large.
    Chunks rank against one population computed from all rows, so the labels are the same."""
    from rulekit.engines.python import BatchResult

    if read is not None and not read.values_default and engine == "python":
        from rulekit.model.intake import read_rows

        rows, read = read_rows(rows, rs.fields, read), None  # the Python engine reads them
    if engine != "python":
        task = (
            progress.add_task(f"classifying with {rs.id} ({engine})", total=None)
            if progress
            else None
        )
        try:
            return rs.classify_many(
                rows, as_of=today, population=frozen, on_error=on_error, engine=engine, read=read
            )
        except (ImportError, NotImplementedError) as e:
            if engine != "auto":
                raise Usage(
                    f"--engine {engine} cannot run ruleset {rs.id} ({e}); use --engine python"
                ) from None
            _note(f"engine auto: using python for {rs.id} ({e})")
            engine = "python"
            if read is not None and not read.values_default:
                from rulekit.model.intake import read_rows

                rows = read_rows(rows, rs.fields, read)
        finally:
            if progress is not None and task is not None:
                progress.remove_task(task)
    if len(rows) <= CHUNK or progress is None:
        return rs.classify_many(
            rows, as_of=today, population=frozen, on_error=on_error, engine=engine
        )
    task = progress.add_task(f"classifying with {rs.id}", total=len(rows))
    population = frozen
    set_aside: dict[
        int, BadRecord
    ] = {}  # index → BadRecord, from the population (as classify_many)
    if population is None and rs.compiled.pop_keys:
        from rulekit.engines.population import FrozenPopulation
        from rulekit.errors import BadRecord

        def bad(i: int, e: Bad, rec: Mapping[str, Any]) -> None:
            set_aside.setdefault(i, BadRecord(i, e.field, e.value, e.reason, rec))

        pops = rs.populations(rows, today, on_bad=bad)
        if set_aside and on_error == "fail":
            raise RecordError(set_aside[min(set_aside)])
        population = FrozenPopulation(
            rs.id, dict(zip(rs.compiled.pop_keys, pops, strict=True)), len(rows), today.isoformat()
        )
    decisions: list[Any] = []
    rejected: list[BadRecord] = []
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


def _output_columns(rs: Ruleset, batch: BatchResult) -> tuple[list[Any], list[Any]]:
    labels: list[Any] = []
    rules: list[Any] = []
    multi = rs.hit is HitPolicy.ALL
    cache: dict[int, tuple[Any, Any]] = {}
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


def _write_rejected(
    out: Path, table: Table, results: Sequence[tuple[Ruleset, BatchResult, float]]
) -> Path:
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
