"""`cad110 bench board`: the dispatch board with 500 open incidents, timed on the server and in
a real browser (Debian Chromium) when one is installed."""

from __future__ import annotations

import json
import random
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table
from shapely.geometry import shape
from sqlalchemy import select

from cad110.auth.principal import Principal
from cad110.bench.city import demo_city, p99, time_gets
from cad110.bench.harness import api_server
from cad110.db.engine import transaction
from cad110.dispatch.recommend import recommend
from cad110.incidents.actions import act
from cad110.incidents.intake import create_incident
from cad110.incidents.schemas import DispatchBody, IncidentCreate
from cad110.kernel.runtime import Runtime
from cad110.lifecycles.incident import Action
from cad110.models.jurisdiction import Grid
from cad110.models.user import Role

CHROMIUM = Path("/usr/bin/chromium")
LOADS = 11
# A throwaway account in a throwaway database.
PASSWORD = "bench-board-password"  # noqa: S105
CATEGORIES = (
    "theft",
    "family_dispute",
    "traffic_accident",
    "neighbour_dispute",
    "fraud",
    "robbery",
    "move_car",
)


@dataclass(frozen=True)
class BoardFigures:
    open_incidents: int
    server_p50_ms: float
    server_p99_ms: float
    browser_load_ms: list[float]


def _fill(rt: Runtime, count: int, seed: int) -> int:
    """`count` open incidents spread over the demo city's grids; about a third dispatched."""
    rng = random.Random(seed)
    with transaction(rt.sessions) as session:
        grids = list(session.scalars(select(Grid)))
        by = Principal.acting_for("350100/", username="bench", role=Role.DISPATCHER)
        for n in range(count):
            ctx = rt.ctx(session, by)
            grid = rng.choice(grids)
            spot = shape(json.loads(grid.boundary)).representative_point()
            incident = create_incident(
                ctx,
                IncidentCreate(
                    address=f"测试地址 {n}",
                    lon=round(spot.x, 6),
                    lat=round(spot.y, 6),
                    narrative="看板压力测试",
                    category=rng.choice(CATEGORIES),
                    accept=True,
                ),
                idempotency_key=None,
            )
            if n % 3 == 0:
                advice = recommend(ctx, incident, eta=rt.eta, k=1)
                if advice.items:
                    act(
                        ctx,
                        incident.number,
                        Action.DISPATCH,
                        DispatchBody(units=[advice.items[0].unit.code]),
                    )
    return count


def run_board_bench(
    console: Console, *, incidents: int = 500, requests: int = 40, seed: int = 7
) -> BoardFigures:
    """Time GET /board (server) and a full page load in Chromium with `incidents` open."""
    with tempfile.TemporaryDirectory(prefix="cad110-board-") as tmp:
        url, rt = demo_city(
            Path(tmp), "board", username="bench-dispatcher", password=PASSWORD, role=Role.DISPATCHER
        )
        console.print(f"filling {incidents} open incidents…")
        _fill(rt, incidents, seed)
        rt.engine.dispose()
        with api_server(url, Path(tmp) / "server.log") as server:
            with httpx.Client(base_url=server.base_url) as client:
                client.post("/login", data={"username": "bench-dispatcher", "password": PASSWORD})
                timings, response = time_gets(client, "/board", requests)
                rows = response.text.count("data-number=")
            browser = _browser_loads(server.base_url) if CHROMIUM.exists() else []
    figures = BoardFigures(
        open_incidents=rows,
        server_p50_ms=statistics.median(timings),
        server_p99_ms=p99(timings),
        browser_load_ms=browser,
    )
    table = Table(title=f"Dispatch board with {figures.open_incidents} open incidents")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row(
        f"GET /board, {requests} requests, p50 / p99",
        f"{figures.server_p50_ms:.1f} / {figures.server_p99_ms:.1f} ms",
    )
    if browser:
        table.add_row(
            f"Chromium: navigation to load event (map, markers, scripts), median of {LOADS}",
            f"{statistics.median(browser):.0f} ms (all: {', '.join(f'{b:.0f}' for b in browser)})",
        )
    else:
        table.add_row("Chromium", "not installed: browser load not measured")
    console.print(table)
    target = statistics.median(browser) if browser else figures.server_p99_ms
    console.print(
        f"  target page load < 300 ms: {'MET' if target < 300 else 'NOT MET'} ({target:.0f} ms)"
    )
    return figures


def _browser_loads(base_url: str) -> list[float]:
    from playwright.sync_api import sync_playwright

    flags = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    loads = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=flags)
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        page.goto(f"{base_url}/login")
        page.fill("input[name=username]", "bench-dispatcher")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base_url}/board")
        for _ in range(LOADS):
            page.goto(f"{base_url}/board", wait_until="load")
            duration = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
            loads.append(float(duration))
        browser.close()
    return loads
