"""Every `example` in every rule file under rulesets/ and examples/ is a test case."""

import pytest

import rulekit

from .conftest import ROOT, rule_files


def _cases():
    for path in rule_files():
        rs = rulekit.load(path)
        for ex in rs.program.examples:
            yield pytest.param(path, ex.line, id=f"{path.stem}:{ex.line}:{ex.name}")


@pytest.mark.parametrize("path,line", list(_cases()))
def test_example(path, line):
    rs = rulekit.load(path)
    result = next(r for r in rs.test() if r.line == line)
    assert result.passed, result.describe()


@pytest.mark.parametrize("path", rule_files(), ids=lambda p: p.stem)
def test_shipped_file_is_strictly_clean(path):
    program = rulekit.check_text(path.read_text(encoding="utf-8"), str(path), strict=True)
    assert [d.render() for d in program.diagnostics] == []


def test_every_label_has_an_example():
    missing = []
    for path in sorted((ROOT / "rulesets").glob("*.rules")):
        rs = rulekit.load(path)
        expected = {lbl for ex in rs.program.examples for lbl in (ex.expect or ())}
        missing += [f"{path.stem}: {lbl}" for lbl in rs.program.labels if lbl not in expected]
    assert missing == []
