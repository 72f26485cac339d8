"""POST /api/v1/sms/events: the SMS gateway's receipts and replies, signed (docs/sms.md).

Not a session or a token but the shared secret's signature over the raw body (api/signed.py).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from cad110.api.routing import Router
from cad110.api.signed import signed_body, signed_openapi
from cad110.kernel.received import receive_once
from cad110.kernel.runtime import Runtime
from cad110.sms import service
from cad110.sms.schemas import SmsEventAnswer, SmsEventIn

router = Router(tags=["sms"])


@router.post(
    "/sms/events",
    response_model=SmsEventAnswer,
    openapi_extra=signed_openapi(SmsEventIn.model_json_schema()),
)
async def sms_event(request: Request) -> SmsEventAnswer:
    """A delivery receipt or a reply from the SMS gateway, signed with the shared secret. A
    replayed event id is answered 200 with `applied: false`."""
    rt: Runtime = request.app.state.runtime
    event = await signed_body(
        request,
        SmsEventIn.model_validate_json,
        secret=rt.settings.sms_gateway_secret,
        window_s=rt.settings.sms_events_window_s,
        what="SMS gateway events",
        sender="SMS gateway",
    )
    return await run_in_threadpool(receive_once, rt, service.SMS_GATEWAY, service.receive, event)
