"""A decision as every engine returns it: the label(s), the deciding rule(s), and the ruleset's
outputs, label attributes and named decisions; and its JSON document (rulekit-decision/1)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from rulekit.documents import (
    DECISION_FORMAT,
    DecisionDocument,
    DecisionFields,
    RuleRefDocument,
    show_path,
)
from rulekit.model.outputs import results_document

__all__ = ["Decision", "RuleRef", "rule_ref_document"]


@dataclass(frozen=True, slots=True)
class RuleRef:
    """Where a rule is: its name, file and line."""

    name: str
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.name} ({self.file}:{self.line})"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "file": self.file, "line": self.line}


@dataclass(frozen=True, slots=True)
class Decision:
    """The result for one record: label(s), display name(s) and the deciding rule(s)."""

    label: str | None
    labels: tuple[str, ...]
    display: str | None
    rule: RuleRef | None
    rules: tuple[RuleRef, ...] = ()
    # the named decisions' results by name (engines/decisions.py); empty without them
    decisions: Mapping[str, Decision] = field(default_factory=dict, hash=False)
    # the ruleset's outputs and the (first) label's attributes, by name (rulekit.model.outputs)
    outputs: Mapping[str, Any] = field(default_factory=dict, hash=False)
    attributes: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def to_dict(self) -> DecisionDocument:
        """The decision document (format rulekit-decision/1): the keys of an explanation's
        `decision`, files shown as `rulekit explain` shows them."""
        doc = cast(DecisionDocument, {"format": DECISION_FORMAT, **_fields_document(self)})
        if self.outputs or self.attributes:
            doc["outputs"], doc["attributes"] = results_document(self.outputs, self.attributes)
        if self.decisions:
            doc["decisions"] = {k: _fields_document(d) for k, d in self.decisions.items()}
        return doc


def _fields_document(d: Decision) -> DecisionFields:
    return {
        "label": d.label,
        "labels": list(d.labels),
        "display": d.display,
        "rule": rule_ref_document(d.rule) if d.rule else None,
        "rules": [rule_ref_document(r) for r in d.rules],
    }


def rule_ref_document(ref: RuleRef) -> RuleRefDocument:
    """Where a rule is, as documents say it (the file as the user would type it)."""
    return {"name": ref.name, "file": show_path(ref.file), "line": ref.line}
