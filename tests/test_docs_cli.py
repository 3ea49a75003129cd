"""docs/cli.md shows real output: every self-contained `$ rulekit …` block (see
tests/make_cli_docs.py, which refreshes them) prints today what the page shows."""

from __future__ import annotations

import shlex

import pytest

from . import make_cli_docs
from .cli_support import cli_fixture  # noqa: F401

BLOCKS = [
    (command, shown)
    for doc in make_cli_docs.DOCS
    for _, command, shown in make_cli_docs.blocks(doc.read_text(encoding="utf-8"))
]


def test_the_page_has_runnable_blocks():
    assert len(BLOCKS) >= 4  # run, two explains, explain of a Chinese rule file
    for doc in make_cli_docs.DOCS[1:]:  # the Chinese pages show real runs too
        assert len(list(make_cli_docs.blocks(doc.read_text(encoding="utf-8")))) >= 3, doc


@pytest.mark.parametrize("command,shown", BLOCKS, ids=[c[2:60] for c, _ in BLOCKS])
def test_block_is_current(cli, command, shown):
    r = cli(*shlex.split(command[2:])[1:])
    printed = "\n".join(line.rstrip() for line in (r.out + r.err).rstrip("\n").split("\n"))
    assert make_cli_docs.same(printed + "\n", shown), (
        "docs/cli.md is out of date: python -m tests.make_cli_docs"
    )
