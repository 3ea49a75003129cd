"""Static analysis of rule files with a solver (z3), coverage of a ruleset on data, and the
comparison of two versions of a ruleset.

`analyze(ruleset)` finds rules that can never fire, partly shadowed rules, overlaps under
`hit unique`, gaps (as exact boxes over bounded variables), redundant conditions, duplicate
rules and unused labels and fields; every finding carries a witness record run through the real
evaluator, or the proof that none exists. Explain layer: it reads the program model and runs
the engines.
"""

from __future__ import annotations

from rulekit.analysis.allow import KINDS
from rulekit.analysis.analyzer import TIMEOUT_MS, analyze_ruleset
from rulekit.analysis.report import (
    RANK,
    SEVERITY,
    FileAnalysis,
    Finding,
    analysis_document,
)

__all__ = [
    "KINDS",
    "RANK",
    "SEVERITY",
    "TIMEOUT_MS",
    "FileAnalysis",
    "Finding",
    "analysis_document",
    "analyze_ruleset",
]
