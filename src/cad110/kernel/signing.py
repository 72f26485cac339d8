"""The signing rule of requests between cad110 and the outside systems it trusts by a shared
secret (the phone system's call events, the SMS gateway's receipts and replies, and cad110's own
requests to them): HMAC-SHA256 over the timestamp and the raw body.

The sender puts two headers on each POST:

    X-Cad110-Timestamp: 1764511200                       (Unix seconds, when it was signed)
    X-Cad110-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>

The timestamp is part of what is signed, so a captured request cannot be sent again later with
a fresh one; a signature further than the window from the server's clock is refused. Within the
window a replayed event is recognised by its `event_id` (each receiver keeps those) and changes
nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from cad110.errors import Unauthenticated

TIMESTAMP_HEADER = "X-Cad110-Timestamp"
SIGNATURE_HEADER = "X-Cad110-Signature"
PREFIX = "sha256="


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for `body` signed at `timestamp`."""
    message = str(timestamp).encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return PREFIX + digest


def signed_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers a sender puts on `body` (the replay script, the fakes, the adapters)."""
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify(
    secret: str,
    timestamp: str | None,
    sent: str | None,
    body: bytes,
    *,
    now: datetime,
    window_s: int,
    what: str = "call events",
    sender: str = "phone system",
) -> None:
    """Raise Unauthenticated unless `sent` signs `body` at `timestamp`, within the window;
    `what` and `sender` name the requests and their sender in the refusal."""
    if not secret:
        raise Unauthenticated(f"{what} are not accepted: no {sender} secret is set")
    if not timestamp or not sent:
        raise Unauthenticated(f"{what} must carry {TIMESTAMP_HEADER} and {SIGNATURE_HEADER}")
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise Unauthenticated(f"{TIMESTAMP_HEADER} is not a Unix time in seconds")
    signed_at = int(timestamp)
    if abs(now.timestamp() - signed_at) > window_s:
        raise Unauthenticated(f"{TIMESTAMP_HEADER} lies outside the accepted window")
    expected = signature(secret, signed_at, body)
    if not hmac.compare_digest(expected.encode("ascii"), sent.strip().encode("utf-8", "replace")):
        raise Unauthenticated(f"{SIGNATURE_HEADER} does not match the body")
