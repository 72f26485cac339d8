"""Shared steps of the board's browser tests: incidents made through the live server's API (so
that its live pushes reach the page), and the board opened as the dispatcher."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.api.helpers import ok
from tests.browser.steps import login
from tests.conftest import Api
from tests.world import GULOU_EAST, GULOU_WEST, World


@contextmanager
def api_of(base: str, world: World) -> Iterator[Api]:
    with httpx.Client(base_url=base, timeout=30) as client:
        yield Api(client, world)  # type: ignore[arg-type]


def incident(api: Api, n: int = 0, **body: Any) -> str:
    """An accepted theft at a point spread around Gulou (n picks the point)."""
    lon, lat = GULOU_WEST if n % 2 == 0 else GULOU_EAST
    data = {
        "caller_phone": "13800138000",
        "address": f"鼓楼区测试路{n}号",
        "lon": lon + (n % 7) * 0.001,
        "lat": lat + (n % 5) * 0.001,
        "narrative": "电动车被盗",
        "category": "theft",
        "accept": True,
        **body,
    }
    response = api.post("/incidents", "calltaker", json=data)
    assert response.status_code == 201, response.text
    return str(response.json()["number"])


def dispatch(api: Api, number: str, unit: str) -> None:
    ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": [unit]}))


def open_board(page: Page, base: str) -> None:
    login(page, base, "dispatcher")
    expect(page.locator("#rows")).to_be_visible()


def open_panel(page: Page, number: str) -> None:
    page.locator(f"tr[data-number='{number}']").click()
    expect(page.locator(f"#panel .incident[data-number='{number}']")).to_be_visible()
