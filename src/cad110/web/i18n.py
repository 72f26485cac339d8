"""Translations of the console (Babel catalogs; 简体中文 first, English available).

The .po files are the source; they are compiled in memory at start, so no binary .mo file can
fall out of step with them.
"""

from __future__ import annotations

import io
from functools import lru_cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
LANG_COOKIE = "cad110_lang"


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> Translations:
    """The compiled catalog of `locale` (the default locale for an unknown one)."""
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    source = resources.files("cad110.web").joinpath(
        f"translations/{locale}/LC_MESSAGES/messages.po"
    )
    with source.open("rb") as po:
        catalog = read_po(po, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def pick_locale(cookie: str | None, accept_language: str | None) -> str:
    """The user's choice, else the browser's preference between zh and en, else Chinese."""
    if cookie in LOCALES:
        return cookie
    if accept_language and accept_language.lower().startswith("en"):
        return "en"
    return DEFAULT_LOCALE
