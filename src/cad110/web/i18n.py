"""Translations of the console (Babel catalogs; 简体中文 first, English available).

The .po files are the source; they are compiled in memory at start, so no binary .mo file can
fall out of step with them. A locale's folder holds several: `messages.po` for the shared
screens and one per area (`board.po`, `admin.po`…), merged in name order; a message defined
twice is an error, so two areas never disagree silently.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

from babel.messages.catalog import Catalog
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
    folder = resources.files("cad110.web").joinpath(f"translations/{locale}/LC_MESSAGES")
    sources = sorted((f for f in folder.iterdir() if f.name.endswith(".po")), key=lambda f: f.name)
    catalog = merged(((f.name, f.read_bytes()) for f in sources), locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def merged(sources: Iterable[tuple[str, bytes]], locale: str) -> Catalog:
    """One catalog of several .po files (name, content); a message in two of them is refused."""
    catalog: Catalog | None = None
    for name, content in sources:
        part = read_po(io.BytesIO(content), locale=locale)
        if catalog is None:
            catalog = part
            continue
        for message in part:
            if not message.id:
                continue  # the header
            if message.id in catalog:
                raise ValueError(f"{name}: {message.id!r} is already translated elsewhere")
            catalog[message.id] = message
    if catalog is None:
        raise FileNotFoundError(f"no .po file for {locale}")
    return catalog


def pick_locale(cookie: str | None, accept_language: str | None) -> str:
    """The user's choice, else the browser's preference between zh and en, else Chinese."""
    if cookie in LOCALES:
        return cookie
    if accept_language and accept_language.lower().startswith("en"):
        return "en"
    return DEFAULT_LOCALE
