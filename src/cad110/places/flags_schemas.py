"""Hazard flags in and out of the API."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, StringConstraints

from cad110.kernel.inputs import Moment, Phone, Strict
from cad110.models.hazard import FlagSubject, HazardFlag
from cad110.places.flags import is_live, kinds, masked_person

PlaceCode = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z_.-]{1,32}$")]
# A resident ID (居民身份证号): 18 characters, the last a digit or X; old 15-digit ones too.
IdNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^(\d{17}[\dXx]|\d{15})$"),
    AfterValidator(str.upper),
]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=500)]
KindCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class PersonIn(Strict):
    id_number: IdNumber | None = None
    phone: Phone | None = None
    name: PersonName | None = None


IncidentNumber = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z_-]{1,40}$")]


class FlagIn(Strict):
    """A new flag: on a place (`place`) or on a person (`person`), never both; or, from an
    incident's screen, on its place or its caller (`incident`: the record says which)."""

    subject: FlagSubject
    kind: KindCode
    place: PlaceCode | None = None
    person: PersonIn | None = None
    incident: IncidentNumber | None = None
    reason: Reason
    # None: until revoked.
    expires_at: Moment | None = None


class RevokeIn(Strict):
    reason: Reason


class KindOut(BaseModel):
    code: str
    zh: str
    en: str
    severity: int


class FlagOut(BaseModel):
    id: int
    subject: FlagSubject
    kind: str
    kind_zh: str
    kind_en: str
    severity: int
    place: str | None
    # Who a person flag is about, masked (a flag is found by what the desk already knows).
    person: dict[str, str | None] | None
    reason: str
    # The account that set it, and the person's name a screen shows (the account's where the
    # account has none).
    set_by: str
    set_by_name: str
    set_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None
    revoke_reason: str | None
    live: bool

    @classmethod
    def of(cls, f: HazardFlag, at: datetime, names: Mapping[str, str] | None = None) -> FlagOut:
        kind = kinds().get(f.kind)
        return cls(
            id=f.id,
            subject=f.subject,
            kind=f.kind,
            kind_zh=kind.zh if kind else f.kind,
            kind_en=kind.en if kind else f.kind,
            severity=kind.severity if kind else 1,
            place=f.place_code,
            person=masked_person(f) if f.subject is FlagSubject.PERSON else None,
            reason=f.reason,
            set_by=f.set_by,
            set_by_name=(names or {}).get(f.set_by, f.set_by),
            set_at=f.set_at,
            expires_at=f.expires_at,
            revoked_at=f.revoked_at,
            revoked_by=f.revoked_by,
            revoke_reason=f.revoke_reason,
            live=is_live(f, at),
        )


class FlagList(BaseModel):
    items: list[FlagOut]


class KindList(BaseModel):
    items: list[KindOut]
