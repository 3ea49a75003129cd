"""The check layer: from a parsed file to a checked `Program` with every diagnostic.

Modules, by job: `checker` (entry, order of the work, header and declarations), `base` (the
shared state), `expressions` (typing of expressions), `calls` (functions and population
functions), `examples` (example blocks), `lints` (unused names, strict mode), `report`
(collecting diagnostics).
"""

from rulekit.check.checker import FUNCTIONS, check

__all__ = ["FUNCTIONS", "check"]
