"""Deprecated: the engines moved to `rulekit.engines` (and the SQL generator to
`rulekit.compile.sql`). Every name here still works and warns once; see CHANGELOG.md."""

from __future__ import annotations

import warnings
from typing import Any

import rulekit.engines as _engines

warnings.warn(
    "rulekit.backends is deprecated; import from rulekit.engines instead",
    DeprecationWarning,
    stacklevel=2,
)


def __getattr__(name: str) -> Any:
    return getattr(_engines, name)


__all__ = list(_engines.__all__)
