"""rulekit: a declarative rules engine for classifying customers.

import rulekit
rs = rulekit.load("lifecycle")                 # a shipped ruleset id, or a path
rs = rulekit.compile("IF recency > 180d THEN sleeping")
d = rs.classify({"recency": 200}, as_of="2024-06-30")
"""

from __future__ import annotations

from pathlib import Path

from rulekit.check.checker import check
from rulekit.engines.population import FrozenPopulation
from rulekit.engines.python import BatchResult, Decision, RuleRef
from rulekit.errors import (
    BadRecord,
    Diagnostic,
    InternalError,
    LookupFailed,
    RecordError,
    RuleError,
    RulekitError,
)
from rulekit.explain import ExampleResult, Explanation, WhyNot
from rulekit.model.program import Program
from rulekit.ruleset import Ruleset
from rulekit.syntax.parser import parse

__all__ = [
    "load",
    "compile",
    "check_text",
    "Ruleset",
    "Decision",
    "BatchResult",
    "RuleRef",
    "Explanation",
    "WhyNot",
    "ExampleResult",
    "FrozenPopulation",
    "RuleError",
    "RecordError",
    "RulekitError",
    "LookupFailed",
    "InternalError",
    "BadRecord",
    "Diagnostic",
    "Program",
]
__version__ = "0.1.0"


def check_text(text: str, name: str = "<string>", strict: bool = False) -> Program:
    """Parse and check rule text; returns the Program with all diagnostics (does not raise)."""
    file, source, diagnostics = parse(text, name)
    # After a syntax error the statements that did parse are checked too.
    return check(file, source, strict, syntax=diagnostics)


def compile(text: str, name: str = "<string>", strict: bool = False) -> Ruleset:  # noqa: A001
    """Compile rule text to a Ruleset; raises RuleError listing every problem found."""
    program = check_text(text, name, strict)
    errors = [d for d in program.diagnostics if d.severity == "error"]
    if errors:
        raise RuleError(program.diagnostics)
    return Ruleset(program)


def load(ref: str | Path, strict: bool = False) -> Ruleset:
    """Load a rule file by path, or a shipped ruleset by id or alias."""
    from rulekit.rulesets import read_rule_file, resolve

    path = resolve(ref)
    return compile(read_rule_file(path), str(path), strict)
