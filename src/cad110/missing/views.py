"""Cases as the API and the screens show them, with their clocks worked out for now."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, literal, or_, select
from sqlalchemy.orm import Session

from cad110.events.subjects import SubjectType
from cad110.incidents.schemas import EventOut
from cad110.incidents.views import events_out
from cad110.kernel.context import Ctx
from cad110.missing import rules as risk
from cad110.missing.journal import journal_of
from cad110.missing.ledger import on_ledger
from cad110.missing.schemas import (
    AppealOut,
    CallbackOut,
    CaseOut,
    CaseSummary,
    ClusterOut,
    FiringOut,
    LinkOut,
    NoticeOut,
    RequestOut,
    TaskOut,
)
from cad110.missing.search import appeal_ref
from cad110.models.incident import Incident
from cad110.models.missing import (
    Appeal,
    CaseCallback,
    CaseLink,
    CasePhoto,
    CaseRequest,
    CaseTask,
    ClusterAlert,
    ClusterMember,
    MissingCase,
    RequestState,
    RuleFiring,
    SearchNotice,
)
from cad110.models.outbox import OutboxMessage
from cad110.privacy.masking import Kind, mask, mask_payload, scrub, secrets_in


def callback_out(c: CaseCallback, now: datetime) -> CallbackOut:
    return CallbackOut(
        seq=c.seq,
        label=c.label,
        due_at=c.due_at,
        overdue=c.done_at is None and c.cancelled_at is None and c.due_at <= now,
        done_at=c.done_at,
        done_by=c.done_by,
        reached=c.reached,
        family_said=c.family_said,
        new_lead=c.new_lead,
        cancelled=c.cancelled_at is not None,
    )


def _next_callbacks(session: Session, ids: Sequence[int]) -> dict[int, CaseCallback]:
    rows = session.scalars(
        select(CaseCallback)
        .where(
            CaseCallback.case_id.in_(ids),
            CaseCallback.done_at.is_(None),
            CaseCallback.cancelled_at.is_(None),
        )
        .order_by(CaseCallback.case_id, CaseCallback.seq)
    )
    first: dict[int, CaseCallback] = {}
    for row in rows:
        first.setdefault(row.case_id, row)
    return first


def summaries(ctx: Ctx, cases: Sequence[MissingCase]) -> list[CaseSummary]:
    """Many cases at once: their incidents, next callbacks and pending requests in bulk."""
    ids = [c.id for c in cases]
    numbers: dict[int, str] = {
        row.id: row.number
        for row in ctx.session.execute(
            select(Incident.id, Incident.number).where(
                Incident.id.in_([c.incident_id for c in cases])
            )
        )
    }
    pending: dict[int, int] = dict(
        ctx.session.execute(
            select(CaseRequest.case_id, func.count())
            .where(CaseRequest.case_id.in_(ids), CaseRequest.state == RequestState.PENDING)
            .group_by(CaseRequest.case_id)
        ).all()
    )
    nexts = _next_callbacks(ctx.session, ids)
    return [
        _summary(ctx, c, numbers[c.incident_id], nexts.get(c.id), pending.get(c.id, 0))
        for c in cases
    ]


def _summary(
    ctx: Ctx, c: MissingCase, incident: str, next_cb: CaseCallback | None, pending: int
) -> CaseSummary:
    golden = risk.golden_deadline(c.last_seen_at, risk.in_force(ctx)) if c.urgent else None
    golden_left = None
    if golden is not None:
        end = c.closed_at or ctx.at
        golden_left = int((golden - end).total_seconds())
    return CaseSummary(
        number=c.number,
        incident=incident,
        status=c.status,
        outcome=c.outcome,
        grade=c.grade,
        handling_unit=c.handling_unit,
        urgent=c.urgent,
        name=c.name,
        sex=c.sex,
        age=c.age,
        jurisdiction=c.jurisdiction_code,
        last_seen_at=c.last_seen_at,
        last_seen_place=c.last_seen_place,
        opened_at=c.opened_at,
        closed_at=c.closed_at,
        golden_until=golden,
        golden_left_s=golden_left,
        on_ledger=on_ledger(c, ctx.at, ctx.tz),
        next_callback=callback_out(next_cb, ctx.at) if next_cb is not None else None,
        pending_requests=pending,
        case_officer=c.case_officer,
        leader=c.leader,
    )


def appeals_out(s: Session, c: MissingCase) -> list[AppealOut]:
    """The case's appeals, each saying whether its outside channel has taken it yet."""
    delivered = set(
        s.scalars(
            select(OutboxMessage.ref).where(
                OutboxMessage.subject_type == SubjectType.MISSING_CASE,
                OutboxMessage.subject_id == c.number,
                OutboxMessage.sent_at.is_not(None),
            )
        )
    )
    return [
        AppealOut(
            id=a.id,
            channel=a.channel,
            radius_km=a.radius_km,
            state=a.state,
            text=a.text,
            created_at=a.created_at,
            withdrawn_at=a.withdrawn_at,
            delivered=appeal_ref(a.id) in delivered,
        )
        for a in s.scalars(select(Appeal).where(Appeal.case_id == c.id).order_by(Appeal.id))
    ]


