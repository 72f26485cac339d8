"""The words of a refusal said on every screen (templates/_error_texts.html) fit every place
the refusal comes from, and live in the shared catalog."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from cad110.incidents.outcomes_schemas import MAX_FEN, OutcomeIn
from cad110.web.i18n import translations
from cad110.web.render import render
from cad110.web.sentences import yuan

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


def _texts(locale: str) -> dict[str, Any]:
    block = re.search(r">(.*)</script>", render(locale, "_error_texts.html"), re.S)
    assert block is not None
    return dict(json.loads(block[1]))


def _refusal(body: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ValidationError) as refused:
        TypeAdapter(OutcomeIn).validate_python(body)
    [error] = refused.value.errors()
    return dict(error)


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("kind", ["loss", "recovery"])
@pytest.mark.parametrize("fen", [0, MAX_FEN + 1])
def test_an_amount_refused_is_said_in_yuan_as_its_label_says(
    locale: str, kind: str, fen: int
) -> None:
    # The amount is typed in yuan and sent in fen: the limit the refusal names is in yuan, not
    # 100 times the real one ("金额（元）：应不大于 100000000000" said ¥1,000,000,000 as fen).
    body: dict[str, Any] = {"kind": kind, "amount_fen": fen}
    if kind == "recovery":
        body["at"] = "2026-11-23T10:00:00+08:00"
    error = _refusal(body)
    texts = _texts(locale)
    # The field static/js/errors.js names: the first part of the loc the page has a label for.
    field = next(p for p in error["loc"] if isinstance(p, str) and p in texts["fields"])
    assert ("元" if locale == "zh_CN" else "yuan") in texts["fields"][field]
    said = texts["types"][f"{field}.{error['type']}"]
    [limit] = error["ctx"].values()
    assert "{" not in said
    assert yuan(limit) in said  # 0.01 or 1,000,000,000.00, never the raw 1 or 100000000000
