"""What each action does to the incident row itself, given its body (the `apply` of its
`Step` in actions.py); it may add to the event's payload. Refusals name the body's field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from cad110.catalog.loader import TransferTarget
from cad110.errors import InvalidInput, NotFound
from cad110.incidents.repository import get_incident
from cad110.incidents.schemas import (
    AcceptBody,
    AssessBody,
    DispatchBody,
    InvalidateBody,
    MergeBody,
    ReclassifyBody,
    TransferBody,
)
from cad110.kernel.context import Ctx
from cad110.lifecycles.guards import check_lowering
from cad110.lifecycles.incident import ENDED_EARLY, Status
from cad110.models.incident import Incident, IncidentLink
from cad110.models.subjects import SubjectType

B = TypeVar("B", bound=BaseModel)
# What an action does to the incident row itself, given its body; it may add to the payload.
Apply = Callable[[Ctx, Incident, B, dict[str, Any]], None]


def classify(ctx: Ctx, incident: Incident, category: str | None, grade: int | None) -> None:
    """Set a new category and/or grade, if given (受理 and 研判 may both correct them)."""
    if category is not None:
        if ctx.catalog.get(category) is None:
            raise InvalidInput("category", f"unknown category {category}")
        incident.category_code = category
    if grade is not None:
        incident.grade = grade


def accept(ctx: Ctx, incident: Incident, body: AcceptBody, payload: dict[str, Any]) -> None:
    classify(ctx, incident, body.category, body.grade)
    if body.address is not None:
        incident.address = body.address
    if body.lon is not None and body.lat is not None:
        incident.lon, incident.lat = body.lon, body.lat
    if incident.category_code is None:
        raise InvalidInput("category", "accepting needs a category", code="category_required")
    if incident.grade is None:
        incident.grade = ctx.catalog.categories[incident.category_code].default_grade
    if incident.address is None and incident.lon is None:
        raise InvalidInput(
            "address", "accepting needs an address or a point on the map", code="address_required"
        )
    payload.update(category=incident.category_code, grade=incident.grade)


def assess(ctx: Ctx, incident: Incident, body: AssessBody, payload: dict[str, Any]) -> None:
    """研判, as often as facts come in: raising risk or grade is free, lowering needs a reason."""
    risk_before = incident.outcome.get("risk")
    check_lowering(
        risk_before=risk_before,
        risk_after=body.risk,
        grade_before=incident.grade,
        grade_after=body.grade,
        reason=body.reason,
    )
    before = {"category": incident.category_code, "grade": incident.grade, "risk": risk_before}
    classify(ctx, incident, body.category, body.grade)
    for other_number in body.related:
        other = other_incident(ctx, other_number, "related")
        if other.id == incident.id:
            raise InvalidInput("related", "an incident cannot be related to itself")
        ctx.session.merge(
            IncidentLink(
                incident_id=incident.id,
                related_id=other.id,
                created_at=ctx.at,
                created_by=ctx.by.username,
            )
        )
    if body.risk is not None:
        incident.outcome = {**incident.outcome, "risk": body.risk}
    payload["before"] = before


def reclassify(ctx: Ctx, incident: Incident, body: ReclassifyBody, payload: dict[str, Any]) -> None:
    """改类/改级: the event keeps both sides; deadlines follow the new limits (their subscriber)."""
    before = {"category": incident.category_code, "grade": incident.grade}
    classify(ctx, incident, body.category, body.grade)
    after = {"category": incident.category_code, "grade": incident.grade}
    if after == before:
        field = "category" if body.category is not None else "grade"
        raise InvalidInput(
            field, "the incident already has this category and grade", code="nothing_changes"
        )
    payload.update(before=before, after=after)


def merge(ctx: Ctx, incident: Incident, body: MergeBody, payload: dict[str, Any]) -> None:
    target = other_incident(ctx, body.into, "into")
    if target.id == incident.id:
        raise InvalidInput("into", "an incident cannot be merged into itself")
    if target.status in ENDED_EARLY or target.status in {
        Status.CLOSED,
        Status.CALLED_BACK,
        Status.ARCHIVED,
    }:
        raise InvalidInput(
            "into", f"incident {target.number} is {target.status.value}; merge into an open one"
        )
    incident.merged_into_id = target.id
    ctx.record(
        SubjectType.INCIDENT,
        target.number,
        "absorbed",
        {"merged": incident.number, "note": body.note},
    )


def transfer(ctx: Ctx, incident: Incident, body: TransferBody, payload: dict[str, Any]) -> None:
    if body.to is TransferTarget.OTHER_AGENCY and not body.agency:
        raise InvalidInput("agency", "name the receiving agency", code="agency_required")
    incident.transferred_to = body.to.value
    # The event says so where a warning was overridden, and only then.
    if not body.confirm:
        payload.pop("confirm", None)


def invalidate(ctx: Ctx, incident: Incident, body: InvalidateBody, payload: dict[str, Any]) -> None:
    incident.invalid_reason = body.reason


def kept_as(key: str) -> Apply[BaseModel]:
    """An action whose body is kept on the incident's outcome under `key`."""

    def apply(ctx: Ctx, incident: Incident, body: BaseModel, payload: dict[str, Any]) -> None:
        incident.outcome = {**incident.outcome, key: body.model_dump(mode="json")}

    return apply


def nothing(ctx: Ctx, incident: Incident, body: BaseModel, payload: dict[str, Any]) -> None:
    """The status change (and what follows it) is the whole action."""


def other_incident(ctx: Ctx, number: str, field: str) -> Incident:
    try:
        return get_incident(ctx.session, number, by=ctx.by)
    except NotFound as exc:
        raise InvalidInput(field, f"unknown incident {number}") from exc


def dispatched(body: DispatchBody) -> tuple[str, ...]:
    return tuple(body.units)
