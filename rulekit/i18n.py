"""The interface language (English or Chinese): which one applies, and messages in it.

Which language: an explicit choice (`render(lang=…)`, `--lang zh|en`), else `RULEKIT_LANG`,
else the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`: `zh_CN.UTF-8` is Chinese; `C` and `POSIX`
say nothing), else — for a rule file's diagnostics — the language of the file's own keywords
(`如果 … 那么 …` is Chinese), else English. See `resolve`.

Messages: the English text is the gettext message id; the Chinese text comes from the catalog
`rulekit/locale/zh/LC_MESSAGES/rulekit.mo` (built from `rulekit.po` with Babel: see
babel.cfg). `gettext(text)` translates a fixed text; a `Msg` is a template with named
parameters (`Msg("unknown field `{name}`", name=…)`) that renders in any language late, so a
diagnostic made once can be shown in English and in Chinese.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext as _gettext
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Literal

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")
DOMAIN = "rulekit"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# The environment variables that say the language, in the order they are asked.
ENV_VARS = ("RULEKIT_LANG", "LC_ALL", "LC_MESSAGES", "LANG")

# The language chosen for the whole interface by the caller (the CLI's --lang).
_chosen: contextvars.ContextVar[Lang | None] = contextvars.ContextVar("rulekit_lang", default=None)

# A Chinese keyword outside quotes: a rule file written in Chinese.
_ZH_KEYWORD = re.compile(
    r"(?<![\w\"'“”])(如果|那么|则|并且|且|或者|或|非|介于|属于|缺失|规则集|规则|标签|字段|令|例|"
    r"示例|默认|命中)(?!\w)"
)


def normalize(value: str | None) -> Lang | None:
    """`zh`, `zh_CN.UTF-8`, `zh-Hans`, `chinese`, `中文` → "zh"; `en`, `en_US.UTF-8` → "en";
    anything else (`C`, `POSIX`, empty, another language) → None."""
    if not value:
        return None
    v = value.strip().lower()
    if v.startswith(("zh", "chinese")) or v == "中文":
        return "zh"
    if v.startswith(("en", "english")) or v == "英文":
        return "en"
    return None


def from_environment(environ: Mapping[str, str] | None = None) -> Lang | None:
    """The language `RULEKIT_LANG` or the locale says, or None. Like the C library, the first
    locale variable that is set decides (a set `LC_ALL` hides `LANG`)."""
    env = os.environ if environ is None else environ
    explicit = normalize(env.get("RULEKIT_LANG"))
    if explicit is not None:
        return explicit
    for var in ENV_VARS[1:]:
        if env.get(var):
            return normalize(env[var])
    return None


def writes_chinese(text: str) -> bool:
    """Whether a rule file is written with Chinese keywords (outside quotes)."""
    return _ZH_KEYWORD.search(text) is not None


@functools.lru_cache(maxsize=32)
def keyword_language(text: str) -> Lang:
    """The language of a rule file's keywords (cached: every diagnostic of a file asks)."""
    return "zh" if writes_chinese(text) else "en"


def check_lang(value: str) -> Lang:
    """An explicit language (`zh`, `en`, or a locale name); ValueError naming the choices."""
    lang = normalize(value)
    if lang is None:
        raise ValueError(f"unknown language {value!r}: use zh or en")
    return lang


def resolve(
    explicit: str | None = None,
    text: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Lang:
    """The language to use: `explicit`, else the one chosen for the interface (`use`), else
    `RULEKIT_LANG`, else the locale, else the keywords of the rule file `text` (when given),
    else English."""
    if explicit is not None:
        return check_lang(explicit)
    lang = _chosen.get() or from_environment(environ)
    if lang is not None:
        return lang
    if text is not None:
        return keyword_language(text)
    return "en"


def current() -> Lang | None:
    """The language chosen for the interface with `use`, or None."""
    return _chosen.get()


@contextlib.contextmanager
def use(lang: str | None) -> Iterator[None]:
    """Within the block, `lang` is the interface language (None: as the environment says)."""
    token = _chosen.set(check_lang(lang) if lang is not None else None)
    try:
        yield
    finally:
        _chosen.reset(token)


@functools.cache
def translations(lang: Lang) -> _gettext.NullTranslations:
    """The catalog of a language (English: the message ids themselves)."""
    if lang == "en":
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=True)


def gettext(message: str, lang: str | None = None) -> str:
    """A fixed English text in `lang` (default: `resolve()`)."""
    return translations(resolve(lang)).gettext(message)


_ = gettext


def N_(message: str) -> str:
    """Marks a text for the catalog without translating it (it is translated where shown)."""
    return message


def ngettext(singular: str, plural: str, n: int, lang: str | None = None) -> str:
    return translations(resolve(lang)).ngettext(singular, plural, n)


class Msg(str):
    """A message template with named parameters, rendered in any language.

    As a `str` it is the text in the language it was made for (English unless `in_lang` made
    it otherwise), so code that reads it as text keeps working; `render(lang)` renders it
    again from the template. Parameters that are `Msg`s are translated with it."""

    template: str
    params: dict[str, object]
    lang: Lang

    def __new__(cls, template: str, /, **params: object) -> Msg:
        return cls._make(template, params, "en")

    @classmethod
    def _make(cls, template: str, params: dict[str, object], lang: Lang) -> Msg:
        obj = super().__new__(cls, _fill(template, params, lang))
        obj.template, obj.params, obj.lang = template, params, lang
        return obj

    def render(self, lang: str | None = None) -> str:
        """The text in `lang` (default: `resolve()`)."""
        return _fill(self.template, self.params, resolve(lang))

    def in_lang(self, lang: Lang) -> Msg:
        """The same message whose text is in `lang`."""
        return self if lang == self.lang else Msg._make(self.template, self.params, lang)

    def __reduce__(self) -> tuple[object, ...]:  # pickling keeps the template
        return (Msg._make, (self.template, self.params, self.lang))


def translate(value: object, lang: str | None = None) -> str:
    """A `Msg` in `lang`, a list or tuple as its items joined (`a, b` / `a、b`), any other value
    as text."""
    if isinstance(value, Msg):
        return value.render(lang)
    if isinstance(value, list | tuple):
        sep = "、" if resolve(lang) == "zh" else ", "
        return sep.join(translate(v, lang) for v in value)
    return str(value)


def _fill(template: str, params: Mapping[str, object], lang: Lang) -> str:
    text = translations(lang).gettext(template) if lang != "en" else template
    if not params:
        return text
    return text.format_map({k: translate(v, lang) for k, v in params.items()})
