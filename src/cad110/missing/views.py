"""Cases as the API and the screens show them, with their clocks worked out for now."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.incidents.repository import numbers_of
from cad110.incidents.schemas import EventOut
from cad110.incidents.views import events_out
from cad110.kernel.context import Ctx
from cad110.missing import repository
from cad110.missing import rules as risk
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
from cad110.models.missing import Appeal, CaseCallback, MissingCase, RuleFiring
from cad110.models.outbox import OutboxMessage
from cad110.models.subjects import SubjectType
from cad110.privacy.masking import Kind, mask, mask_payload, scrub, secrets_in, without
from cad110.privacy.policy import HEALTH_FIELDS, sees_health


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


def summaries(ctx: Ctx, cases: Sequence[MissingCase]) -> list[CaseSummary]:
    """Many cases at once: their incidents, next callbacks and pending requests in bulk."""
    ids = [c.id for c in cases]
    numbers = numbers_of(ctx.session, [c.incident_id for c in cases])
    pending = repository.pending_requests(ctx.session, ids)
    nexts = repository.next_callbacks(ctx.session, ids)
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
    """The case's journal, oldest first; personal values masked unless `full`, health left
    out for those who do not see it (privacy.policy.sees_health)."""
    events = events_out(repository.journal_of(ctx.session, c), full=full, known=_known(c))
    if sees_health(ctx.by):
        return events
    return [e.model_copy(update={"payload": without(e.payload, HEALTH_FIELDS)}) for e in events]


def _firing_out(f: RuleFiring, health: bool) -> FiringOut:
    """A rule that fired; for a reader who does not see health, the vulnerable person's
    conditions are left out of its reason and its words."""
    params = f.params
    if health or f.rule != "vulnerable" or not params or not params.get("conditions"):
        return FiringOut(rule=f.rule, reason=f.reason, params=params, fired_at=f.fired_at)
    reason = risk.vulnerable_reason(params.get("age"), (), params["hours"])
    return FiringOut(
        rule=f.rule, reason=reason, params={**params, "conditions": []}, fired_at=f.fired_at
    )


def case_out(ctx: Ctx, c: MissingCase, *, full: bool = False) -> CaseOut:
    """The whole case. The ID number, the person's phone and the informant's name and phone
    are masked (and phone and ID numbers typed into its texts) unless `full`: only a
    single record's read, recorded, shows them."""
    s = ctx.session
    summary = summaries(ctx, [c])[0]
    secrets = {} if full else secrets_in((), _known(c))
    health = sees_health(ctx.by)
    details = c.details if full else mask_payload(c.details, secrets)[0]
    shown_details = details if health else without(details, HEALTH_FIELDS)

    def text(value: str) -> str:
        return scrub(value, secrets) if secrets else value

    def personal(kind: Kind, value: str | None) -> str | None:
        return value if full else mask(kind, value)

    links = []
    for link, other in repository.links_of(s, c.id):
        mine = link.case_id == c.id
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
        conditions=c.conditions if health else [],
        health_withheld=not health and (bool(c.conditions) or shown_details != details),
        signs=c.signs,
        details=shown_details,
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
        photos=repository.photo_ids(s, c.id),
        firings=[_firing_out(f, health) for f in repository.firings_of(s, c.id)],
        requests=[
            RequestOut.model_validate(r, from_attributes=True)
            for r in repository.requests_of(s, c.id)
        ],
        tasks=[
            TaskOut.model_validate(t, from_attributes=True) for t in repository.tasks_of(s, c.id)
        ],
        appeals=appeals_out(s, c),
        callbacks=[
            _scrubbed(callback_out(cb, ctx.at), text) for cb in repository.callbacks_of(s, c.id)
        ],
        links=links,
        notices=[
            NoticeOut(
                unit=n.unit_code, distance_m=n.distance_m, sent_at=n.sent_at, read_at=n.read_at
            )
            for n in repository.notices_of(s, c.id)
        ],
        clusters=repository.cluster_ids_of(s, c.id),
    )


def _scrubbed(cb: CallbackOut, text: Callable[[str], str]) -> CallbackOut:
    return cb.model_copy(
        update={"family_said": text(cb.family_said), "new_lead": text(cb.new_lead)}
    )


def clusters_out(ctx: Ctx, ids: Sequence[int] | None = None, limit: int = 200) -> list[ClusterOut]:
    """Cluster alerts newest first, each with its cases inside the caller's jurisdiction
    (the count of people covers them all), in three queries whatever their number."""
    alerts = repository.clusters_in_view(ctx.session, by=ctx.by, ids=ids, limit=limit)
    members: dict[int, list[MissingCase]] = defaultdict(list)
    for cluster_id, case in repository.cluster_members(ctx.session, [a.id for a in alerts]):
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
