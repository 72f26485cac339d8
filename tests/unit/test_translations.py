"""Every text on the screens has a Chinese translation; catalogs parse."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from cad110.web.i18n import LOCALES, merged, pick_locale, translations

TEMPLATES = resources.files("cad110.web").joinpath("templates")
MESSAGE = re.compile(r"""_\(\s*(["'])(.+?)\1""")


def _template_messages() -> set[str]:
    found: set[str] = set()
    for entry in TEMPLATES.iterdir():
        if entry.name.endswith(".html"):
            found |= {m.group(2) for m in MESSAGE.finditer(entry.read_text("utf-8"))}
    return found


def test_every_template_text_is_translated_to_chinese() -> None:
    chinese = translations("zh_CN")
    missing = sorted(m for m in _template_messages() if chinese.gettext(m) == m)
    assert missing == []


def test_catalogs_load_for_every_locale() -> None:
    for locale in LOCALES:
        assert translations(locale).gettext("Dispatch board")


def test_chinese_is_the_default() -> None:
    assert pick_locale(None, None) == "zh_CN"
    assert pick_locale(None, "zh-CN,zh;q=0.9") == "zh_CN"
    assert pick_locale(None, "en-US,en;q=0.9") == "en"
    assert pick_locale("en", "zh-CN") == "en"
    assert pick_locale("fr", None) == "zh_CN"


def _po(*pairs: tuple[str, str]) -> bytes:
    body = "".join(f'msgid "{k}"\nmsgstr "{v}"\n\n' for k, v in pairs)
    return ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n' + body).encode()


def test_area_catalogs_are_merged() -> None:
    catalog = merged(
        [("a.po", _po(("Board", "调度台"))), ("b.po", _po(("Desk", "接警台")))], "zh_CN"
    )
    assert catalog["Board"].string == "调度台"
    assert catalog["Desk"].string == "接警台"


def test_a_message_translated_in_two_areas_is_refused() -> None:
    with pytest.raises(ValueError, match=r"b\.po"):
        merged([("a.po", _po(("Board", "调度台"))), ("b.po", _po(("Board", "看板")))], "zh_CN")
