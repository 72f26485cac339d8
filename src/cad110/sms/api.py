"""POST /api/v1/sms/events: the SMS gateway's receipts and replies, signed (docs/sms.md).

Not a session or a token but the shared secret's signature (kernel/signing.py) over the raw
body, which is why the body is read raw and validated here.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from cad110.api.routing import Router
from cad110.kernel import signing
from cad110.kernel.received import receive_once
from cad110.kernel.runtime import Runtime
from cad110.sms import service
from cad110.sms.schemas import SmsEventAnswer, SmsEventIn

router = Router(tags=["sms"])


@router.post(
    "/sms/events",
    response_model=SmsEventAnswer,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": SmsEventIn.model_json_schema()}},
        },
        "parameters": [
            {"name": h, "in": "header", "required": True, "schema": {"type": "string"}}
            for h in (signing.TIMESTAMP_HEADER, signing.SIGNATURE_HEADER)
        ],
    },
)
async def sms_event(request: Request) -> SmsEventAnswer:
    """A delivery receipt or a reply from the SMS gateway, signed with the shared secret. A
    replayed event id is answered 200 with `applied: false`."""
    rt: Runtime = request.app.state.runtime
    body = await request.body()
    settings = rt.settings
    signing.verify(
        settings.sms_gateway_secret,
        request.headers.get(signing.TIMESTAMP_HEADER),
        request.headers.get(signing.SIGNATURE_HEADER),
        body,
        now=rt.clock.now(),
        window_s=settings.sms_events_window_s,
        what="SMS gateway events",
        sender="SMS gateway",
    )
    try:
        event = SmsEventIn.model_validate_json(body)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from None
    return await run_in_threadpool(receive_once, rt, service.SMS_GATEWAY, service.receive, event)
