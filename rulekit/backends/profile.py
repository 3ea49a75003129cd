"""Deprecated: moved to `rulekit.engines.profile`; every name here still works. See CHANGELOG.md."""

from __future__ import annotations

import sys

import rulekit.engines.profile as _moved

sys.modules[__name__] = _moved
