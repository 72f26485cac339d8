"""The console has its own icon (no /favicon.ico 404 on any page), and the access log says where
a record was seen in words ("警情全记录（PDF） · 127.0.0.1"), the route kept in the tooltip and
the CSV."""

from __future__ import annotations

from playwright.sync_api import Page, Response, expect

from tests.api.helpers import new_incident
from tests.browser.steps import login
from tests.conftest import Api


def test_no_page_asks_for_a_missing_icon(live_server: str, page: Page) -> None:
    failed: list[str] = []

    def note(response: Response) -> None:
        if response.status >= 400:
            failed.append(f"{response.status} {response.url}")

    page.on("response", note)
    login(page, live_server, "calltaker")
    page.goto(f"{live_server}/desk")
    page.wait_for_load_state("networkidle")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon == "/static/favicon.svg"
    assert page.request.get(f"{live_server}{icon}").ok
    # A browser asks for /favicon.ico by itself (a PDF tab has no <link>): it gets the icon.
    direct = page.request.get(f"{live_server}/favicon.ico")
    assert direct.ok
    assert direct.headers["content-type"].startswith("image/svg+xml")
    assert failed == []


def test_the_access_log_says_where_in_words_and_keeps_the_route(
    api: Api, live_server: str, page: Page
) -> None:
    number = new_incident(api)["number"]
    login(page, live_server, "dispatcher")
    assert page.request.get(f"{live_server}/incidents/{number}/record.pdf").ok
    page.context.clear_cookies()
    login(page, live_server, "auditor")
    page.goto(f"{live_server}/access-log")
    row = page.locator("table tbody tr", has_text=number).first
    where = row.locator("td.channel")
    expect(where).to_have_text("警情全记录（PDF） · 127.0.0.1")
    expect(where).to_have_attribute("title", "GET /incidents/{number}/record.pdf")
    csv = page.request.get(f"{live_server}/api/v1/access-log/export.csv")
    assert csv.ok
    assert "GET /incidents/{number}/record.pdf" in csv.text()
