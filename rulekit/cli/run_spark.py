"""`rulekit run … --engine spark`: the rows stay in Spark (rulekit.engines.spark_files); this
module prints what the run did."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from rulekit.cli.app import Exit, Usage
from rulekit.cli.output import _note, _plain
from rulekit.cli.report import _warn_replaced
from rulekit.errors import RecordError

if TYPE_CHECKING:
    from rulekit import Ruleset
    from rulekit.engines.population import FrozenPopulation


def run_on_spark(
    loaded: list[Ruleset],
    data: str,
    out: str | None,
    today: dt.date,
    on_error: str,
    master: str | None,
    remote: str | None,
    preview: int,
    frozen: FrozenPopulation | None = None,
) -> None:
    """`rulekit run … --engine spark`: the rows stay in Spark (rulekit.engines.spark_files)."""
    from rulekit.engines.spark_files import run_spark
    from rulekit.engines.spark_session import local_session

    if master is not None and remote is not None:
        raise Usage("give --master URL or --spark-remote sc://…, not both")
    spark = local_session(master, remote)
    try:
        summary, result = run_spark(spark, loaded, data, out, today, on_error, frozen)
    except RecordError as e:
        _plain(f"error: row {e.bad.index + 1}: {e.bad.field}: {e.bad.reason}", err=True)
        _plain("  hint: fix the row, or run with --on-error skip or quarantine", err=True)
        raise Exit(1) from None
    _warn_replaced(loaded, summary.columns)
    if out is None:
        for row in result.limit(preview).collect():
            _plain(str(row.asDict()))
    for rs in loaded:
        counts = summary.labels[rs.id]
        _note(f"{rs.id}: {summary.rows} rows")
        for label, count in sorted(counts.items(), key=lambda kv: -kv[1]):
            _note(f"  {label if label is not None else '(no label)'}: {count}")
        if summary.rejected[rs.id]:
            _note(f"  set aside: {summary.rejected[rs.id]}")
    if out is not None:
        _note(f"wrote {out}" + (f" and {summary.rejected_path}" if summary.rejected_path else ""))
