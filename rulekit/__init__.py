"""rulekit: a declarative rules engine for classifying customers.

import rulekit
rs = rulekit.load("lifecycle")                 # a shipped ruleset id, or a path
rs = rulekit.compile("IF recency > 180d THEN sleeping")
d = rs.classify({"recency": 200}, as_of="2024-06-30")
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from rulekit.errors import (
    BadRecord,
    Diagnostic,
    InternalError,
    LookupFailed,
    RecordError,
    RuleError,
    RulekitError,
)
from rulekit.source import Source, Span

# `rulekit.compile` is the function defined below, not the package of that name: the (empty)
# package is loaded now, so that loading it later does not rebind the name to the package.
importlib.import_module("rulekit.compile")

# The public classes are imported on first use (PEP 562): `import rulekit` stays fast, and
# DuckDB, pyarrow, rich, pydantic and the grammar are loaded only by what needs them.
if TYPE_CHECKING:
    from rulekit.engines.population import FrozenPopulation
    from rulekit.engines.python import BatchResult, Decision, RuleRef
    from rulekit.explain import ExampleResult, Explanation, WhyNot
    from rulekit.model.params import ParamError
    from rulekit.model.program import Program
    from rulekit.model.reading import ReadOptions
    from rulekit.ruleset import Ruleset

# public name -> the module that defines it
_LAZY = {
    "Ruleset": "rulekit.ruleset",
    "Decision": "rulekit.engines.python",
    "BatchResult": "rulekit.engines.python",
    "RuleRef": "rulekit.engines.python",
    "Explanation": "rulekit.explain",
    "WhyNot": "rulekit.explain",
    "ExampleResult": "rulekit.explain",
    "FrozenPopulation": "rulekit.engines.population",
    "Program": "rulekit.model.program",
    "ReadOptions": "rulekit.model.reading",
    "ParamError": "rulekit.model.params",
}


def __getattr__(name: str) -> Any:
    if name == "_check":  # the checker, as check_text calls it (tests replace it)
        value = importlib.import_module("rulekit.check.checker").check
        globals()[name] = value
        return value
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once: later reads find it without this call
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


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
    "classify_frame",
    "ReadOptions",
    "ParamError",
]
__version__ = "0.1.0"


def check_text(
    text: str,
    name: str = "<string>",
    strict: bool = False,
    params: Mapping[str, Any] | None = None,
) -> Program:
    """Parse and check rule text; returns the Program with all diagnostics (does not raise,
    except ParamError for an override in `params` that names no param or has the wrong type).
    `params`: overrides of shared parameters, name → value (rule-language text such as "200d",
    or a Python value); docs/language.md "Shared parameters"."""
    from lark.exceptions import VisitError

    from rulekit.syntax import nodes as n
    from rulekit.syntax.parser import parse

    _check: Callable[..., Program] = globals().get("_check") or __getattr__("_check")
    try:
        file, source, diagnostics = parse(text, name)
        # After a syntax error the statements that did parse are checked too.
        if params:
            return _check(file, source, strict, syntax=diagnostics, params=params)
        return _check(file, source, strict, syntax=diagnostics)
    except (RecursionError, VisitError) as e:
        # The depth limit (syntax.limits) keeps every pass far from Python's recursion limit;
        # this is the safety net for a caller that is itself already deep in its stack.
        if isinstance(e, VisitError) and not isinstance(e.orig_exc, RecursionError):
            raise
        source = Source(text, name)
        result = _check(n.File([]), source, strict)
        result.diagnostics = [_too_deep(source, _deepest_span(text))]
        return result


def _too_deep(source: Source, span: Span) -> Diagnostic:
    from rulekit.syntax import limits

    return limits.diagnostic(
        source, span, "this expression nests too deeply for rulekit to evaluate"
    )


def _deepest_span(text: str) -> Span:
    """Where the text nests deepest (brackets and operators), found without recursion."""
    depth = best = best_at = 0
    for i, ch in enumerate(text):
        if ch in "(（[［【":
            depth += 1
        elif ch in ")）]］】":
            depth -= 1
        elif ch in "-−－+＋*×＊/÷／" or text.startswith(("not ", "NOT "), i):
            depth += 1  # a run of operators nests too; counted until the line ends
        elif ch == "\n":
            depth = 0
        if depth > best:
            best, best_at = depth, i
    return Span(best_at, min(best_at + 1, len(text)))


def _deepest_expression(program: Program) -> Span:
    """The span of the rule condition or let formula whose tree is deepest (iteratively)."""
    from rulekit.syntax import nodes as n

    roots = program.expressions()
    best: tuple[int, Span] = (-1, Span(0, min(1, len(program.source.text))))
    for root in roots:
        stack = [(root, 1)]
        while stack:
            node, depth = stack.pop()
            if depth > best[0]:
                best = (depth, root.span)
            stack.extend((c, depth + 1) for c in n.children(node))
    return best[1]


def compile(  # noqa: A001
    text: str,
    name: str = "<string>",
    strict: bool = False,
    params: Mapping[str, Any] | None = None,
) -> Ruleset:
    """Compile rule text to a Ruleset; raises RuleError listing every problem found.
    `params`: overrides of shared parameters (name → value, e.g. {"sleeping_after": "200d"});
    ParamError for an unknown name or a value of the wrong type."""
    from rulekit.ruleset import Ruleset

    program = check_text(text, name, strict, params)
    errors = [d for d in program.diagnostics if d.severity == "error"]
    if errors:
        raise RuleError(program.diagnostics)
    try:
        return Ruleset(program, strict=strict)
    except (RecursionError, SyntaxError) as e:
        # The safety net of the depth limit: Python's own limits on the generated code.
        if isinstance(e, SyntaxError) and "nested" not in str(e.msg):
            raise
        raise RuleError([_too_deep(program.source, _deepest_expression(program))]) from None


def load(ref: str | Path, strict: bool = False, params: Mapping[str, Any] | None = None) -> Ruleset:
    """Load a rule file by path, or a shipped ruleset by id or alias. `params`: overrides of
    its shared parameters (see `compile`)."""
    from rulekit.rulesets import read_rule_file, resolve

    path = resolve(ref)
    return compile(read_rule_file(path), str(path), strict, params)


F = TypeVar("F")


def classify_frame(
    frame: F,
    rulesets: Ruleset | str | Path | Sequence[Ruleset | str | Path],
    *,
    as_of: object = None,
    population: Any = None,
    on_error: str = "fail",
    labels: str = "id",
) -> F:
    """Classify a table with one or several rulesets (Ruleset objects, shipped ids or paths):
    the same kind of table comes back with `<id>` and `<id>_rule` per ruleset; see
    Ruleset.classify_frame and docs/frames.md."""
    from rulekit.frames import classify_frame as _classify_frame
    from rulekit.ruleset import Ruleset

    many = [rulesets] if isinstance(rulesets, (Ruleset, str, Path)) else list(rulesets)
    loaded = [r if isinstance(r, Ruleset) else load(r) for r in many]
    return _classify_frame(
        frame, loaded, as_of=as_of, population=population, on_error=on_error, labels=labels
    )
