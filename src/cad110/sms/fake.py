"""A fake SMS gateway, as its own process speaking real HTTP: for tests and the living demo.

    python -m cad110.sms.fake --port 8112 --target http://127.0.0.1:8110 --secret …
    (or `cad110 sms fake …`)

It answers what cad110's adapter sends (gateway.py) and posts receipts and replies back,
signed like a real gateway (docs/sms.md):

    POST /messages  signed {"message_id", "to", "text"} → 201 {"id"}; 409 a message_id again;
                    401 a bad signature. A "delivered" receipt follows at once, unless the
                    number is one of --unreachable (then "failed").
    GET  /messages  → every message received, oldest first
    POST /reply     {"message_id": "sms-42", "text": "1"}  the message's recipient replies, or
                    {"from": "13800138000", "text": "…"}   someone texts out of the blue
                    → {"results": [{"status", "body"}]} with what cad110 said
    GET  /health

With `--port 0` it picks a free port; the first line it prints is "listening on PORT".
"""

from __future__ import annotations

import argparse
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cad110.kernel.fake_process import Poster, new_id, now_iso, routed_handler, run_until_stopped

EVENTS_PATH = "/api/v1/sms/events"
_lock = threading.Lock()


class FakeSmsGateway(Poster):
    """The fake gateway's state: where to post events, and the messages it was given."""

    def __init__(self, target: str, secret: str, unreachable: set[str]) -> None:
        super().__init__(target, secret)
        self.unreachable = unreachable
        self.messages: dict[str, dict[str, Any]] = {}

    def post_event(self, event: dict[str, Any]) -> dict[str, Any]:
        return self.post(EVENTS_PATH, event)

    def accept(self, message: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        message_id = str(message.get("message_id", ""))
        to, text = str(message.get("to", "")), str(message.get("text", ""))
        if not message_id or not to or not text:
            return 422, {"detail": "message_id, to and text are required"}
        with _lock:
            if message_id in self.messages:
                return 409, {"detail": "this message_id was sent already"}
            self.messages[message_id] = {"message_id": message_id, "to": to, "text": text}
        receipt: dict[str, Any] = {
            "event_id": new_id("receipt"),
            "type": "failed" if to in self.unreachable else "delivered",
            "message_id": message_id,
            "at": now_iso(),
        }
        if to in self.unreachable:
            receipt["reason"] = "用户关机或停机"
        # After answering: cad110 marks the message sent only once this request returns.
        threading.Timer(0.2, self.post_event, args=(receipt,)).start()
        return 201, {"id": f"gw-{message_id}"}

    def reply(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        text = str(data.get("text", ""))
        event: dict[str, Any] = {"event_id": new_id("reply"), "type": "reply", "at": now_iso()}
        if data.get("message_id"):
            original = self.messages.get(str(data["message_id"]))
            if original is None:
                return 404, {"detail": "no such message"}
            event |= {"message_id": original["message_id"], "from": original["to"]}
        elif data.get("from"):
            event["from"] = str(data["from"])
        else:
            return 422, {"detail": "message_id or from is required"}
        event["text"] = text
        return 200, {"results": [self.post_event(event)]}


def _handler(gateway: FakeSmsGateway) -> type[BaseHTTPRequestHandler]:
    def taken() -> object:
        with _lock:
            return list(gateway.messages.values())

    return routed_handler(
        secret=gateway.secret,
        listing="/messages",
        taken=taken,
        posts={"/messages": gateway.accept, "/reply": gateway.reply},
    )


def serve(
    host: str, port: int, target: str, secret: str, unreachable: set[str] | None = None
) -> ThreadingHTTPServer:
    """A started server (in a daemon thread); its port is `server.server_address[1]`."""
    gateway = FakeSmsGateway(target, secret, unreachable or set())
    server = ThreadingHTTPServer((host, port), _handler(gateway))
    threading.Thread(target=server.serve_forever, daemon=True, name="fake-sms").start()
    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8112)
    parser.add_argument("--target", default="http://127.0.0.1:8110", help="cad110's base URL")
    parser.add_argument(
        "--secret", default=os.environ.get("CAD110_SMS_GATEWAY_SECRET", ""), help="shared secret"
    )
    parser.add_argument(
        "--unreachable", default="", help="numbers whose messages fail, comma-separated"
    )
    parser.add_argument(
        "--exit-with-stdin",
        action="store_true",
        help="stop when standard input closes (the process that started it is gone)",
    )
    args = parser.parse_args(argv)
    if not args.secret:
        parser.error("no secret: pass --secret or set CAD110_SMS_GATEWAY_SECRET")
    unreachable = {n.strip() for n in args.unreachable.split(",") if n.strip()}
    server = serve(args.host, args.port, args.target, args.secret, unreachable)
    run_until_stopped(server, exit_with_stdin=args.exit_with_stdin)


if __name__ == "__main__":
    main()
