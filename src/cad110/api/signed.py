"""A request an outside system signs (kernel/signing.py) instead of logging in: its raw body,
checked against the shared secret, then validated — read raw because the signature covers the
bytes as sent, which a parsed body no longer is."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from cad110.kernel import signing
from cad110.kernel.runtime import Runtime

T = TypeVar("T")


def signature_headers() -> list[dict[str, object]]:
    """The two headers, for the route's OpenAPI description."""
    return [
        {"name": h, "in": "header", "required": True, "schema": {"type": "string"}}
        for h in (signing.TIMESTAMP_HEADER, signing.SIGNATURE_HEADER)
    ]


def signed_openapi(schema: dict[str, object]) -> dict[str, object]:
    """A signed route's OpenAPI description: its body's JSON Schema (the route reads the body
    raw, so FastAPI cannot infer it) and the two signature headers."""
    return {
        "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
        "parameters": signature_headers(),
    }


async def signed_body(
    request: Request,
    validate: Callable[[bytes], T],
    *,
    secret: str,
    window_s: int,
    what: str,
    sender: str,
) -> T:
    """The body, signed by `sender` with `secret` within the window, as `validate` reads it;
    401 for a bad signature, 422 naming the field for a bad body."""
    rt: Runtime = request.app.state.runtime
    body = await request.body()
    signing.verify(
        secret,
        request.headers.get(signing.TIMESTAMP_HEADER),
        request.headers.get(signing.SIGNATURE_HEADER),
        body,
        now=rt.clock.now(),
        window_s=window_s,
        what=what,
        sender=sender,
    )
    try:
        return validate(body)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from None
