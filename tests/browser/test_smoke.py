"""The browser harness works: Chromium reaches the live server on both databases."""

from __future__ import annotations

from playwright.sync_api import Page


def test_healthz_in_the_browser(live_server: str, page: Page) -> None:
    response = page.goto(f"{live_server}/healthz")
    assert response is not None
    assert response.status == 200
    assert "ok" in page.inner_text("body")


def test_openapi_title_in_the_browser(live_server: str, page: Page) -> None:
    response = page.goto(f"{live_server}/openapi.json")
    assert response is not None
    assert response.status == 200
    assert response.json()["info"]["title"] == "cad110"
    assert page.evaluate("navigator.language") == "zh-CN"
    assert page.viewport_size == {"width": 1366, "height": 768}
