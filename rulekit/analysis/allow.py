"""Acceptance comments: `# allow: KIND — reason` in a rule file accepts an intentional finding.

The comment goes at the end of the line of the rule (label, field) concerned, or in the comment
lines directly above it; a `gap` is about the whole table, so an allow-gap comment anywhere in the
file accepts it. Several kinds may share one comment (`# allow: overlap, gap — reason`). A
comment without a reason accepts nothing: the reason is the point.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import get_args

from rulekit.documents import FindingKind

KINDS: tuple[str, ...] = get_args(FindingKind)  # the kinds, as the JSON contract lists them

_ALLOW = re.compile(
    r"(?:#|//)\s*allow\s*[:：]\s*(?P<kinds>[a-z-]+(?:\s*,\s*[a-z-]+)*)"
    r"\s*(?:[—–]+|-{1,2}|:|：)?\s*(?P<reason>.*)$"
)


@dataclass(frozen=True)
class Allow:
    line: int  # 1-based
    kinds: tuple[str, ...]
    reason: str
    unknown: tuple[str, ...]  # kinds that are not finding kinds (a typo)


def allows(text: str) -> list[Allow]:
    """Every `# allow:` comment of a file, with its line."""
    out = []
    for i, line in enumerate(text.splitlines(), start=1):
        m = _ALLOW.search(line)
        if m is None:
            continue
        kinds = tuple(k.strip() for k in m.group("kinds").split(","))
        out.append(
            Allow(
                i,
                tuple(k for k in kinds if k in KINDS),
                m.group("reason").strip(),
                tuple(k for k in kinds if k not in KINDS),
            )
        )
    return out


def attached_lines(text: str, line: int) -> set[int]:
    """The lines whose comments speak for `line`: itself and the comment lines right above."""
    lines = text.splitlines()
    out = {line}
    i = line - 1  # 1-based line above
    while i >= 1:
        stripped = lines[i - 1].strip()
        if stripped.startswith("#") or stripped.startswith("//"):
            out.add(i)
            i -= 1
            continue
        break
    return out


def accepting(text: str, found: list[Allow], kind: str, lines: list[int]) -> Allow | None:
    """The allow comment that accepts a finding of this kind about these lines, if any."""
    for a in found:
        if kind not in a.kinds or not a.reason:
            continue
        if kind == "gap":
            return a
        for line in lines:
            if a.line in attached_lines(text, line):
                return a
    return None
