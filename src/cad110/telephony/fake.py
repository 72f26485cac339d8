"""A fake phone system, as its own process speaking real HTTP: for tests and the living demo.

    python -m cad110.telephony.fake --port 8111 --target http://127.0.0.1:8110 --secret …
    (or `cad110 phone fake …`)

It answers what cad110's adapter asks (adapter.py: POST /calls, GET /recordings/{id}) and sends
call events to cad110, signed like the real one:

    POST /ring   {"caller": "13800138000", "seat": "A01", "lon"?, "lat"?, "accuracy_m"?,
                  "source"?, "line"?, "call_id"?}
                 → ringing, then answered by the seat (no seat: it only rings)
    POST /end    {"call_id": "…"}  → ended
    POST /send   one event or a list of events, sent as given (ids and all)
    GET  /health

Each of these answers {"call_id", "results": [{"status", "body"}]} with what cad110 said. With
`--port 0` it picks a free port; the first line it prints is "listening on PORT".
"""

from __future__ import annotations

import argparse
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from cad110.kernel.fake_process import JsonHandler, new_id, now_iso, run_until_stopped
from cad110.telephony.replay import send_event


class FakePhoneSystem:
    """The state of the fake switch: where to send events, calls placed, recordings."""

    def __init__(self, target: str, secret: str) -> None:
        self.target = target
        self.secret = secret
        self.placed: dict[str, dict[str, Any]] = {}
        self.recordings: dict[str, str] = {}
        self.client = httpx.Client(timeout=10.0)
        self.own_url = ""  # where this fake itself answers (set once it listens)

    def send(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        for event in events:
            if event.get("type") == "recording" and isinstance(event.get("url"), str):
                self.recordings[str(event.get("call_id"))] = event["url"]
            try:
                answer = send_event(self.client, self.target, self.secret, event)
            except httpx.HTTPError as exc:  # cad110 not up (yet): said, not raised
                results.append({"status": 0, "body": str(exc)})
                continue
            try:
                body: Any = answer.json()
            except ValueError:
                body = answer.text
            results.append({"status": answer.status_code, "body": body})
        return results

    def ring(self, data: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        call_id = str(data.get("call_id") or new_id("call"))
        ringing: dict[str, Any] = {
            "event_id": new_id("ev"),
            "type": "ringing",
            "call_id": call_id,
            "at": now_iso(),
            "caller": str(data.get("caller", "")),
            "line": str(data.get("line", "110")),
        }
        if data.get("lon") is not None and data.get("lat") is not None:
            ringing["location"] = {
                "lon": data["lon"],
                "lat": data["lat"],
                "accuracy_m": int(data.get("accuracy_m", 500)),
                "source": data.get("source", "carrier"),
            }
        events = [ringing]
        if data.get("seat"):
            events.append(
                {
                    "event_id": new_id("ev"),
                    "type": "answered",
                    "call_id": call_id,
                    "at": now_iso(),
                    "seat": str(data["seat"]),
                }
            )
        return call_id, self.send(events)

    def end(self, call_id: str) -> list[dict[str, Any]]:
        event = {"event_id": new_id("ev"), "type": "ended", "call_id": call_id, "at": now_iso()}
        return self.send([event])


def _handler(phone: FakePhoneSystem) -> type[BaseHTTPRequestHandler]:
    class Handler(JsonHandler):
        def _body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(length) or b"{}")

        def do_GET(self) -> None:  # noqa: N802  (http.server calls it so)
            if self.path == "/health":
                self._json(200, {"ok": True})
            elif self.path.startswith("/recordings/"):
                url = phone.recordings.get(self.path.removeprefix("/recordings/"))
                if url:
                    self._json(200, {"url": url})
                else:
                    self._json(404, {"detail": "no recording"})
            else:
                self._json(404, {"detail": "not found"})

        def do_POST(self) -> None:  # noqa: N802  (http.server calls it so)
            try:
                data = self._body()
            except ValueError:
                self._json(400, {"detail": "not JSON"})
                return
            if self.path == "/calls":
                call_id = new_id("out")
                phone.placed[call_id] = data
                phone.recordings[call_id] = f"{phone.own_url}/audio/{call_id}.wav"
                self._json(201, {"call_id": call_id})
            elif self.path == "/ring":
                call_id, results = phone.ring(data)
                self._json(200, {"call_id": call_id, "results": results})
            elif self.path == "/end":
                self._json(200, {"call_id": data["call_id"], "results": phone.end(data["call_id"])})
            elif self.path == "/send":
                events = data if isinstance(data, list) else [data]
                self._json(200, {"call_id": None, "results": phone.send(events)})
            else:
                self._json(404, {"detail": "not found"})

    return Handler


def serve(host: str, port: int, target: str, secret: str) -> ThreadingHTTPServer:
    """A started server (in a daemon thread); its port is `server.server_address[1]`."""
    phone = FakePhoneSystem(target, secret)
    server = ThreadingHTTPServer((host, port), _handler(phone))
    phone.own_url = f"http://{host}:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True, name="fake-phone").start()
    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8111)
    parser.add_argument("--target", default="http://127.0.0.1:8110", help="cad110's base URL")
    parser.add_argument(
        "--secret", default=os.environ.get("CAD110_PHONE_EVENTS_SECRET", ""), help="shared secret"
    )
    parser.add_argument(
        "--exit-with-stdin",
        action="store_true",
        help="stop when standard input closes (the process that started it is gone)",
    )
    args = parser.parse_args(argv)
    server = serve(args.host, args.port, args.target, args.secret)
    run_until_stopped(server, exit_with_stdin=args.exit_with_stdin)


if __name__ == "__main__":
    main()
