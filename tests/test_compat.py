"""The documented import paths of 0.1 keep working: `rulekit.backends` (moved to
`rulekit.engines`, with a DeprecationWarning), `rulekit.backends.profile.build_profile`, and
`python -m rulekit` with its exit codes."""

from __future__ import annotations

import importlib
import subprocess
import sys
import warnings

import pytest

from .cli_support import ROOT


def _fresh_import(name: str):
    for mod in [
        m for m in sys.modules if m == "rulekit.backends" or m.startswith("rulekit.backends.")
    ]:
        del sys.modules[mod]
    return importlib.import_module(name)


def test_rulekit_backends_warns_and_forwards_to_engines():
    import rulekit.engines as engines

    with pytest.warns(DeprecationWarning, match="rulekit.engines"):
        backends = _fresh_import("rulekit.backends")
    for name in ("run_file", "run_files", "freeze", "sql_for", "classify_with_engine"):
        assert getattr(backends, name) is getattr(engines, name)


def test_documented_submodules_still_import():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        profile = _fresh_import("rulekit.backends.profile")
        sql = _fresh_import("rulekit.backends.sql")
    from rulekit.compile.sql import generator_for
    from rulekit.engines.profile import build_profile

    assert profile.build_profile is build_profile
    assert sql.generator_for is generator_for


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--version"], 0),
        (["check", "rulesets/rfm.rules"], 0),
        (["check", "tests/fixtures/cli/broken.rules"], 1),
        (["run", "lifecycle", "--data", "no/such/file.csv"], 2),
    ],
)
def test_python_dash_m_rulekit_exit_codes(args, code):
    done = subprocess.run(
        [sys.executable, "-m", "rulekit", *args], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == code, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
