"""The missing-person case file (寻人档案) and everything that hangs off it.

One case per incident. The record's searchable fields are columns; the rest of the national
record (art. 13) lives in `details`, a JSON object whose keys are listed in `DETAIL_FIELDS`.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base, str_enum


class CaseStatus(StrEnum):
    OPEN = "open"  # 查找中
    CLOSED = "closed"  # 已结案


class CaseOutcome(StrEnum):
    FOUND_SAFE = "found_safe"  # 找到，平安
    FOUND_INJURED = "found_injured"  # 找到，受伤
    FOUND_DEAD = "found_dead"  # 找到，死亡
    RETURNED = "returned"  # 自行返回
    CLOSED_OTHER = "closed_other"  # 其他结案


# Outcomes in which the person was found (the numerator of the recovery rate).
FOUND_OUTCOMES = frozenset(
    {
        CaseOutcome.FOUND_SAFE,
        CaseOutcome.FOUND_INJURED,
        CaseOutcome.FOUND_DEAD,
        CaseOutcome.RETURNED,
    }
)


class HandlingUnit(StrEnum):
    STATION = "station"  # 派出所 (grade 1)
    CRIMINAL = "criminal"  # 刑侦 (grades 2–3)


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"


class MissingCase(Base):
    __tablename__ = "missing_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(48), unique=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), unique=True)
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    jurisdiction_path: Mapped[str] = mapped_column(String(255), index=True)
    grid_code: Mapped[str | None] = mapped_column(ForeignKey("grids.code"))
    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus))
    outcome: Mapped[CaseOutcome | None] = mapped_column(str_enum(CaseOutcome))
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    # Case grade: 1 the station handles; 2–3 criminal investigation leads.
    grade: Mapped[int]
    handling_unit: Mapped[HandlingUnit] = mapped_column(str_enum(HandlingUnit))
    # Vulnerable person: grade-1 urgency and the golden-72-hours clock on every screen.
    urgent: Mapped[bool] = mapped_column(default=False)

    # The person.
    name: Mapped[str] = mapped_column(String(64))
    sex: Mapped[Sex] = mapped_column(str_enum(Sex))
    birth_date: Mapped[date | None]
    age: Mapped[int | None]
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    school_or_work: Mapped[str | None] = mapped_column(String(128))
    # The school or workplace as written, normalised: what cluster alerts group by.
    school_key: Mapped[str | None] = mapped_column(String(128), index=True)
    home_address: Mapped[str | None] = mapped_column(String(255))
    # Conditions: elderly, dementia, intellectual_disability, mental_illness, suicide_risk.
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Suspected-victim signs: harm_at_scene, witness_to_harm, vehicle_or_money, serious_conflict.
    signs: Mapped[list[str]] = mapped_column(JSON, default=list)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    # The informant (报案人).
    informant_name: Mapped[str] = mapped_column(String(64))
    informant_phone: Mapped[str] = mapped_column(String(32))
    informant_relation: Mapped[str] = mapped_column(String(32))

    # Last seen.
    last_seen_at: Mapped[datetime]
    last_seen_place: Mapped[str] = mapped_column(String(255))
    last_seen_lon: Mapped[float | None]
    last_seen_lat: Mapped[float | None]

    # Responsibility: first receiver (首接), duty leader (包干领导), case officer (专管员).
    first_station_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    first_officer: Mapped[str] = mapped_column(String(64))
    leader: Mapped[str | None] = mapped_column(String(64))
    case_officer: Mapped[str | None] = mapped_column(String(64))

    opened_at: Mapped[datetime]
    opened_by: Mapped[str] = mapped_column(String(64))
    criminal_case_at: Mapped[datetime | None]  # 立案
    investigation_at: Mapped[datetime | None]  # 立线调查 / transferred to 刑侦
    group_formed_at: Mapped[datetime | None]  # 一键建群
    commander: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(64))

    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    __table_args__ = (
        CheckConstraint("grade BETWEEN 1 AND 3", name="grade_range"),
        Index("ix_missing_cases_status_opened", "status", "opened_at"),
    )


class CasePhoto(Base):
    __tablename__ = "missing_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("missing_cases.id"), index=True)
    media_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    caption: Mapped[str] = mapped_column(String(255), default="")
    added_at: Mapped[datetime]
    added_by: Mapped[str] = mapped_column(String(64))


class RequestKind(StrEnum):
    GRADE_CHANGE = "grade_change"  # 调整等级 (changes the handling unit)
    TRANSFER_CRIMINAL = "transfer_criminal"  # 移交刑侦 / 立线调查


class RequestState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class CaseRequest(Base):
    """A change that needs a leader's approval, raised by a rule or by an officer."""

    __tablename__ = "missing_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("missing_cases.id"), index=True)
    kind: Mapped[RequestKind] = mapped_column(str_enum(RequestKind))
    grade: Mapped[int | None]
    reason: Mapped[str] = mapped_column(Text)
    rule: Mapped[str | None] = mapped_column(String(48))
    state: Mapped[RequestState] = mapped_column(str_enum(RequestState))
    requested_at: Mapped[datetime]
    requested_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")


