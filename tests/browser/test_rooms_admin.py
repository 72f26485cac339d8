"""The administrator plans the duty roster in the admin room; a missing-person case opened
that day at the station takes the chosen leader as its 包干领导."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from cad110.clock import VirtualClock
from tests.browser.steps import login, shot
from tests.conftest import Api
from tests.integration.missing_steps import open_case, person


def test_admin_sets_the_duty_leader_and_a_new_case_takes_it(
    api: Api, clock: VirtualClock, live_server: str, page: Page, backend: str
) -> None:
    login(page, live_server, "admin")
    expect(page).to_have_url(f"{live_server}/admin")
    expect(page.locator("#users")).to_contain_text("gulou_leader")
    page.get_by_role("link", name="值班表").click()
    cell = page.get_by_label("鼓东派出所 2026-11-23")
    with page.expect_response(lambda r: "/api/v1/roster/" in r.url) as answer:
        cell.select_option("gulou_leader")
    assert answer.value.status == 200
    expect(page.locator("#admin-msg")).to_have_text("已保存。")
    shot(page, backend, "admin-roster")
    page.reload()
    expect(page.get_by_label("鼓东派出所 2026-11-23")).to_have_value("gulou_leader")
    case = open_case(
        api, clock, category="missing_person", who=person("陈静", "female", 35), user="dispatcher"
    )
    assert case["leader"] == "gulou_leader"


def test_admin_is_told_a_username_is_taken_and_asked_before_locking_a_user_out(
    api: Api, live_server: str, page: Page
) -> None:
    login(page, live_server, "admin")
    form = page.locator("form[data-url='/api/v1/admin/users']")
    form.locator("input[name=username]").fill("dispatcher")
    form.get_by_role("button", name="新建用户").click()
    expect(page.locator("#admin-msg")).to_contain_text("该用户名已被使用")

    # 停用 locks the user out mid-shift: nothing is sent unless the question is answered yes.
    row = page.locator("tr[data-user=dispatcher]")
    asked: list[str] = []
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.url.endswith("/disable") else None)
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    row.get_by_role("button", name="停用").click()
    assert asked == ["停用 dispatcher？其会话与令牌随即失效。"]
    users = {u["username"]: u for u in api.get("/admin/users", "admin").json()["items"]}
    assert users["dispatcher"]["active"] is True

    page.once("dialog", lambda d: d.accept())
    row.get_by_role("button", name="停用").click()
    expect(page.locator("#admin-msg")).to_have_text("已保存。")
    # The first click sent nothing; the second, answered yes, sent the one request.
    assert len(sent) == 1
    users = {u["username"]: u for u in api.get("/admin/users", "admin").json()["items"]}
    assert users["dispatcher"]["active"] is False


def test_the_users_table_lines_up_under_its_headings(live_server: str, page: Page) -> None:
    login(page, live_server, "admin")
    row = page.locator("tr[data-user=dispatcher]")
    expect(row).to_be_visible()
    # As many columns under the headings as in each row, and every control of a row on one line.
    columns = page.evaluate(
        """() => [...document.querySelectorAll('#users thead th')].reduce((n, th) => n + th.colSpan, 0)"""
    )
    cells = row.evaluate("tr => [...tr.children].reduce((n, td) => n + td.colSpan, 0)")
    assert columns == cells
    tops = row.evaluate(
        "tr => [...tr.querySelectorAll('button, select, input')].map(e => e.getBoundingClientRect().top)"
    )
    assert max(tops) - min(tops) <= 4, tops
