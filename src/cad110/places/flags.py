"""Hazard flags (警示标记): set with a reason and an optional expiry, revoked with a reason.

A place flag belongs to the place's jurisdiction; a person flag to the jurisdiction of whoever
set it (a person has no address of their own here). Both are read through `live`, which
starts from the caller's scope and leaves out flags that expired or were revoked. Reading a
flag is recorded by the route that shows it (a person flag is personal data — health, past
violence — and a place flag often says who lives there).
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.errors import Conflict, InvalidInput, NotFound
from cad110.events.log import NEW_SUBJECT
from cad110.kernel.context import Ctx
from cad110.kernel.scope import in_scope
from cad110.models.hazard import FlagSubject, HazardFlag
from cad110.models.place import Place
from cad110.models.subjects import SubjectType
from cad110.privacy.masking import mask
from cad110.privacy.policy import Action, Subject
from cad110.privacy.record import Access, searched


@dataclass(frozen=True)
class FlagKind:
    code: str
    zh: str
    en: str
    # 3 danger to life, 2 danger to health or safety, 1 take care.
    severity: int
    retired: bool = False


@dataclass(frozen=True)
class Radii:
    """How far "what is known at a place" looks, from the same data file."""

    history_days: int
    incident_m: float
    missing_m: float
    target_m: float
    # A point this close to a standard address is taken as that address (its flags apply).
    same_place_m: float


def _check_kind(code: str, raw: dict[str, Any]) -> FlagKind:
    kind = FlagKind(
        code=code,
        zh=str(raw["zh"]),
        en=str(raw["en"]),
        severity=int(raw["severity"]),
        retired=bool(raw.get("retired", False)),
    )
    if not (1 <= kind.severity <= 3 and kind.zh and kind.en and len(code) <= 32):
        raise ValueError(f"flags.toml: kind {code!r} needs zh, en and a severity 1–3")
    return kind


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    text = resources.files("cad110.places").joinpath("data/flags.toml").read_text("utf-8")
    return tomllib.loads(text)


@lru_cache(maxsize=1)
def kinds() -> dict[str, FlagKind]:
    """The kinds of flag a centre uses, by code (most severe first)."""
    found = [_check_kind(code, raw) for code, raw in _data()["kinds"].items()]
    found.sort(key=lambda k: -k.severity)
    return {k.code: k for k in found}


@lru_cache(maxsize=1)
def radii() -> Radii:
    raw = _data()["known"]
    return Radii(
        history_days=int(raw["history_days"]),
        incident_m=float(raw["incident_m"]),
        missing_m=float(raw["missing_m"]),
        target_m=float(raw["target_m"]),
        same_place_m=float(raw["same_place_m"]),
    )


@dataclass(frozen=True)
class Persons:
    """Whatever is known of the people at a call: the caller's phone, an ID number, a name."""

    phone: str | None = None
    id_number: str | None = None
    name: str | None = None

    def __bool__(self) -> bool:
        return bool(self.phone or self.id_number or self.name)

    def fields(self) -> list[tuple[str, str]]:
        """(field, value) of each part given, as the access log names them."""
        pairs = [("phone", self.phone), ("id_number", self.id_number), ("name", self.name)]
        return [(f, v) for f, v in pairs if v]


def set_flag(
    ctx: Ctx,
    *,
    subject: FlagSubject,
    kind: str,
    reason: str,
    place_code: str | None = None,
    person: Persons = Persons(),
    expires_at: datetime | None = None,
) -> HazardFlag:
    """标记: a new flag, recorded with everything it says."""
    found = kinds().get(kind)
    if found is None or found.retired:
        raise InvalidInput("kind", f"no flag kind {kind!r}", code="unknown_flag_kind")
    if expires_at is not None and expires_at <= ctx.at:
        raise InvalidInput("expires_at", "the expiry must lie in the future", code="in_the_past")
    if subject is FlagSubject.PLACE:
        if place_code is None or person:
            raise InvalidInput("place", "a place flag names a place and no person", code="place")
        place = ctx.session.scalars(select(Place).where(Place.code == place_code)).one_or_none()
        if place is None or not ctx.by.sees(place.jurisdiction_path):
            raise NotFound(f"no place {place_code}")
        path = place.jurisdiction_path
    else:
        if place_code is not None or not person:
            raise InvalidInput(
                "person", "a person flag names a phone, an ID number or a name", code="person"
            )
        path = ctx.by.scope_path
    flag = HazardFlag(
        subject=subject,
        kind=kind,
        place_code=place_code,
        person_id_number=person.id_number,
        person_phone=person.phone,
        person_name=person.name,
        reason=reason,
        set_by=ctx.by.username,
        set_at=ctx.at,
        expires_at=expires_at,
        jurisdiction_path=path,
    )
    ctx.session.add(flag)
    ctx.session.flush()
    ctx.record(
        SubjectType.HAZARD_FLAG,
        str(flag.id),
        "set",
        {
            "subject": subject.value,
            "kind": kind,
            "place": place_code,
            # Under "flagged_person" the event masks apply on any screen that shows it.
            "flagged_person": {
                "id_number": person.id_number,
                "phone": person.phone,
                "name": person.name,
            },
            "reason": reason,
            "expires_at": expires_at.isoformat() if expires_at else None,
            "jurisdiction_path": path,
        },
        head=NEW_SUBJECT,
    )
    return flag


