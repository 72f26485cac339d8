"""Login flooders for `cad110 bench login-flood`, run in a process of their own.

This module imports little, so that the process starts quickly and its imports do not take
CPU from the server while intake is being timed.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from multiprocessing.queues import Queue
from time import perf_counter

import httpx

READY = "ready"


def flood_process(
    base_url: str,
    names: list[str],
    flooders: int,
    duration_s: float,
    spread: bool,
    out: Queue[object],
) -> None:
    """Post wrong passwords for `duration_s` once connected; put READY, then the answers."""
    out.put(asyncio.run(_flood(base_url, names, flooders, duration_s, spread, out)))


async def _flood(
    base_url: str,
    names: list[str],
    flooders: int,
    duration_s: float,
    spread: bool,
    out: Queue[object],
) -> tuple[dict[str, int], float]:
    answers: Counter[str] = Counter()
    tries = iter(range(10**9))
    clients = [httpx.AsyncClient(base_url=base_url, timeout=30.0) for _ in range(flooders)]
    try:
        await asyncio.gather(*(c.get("/healthz") for c in clients))
        out.put(READY)
        started = perf_counter()
        stop = started + duration_s

        async def flooder(client: httpx.AsyncClient) -> None:
            while perf_counter() < stop:
                n = next(tries)
                headers = {"Accept-Language": "en"}
                if spread:
                    # A new client address per try; uvicorn believes the header from loopback.
                    headers["X-Forwarded-For"] = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
                form = {"username": names[n % len(names)], "password": f"wrong-guess-{n}"}
                try:
                    response = await client.post("/login", data=form, headers=headers)
                except httpx.HTTPError as exc:
                    answers[exc.__class__.__name__] += 1
                    continue
                answers[kind(response)] += 1

        await asyncio.gather(*(flooder(c) for c in clients))
        return dict(answers), perf_counter() - started
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


def kind(response: httpx.Response) -> str:
    """401, "429 locked", "429 wait" (throttled or the hashing queue full), or the status."""
    if response.status_code == 429:
        return "429 locked" if "locked" in response.text else "429 wait"
    return str(response.status_code)
