"""The check document: what `rulekit check --format json` prints for a set of rule files."""

from __future__ import annotations

from collections.abc import Sequence

from rulekit.documents import CHECK_FORMAT, CheckDocument, DiagnosticDocument
from rulekit.errors import Diagnostic


def diagnostic_json(d: Diagnostic) -> DiagnosticDocument:
    """One diagnostic as the check document shows it (Diagnostic.to_dict)."""
    return d.to_dict()


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
