"""Running a rule file's examples: each `example … given … expect …` evaluated traced, passed
or failed with the explanation of what happened."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rulekit.documents import ExampleDocument, show_path
from rulekit.engines.python import CompiledRuleset
from rulekit.errors import RecordError
from rulekit.explain.decisions import check_expectations, trace_decisions
from rulekit.explain.explanation import Explanation
from rulekit.explain.outputs import result_mismatches
from rulekit.explain.trace import trace_record
from rulekit.model.program import HitPolicy
from rulekit.syntax.nodes import literal_value


@dataclass
class ExampleResult:
    """One example: what it expected, what the rules gave, and the explanation."""

    name: str
    file: str
    line: int
    expected: tuple[str, ...] | None
    actual: tuple[str, ...] | None
    passed: bool
    explanation: Explanation | None
    error: str | None = None

    def to_dict(self) -> ExampleDocument:
        """The example as `rulekit test --format json` shows it; the explanation only for a
        failed example."""
        return {
            "name": self.name,
            "file": show_path(self.file),
            "line": self.line,
            "expected": list(self.expected or ()),
            "actual": list(self.actual or ()),
            "passed": self.passed,
            "error": self.error,
            "explanation": (
                self.explanation.to_dict()
                if not self.passed and self.explanation is not None
                else None
            ),
        }

    def describe(self) -> str:
        exp = "none" if not self.expected else ", ".join(self.expected)
        act = "none" if not self.actual else ", ".join(self.actual)
        if self.error:
            return f"{self.file}:{self.line}: example {self.name!r}: {self.error}"
        return f"{self.file}:{self.line}: example {self.name!r}: expected {exp}, got {act}"


def run_examples(rs: CompiledRuleset) -> list[ExampleResult]:
    """Evaluate every example of the rule file, in file order."""
    p = rs.program
    results = []
    for ex in p.examples:
        record: dict[str, Any] = {}
        overrides: dict[str, Any] = {}
        for g in ex.given:
            value = literal_value(g.value_node)
            if g.name in p.lets:
                overrides[g.name] = value
            elif g.name in p.fields:
                record[p.fields[g.name].column] = value
        expected = tuple(ex.expect) if ex.expect is not None else ()
        try:
            exp = trace_record(rs, record, ex.as_of, None, overrides)
        except RecordError as e:
            results.append(
                ExampleResult(ex.name, p.path, ex.line, expected, None, False, None, str(e))
            )
            continue
        actual = exp.decision.labels if exp.decision else ()
        if exp.conflict:
            results.append(
                ExampleResult(ex.name, p.path, ex.line, expected, None, False, exp, exp.conflict)
            )
            continue
        if rs.hit is HitPolicy.ALL:
            passed = set(actual) == set(expected)
        else:
            passed = tuple(actual) == expected
        if ex.decisions:  # `expect NAME = LABEL, …`: the named decisions (explain/decisions.py)
            try:
                traced = trace_decisions(rs, record, ex.as_of, None, overrides)
            except RecordError as e:
                results.append(
                    ExampleResult(ex.name, p.path, ex.line, expected, None, False, None, str(e))
                )
                continue
            expected, actual, passed = check_expectations(rs, ex, traced)
        wrong = result_mismatches(rs, ex, exp.decision) if ex.expect_with else None
        if wrong is not None:  # `expect … with name = value`: outputs, attributes
            if not passed:
                exp_words = "none" if not expected else ", ".join(expected)
                act_words = "none" if not actual else ", ".join(actual)
                wrong = f"expected {exp_words}, got {act_words}; {wrong}"
            passed = False
        results.append(
            ExampleResult(ex.name, p.path, ex.line, expected, tuple(actual), passed, exp, wrong)
        )
    return results
