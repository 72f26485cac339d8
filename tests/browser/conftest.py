"""Browser tests: Playwright driving Debian's Chromium against a live uvicorn server.

Playwright never downloads a browser here (command centres are offline): it runs
/usr/bin/chromium (`scripts/install-chromium.sh` installs it). Each test gets its own database
through the `runtime` fixture of tests/conftest.py.

A screen is the same whatever database is under it, and every request a screen sends is tested
on both databases by the API tests; so a browser test runs on SQLite, and on PostgreSQL too only
where it is marked `both_databases`: the flows that take an incident, a case or a ticket from its
start to its end, where the two databases' orderings, times and locks all meet on one screen.
That keeps the whole suite inside the time CI allows (a browser test costs seconds)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from cad110.app import create_app
from cad110.kernel.runtime import Runtime
from cad110.settings import server_options

CHROMIUM = Path("/usr/bin/chromium")

# Without the background-networking flags Chromium keeps calling home, which floods the closed
# network of a command centre. Playwright launches every browser with a fresh temporary
# --user-data-dir of its own (and refuses one in `args`), so each session starts from a clean
# profile.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1366, "height": 768}
SERVER_START_TIMEOUT_S = 20.0


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the PostgreSQL run of each browser test not marked `both_databases` (counted as
    deselected in the summary)."""
    here = Path(__file__).parent
    dropped = [
        item
        for item in items
        if item.path.is_relative_to(here)
        and _backend_of(item) == "postgresql"
        and item.get_closest_marker("both_databases") is None
    ]
    if dropped:
        gone = set(dropped)
        items[:] = [item for item in items if item not in gone]
        config.hook.pytest_deselected(items=dropped)


def _backend_of(item: pytest.Item) -> object:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("backend") if callspec is not None else None


# Per module: the sync Playwright keeps an event loop running in the main thread while it is
# open, which would break later tests that start their own loop (benchmarks, live).
@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-chromium.sh (as root)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def live_server(runtime: Runtime) -> Iterator[str]:
    """`create_app(runtime)` served by uvicorn on 127.0.0.1 in a background thread; yields
    the base URL (no trailing slash)."""
    # Bind the socket here and hand it to uvicorn: no race for a "free" port.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(
        create_app(runtime),
        host=host,
        port=port,
        log_level="warning",
        lifespan="on",
        # As `cad110 serve`: no server banner, the scheme from a trusted proxy only.
        **server_options(runtime.settings),
        # Pages keep live streams open; shutting down must not wait for them.
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="live-server", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not server.started:
            if not thread.is_alive():
                pytest.fail("the live server exited during startup (see the captured log)")
            if time.monotonic() > deadline:
                pytest.fail(f"the live server did not start within {SERVER_START_TIMEOUT_S} s")
            time.sleep(0.02)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=SERVER_START_TIMEOUT_S)
        sock.close()
        if thread.is_alive():
            pytest.fail("the live server did not stop")


@pytest.fixture
def page(chromium_browser: Browser) -> Iterator[Page]:
    """A fresh context and page: 1366×768, zh-CN, Asia/Shanghai."""
    context = chromium_browser.new_context(
        viewport=VIEWPORT,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()
