"""管理 › 标准地址 as the administrator reads it: a place's name is 名称, its type and its
history in words, a refused value said beside its field, and 注销 asked once more with its
reason, which reaches the place's event."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cad110.kernel.runtime import Runtime
from tests.api.helpers import ok
from tests.browser.steps import login, shot
from tests.conftest import Api
from tests.places_seed import WEST_LAKE, seed_places

CODE = WEST_LAKE["code"]


@pytest.fixture(autouse=True)
def _places(runtime: Runtime) -> None:
    seed_places(runtime)


def _open(page: Page, base: str) -> None:
    login(page, base, "admin")
    page.goto(f"{base}/admin?tab=places&q=西湖公园&code={CODE}")
    expect(page.locator("#place-edit")).to_be_visible()


def _history(api: Api) -> dict:  # type: ignore[type-arg]
    return dict(ok(api.get(f"/places/{CODE}/history", "admin")))


def test_a_place_and_its_changes_read_in_words(live_server: str, page: Page, backend: str) -> None:
    _open(page, live_server)
    edit = page.locator("#place-edit")
    expect(edit.get_by_label("名称", exact=True)).to_have_value("西湖公园")
    expect(page.get_by_text("姓名")).to_have_count(0)
    poi_type = edit.locator("select[name=poi_type]")
    expect(poi_type).to_have_value("park")
    expect(poi_type.locator("option:checked")).to_have_text("公园")

    edit.locator("input[name=aliases]").fill("西湖公园南门, 西湖, 西湖大门")
    edit.locator("select[name=poi_type]").select_option("scenic")
    edit.locator("input[name=reason]").fill("群众常称西湖大门")
    edit.get_by_role("button", name="保存修改").click()
    expect(page.locator("#admin-msg")).to_have_text("已保存。")
    row = page.locator("#place-events tbody tr").last
    expect(row.locator("td").nth(1)).to_have_text("修改")
    changes = row.locator("td").nth(4)
    expect(changes).to_contain_text("别名：西湖公园南门、西湖 → 西湖公园南门、西湖、西湖大门")
    expect(changes).to_contain_text("兴趣点类型：公园 → 景区")
    expect(changes).not_to_contain_text("[")
    expect(changes).not_to_contain_text("aliases")
    shot(page, backend, "admin-place-edited")


def test_a_refused_longitude_is_said_beside_its_field(live_server: str, page: Page) -> None:
    _open(page, live_server)
    edit = page.locator("#place-edit")
    edit.locator("input[name=lon]").fill("200")
    edit.get_by_role("button", name="保存修改").click()
    refusal = edit.locator(".field-error[data-field=lon]")
    expect(refusal).to_have_text("应不大于 135.1")
    expect(edit.locator("input[name=lon]")).to_be_focused()
    expect(page.locator("#admin-msg")).to_have_text("")


def test_retiring_a_place_is_confirmed_and_keeps_its_reason(
    live_server: str, page: Page, api: Api, backend: str
) -> None:
    _open(page, live_server)
    page.locator("#place-edit input[name=reason]").fill("公园改建，此门已拆除")
    page.get_by_role("button", name="注销此地址").click()
    dialog = page.locator("#place-retire")
    expect(dialog).to_be_visible()
    expect(dialog.locator("h3")).to_have_text(f"注销地址 {CODE} 西湖公园？")
    reason = dialog.locator("textarea[name=reason]")
    expect(reason).to_have_value("公园改建，此门已拆除")
    assert _history(api)["events"] == []  # nothing is sent before the confirmation
    shot(page, backend, "admin-place-retire")

    # Kept: the dialog closes and the place stays in use.
    dialog.get_by_role("button", name="不注销").click()
    expect(dialog).to_be_hidden()
    assert _history(api)["active"] is True

    # A reason is required.
    page.get_by_role("button", name="注销此地址").click()
    reason.fill("")
    dialog.get_by_role("button", name="注销此地址").click()
    expect(dialog.locator(".field-error[data-field=reason]")).to_have_text("请填写此项。")
    assert _history(api)["active"] is True

    reason.fill("公园改建，此门已拆除")
    with page.expect_navigation():
        dialog.get_by_role("button", name="注销此地址").click()
    expect(page.locator("h2").first).to_contain_text("已注销")
    row = page.locator("#place-events tbody tr").last
    expect(row.locator("td").nth(1)).to_have_text("已注销")
    expect(row.locator("td").nth(4)).to_have_text("公园改建，此门已拆除")
    retired = _history(api)["events"][-1]
    assert (retired["kind"], retired["payload"]["reason"]) == ("retired", "公园改建，此门已拆除")
