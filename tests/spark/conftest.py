"""The Spark tests' session fixture (one for the whole run, see support.py)."""

from __future__ import annotations

import pytest

from tests.spark.support import get_session, skip_reason


@pytest.fixture(scope="session")
def spark():
    reason = skip_reason()
    if reason:
        pytest.skip(f"Spark tests skipped: {reason}")
    return get_session()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    reason = skip_reason()
    if reason:
        terminalreporter.write_line(f"rulekit: the Spark tests were skipped: {reason}", yellow=True)