def revoke_flag(ctx: Ctx, flag_id: int, reason: str) -> HazardFlag:
    """撤销: the flag stays on record, no longer live."""
    flag = ctx.session.get(HazardFlag, flag_id)
    if flag is None or not ctx.by.sees(flag.jurisdiction_path):
        raise NotFound(f"no flag {flag_id}")
    if flag.revoked_at is not None:
        raise Conflict(f"flag {flag_id} was revoked already")
    flag.revoked_at = ctx.at
    flag.revoked_by = ctx.by.username
    flag.revoke_reason = reason
    ctx.session.flush()
    ctx.record(SubjectType.HAZARD_FLAG, str(flag.id), "revoked", {"reason": reason})
    return flag


def is_live(flag: HazardFlag, at: datetime) -> bool:
    return flag.revoked_at is None and (flag.expires_at is None or flag.expires_at > at)


def _person_match(person: Persons) -> ColumnElement[bool] | None:
    parts: list[ColumnElement[bool]] = []
    if person.id_number:
        parts.append(HazardFlag.person_id_number == person.id_number)
    if person.phone:
        parts.append(HazardFlag.person_phone == person.phone)
    if person.name:
        parts.append(HazardFlag.person_name == person.name)
    return or_(*parts) if parts else None


def find(
    session: Session,
    by: Principal,
    at: datetime,
    *,
    place_codes: Sequence[str] = (),
    person: Persons = Persons(),
    include_past: bool = False,
    limit: int = 100,
) -> list[HazardFlag]:
    """Flags in `by`'s scope on any of `place_codes` or on the person, most severe first;
    only live ones unless `include_past`."""
    about: list[ColumnElement[bool]] = []
    if place_codes:
        about.append(
            (HazardFlag.subject == FlagSubject.PLACE) & HazardFlag.place_code.in_(place_codes)
        )
    matched = _person_match(person)
    if matched is not None:
        about.append((HazardFlag.subject == FlagSubject.PERSON) & matched)
    if not about:
        return []
    query = select(HazardFlag).where(in_scope(HazardFlag.jurisdiction_path, by), or_(*about))
    if not include_past:
        query = query.where(
            HazardFlag.revoked_at.is_(None),
            or_(HazardFlag.expires_at.is_(None), HazardFlag.expires_at > at),
        )
    rows = session.scalars(query.order_by(HazardFlag.set_at.desc()).limit(limit)).all()
    known = kinds()
    return sorted(rows, key=lambda f: -(known[f.kind].severity if f.kind in known else 0))


def person_fields(flag: HazardFlag) -> list[str]:
    """The personal fields a flag shows (what its read records)."""
    named = {
        "person_id_number": flag.person_id_number,
        "person_phone": flag.person_phone,
        "person_name": flag.person_name,
    }
    return ["kind", "reason", *(f for f, v in named.items() if v)]


def masked_person(flag: HazardFlag) -> dict[str, str | None]:
    """Who a person flag is about, masked: enough to tell which caller, not to copy."""
    return {
        "id_number": mask("id_number", flag.person_id_number),
        "phone": mask("phone", flag.person_phone),
        "name": mask("name", flag.person_name),
    }


def flag_reads(by: Principal, shown: Sequence[HazardFlag]) -> list[Access]:
    """One read record per flag shown, with the fields it showed and the reader's duty."""
    return [
        Access(
            Action.READ,
            Subject.HAZARD_FLAG,
            str(f.id),
            person_fields(f) if f.subject is FlagSubject.PERSON else ["kind", "reason"],
            f"duty:{by.role.value}",
        )
        for f in shown
    ]


def person_lookups(person: Persons, shown: Sequence[HazardFlag]) -> list[Access]:
    """The masked query of a lookup by a personal value, with the person flags it found."""
    found = [str(f.id) for f in shown if f.subject is FlagSubject.PERSON]
    return [
        access
        for field, value in person.fields()
        for access in searched(Subject.HAZARD_FLAG, found, field, value)
    ]
