"""The generated ruleset reference pages are up to date, and the bundled sample exercises
every shipped ruleset: each declared label is given to at least one sample customer (unless the
rule file documents the gap) and almost no sample row is rejected."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from rulekit import docgen

from .conftest import EXAMPLES, RULESETS

DOCS = docgen.DOCS_DIR
SAMPLE = EXAMPLES / "data" / "customers.csv"
AS_OF = "2024-06-30"
MAX_REJECTED_SHARE = 0.01
REGENERATE = "run `python -m rulekit.docgen` to regenerate docs/rulesets/"

# `# sample-gap: LABEL — reason` (an em dash, en dash or hyphen before the reason)
SAMPLE_GAP = re.compile(r"^\s*#\s*sample-gap:\s*(\w+)\s*[—–-]+\s*(\S.*)$", re.MULTILINE)

RULE_FILES = sorted(RULESETS.glob("*.rules"))


@pytest.fixture(scope="module")
def rulesets():
    """Every shipped ruleset, loaded once, by file stem."""
    return {Path(rs.program.path).stem: rs for rs in docgen.load_shipped(RULESETS)}


@pytest.fixture(scope="module")
def sample_rows():
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def sample_results(rulesets, sample_rows):
    """id → BatchResult of the ruleset over the sample (computed once for all tests)."""
    return {
        rid: rs.classify_many(sample_rows, as_of=AS_OF, on_error="skip")
        for rid, rs in rulesets.items()
    }


# ---- generated docs


def test_docs_rulesets_up_to_date(rulesets):
    expected = docgen.generate(DOCS, list(rulesets.values()))
    problems = []
    for path, text in expected.items():
        if not path.is_file():
            problems.append(f"missing: {path.relative_to(docgen.ROOT)}")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"out of date: {path.relative_to(docgen.ROOT)}")
    extra = sorted(set(DOCS.glob("*")) - set(expected)) if DOCS.is_dir() else []
    problems += [f"stale (no such ruleset): {p.relative_to(docgen.ROOT)}" for p in extra]
    assert not problems, f"{REGENERATE}:\n  " + "\n  ".join(problems)


def test_ruleset_ids_match_file_names(rulesets):
    wrong = sorted(
        f"{stem}.rules declares id {rs.program.id!r}"
        for stem, rs in rulesets.items()
        if rs.program.id != stem
    )
    assert not wrong, "docs pages are named by id; ids must match file names:\n  " + "\n  ".join(
        wrong
    )


# ---- sample coverage


def _sample_gaps(path) -> dict[str, str]:
    return {
        m.group(1): m.group(2).strip()
        for m in SAMPLE_GAP.finditer(path.read_text(encoding="utf-8"))
    }


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_sample_gives_every_label(path, rulesets, sample_results):
    rs = rulesets[path.stem]
    given: Counter = Counter()
    for decision in sample_results[path.stem]:
        if decision is not None:
            given.update(decision.labels)
            for named in decision.decisions.values():  # `decision NAME …`: its labels too
                given.update(named.labels)
    declared = list(rs.program.labels)
    for d in rs.program.decisions.values():
        declared += [label for label in d.program.labels if label not in declared]
    gaps = _sample_gaps(path)

    unknown = sorted(set(gaps) - set(declared))
    assert not unknown, f"{path.name}: `# sample-gap:` names undeclared label(s) {unknown}"
    stale = sorted(label for label in gaps if given[label])
    assert not stale, (
        f"{path.name}: `# sample-gap:` for label(s) {stale} that the sample does "
        f"give; remove the comment"
    )
    missing = [label for label in declared if not given[label] and label not in gaps]
    assert not missing, (
        f"{path.name}: label(s) {missing} never given on {SAMPLE.name} (as of {AS_OF}); "
        f"extend the sample or add `# sample-gap: LABEL — reason` to the rule file"
    )


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_sample_rows_rarely_rejected(path, sample_rows, sample_results):
    rejected = sample_results[path.stem].rejected
    share = len(rejected) / len(sample_rows)
    if share > MAX_REJECTED_SHARE:
        reasons = Counter((b.field, b.reason) for b in rejected).most_common(5)
        detail = "\n  ".join(f"{n} × field {f!r}: {r}" for (f, r), n in reasons)
        pytest.fail(
            f"{path.name}: {len(rejected)} of {len(sample_rows)} sample rows rejected "
            f"({share:.1%} > {MAX_REJECTED_SHARE:.0%}); most common reasons:\n  {detail}"
        )
