"""What cad110 asks of the phone system, behind a typed Protocol, and its real HTTP adapter.

The phone system (the centre's 110 switch / ACD) is outside cad110. Inbound, it posts call
events (api.py); outbound, cad110 asks it to ring a number from a seat (回拨, a callback) and
for the link to a call's recording. `HttpPhoneSystem` speaks the small HTTP interface below,
which the fake phone system (telephony/fake.py) also answers:

    POST {base}/calls            {"seat": "A01", "number": "13800138000", "ref": "…"}
                                 → 201 {"call_id": "…"}
    GET  {base}/recordings/{id}  → 200 {"url": "https://…"} | 404 (none yet)

Each request is signed like the events (signing.py), so the phone system can tell it is us.
"""

from __future__ import annotations

import json
import time
from typing import Protocol
from urllib.parse import quote

import httpx

from cad110.kernel.signing import signed_headers


class PhoneSystemError(Exception):
    """The phone system refused or could not be reached."""


class PhoneSystem(Protocol):
    def place_call(self, *, seat: str, number: str, ref: str) -> str:
        """Ring `number` from `seat` (the seat's phone rings first); the new call's id."""
        ...

    def recording_link(self, call_id: str) -> str | None:
        """Where the recording of `call_id` can be fetched, None if there is none (yet)."""
        ...


class HttpPhoneSystem:
    """The phone system over HTTP (real network I/O; the caller decides when to call it)."""

    def __init__(
        self,
        base_url: str,
        secret: str,
        *,
        timeout_s: float = 5.0,
        client: httpx.Client | None = None,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._secret = secret
        self._client = client or httpx.Client(timeout=timeout_s)

    def _headers(self, body: bytes) -> dict[str, str]:
        return signed_headers(self._secret, int(time.time()), body)

    def place_call(self, *, seat: str, number: str, ref: str) -> str:
        body = json.dumps({"seat": seat, "number": number, "ref": ref}).encode()
        try:
            answer = self._client.post(
                f"{self._base}/calls", content=body, headers=self._headers(body)
            )
        except httpx.HTTPError as exc:
            raise PhoneSystemError(f"phone system unreachable: {exc}") from exc
        if answer.status_code != 201:
            raise PhoneSystemError(f"phone system refused the call: HTTP {answer.status_code}")
        call_id = answer.json().get("call_id")
        if not isinstance(call_id, str) or not call_id:
            raise PhoneSystemError("phone system answered without a call_id")
        return call_id

    def recording_link(self, call_id: str) -> str | None:
        try:
            answer = self._client.get(
                f"{self._base}/recordings/{quote(call_id, safe='')}", headers=self._headers(b"")
            )
        except httpx.HTTPError as exc:
            raise PhoneSystemError(f"phone system unreachable: {exc}") from exc
        if answer.status_code == 404:
            return None
        if answer.status_code != 200:
            raise PhoneSystemError(f"phone system refused: HTTP {answer.status_code}")
        url = answer.json().get("url")
        return url if isinstance(url, str) else None

    def close(self) -> None:
        self._client.close()
