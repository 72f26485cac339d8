"""A fake 12345 platform, as its own process speaking real HTTP: for tests and the living demo.

    python -m cad110.transfers.fake --port 8113 --target http://127.0.0.1:8110 --secret …
    (or `cad110 hotline fake …`)

It answers what cad110's adapter sends (platform.py) and posts each ticket's steps back, signed
like the real platform (docs/transfers.md):

    POST /tickets    a signed ticket → 201 {"id"}; 409 the ticket_id again; 401 a bad signature.
                     "received" follows at once; with --pace S > 0 the ticket is then worked on
                     its own: accepted, handling, done (a result and a photo reference), replied,
                     rated satisfied — one step every S seconds.
    GET  /tickets    → every ticket received, oldest first, with the steps posted for it
    POST /advance    {"ticket_id": "gd-4", "type": "done", "result": "…"} posts one step now
                     → {"results": [{"status", "body"}]} with what cad110 said
    POST /emergency  {"narrative", "address", "lon", "lat", "caller_phone"} pushes a police
                     matter into 110 → {"results": [...]}; with --emergency-every S > 0 it
                     pushes one of its own (EMERGENCIES) every S seconds
    GET  /health

With `--port 0` it picks a free port; the first line it prints is "listening on PORT".
"""

from __future__ import annotations

import argparse
import itertools
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cad110.kernel.fake_process import Poster, new_id, now_iso, routed_handler, run_until_stopped

EVENTS_PATH = "/api/v1/transfers/events"
EMERGENCIES_PATH = "/api/v1/transfers/emergencies"
# What the platform does with a ticket left to itself, in order.
WORK = ("accepted", "handling", "done", "replied", "rated")
DEPARTMENTS = {
    "transport": "区交警大队",
    "municipal": "区住建局",
    "utilities": "市供电公司",
    "market": "区市场监管局",
    "environment": "区生态环境局",
    "city": "区城管局",
    "policy": "12345政策咨询组",
}
# What a 12345 operator hears that is 110's after all, for the living demo.
EMERGENCIES = (
    {
        "narrative": "来电称邻居家中传出呼救声和打砸声",
        "address": "鼓楼区东街口",
        "lon": 119.296,
        "lat": 26.086,
    },
    {
        "narrative": "投诉噪音时称对方持刀威胁",
        "address": "台江区万达广场",
        "lon": 119.318,
        "lat": 26.061,
    },
    {
        "narrative": "反映有老人在路边倒地不起，疑似走失",
        "address": "仓山区金山大道",
        "lon": 119.273,
        "lat": 26.041,
    },
)
_lock = threading.Lock()


