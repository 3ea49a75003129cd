"""The run-summary document of one ruleset over one run (`BatchResult.summary()`,
`RunSummary.to_dict()`, and what `rulekit run` draws its summary table from)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from rulekit.documents import (
    SUMMARY_FORMAT,
    DecisionCount,
    LabelCount,
    RejectedRow,
    RunFiles,
    RunSummaryDocument,
    json_value,
)
from rulekit.errors import BadRecord
from rulekit.model.params import shown_params
from rulekit.model.program import Program

FIRST_REJECTED = 5  # rejected rows a summary shows


def label_counts(decisions: Sequence[Any]) -> Counter[str]:
    """Rows per label over decisions (None for a set-aside row); a `hit all` row counts once per
    label. Counted per distinct decision object: the engines share them between rows."""
    by_decision = Counter(map(id, decisions))
    objects = {id(d): d for d in decisions}
    per_label: Counter[str] = Counter()
    for key, k in by_decision.items():
        d = objects[key]
        if d is not None:
            for label in d.labels:
                per_label[label] += k
    return per_label


def rejected_row(bad: BadRecord) -> RejectedRow:
    return {
        "index": bad.index,
        "field": bad.field,
        "value": json_value(bad.value),
        "reason": bad.reason,
    }


def run_summary(
    program: Program,
    per_label: Mapping[str, int],
    counts: Mapping[str, int],
    as_of: dt.date,
    rejected: Sequence[BadRecord] = (),
    seconds: float | None = None,
    files: RunFiles | None = None,
) -> RunSummaryDocument:
    """The run-summary document: counts that reconcile (rows in = labelled + unlabelled +
    rejected), rows per label (declared labels first, each with its display names), the first
    rejected rows."""
    rows_in = counts["rows_in"]
    labels = label_rows(program, per_label, rows_in)
    out: RunSummaryDocument = {
        "format": SUMMARY_FORMAT,
        "ruleset": program.id,
        "display": program.display.zh,
        "hit": program.hit.value,
        "as_of": as_of.isoformat(),
        "labels": labels,
        "rows_in": rows_in,
        "labelled": counts["labelled"],
        "unlabelled": counts["unlabelled"],
        "rejected": counts["rejected"],
        "first_rejected": [rejected_row(b) for b in rejected[:FIRST_REJECTED]],
        "seconds": seconds,
    }
    if files is not None:
        out["files"] = files
    if program.params:
        out["params"] = shown_params(program.params)
    return out


def label_rows(program: Program, per_label: Mapping[str, int], rows_in: int) -> list[LabelCount]:
    """Rows per label: the declared labels first (each with its display names), then any other."""
    labels: list[LabelCount] = []
    names = list(program.labels) + [lab for lab in per_label if lab not in program.labels]
    for label in names:
        c = per_label.get(label, 0)
        info = program.labels.get(label)
        decl = info.decl if info else None
        labels.append(
            {
                "label": label,
                "display": decl.display.zh if decl else None,
                "display_en": decl.display.en if decl else None,
                "count": c,
                "share": c / rows_in if rows_in else 0.0,
            }
        )
    return labels


def decision_counts(
    named: Mapping[str, Program], decisions: Sequence[Any], counts: Mapping[str, int]
) -> list[DecisionCount]:
    """Per named decision (its program by name), rows per label over the run's decisions (None
    for a row set aside), reconciling with the run's counts."""
    rows_in, rejected = counts["rows_in"], counts["rejected"]
    out: list[DecisionCount] = []
    for name, program in named.items():
        subs = [None if d is None else d.decisions.get(name) for d in decisions]
        labelled = sum(1 for sub in subs if sub is not None and sub.labels)
        out.append(
            {
                "decision": name,
                "display": program.display.zh,
                "labels": label_rows(program, label_counts(subs), rows_in),
                "labelled": labelled,
                "unlabelled": rows_in - labelled - rejected,
            }
        )
    return out
