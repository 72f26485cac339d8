"""The console's server side: login with a session cookie, CSRF, language, the board."""

from __future__ import annotations

import re

from tests.api.helpers import new_incident
from tests.conftest import Api
from tests.world import PASSWORD


def _login(api: Api, username: str, password: str = PASSWORD, next_: str = "") -> object:
    return api.client.post(
        "/login",
        data={"username": username, "password": password, "next": next_},
        follow_redirects=False,
    )


def test_login_page_is_chinese_first_and_english_on_request(api: Api) -> None:
    page = api.client.get("/login")
    assert page.status_code == 200
    assert "用户名" in page.text
    assert "110 指挥中心" in page.text
    english = api.client.get("/login", headers={"Accept-Language": "en-GB,en"})
    assert "User name" in english.text
    api.client.get("/lang/en", follow_redirects=False)
    assert "User name" in api.client.get("/login").text
    api.client.get("/lang/zh_CN", follow_redirects=False)
    assert "用户名" in api.client.get("/login").text


def test_wrong_password_is_401_in_the_users_language(api: Api) -> None:
    response = _login(api, "dispatcher", "nope")
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert "用户名或密码错误" in response.text  # type: ignore[attr-defined]
    assert "cad110_session" not in api.client.cookies


def test_board_needs_login_then_shows_open_incidents(api: Api) -> None:
    number = new_incident(api, accept=True, category="robbery")["number"]
    first = api.client.get("/board", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=/board"
    logged_in = _login(api, "dispatcher", next_="/board")
    assert logged_in.status_code == 303  # type: ignore[attr-defined]
    assert logged_in.headers["location"] == "/board"  # type: ignore[attr-defined]
    board = api.client.get("/board")
    assert board.status_code == 200
    assert number in board.text
    assert "抢劫" in board.text
    assert "指挥调度台" in board.text


def test_next_never_leads_off_site(api: Api) -> None:
    response = _login(api, "dispatcher", next_="//evil.example/x")
    assert response.headers["location"] == "/"  # type: ignore[attr-defined]


def test_cookie_session_calls_the_api_with_csrf_only(api: Api) -> None:
    _login(api, "calltaker")
    page = api.client.get("/board")
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text)
    assert csrf is not None
    body = {"narrative": "电话报警", "address": "鼓楼区"}
    refused = api.client.post("/api/v1/incidents", json=body)
    assert refused.status_code == 403
    accepted = api.client.post(
        "/api/v1/incidents", json=body, headers={"X-CSRF-Token": csrf.group(1)}
    )
    assert accepted.status_code == 201
    assert api.client.get("/api/v1/incidents").status_code == 200  # reads need no CSRF


def test_logout_ends_the_session(api: Api) -> None:
    _login(api, "dispatcher")
    assert api.client.get("/board", follow_redirects=False).status_code == 200
    api.client.post("/logout", follow_redirects=False)
    assert api.client.get("/board", follow_redirects=False).status_code == 303


def test_the_record_names_the_grid_beside_its_code(api: Api) -> None:
    # The default point lies in grid 3501020101 of 鼓东派出所 (tests/world.py).
    number = new_incident(api, accept=True)["number"]
    incident = api.get(f"/incidents/{number}", "dispatcher").json()
    assert incident["grid"] == "3501020101"
    assert _login(api, "dispatcher").status_code == 303  # type: ignore[attr-defined]
    page = api.client.get(f"/incidents/{number}").text
    assert "网格01 <code>3501020101</code>" in page
    api.client.get("/lang/en", follow_redirects=False)
    assert "Grid 01 <code>3501020101</code>" in api.client.get(f"/incidents/{number}").text