class FakeHotline(Poster):
    """The fake platform's state: where to post events, and the tickets it was given."""

    def __init__(self, target: str, secret: str, pace_s: float) -> None:
        super().__init__(target, secret)
        self.pace_s = pace_s
        self.tickets: dict[str, dict[str, Any]] = {}

    def step(
        self, ticket_id: str, kind: str, extra: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        ticket = self.tickets.get(ticket_id)
        event: dict[str, Any] = {
            "event_id": new_id(kind),
            "type": kind,
            "ticket_id": ticket_id,
            "at": now_iso(),
        }
        if ticket is not None:
            event["hotline_id"] = ticket["hotline_id"]
            event["department"] = DEPARTMENTS.get(str(ticket.get("topic")), "12345热线")
        if kind == "done":
            event["result"] = "已联系当事人并协调处理完毕"
            event["photo"] = f"photo/{event['hotline_id'] if ticket else ticket_id}.jpg"
        if kind == "rated":
            event["satisfied"] = True
        event |= extra or {}
        result = self.post(EVENTS_PATH, event)
        if ticket is not None:
            with _lock:
                ticket["steps"].append({"type": kind, "status": result["status"]})
        return result

    def _work(self, ticket_id: str) -> None:
        time.sleep(0.2)  # after answering: cad110 marks the ticket sent once this returns
        self.step(ticket_id, "received")
        if self.pace_s <= 0:
            return
        for kind in WORK:
            time.sleep(self.pace_s)
            self.step(ticket_id, kind)

    def accept(self, ticket: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        ticket_id = str(ticket.get("ticket_id", ""))
        if not ticket_id or not ticket.get("type"):
            return 422, {"detail": "ticket_id and type are required"}
        with _lock:
            if ticket_id in self.tickets:
                return 409, {"detail": "this ticket_id was opened already"}
            hotline_id = f"12345-{len(self.tickets) + 1:06d}"
            self.tickets[ticket_id] = {**ticket, "hotline_id": hotline_id, "steps": []}
        threading.Thread(target=self._work, args=(ticket_id,), daemon=True).start()
        return 201, {"id": hotline_id}

    def advance(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        ticket_id, kind = str(data.get("ticket_id", "")), str(data.get("type", ""))
        if not ticket_id or not kind:
            return 422, {"detail": "ticket_id and type are required"}
        extra = {k: v for k, v in data.items() if k not in ("ticket_id", "type")}
        return 200, {"results": [self.step(ticket_id, kind, extra)]}

    def push_emergencies(self, every_s: float) -> None:
        """The living demo: one of EMERGENCIES every `every_s` seconds, in turn."""
        for n in itertools.count():
            time.sleep(every_s)
            self.emergency(dict(EMERGENCIES[n % len(EMERGENCIES)]))

    def emergency(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        event = {
            "event_id": new_id("emergency"),
            "at": now_iso(),
            "hotline_id": new_id("12345-call"),
            **data,
        }
        return 200, {"results": [self.post(EMERGENCIES_PATH, event)]}


def _handler(hotline: FakeHotline) -> type[BaseHTTPRequestHandler]:
    def taken() -> object:
        with _lock:
            return list(hotline.tickets.values())

    return routed_handler(
        secret=hotline.secret,
        listing="/tickets",
        taken=taken,
        posts={
            "/tickets": hotline.accept,
            "/advance": hotline.advance,
            "/emergency": hotline.emergency,
        },
    )


def serve(
    host: str,
    port: int,
    target: str,
    secret: str,
    pace_s: float = 0.0,
    emergency_every_s: float = 0.0,
) -> ThreadingHTTPServer:
    """A started server (in a daemon thread); its port is `server.server_address[1]`."""
    hotline = FakeHotline(target, secret, pace_s)
    server = ThreadingHTTPServer((host, port), _handler(hotline))
    threading.Thread(target=server.serve_forever, daemon=True, name="fake-12345").start()
    if emergency_every_s > 0:
        threading.Thread(
            target=hotline.push_emergencies, args=(emergency_every_s,), daemon=True
        ).start()
    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8113)
    parser.add_argument("--target", default="http://127.0.0.1:8110", help="cad110's base URL")
    parser.add_argument(
        "--secret", default=os.environ.get("CAD110_HOTLINE_SECRET", ""), help="shared secret"
    )
    parser.add_argument(
        "--pace",
        type=float,
        default=0.0,
        help="seconds between a ticket's steps when left to itself (0: only 'received')",
    )
    parser.add_argument(
        "--emergency-every",
        type=float,
        default=0.0,
        help="push an emergency of its own into 110 every this many seconds (0: never)",
    )
    parser.add_argument(
        "--exit-with-stdin",
        action="store_true",
        help="stop when standard input closes (the process that started it is gone)",
    )
    args = parser.parse_args(argv)
    if not args.secret:
        parser.error("no secret: pass --secret or set CAD110_HOTLINE_SECRET")
    server = serve(args.host, args.port, args.target, args.secret, args.pace, args.emergency_every)
    run_until_stopped(server, exit_with_stdin=args.exit_with_stdin)


if __name__ == "__main__":
    main()
