"""The supervision tick: overdue steps open a 督办, unacknowledged ones climb the tree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from cad110.auth.permissions import Permission
from cad110.db.engine import transaction
from cad110.errors import Conflict, NotFound
from cad110.events.log import append
from cad110.kernel import deadlines
from cad110.kernel.context import Ctx
from cad110.kernel.runtime import Runtime
from cad110.models.incident import Incident
from cad110.models.jurisdiction import Jurisdiction, Level
from cad110.models.subjects import SubjectType
from cad110.models.supervision import Deadline, Notification, Step, Supervision, SupervisionLevel
from cad110.settings import Settings

# The console's records page ranks supervisions the same way.
from cad110.supervision.repository import due_deadlines, due_to_escalate

STEP_ZH = {
    Step.DISPATCH: "派警",
    Step.ACKNOWLEDGE: "签收",
    Step.ARRIVE: "到场",
    Step.REPORT: "反馈",
    Step.CLOSE: "结警",
    Step.CALLBACK: "回访",
    Step.CASE_CALLBACK: "寻人回访",
    Step.FOLLOW_UP: "不满意整改",
    Step.REPEAT_CALLBACK: "重复警情电话回访",
    Step.REPEAT_VISIT: "重复警情上门走访",
}
LEVEL_OF = {
    Level.STATION: SupervisionLevel.STATION,
    Level.DISTRICT: SupervisionLevel.DISTRICT,
    Level.CITY: SupervisionLevel.CITY,
}
BATCH = 500


@dataclass(frozen=True)
class TickReport:
    opened: int
    escalated: int


def _delay(settings: Settings, level: SupervisionLevel) -> timedelta | None:
    if level is SupervisionLevel.STATION:
        return timedelta(seconds=settings.escalate_station_after_s)
    if level is SupervisionLevel.DISTRICT:
        return timedelta(seconds=settings.escalate_district_after_s)
    return None


def _open(session: Session, deadline: Deadline, now: datetime, settings: Settings) -> bool:
    claimed = session.execute(
        update(Deadline)
        .where(Deadline.id == deadline.id, deadlines.PENDING)
        .values(fired_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False  # another worker's tick took it, or the step was done meanwhile
    incident = session.get(Incident, deadline.incident_id)
    assert incident is not None
    owner = session.get(Jurisdiction, incident.jurisdiction_code)
    assert owner is not None
    level = LEVEL_OF[owner.level]
    delay = _delay(settings, level)
    supervision = Supervision(
        deadline_id=deadline.id,
        incident_id=incident.id,
        unit_code=deadline.unit_code,
        step=deadline.step,
        due_at=deadline.due_at,
        opened_at=now,
        level=level,
        owner_code=owner.code,
        owner_path=owner.path,
        incident_path=incident.jurisdiction_path,
        escalate_at=deadline.due_at + delay if delay is not None else None,
        comment="",
    )
    session.add(supervision)
    session.flush()
    overdue_s = int((now - deadline.due_at).total_seconds())
    who = f"警组{deadline.unit_code}" if deadline.unit_code else "本警情"
    due_local = deadline.due_at.astimezone(settings.tz)
    message = f"督办：{incident.number} {who}{STEP_ZH[deadline.step]}超时（应于 {due_local:%H:%M:%S} 前完成）"
    append(
        session,
        subject_type=SubjectType.INCIDENT,
        subject_id=incident.number,
        kind="supervision_opened",
        at=now,
        actor="system",
        payload={
            "supervision": supervision.id,
            "step": deadline.step.value,
            "unit": deadline.unit_code,
            "due_at": deadline.due_at.isoformat(),
            "overdue_s": overdue_s,
            "level": level.value,
            "owner": owner.code,
        },
    )
    session.add(
        Notification.to(
            owner,
            kind="supervision",
            message=message,
            at=now,
            incident_id=incident.id,
            supervision_id=supervision.id,
        )
    )
    return True


def _escalate(
    session: Session, supervision: Supervision, now: datetime, settings: Settings
) -> bool:
    owner = session.get(Jurisdiction, supervision.owner_code)
    assert owner is not None
    assert owner.parent_code is not None
    parent = session.get(Jurisdiction, owner.parent_code)
    assert parent is not None
    level = LEVEL_OF[parent.level]
    delay = _delay(settings, level)
    assert supervision.escalate_at is not None
    escalate_at = supervision.escalate_at + delay if delay is not None else None
    moved = session.execute(
        update(Supervision)
        .where(
            Supervision.id == supervision.id,
            Supervision.version == supervision.version,
            Supervision.acknowledged_at.is_(None),
            Supervision.step_done_at.is_(None),
        )
        .values(
            level=level,
            owner_code=parent.code,
            owner_path=parent.path,
            escalate_at=escalate_at,
            version=Supervision.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        return False
    incident = session.get(Incident, supervision.incident_id)
    assert incident is not None
    append(
        session,
        subject_type=SubjectType.INCIDENT,
        subject_id=incident.number,
        kind="supervision_escalated",
        at=now,
        actor="system",
        payload={
            "supervision": supervision.id,
            "from": owner.code,
            "to": parent.code,
            "level": level.value,
        },
    )
    message = f"督办升级：{incident.number} {STEP_ZH[supervision.step]}超时未处理，已由{owner.name_zh}升级至{parent.name_zh}"
    session.add(
        Notification.to(
            parent,
            kind="escalation",
            message=message,
            at=now,
            incident_id=incident.id,
            supervision_id=supervision.id,
        )
    )
    return True


def tick(session: Session, *, now: datetime, settings: Settings) -> TickReport:
    """Open a supervision for every overdue step and escalate what waited too long. Idempotent."""
    opened = 0
    for deadline in due_deadlines(session, now, limit=BATCH):
        opened += _open(session, deadline, now, settings)
    escalated = 0
    # A long outage can leave several levels due at once: climb until nothing is due.
    for _ in range(len(SupervisionLevel)):
        waiting = due_to_escalate(session, now, limit=BATCH)
        if not waiting:
            break
        for supervision in waiting:
            session.refresh(supervision)
            escalated += _escalate(session, supervision, now, settings)
    session.flush()
    return TickReport(opened=opened, escalated=escalated)


def acknowledge(ctx: Ctx, supervision_id: int, comment: str) -> Supervision:
    """A leader takes note of a supervision, with a comment; it stops climbing."""
    ctx.by.require(Permission.SUPERVISE)
    supervision = ctx.session.get(Supervision, supervision_id)
    if supervision is None or not ctx.by.sees(supervision.owner_path):
        raise NotFound(f"supervision {supervision_id} not found")
    done = ctx.session.execute(
        update(Supervision)
        .where(Supervision.id == supervision_id, Supervision.acknowledged_at.is_(None))
        .values(
            acknowledged_at=ctx.at,
            acknowledged_by=ctx.by.username,
            comment=comment,
            version=Supervision.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"supervision {supervision_id} was already acknowledged")
    ctx.session.refresh(supervision)
    incident = ctx.session.get(Incident, supervision.incident_id)
    assert incident is not None
    ctx.record(
        SubjectType.INCIDENT,
        incident.number,
        "supervision_acknowledged",
        {"supervision": supervision_id, "comment": comment},
    )
    return supervision


class SupervisionJob:
    """The tick's share: open a supervision for each overdue step, escalate what waited."""

    name = "supervision"

    def run(self, rt: Runtime, now: datetime) -> str | None:
        with transaction(rt.sessions) as session:
            report = tick(session, now=now, settings=rt.settings)
        if report.opened or report.escalated:
            return f"{report.opened} opened, {report.escalated} escalated"
        return None
