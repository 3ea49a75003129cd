"""Shared fixtures: paths to the repository's rule files and bundled data."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULESETS = ROOT / "rulesets"
EXAMPLES = ROOT / "examples"
SHARED_DATA = ROOT.parent / "shared" / "data"


def rule_files():
    return sorted(RULESETS.glob("*.rules")) + sorted(EXAMPLES.rglob("*.rules"))


@pytest.fixture
def compile_rules():
    import rulekit

    def _compile(text: str, name: str = "t.rules"):
        return rulekit.compile(text, name)

    return _compile


@pytest.fixture(autouse=True)
def _english_environment(monkeypatch):
    """Tests pin English text: the machine's language settings must not change it (a
    Chinese-keyword rule file still gets Chinese diagnostics, as rulekit.i18n.resolve says)."""
    for name in ("RULEKIT_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


SPARK_FIXTURES = {"spark", "spark_results"}


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """The suite runs on every core (`-n auto` in pyproject.toml), except where that would hide
    what was asked for: benchmarks (`--benchmark-only`, which pytest-benchmark turns off under
    xdist) and `-s` runs such as the fuzz test's time-budget mode, whose printed counts a worker
    would swallow; and `--pdb`, which needs this process's terminal. Those run here, as `-n 0`."""
    if (
        config.getoption("benchmark_only", False)
        or config.getoption("capture") == "no"
        or config.getoption("usepdb", False)
    ):
        config.option.numprocesses = 0
        config.option.dist = "no"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`--dist loadgroup`, see pyproject.toml) every test that needs the
    Spark session runs in one worker: one JVM for the run, not one per worker. That includes the
    conformance suite's Spark column (parametrized `engine="spark"`, session fetched by name)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        engine = callspec.params.get("engine") if callspec is not None else None
        if fixtures & SPARK_FIXTURES or engine == "spark" or "tests/spark/" in item.nodeid:
            item.add_marker(pytest.mark.xdist_group("spark"))
