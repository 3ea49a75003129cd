"""The check document: what `rulekit check --format json` prints for a set of rule files."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, cast

from rulekit.documents import CHECK_FORMAT, CheckDocument, DiagnosticDocument
from rulekit.errors import Diagnostic


def diagnostic_json(d: Diagnostic) -> DiagnosticDocument:
    """One diagnostic: where (1-based line and column; `end` just after the span), what, how
    to fix it."""
    end_line, end_column = d.end
    return {
        "code": d.code,
        "severity": cast(Literal["error", "warning"], d.severity),
        "file": d.file,
        "line": d.line,
        "column": d.column,
        "end": {"line": end_line, "column": end_column},
        "message": d.message,
        "label": d.label or None,
        "hint": d.hint,
    }


def check_json(files: Sequence[str], diagnostics: Sequence[Diagnostic]) -> CheckDocument:
    """The check document of `files` (as shown to the user) and their diagnostics."""
    errors = sum(d.severity == "error" for d in diagnostics)
    return {
        "format": CHECK_FORMAT,
        "files": list(files),
        "errors": errors,
        "warnings": len(diagnostics) - errors,
        "diagnostics": [diagnostic_json(d) for d in diagnostics],
    }


check_document = check_json
