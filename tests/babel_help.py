"""A Babel extractor (see babel.cfg): the help texts of the command line, read from the built
app (rulekit.cli.helptext.help_texts), so the catalog holds every command docstring and option
help without repeating them in code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def extract_help(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Mapped to rulekit/cli/__init__.py in babel.cfg; the file itself is not read."""
    from rulekit.cli import app
    from rulekit.cli.helptext import help_texts

    for text in help_texts(app):
        yield 0, "", text, []
