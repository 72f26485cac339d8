"""Hazard flags over HTTP: set, revoke, and look up by place or person.

Every answer that shows a flag records it in the access log first, one record per flag (the
reader's duty and the route), and a lookup by a personal value records the masked query too.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Response, status
from sqlalchemy import select

from cad110.api.deps import Context
from cad110.api.routing import Router
from cad110.auth.permissions import Permission
from cad110.auth.principal import Principal
from cad110.errors import InvalidInput, NotFound
from cad110.kernel.context import Ctx
from cad110.kernel.inputs import Phone
from cad110.kernel.people import display_names
from cad110.kernel.scope import in_scope
from cad110.models.hazard import FlagSubject, HazardFlag
from cad110.models.incident import Incident
from cad110.places import flags
from cad110.places.flags import Persons, flag_reads, person_lookups
from cad110.places.flags_schemas import (
    FlagIn,
    FlagList,
    FlagOut,
    IdNumber,
    KindList,
    KindOut,
    PersonName,
    PlaceCode,
    RevokeIn,
)
from cad110.places.known import place_at
from cad110.privacy.deps import AccessLog, Recorder

router = Router(tags=["hazard flags"])

FlagId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def record_shown(log: Recorder, by: Principal, person: Persons, shown: list[HazardFlag]) -> None:
    log.record([*person_lookups(person, shown), *flag_reads(by, shown)])


@router.get("/flags/kinds")
def flag_kinds(ctx: Context) -> KindList:
    """The kinds of flag in use (持械, 暴力倾向, 精神障碍…), most severe first."""
    ctx.by.require(Permission.READ)
    return KindList(
        items=[
            KindOut(code=k.code, zh=k.zh, en=k.en, severity=k.severity)
            for k in flags.kinds().values()
            if not k.retired
        ]
    )


@router.post("/flags", status_code=status.HTTP_201_CREATED)
def set_flag(body: FlagIn, ctx: Context) -> FlagOut:
    """标记: a hazard on a place (its jurisdiction's) or a person (the setter's jurisdiction)."""
    ctx.by.require(Permission.FLAGS)
    person = Persons(
        phone=body.person.phone if body.person else None,
        id_number=body.person.id_number if body.person else None,
        name=body.person.name if body.person else None,
    )
    place_code = body.place
    if body.incident is not None:
        if body.place is not None or body.person is not None:
            raise InvalidInput("incident", "an incident names its own place and caller")
        place_code, person = _of_incident(ctx, body.incident, body.subject)
    flag = flags.set_flag(
        ctx,
        subject=body.subject,
        kind=body.kind,
        reason=body.reason,
        place_code=place_code,
        person=person,
        expires_at=body.expires_at,
    )
    return FlagOut.of(flag, ctx.at, display_names(ctx.session, [flag.set_by]))


def _of_incident(ctx: Ctx, number: str, subject: FlagSubject) -> tuple[str | None, Persons]:
    """The place or the caller of an incident in scope, as the record holds them (a board
    shows the caller masked, so it could not send the phone itself)."""
    incident = ctx.session.scalars(
        select(Incident).where(
            Incident.number == number, in_scope(Incident.jurisdiction_path, ctx.by)
        )
    ).one_or_none()
    if incident is None:
        raise NotFound(f"no incident {number}")
    if subject is FlagSubject.PERSON:
        person = Persons(phone=incident.caller_phone, name=incident.caller_name)
        if not person:
            raise InvalidInput("incident", "the incident names no caller", code="no_caller")
        return None, person
    place = None
    if incident.lon is not None and incident.lat is not None:
        place = place_at(ctx.session, incident.lon, incident.lat, incident.address)
    if place is None:
        raise InvalidInput("incident", "the incident is at no standard address", code="no_place")
    return place.code, Persons()


@router.post("/flags/{flag_id}/revoke")
def revoke_flag(flag_id: FlagId, body: RevokeIn, ctx: Context, log: AccessLog) -> FlagOut:
    """撤销: the flag stays on record with who revoked it and why."""
    ctx.by.require(Permission.FLAGS)
    flag = flags.revoke_flag(ctx, flag_id, body.reason)
    log.record(flag_reads(ctx.by, [flag]))
    return FlagOut.of(flag, ctx.at, display_names(ctx.session, [flag.set_by]))


@router.get("/flags")
def find_flags(
    ctx: Context,
    log: AccessLog,
    response: Response,
    place: Annotated[PlaceCode | None, Query()] = None,
    phone: Annotated[Phone | None, Query()] = None,
    id_number: Annotated[IdNumber | None, Query()] = None,
    name: Annotated[PersonName | None, Query()] = None,
    include_past: bool = False,
) -> FlagList:
    """Flags on a place and on a person (by phone, ID number or name), live ones only unless
    `include_past`; each flag shown is recorded in the access log."""
    ctx.by.require(Permission.FLAGS)
    person = Persons(phone=phone, id_number=id_number, name=name)
    if place is None and not person:
        raise InvalidInput(
            ("query", "place"), "name a place, a phone, an ID number or a name", code="required"
        )
    shown = flags.find(
        ctx.session,
        ctx.by,
        ctx.at,
        place_codes=[place] if place else [],
        person=person,
        include_past=include_past,
    )
    record_shown(log, ctx.by, person, shown)
    response.headers["Cache-Control"] = "no-store"
    names = display_names(ctx.session, [f.set_by for f in shown])
    return FlagList(items=[FlagOut.of(f, ctx.at, names) for f in shown])
