"""What the fakes of outside systems (the phone system, the SMS gateway, the 12345 platform)
share as processes of their own: a JSON handler that checks cad110's signature on what cad110
sends, the line that tells the starter the port, and staying up until told to stop."""

from __future__ import annotations

import itertools
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from cad110.errors import Unauthenticated
from cad110.kernel import signing

# One POST route of a fake: the JSON object sent → (status, answer).
Route = Callable[[dict[str, Any]], tuple[int, object]]
_ids = itertools.count(1)
_ids_lock = threading.Lock()


def new_id(prefix: str) -> str:
    """An id no other fake process or run repeats (the process id is in it)."""
    with _ids_lock:
        n = next(_ids)
    return f"{prefix}-{os.getpid()}-{n}"


def now_iso() -> str:
    """This moment in UTC as an outside system writes it (…Z)."""
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class Poster:
    """A fake's way back into cad110: JSON signed with the shared secret, posted to `target`;
    cad110 not up (yet) is said in the answer (status 0), not raised."""

    def __init__(self, target: str, secret: str) -> None:
        self.target = target.rstrip("/")
        self.secret = secret
        self.client = httpx.Client(timeout=10.0)

    def post(self, path: str, event: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(event, ensure_ascii=False).encode("utf-8")
        headers = signing.signed_headers(self.secret, int(time.time()), body)
        try:
            answer = self.client.post(self.target + path, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return {"status": 0, "body": str(exc)}
        try:
            return {"status": answer.status_code, "body": answer.json()}
        except ValueError:
            return {"status": answer.status_code, "body": answer.text}


class JsonHandler(BaseHTTPRequestHandler):
    """A fake's request handler: answers in JSON and keeps quiet (its starter reads stdout for
    the port only)."""

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _json(self, status: int, data: object) -> None:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def routed_handler(
    *,
    secret: str,
    listing: str,
    taken: Callable[[], object],
    posts: Mapping[str, Route],
    more_listings: Mapping[str, Callable[[], object]] | None = None,
) -> type[BaseHTTPRequestHandler]:
    """A fake's handler: GET /health; GET `listing`, what it has taken (`taken()`); POST a
    JSON object to one of `posts`, where a POST to `listing` is cad110 sending and must carry
    cad110's signature (the others are a tester's or a demo's hand). A fake that takes more
    than one kind of request from cad110 (the anti-fraud platform: call tasks and freeze
    requests) names the others in `more_listings`, each listed and signed the same way."""
    listings = {listing: taken, **(more_listings or {})}

    class Handler(JsonHandler):
        def do_GET(self) -> None:
            if self.path == "/health":
                self._json(200, {"ok": True})
            elif self.path in listings:
                self._json(200, listings[self.path]())
            else:
                self._json(404, {"detail": "not found"})

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path in listings:
                try:
                    signing.verify(
                        secret,
                        self.headers.get(signing.TIMESTAMP_HEADER),
                        self.headers.get(signing.SIGNATURE_HEADER),
                        raw,
                        now=datetime.now(UTC),
                        window_s=300,
                        what=self.path.strip("/"),
                        sender="cad110",
                    )
                except Unauthenticated as exc:
                    self._json(401, {"detail": str(exc)})
                    return
            try:
                data = json.loads(raw or b"{}")
            except ValueError:
                self._json(400, {"detail": "not JSON"})
                return
            route = posts.get(self.path)
            if not isinstance(data, dict):
                self._json(400, {"detail": "not a JSON object"})
            elif route is None:
                self._json(404, {"detail": "not found"})
            else:
                self._json(*route(data))

    return Handler


def _exit_at_eof() -> None:
    # The server that started this one may die by a signal without a word: its end of the pipe
    # closing is the word.
    sys.stdin.read()
    os._exit(0)


def run_until_stopped(server: ThreadingHTTPServer, *, exit_with_stdin: bool) -> None:
    """Say "listening on PORT" (the first line a starter reads), then serve until interrupted
    or, with `exit_with_stdin`, until standard input closes; exits the process."""
    print(f"listening on {server.server_address[1]}", flush=True)
    if exit_with_stdin:
        threading.Thread(target=_exit_at_eof, daemon=True, name="stdin-watch").start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    sys.exit(0)
