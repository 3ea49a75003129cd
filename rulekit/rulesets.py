"""Find shipped rulesets by id or alias, and load rule files from paths."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from rulekit.errors import LookupFailed
from rulekit.suggest import nearest


def shipped_dir() -> Path:
    """Where the shipped .rules files are: inside the installed package, or the repo's rulesets/."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "rulesets", here.parent / "rulesets"):
        if candidate.is_dir():
            return candidate
    return here / "rulesets"


_ALIAS = re.compile(r"^\s*(?:alias|别名)\s+([^\n#]+)", re.IGNORECASE | re.MULTILINE)


@lru_cache(maxsize=1)
def shipped_index() -> dict[str, Path]:
    """id and alias → file, read without compiling (aliases are found by a light scan)."""
    index: dict[str, Path] = {}
    for path in sorted(shipped_dir().glob("*.rules")):
        index.setdefault(path.stem, path)
        text = path.read_text(encoding="utf-8")
        for m in _ALIAS.finditer(text):
            for alias in re.split(r"[,，、\s]+", m.group(1).strip()):
                if alias:
                    index.setdefault(alias, path)
    return index


def resolve(ref: str | Path) -> Path:
    """A path to a rule file, or the id/alias of a shipped ruleset → the file's path."""
    path = Path(ref)
    if path.suffix == ".rules" or path.exists():
        if not path.is_file():
            raise LookupFailed(f"{ref}: no such rule file")
        return path
    index = shipped_index()
    if str(ref) in index:
        return index[str(ref)]
    guess = nearest(str(ref), index)
    raise LookupFailed(
        f"{ref!r} is neither a rule file nor a shipped ruleset"
        + (f"; did you mean {guess!r}?" if guess else "")
        + " (list them with `rulekit list`)"
    )