def _known(c: MissingCase) -> list[tuple[Kind, str | None]]:
    return [("id_number", c.id_number), ("phone", c.phone), ("phone", c.informant_phone)]


def journal_out(ctx: Ctx, c: MissingCase, *, full: bool = False) -> list[EventOut]:
    """The case's journal, oldest first; personal values masked unless `full`."""
    return events_out(journal_of(ctx.session, c), full=full, known=_known(c))


def case_out(ctx: Ctx, c: MissingCase, *, full: bool = False) -> CaseOut:
    """The whole case. The ID number, the person's phone and the informant's name and phone
    are masked (and phone and ID numbers typed into its texts) unless `full`: only a
    single record's read, recorded, shows them."""
    s = ctx.session
    summary = summaries(ctx, [c])[0]
    secrets = {} if full else secrets_in((), _known(c))

    def text(value: str) -> str:
        return scrub(value, secrets) if secrets else value

    def personal(kind: Kind, value: str | None) -> str | None:
        return value if full else mask(kind, value)

    links = []
    for link in s.scalars(
        select(CaseLink).where(or_(CaseLink.case_id == c.id, CaseLink.duplicate_of_id == c.id))
    ):
        mine = link.case_id == c.id
        other = s.get(MissingCase, link.duplicate_of_id if mine else link.case_id)
        assert other is not None
        visible = ctx.by.sees(other.jurisdiction_path)
        links.append(
            LinkOut(
                case=other.number,
                name=other.name if visible else "",
                score=link.score,
                reasons=link.reasons,
                direction="duplicate_of" if mine else "duplicated_by",
                visible=visible,
            )
        )
    return CaseOut(
        **summary.model_dump(),
        birth_date=c.birth_date,
        id_number=personal("id_number", c.id_number),
        phone=personal("phone", c.phone),
        school_or_work=c.school_or_work,
        home_address=c.home_address,
        conditions=c.conditions,
        signs=c.signs,
        details=c.details if full else mask_payload(c.details, secrets)[0],
        informant_name=personal("name", c.informant_name) or "",
        informant_phone=personal("phone", c.informant_phone) or "",
        informant_relation=c.informant_relation,
        last_seen_lon=c.last_seen_lon,
        last_seen_lat=c.last_seen_lat,
        first_station=c.first_station_code,
        first_officer=c.first_officer,
        criminal_case_at=c.criminal_case_at,
        investigation_at=c.investigation_at,
        group_formed_at=c.group_formed_at,
        commander=c.commander,
        outcome_note=text(c.outcome_note),
        photos=list(
            s.scalars(select(CasePhoto.id).where(CasePhoto.case_id == c.id).order_by(CasePhoto.id))
        ),
        firings=[
            FiringOut(rule=f.rule, reason=f.reason, fired_at=f.fired_at)
            for f in s.scalars(
                select(RuleFiring).where(RuleFiring.case_id == c.id).order_by(RuleFiring.id)
            )
        ],
        requests=[
            RequestOut.model_validate(r, from_attributes=True)
            for r in s.scalars(
                select(CaseRequest).where(CaseRequest.case_id == c.id).order_by(CaseRequest.id)
            )
        ],
        tasks=[
            TaskOut.model_validate(t, from_attributes=True)
            for t in s.scalars(
                select(CaseTask).where(CaseTask.case_id == c.id).order_by(CaseTask.id)
            )
        ],
        appeals=appeals_out(s, c),
        callbacks=[
            _scrubbed(callback_out(cb, ctx.at), text)
            for cb in s.scalars(
                select(CaseCallback).where(CaseCallback.case_id == c.id).order_by(CaseCallback.seq)
            )
        ],
        links=links,
        notices=[
            NoticeOut(
                unit=n.unit_code, distance_m=n.distance_m, sent_at=n.sent_at, read_at=n.read_at
            )
            for n in s.scalars(
                select(SearchNotice)
                .where(SearchNotice.case_id == c.id)
                .order_by(SearchNotice.distance_m)
            )
        ],
        clusters=list(
            s.scalars(select(ClusterMember.cluster_id).where(ClusterMember.case_id == c.id))
        ),
    )


