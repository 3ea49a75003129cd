"""Find shipped rulesets by id or alias, and read rule files from paths in the encodings
Windows editors save them in (UTF-8 with or without BOM, UTF-16, GBK/GB18030)."""

from __future__ import annotations

import codecs
import re
from functools import lru_cache
from pathlib import Path

from rulekit.errors import LookupFailed, RulekitError
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


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# The encodings rule files arrive in besides UTF-8: Notepad's UTF-16 without a mark, and the
# Chinese ANSI code page of Notepad and WPS (GBK, read as its superset GB18030). Nothing else is
# guessed: a wrong guess would silently misread the rules.
_OTHER_ENCODINGS = ["utf_16_le", "utf_16_be", "utf_32_le", "utf_32_be", "gb18030"]


def decode_rule_file(data: bytes, name: str) -> str:
    """The text of a rule file's bytes: UTF-8 (a BOM is dropped), UTF-16/32 (with or without a
    BOM) or GBK/GB18030. Raises `RulekitError` naming the first byte that is not UTF-8."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        bad = e.start
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_OTHER_ENCODINGS).best()
    if best is not None:
        try:
            return data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    raise RulekitError(
        f"{name}: not UTF-8 text: byte {bad} (0x{data[bad]:02x}) cannot be read as UTF-8, "
        "UTF-16 or GBK/GB18030; save the rule file as UTF-8 "
        "(Notepad or WPS: Save as → Encoding: UTF-8)"
    )


def read_rule_file(path: Path, name: str | None = None) -> str:
    """Read a rule file in any encoding `decode_rule_file` accepts; `name` is how errors name it."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise LookupFailed(f"{name or path}: cannot be read ({e.strerror})") from None
    return decode_rule_file(data, name or str(path))
