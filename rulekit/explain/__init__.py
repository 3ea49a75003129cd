"""Explanations recorded while evaluating (an observer on the traced code), why-not analysis,
and example runs. Nothing here re-derives a decision: it reads what the evaluation recorded.

    values       values as explanations show them (describe_value), label and rule references
    explanation  Trace, Explanation and the explanation document (Explanation.to_dict)
    trace        trace_record: evaluate one record with the observer attached
    needs        what a failed test needs, in words (Need)
    whynot       WhyNot, WhyNotRule, why_not and the why-not document
    examples     ExampleResult, run_examples
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Imported on first use (PEP 562): the renderers read explanations without loading the
# evaluator, so that the command line starts fast.
if TYPE_CHECKING:
    from rulekit.explain.examples import ExampleResult, run_examples
    from rulekit.explain.explanation import Explanation, Trace, explanation_document, operands
    from rulekit.explain.needs import Need
    from rulekit.explain.trace import trace_record
    from rulekit.explain.values import describe_value, jsonable
    from rulekit.explain.whynot import WhyNot, WhyNotRule, why_not

_LAZY = {
    "ExampleResult": "examples",
    "run_examples": "examples",
    "Explanation": "explanation",
    "Trace": "explanation",
    "explanation_document": "explanation",
    "operands": "explanation",
    "Need": "needs",
    "trace_record": "trace",
    "describe_value": "values",
    "jsonable": "values",
    "WhyNot": "whynot",
    "WhyNotRule": "whynot",
    "why_not": "whynot",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"rulekit.explain.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "ExampleResult",
    "Explanation",
    "Need",
    "Trace",
    "WhyNot",
    "WhyNotRule",
    "describe_value",
    "explanation_document",
    "jsonable",
    "operands",
    "run_examples",
    "trace_record",
    "why_not",
]
