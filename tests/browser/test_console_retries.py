"""The console sends an Idempotency-Key with every change, and a change whose answer was lost is
sent again under the same key: done once, answered as the first time."""

from __future__ import annotations

from playwright.sync_api import Page, Route

from tests.browser.steps import login
from tests.conftest import Api

ADVICE = "{outcome: 'advice', note: '咨询户籍'}"


def _keys_sent(page: Page, path: str) -> list[str]:
    keys: list[str] = []
    page.on(
        "request",
        lambda r: (
            keys.append(r.headers.get("idempotency-key", ""))
            if r.method == "POST" and r.url.endswith(path)
            else None
        ),
    )
    return keys


def test_each_console_change_carries_its_own_key(api: Api, live_server: str, page: Page) -> None:
    login(page, live_server, "calltaker")
    page.goto(f"{live_server}/desk")
    keys = _keys_sent(page, "/api/v1/calls")
    for _ in range(2):
        page.evaluate(f"cad110.call('POST', '/api/v1/calls', {ADVICE})")
    assert len(keys) == 2
    assert all(len(k) == 36 for k in keys), keys
    assert keys[0] != keys[1]
    assert api.get("/calls", "calltaker").json()["total"] == 2


def test_a_change_whose_answer_was_lost_is_sent_again_and_done_once(
    api: Api, live_server: str, page: Page
) -> None:
    login(page, live_server, "calltaker")
    page.goto(f"{live_server}/desk")
    keys = _keys_sent(page, "/api/v1/calls")
    lost: list[int] = []

    def lose_the_first_answer(route: Route) -> None:
        if not lost:
            # The server does the work; its answer never reaches the console.
            lost.append(route.fetch().status)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v1/calls", lose_the_first_answer)
    call = page.evaluate(f"cad110.call('POST', '/api/v1/calls', {ADVICE})")
    assert lost == [201]
    assert len(keys) == 2
    assert keys[0] == keys[1]
    calls = api.get("/calls", "calltaker").json()
    assert calls["total"] == 1
    assert calls["items"][0]["id"] == call["id"]
