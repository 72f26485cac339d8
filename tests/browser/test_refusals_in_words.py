"""Refusals and searches in the reader's words: the analyst's category search finds what the
desk finds (盗窃, daoqie, dq), an unknown category is said in Chinese, and the admin forms say
a refusal beside the field it is about, in words, never its code."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.api.helpers import new_incident
from tests.browser.steps import login
from tests.conftest import Api


def test_search_finds_a_category_by_pinyin_and_refuses_an_unknown_one_in_chinese(
    api: Api, live_server: str, page: Page
) -> None:
    theft = new_incident(api, narrative="电动车在小区楼下被盗", category="theft")["number"]
    fight = new_incident(api, narrative="两名男子在路口斗殴", category="affray")["number"]
    login(page, live_server, "analyst")
    rows = page.locator("table.search-results tbody tr")
    expect(rows).to_have_count(2)
    for typed in ("daoqie", "dq"):
        page.get_by_label("类别").fill(typed)
        page.get_by_role("button", name="查询").click()
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(theft)
        assert fight not in page.locator("table.search-results").inner_text()
    page.get_by_label("类别").fill("xyzxyz")
    page.get_by_role("button", name="查询").click()
    refusal = page.locator(".form-msg.error")
    expect(refusal).to_contain_text("没有与“xyzxyz”对应的类别")
    expect(refusal).not_to_contain_text("no category")


def test_an_invalid_username_is_refused_beside_its_field_in_words(
    live_server: str, page: Page
) -> None:
    login(page, live_server, "admin")
    form = page.locator("form[data-url='/api/v1/admin/users']")
    form.locator("input[name=username]").fill("坏 名字")
    form.get_by_role("button", name="新建用户").click()
    # Said beside the field it is about, in words; the field marked invalid.
    message = form.locator(".field-error[data-field=username]")
    expect(message).to_contain_text("以字母或数字开头")
    expect(message).not_to_contain_text("username")
    expect(form.locator("input[name=username]")).to_have_attribute("aria-invalid", "true")
