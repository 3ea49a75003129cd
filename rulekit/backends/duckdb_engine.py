"""Deprecated: moved to `rulekit.engines.duckdb_engine`; every name here still works. See CHANGELOG.md."""

from __future__ import annotations

import sys

import rulekit.engines.duckdb_engine as _moved

sys.modules[__name__] = _moved
