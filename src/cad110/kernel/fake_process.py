"""What the fakes of outside systems (the phone system, the SMS gateway) share as processes of
their own: the line that tells the starter the port, and staying up until told to stop."""

from __future__ import annotations

import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


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
