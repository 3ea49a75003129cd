"""`rulekit run --summary-json FILE`: the run's summaries as one JSON document
(rulekit.documents.RunSummariesDocument; docs/schema/run-summaries.schema.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rulekit.documents import RejectedValueCount, RunSummariesDocument, RunSummaryDocument


def write_summary_json(
    path: str,
    data: str | None,
    out: str | None,
    summaries: list[RunSummaryDocument],
    rejected: list[RejectedValueCount],
) -> None:
    """The run summaries (one per ruleset) as one JSON document, written atomically."""
    from rulekit.io import atomic_path

    document: RunSummariesDocument = {
        "format": "rulekit-run-summaries/1",
        "input": data,
        "output": out,
        "rulesets": summaries,
        "rejected_values": rejected,
    }
    with atomic_path(Path(path)) as tmp:
        tmp.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
