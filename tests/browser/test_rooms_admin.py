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