class RuleFiring(Base):
    """A risk rule that fired on a case, once, with its reason (time rules are checked by the tick)."""

    __tablename__ = "missing_rule_firings"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("missing_cases.id"), index=True)
    rule: Mapped[str] = mapped_column(String(48))
    reason: Mapped[str] = mapped_column(Text)  # Chinese, the record
    # What the reason was built from (ages, hours, condition codes): a screen says it in the
    # reader's language; None on firings recorded before they were kept.
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    fired_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("case_id", "rule"),)


class Team(StrEnum):
    COMMAND = "command"  # 指挥长
    INTELLIGENCE = "intelligence"  # 情报专班
    CRIMINAL = "criminal"  # 刑侦专班
    CYBER = "cyber"  # 网安专班
    PATROL = "patrol"  # 巡特警专班


class TaskState(StrEnum):
    TODO = "todo"
    DOING = "doing"
    DONE = "done"


class CaseTask(Base):
    """One task of the search group (一长四专班)."""

    __tablename__ = "missing_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("missing_cases.id"), index=True)
    team: Mapped[Team] = mapped_column(str_enum(Team))
    title: Mapped[str] = mapped_column(String(255))
    # A task the system wrote (the group's first tasks, "group_<team>"): a screen says its
    # title in the reader's language. None for a task a person typed.
    code: Mapped[str | None] = mapped_column(String(48))
    assignee: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[TaskState] = mapped_column(str_enum(TaskState))
    result: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SearchNotice(Base):
    """Search details pushed to a unit inside the search radius."""

    __tablename__ = "missing_search_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("missing_cases.id"), index=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    distance_m: Mapped[int]
    sent_at: Mapped[datetime]
    read_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("case_id", "unit_code"),)


class AppealState(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class Appeal(Base):
    """寻人启事 on one social channel; its reach widens with time until withdrawn."""

    __tablename__ = "missing_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("missing_cases.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    radius_km: Mapped[int]
    state: Mapped[AppealState] = mapped_column(str_enum(AppealState))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    withdrawn_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("case_id", "channel"),)


class OutboxKind(StrEnum):
    """What a missing-person message in the outbox (models/outbox.py) is."""

    APPEAL_PUBLISH = "appeal_publish"
    APPEAL_WIDEN = "appeal_widen"
    APPEAL_WITHDRAW = "appeal_withdraw"
    INFORM = "inform"  # a message to the informant (SMS)


class CaseCallback(Base):
    """A scheduled callback to the informant (回访), with what the family said."""

    __tablename__ = "missing_callbacks"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("missing_cases.id"), index=True)
    seq: Mapped[int]
    label: Mapped[str] = mapped_column(String(16))  # "24h", "3d", …
    due_at: Mapped[datetime]
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("deadlines.id"))
    reminded_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(64))
    reached: Mapped[bool | None]
    family_said: Mapped[str] = mapped_column(Text, default="")
    new_lead: Mapped[str] = mapped_column(Text, default="")
    cancelled_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("case_id", "seq"),)


class CaseLink(Base):
    """A second report of the same person, linked to the first (never merged away)."""

    __tablename__ = "missing_links"

    case_id: Mapped[int] = mapped_column(ForeignKey("missing_cases.id"), primary_key=True)
    duplicate_of_id: Mapped[int] = mapped_column(ForeignKey("missing_cases.id"), primary_key=True)
    score: Mapped[int]
    reasons: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime]


class ClusterKind(StrEnum):
    GRID = "grid"
    SCHOOL_OR_WORK = "school_or_work"


class ClusterAlert(Base):
    """Several people missing from one grid, school or workplace within the window."""

    __tablename__ = "missing_clusters"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ClusterKind] = mapped_column(str_enum(ClusterKind))
    key: Mapped[str] = mapped_column(String(128))
    district_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    district_path: Mapped[str] = mapped_column(String(255), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")


class ClusterMember(Base):
    __tablename__ = "missing_cluster_members"

    cluster_id: Mapped[int] = mapped_column(ForeignKey("missing_clusters.id"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("missing_cases.id"), primary_key=True)
