"""Shared steps of the browser tests: log in through the form, save a screenshot."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page

from tests.browser.conftest import VIEWPORT
from tests.world import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def shot(page: Page, backend: str, name: str) -> None:
    """The README's screenshots come from the SQLite run (one set, not two)."""
    if backend == "sqlite":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def english_page(browser: Browser, base: str, username: str) -> Page:
    """A page of its own context, logged in as `username` with the screens in English."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="Asia/Shanghai")
    context.add_cookies([{"name": "cad110_lang", "value": "en", "url": base}])
    context.set_default_timeout(10_000)
    page = context.new_page()
    login(page, base, username)
    return page
