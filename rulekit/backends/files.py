"""Deprecated: moved to `rulekit.engines.files`; every name here still works. See CHANGELOG.md."""

from __future__ import annotations

import sys

import rulekit.engines.files as _moved

sys.modules[__name__] = _moved