def _scrubbed(cb: CallbackOut, text: Callable[[str], str]) -> CallbackOut:
    return cb.model_copy(
        update={"family_said": text(cb.family_said), "new_lead": text(cb.new_lead)}
    )


def _in_view(ctx: Ctx) -> ColumnElement[bool]:
    """A district's alert is seen by everyone in the district and by the levels above it."""
    scope = ctx.by.scope_path
    return or_(
        ClusterAlert.district_path.startswith(scope, autoescape=True),
        literal(scope).startswith(ClusterAlert.district_path),
    )


def open_cluster_count(ctx: Ctx) -> int:
    """Cluster alerts no leader has acknowledged yet, in the caller's view."""
    return (
        ctx.session.scalar(
            select(func.count())
            .select_from(ClusterAlert)
            .where(_in_view(ctx), ClusterAlert.acknowledged_at.is_(None))
        )
        or 0
    )


def clusters_out(ctx: Ctx, ids: Sequence[int] | None = None, limit: int = 200) -> list[ClusterOut]:
    """Cluster alerts newest first, each with its cases inside the caller's jurisdiction
    (the count of people covers them all), in three queries whatever their number."""
    query = select(ClusterAlert).where(_in_view(ctx))
    if ids is not None:
        query = query.where(ClusterAlert.id.in_(list(ids)))
    alerts = ctx.session.scalars(query.order_by(ClusterAlert.updated_at.desc()).limit(limit)).all()
    members: dict[int, list[MissingCase]] = defaultdict(list)
    for cluster_id, case in ctx.session.execute(
        select(ClusterMember.cluster_id, MissingCase)
        .join(MissingCase, MissingCase.id == ClusterMember.case_id)
        .where(ClusterMember.cluster_id.in_([a.id for a in alerts]))
        .order_by(MissingCase.last_seen_at)
    ).all():
        members[cluster_id].append(case)
    visible = {
        c.id: c for cases in members.values() for c in cases if ctx.by.sees(c.jurisdiction_path)
    }
    summary = dict(zip(visible, summaries(ctx, list(visible.values())), strict=True))
    return [
        ClusterOut(
            id=a.id,
            kind=a.kind.value,
            key=a.key,
            district=a.district_code,
            created_at=a.created_at,
            updated_at=a.updated_at,
            acknowledged_at=a.acknowledged_at,
            acknowledged_by=a.acknowledged_by,
            comment=a.comment,
            people=len(members[a.id]),
            cases=[summary[c.id] for c in members[a.id] if c.id in summary],
        )
        for a in alerts
    ]
