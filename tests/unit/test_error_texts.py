"""The words of a refusal said on every screen (templates/_error_texts.html) fit every place
the refusal comes from, and live in the shared catalog."""

from __future__ import annotations

import re
from importlib import resources

from cad110.web.i18n import translations

WEB = resources.files("cad110.web")
CODE = re.compile(r'"not_yet":\s*_\("(?P<msgid>[^"]+)"\)')


def _not_yet_msgid() -> str:
    found = CODE.search(WEB.joinpath("templates/_error_texts.html").read_text("utf-8"))
    assert found is not None
    return found["msgid"]


def _msgids(locale: str, catalog: str) -> set[str]:
    text = WEB.joinpath(f"translations/{locale}/LC_MESSAGES/{catalog}").read_text("utf-8")
    return set(re.findall(r'^msgid "(.+)"$', text, re.M))


def test_too_early_speaks_of_no_callback_where_a_repeat_case_report_is_refused() -> None:
    # NotYet is raised for a callback's next try and for a repeat case's closing report
    # before its quiet days: one text on every screen, so it may not speak of a next try.
    msgid = _not_yet_msgid()
    zh = translations("zh_CN").gettext(msgid)
    en = translations("en").gettext(msgid)
    assert zh != msgid
    assert "{at}" in zh
    assert "{at}" in en
    assert "再拨" not in zh
    assert "回访" not in zh
    assert "try" not in en.lower()


def test_the_shared_refusal_text_is_in_the_shared_catalog() -> None:
    msgid = _not_yet_msgid()
    for locale in ("zh_CN", "en"):
        assert msgid in _msgids(locale, "messages.po")
        assert msgid not in _msgids(locale, "callbacks.po")
