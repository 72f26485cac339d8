"""Every answer carries the security headers; pages a strict Content-Security-Policy; no server
banner; /docs works offline; cookies are Secure over HTTPS."""

from __future__ import annotations

import dataclasses
import http.client
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient

from cad110.api.security import content_security_policy, tile_source
from cad110.app import create_app
from cad110.kernel.runtime import Runtime
from cad110.settings import server_options
from tests.conftest import Api
from tests.world import PASSWORD

COMMON = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "geolocation=(self), camera=(), microphone=()",
}
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _app(runtime: Runtime, **settings: object) -> FastAPI:
    changed = runtime.settings.model_copy(update=settings)
    return create_app(dataclasses.replace(runtime, settings=changed))


def _assert_protected(response: httpx.Response, *, page: bool, cacheable: bool = False) -> None:
    for name, value in COMMON.items():
        assert response.headers.get(name) == value, (name, response.url)
    assert "server" not in response.headers
    if page:
        assert response.headers["content-security-policy"] == STRICT_CSP
    else:
        assert "content-security-policy" not in response.headers
    if cacheable:
        assert "no-store" not in response.headers.get("cache-control", "")
    else:
        assert response.headers["cache-control"] == "no-store"


def test_every_kind_of_answer_carries_the_security_headers(api: Api) -> None:
    page = api.client.get("/login")
    assert page.status_code == 200
    _assert_protected(page, page=True)

    answer = api.get("/categories", "dispatcher")
    assert answer.status_code == 200
    _assert_protected(answer, page=False)

    missing = api.get("/incidents/35010201-20261123-9999", "dispatcher")
    assert missing.status_code == 404
    _assert_protected(missing, page=False)
    no_route = api.client.get("/no/such/page")
    assert no_route.status_code == 404
    _assert_protected(no_route, page=False)

    refused = api.post("/incidents", "calltaker", json={"lon": "east"})
    assert refused.status_code == 422
    _assert_protected(refused, page=False)

    unauthenticated = api.client.get("/api/v1/incidents")
    assert unauthenticated.status_code == 401
    _assert_protected(unauthenticated, page=False)

    redirect = api.client.get("/board", follow_redirects=False)
    assert redirect.status_code == 303
    _assert_protected(redirect, page=False)

    script = api.client.get("/static/js/console.js")
    assert script.status_code == 200
    _assert_protected(script, page=False, cacheable=True)


def test_a_signed_in_page_has_no_inline_script_or_style(api: Api) -> None:
    api.client.post("/login", data={"username": "leader", "password": PASSWORD})
    for path in ("/board", "/supervise", "/missing", "/missing/clusters"):
        response = api.client.get(path)
        assert response.status_code == 200, path
        _assert_protected(response, page=True)
        html = response.text
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", html), path
        assert not re.search(r"\sstyle=|\son[a-z]+=", html), path
        assert '"allowEval": false' in html


def test_a_route_cannot_name_the_server_software(runtime: Runtime) -> None:
    app = _app(runtime)

    @app.get("/banner")
    def banner() -> PlainTextResponse:
        return PlainTextResponse("x", headers={"Server": "uvicorn"})

    response = TestClient(app).get("/banner")
    assert response.status_code == 200
    assert "server" not in response.headers


def test_an_unexpected_error_answers_500_with_the_headers_and_without_its_details(
    runtime: Runtime,
) -> None:
    app = _app(runtime)

    @app.get("/broken")
    def broken() -> PlainTextResponse:
        raise RuntimeError("secret detail of the failure")

    response = TestClient(app, raise_server_exceptions=False).get("/broken")
    assert response.status_code == 500
    assert response.json()["code"] == "internal"
    assert "secret detail" not in response.text
    _assert_protected(response, page=False)


def test_the_map_tile_server_is_the_only_other_origin_for_images(runtime: Runtime) -> None:
    app = _app(runtime, map_tile_url="https://tiles.fz110.local:8443/{z}/{x}/{y}.png")
    policy = TestClient(app).get("/login").headers["content-security-policy"]
    assert "img-src 'self' data: blob: https://tiles.fz110.local:8443;" in policy
    assert "script-src 'self';" in policy


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("", None),
        ("/tiles/{z}/{x}/{y}.png", None),
        ("http://tiles.local/{z}/{x}/{y}.png", "http://tiles.local"),
        ("https://{s}.tiles.local/{z}/{x}/{y}.png", "https://*.tiles.local"),
        ("https://tiles-{s}.local/{z}/{x}/{y}.png", "https:"),
        ("javascript:alert(1)", None),
        ("https://tiles.local; script-src *", "https:"),
    ],
)
def test_a_tile_url_becomes_one_image_source_and_nothing_more(url: str, source: str | None) -> None:
    assert tile_source(url) == source
    policy = content_security_policy(url)
    assert policy.count(";") == STRICT_CSP.count(";")
    assert "script-src 'self';" in policy


