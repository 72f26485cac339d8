"""What 反馈 and 结警 put on the incident, checked: every required guide item confirmed or
explained on its own; a close with its summary, and without a dispatch its reason."""

from __future__ import annotations

from typing import Any

from cad110.errors import InvalidInput
from cad110.incidents.schemas import CloseBody, ReportBody
from cad110.kernel.context import Ctx
from cad110.lifecycles.guards import check_close
from cad110.models.incident import Incident


def report_content(ctx: Ctx, incident: Incident, body: ReportBody, payload: dict[str, Any]) -> None:
    """The unit's feedback confirms each required guide item, or says why not."""
    category = ctx.catalog.get(incident.category_code) if incident.category_code else None
    items = {g.code: g for g in (category.guide if category else ())}
    given = {c.code: c for c in body.guide}
    for code in given:
        if code not in items:
            raise InvalidInput(["guide", code], f"{code} is not an item of this category's guide")
    for code, item in items.items():
        check = given.get(code)
        if item.required and (check is None or (not check.done and not check.note)):
            raise InvalidInput(
                ["guide", code],
                f"guide item {code} ({item.zh}) must be confirmed done, or say why not",
            )
    incident.outcome = {**incident.outcome, "report": body.model_dump(mode="json")}


def close_content(ctx: Ctx, incident: Incident, body: CloseBody, payload: dict[str, Any]) -> None:
    """结警 with a summary; one never dispatched says why no unit went."""
    check_close(
        dispatched=incident.dispatched_at is not None, no_dispatch_reason=body.no_dispatch_reason
    )
    incident.outcome = {**incident.outcome, "close": body.model_dump(mode="json")}
