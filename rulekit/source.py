"""Source text, spans and positions: line/column and display width for carets under CJK text."""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open character range [start, end) in a Source."""

    start: int
    end: int


def char_width(ch: str) -> int:
    """Terminal display cells of one character (2 for wide East Asian characters)."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Display cells a string occupies in a terminal (CJK characters count as two)."""
    return sum(char_width(ch) for ch in text)


class Source:
    """A rule file's text and the path it came from; maps offsets to lines and columns."""

    def __init__(self, text: str, path: str = "<string>"):
        self.text = text
        self.path = path

    @cached_property
    def _line_starts(self) -> list[int]:
        starts = [0]
        for i, ch in enumerate(self.text):
            if ch == "\n":
                starts.append(i + 1)
        return starts

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and 1-based column (in characters) of an offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def line_text(self, line: int) -> str:
        starts = self._line_starts
        start = starts[line - 1]
        end = starts[line] - 1 if line < len(starts) else len(self.text)
        return self.text[start:end].rstrip("\r")

    def snippet(self, span: Span) -> str:
        return self.text[span.start : span.end]

    # equal when the text and the path are (a pickled and unpickled one is equal to its origin)
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Source):
            return NotImplemented
        return self.text == other.text and self.path == other.path

    def __hash__(self) -> int:
        return hash((self.text, self.path))
