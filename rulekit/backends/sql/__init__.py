"""Deprecated: moved to `rulekit.compile.sql`; every name here still works. See CHANGELOG.md."""

from __future__ import annotations

import importlib
import sys

# importlib, not `import rulekit.compile.sql as …`: the attribute `rulekit.compile` is the
# public compile() function, so the dotted form cannot reach the package.
sys.modules[__name__] = importlib.import_module("rulekit.compile.sql")
