"""Deprecated: moved to `rulekit.compile.sql`; every name here still works. See CHANGELOG.md."""

from __future__ import annotations

import sys

import rulekit.compile.sql as _moved

sys.modules[__name__] = _moved
