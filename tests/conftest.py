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
