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

from rulekit.explain.examples import ExampleResult, run_examples
from rulekit.explain.explanation import Explanation, Trace, explanation_document, operands
from rulekit.explain.needs import Need
from rulekit.explain.trace import trace_record
from rulekit.explain.values import describe_value, jsonable
from rulekit.explain.whynot import WhyNot, WhyNotRule, why_not

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