def test_docs_are_served_from_the_package_with_their_assets(api: Api) -> None:
    docs = api.client.get("/docs")
    assert docs.status_code == 200
    _assert_protected(docs, page=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert sources, docs.text
    assert all(s.startswith("/static/") for s in sources), sources
    for source in sources:
        asset = api.client.get(source)
        assert asset.status_code == 200, source
        assert len(asset.content) > 100, source
    assert api.client.get("/redoc").status_code == 404
    assert api.client.get("/openapi.json").status_code == 200


def test_docs_can_be_turned_off_and_the_openapi_document_stays(runtime: Runtime) -> None:
    client = TestClient(_app(runtime, docs_enabled=False))
    assert client.get("/docs").status_code == 404
    schema = client.get("/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "cad110"


def _login(client: TestClient) -> httpx.Response:
    response: httpx.Response = client.post(
        "/login",
        data={"username": "dispatcher", "password": PASSWORD, "next": ""},
        follow_redirects=False,
    )
    return response


def _set_cookie(response: httpx.Response, name: str) -> str:
    found = [c for c in response.headers.get_list("set-cookie") if c.startswith(name + "=")]
    assert len(found) == 1, response.headers.get_list("set-cookie")
    return found[0].lower()


def test_cookies_over_plain_http_are_not_secure_but_stay_httponly_and_lax(
    runtime: Runtime,
) -> None:
    client = TestClient(_app(runtime))
    session = _set_cookie(_login(client), "cad110_session")
    assert "httponly" in session
    assert "samesite=lax" in session
    assert "secure" not in session
    language = _set_cookie(client.get("/lang/en", follow_redirects=False), "cad110_lang")
    assert "secure" not in language


def test_cookies_are_secure_over_https(runtime: Runtime) -> None:
    client = TestClient(_app(runtime), base_url="https://testserver")
    session = _set_cookie(_login(client), "cad110_session")
    assert "; secure" in session
    assert "httponly" in session
    language = _set_cookie(client.get("/lang/en", follow_redirects=False), "cad110_lang")
    assert "; secure" in language


def test_cookies_are_secure_when_the_centre_says_so(runtime: Runtime) -> None:
    client = TestClient(_app(runtime, secure_cookies=True))
    assert "; secure" in _set_cookie(_login(client), "cad110_session")


def test_the_language_switch_still_goes_back_to_the_page(api: Api) -> None:
    response = api.client.get(
        "/lang/en",
        headers={"Referer": "http://testserver/missing?view=due"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/missing?view=due"


@contextmanager
def _served(runtime: Runtime) -> Iterator[str]:
    """The app under uvicorn with the options of `cad110 serve`."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(
        create_app(runtime),
        log_level="warning",
        timeout_graceful_shutdown=2,
        **server_options(runtime.settings),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert thread.is_alive(), "uvicorn exited during startup"
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


def test_served_by_uvicorn_no_banner_and_https_from_the_proxy_makes_cookies_secure(
    runtime: Runtime,
) -> None:
    with _served(runtime) as base, httpx.Client(base_url=base) as client:
        page = client.get("/login")
        assert page.status_code == 200
        _assert_protected(page, page=True)
        login = {"username": "dispatcher", "password": PASSWORD, "next": ""}
        plain = client.post("/login", data=login)
        assert plain.status_code == 303
        assert "secure" not in _set_cookie(plain, "cad110_session")
        # The centre's TLS proxy runs on this machine (127.0.0.1, trusted by default).
        proxied = client.post("/login", data=login, headers={"X-Forwarded-Proto": "https"})
        assert proxied.status_code == 303
        assert "server" not in proxied.headers
        assert "; secure" in _set_cookie(proxied, "cad110_session")


def test_an_idle_connection_outlives_the_clients_own_pool(runtime: Runtime) -> None:
    """A connection left idle for longer than a client's pool keeps it (httpx: 5 s, as
    uvicorn's own default) is still open: a server that closed it first would race the
    client's next request on it, which would then be lost unanswered."""
    with _served(runtime) as base:
        host, port = base.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            connection.request("GET", "/healthz")
            first = connection.getresponse()
            first.read()
            assert first.status == 200
            time.sleep(6)
            connection.request("GET", "/healthz")
            again = connection.getresponse()
            again.read()
            assert again.status == 200
        finally:
            connection.close()
