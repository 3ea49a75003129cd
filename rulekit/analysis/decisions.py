"""Static analysis of named decisions (rulekit.model.decisions): each named decision is
analysed as a ruleset of its own (its rules, labels, hit policy and default; id
`<ruleset id>_<name>`), the unnamed decision too when it has rules or a default.

A child decision is analysed over every record, as if it applied to all: its parent's
condition is not assumed, so its `gap` findings include the records its parent does not send
to it (accept them with `# allow: gap — reason` where a path may end there). A field is
`unused-field` only when no decision reads it.
"""

from __future__ import annotations

from typing import Any

from rulekit.analysis.report import FileAnalysis
from rulekit.engines.decisions import unnamed


def analyze_decisions(rs: Any, run: Any) -> list[FileAnalysis]:
    """The analyses of a ruleset with named decisions: `run(ruleset)` analyses one (the
    unnamed decision first when it has rules or a default, then each named one, file order)."""
    parts: list[Any] = []
    alone = unnamed(rs)
    if alone.program.rules or alone.program.default:
        parts.append(alone)
    parts.extend(rs.named.values())
    out = [run(part) for part in parts]
    names = {id(sub): name for name, sub in rs.named.items()}
    for part, fa in zip(parts, out, strict=True):
        if id(part) in names:  # say which decision a finding is about
            for f in fa.findings:
                f.message = f"decision {names[id(part)]}: {f.message}"
    read: set[str] = set()
    for part in [alone, *rs.named.values()]:
        for reads in part.program.rule_reads:
            read.update(reads.fields)
    for fa in out:
        fa.findings = [
            f
            for f in fa.findings
            if f.kind != "unused-field" or not any(repr(name) in f.message for name in read)
        ]
    return out
