"""Missing-person case queries (寻人).

A read on a caller's behalf starts from the scope helper: a case outside the caller's subtree
does not exist for them (404). Some reads deliberately reach further, and say why: a cluster
alert is seen from the district down and from the levels above it; a unit looks out for the
cases pushed to it or on its incident wherever they lie, and works (opens) a case whose
incident it was sent to, as it works that incident; a lookout's photo is shown to the units
asked to look out.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.errors import NotFound
from cad110.incidents.repository import OPEN_INCIDENT
from cad110.kernel.context import Ctx
from cad110.kernel.scope import covering, in_scope, visible
from cad110.models.event import Event
from cad110.models.incident import Incident
from cad110.models.missing import (
    CaseCallback,
    CaseLink,
    CasePhoto,
    CaseRequest,
    CaseStatus,
    CaseTask,
    ClusterAlert,
    ClusterMember,
    MissingCase,
    RequestState,
    RuleFiring,
    SearchNotice,
)
from cad110.models.subjects import SubjectType
from cad110.models.unit import Assignment

# 查找中: a case not yet closed.
OPEN_CASE = MissingCase.status == CaseStatus.OPEN
# A scheduled callback to the family neither done nor cancelled (it may not be due yet).
PENDING_CALLBACK = and_(CaseCallback.done_at.is_(None), CaseCallback.cancelled_at.is_(None))
# Incidents the desk lists as waiting for a case (待建档), oldest first.
WAITING_ROWS = 50


# --- one case ---------------------------------------------------------------------------------


def _sent_to_its_incident(by: Principal) -> ColumnElement[bool]:
    """An officer whose unit was sent to the case's incident across a station boundary works
    that case too, as it works the incident (incidents.repository: the same rule)."""
    if by.unit_code is None:
        return false()
    return exists().where(
        Assignment.incident_id == MissingCase.incident_id, Assignment.unit_code == by.unit_code
    )


def _readable(by: Principal) -> ColumnElement[bool]:
    return or_(in_scope(MissingCase.jurisdiction_path, by), _sent_to_its_incident(by))


def openable(session: Session, by: Principal, numbers: Collection[str]) -> set[str]:
    """Which of the cases `numbers` the caller may open (`get_case`): a unit's lookouts reach
    further than that, and a screen links only those it opens."""
    if not numbers:
        return set()
    found = select(MissingCase.number).where(MissingCase.number.in_(list(numbers)), _readable(by))
    return set(session.scalars(found))


def get_case(ctx: Ctx, number: str) -> MissingCase:
    """The case with this number, if the caller's scope holds it or the caller's unit was sent
    to its incident (else 404)."""
    case = ctx.session.scalars(
        select(MissingCase).where(MissingCase.number == number, _readable(ctx.by))
    ).one_or_none()
    if case is None:
        raise NotFound(f"missing-person case {number} not found")
    return case


def case_for_photo(ctx: Ctx, number: str) -> MissingCase:
    """The case whose photo the caller reads: one the caller may read (`get_case`), or one their
    unit is asked to look out for (`lookout_cases`): a search radius and a dispatch cross
    station and district lines, and the photo is what the officer looks for."""
    try:
        return get_case(ctx, number)
    except NotFound:
        unit = ctx.by.unit_code
        if unit is None:
            raise
        pushed = notices_to_unit(ctx.session, unit)
        for case in lookout_cases(ctx.session, unit, pushed):
            if case.number == number:
                return case
        raise


def case_of_incident(session: Session, incident_id: int) -> MissingCase | None:
    """The incident's case, if it has one (the caller already holds the incident)."""
    return session.scalars(
        select(MissingCase).where(MissingCase.incident_id == incident_id)
    ).one_or_none()


def case_number_of(session: Session, incident_id: int) -> str | None:
    """The number of the incident's case, if it has one (the caller already holds the
    incident)."""
    return session.scalar(select(MissingCase.number).where(MissingCase.incident_id == incident_id))


def journal_of(session: Session, case: MissingCase) -> Sequence[Event]:
    """The case's journal, oldest first."""
    return session.scalars(
        select(Event)
        .where(Event.subject_type == SubjectType.MISSING_CASE, Event.subject_id == case.number)
        .order_by(Event.seq)
    ).all()


# --- lists of cases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilter:
    status: CaseStatus | None = None
    # 台账: open cases opened before this moment (the start of the local day).
    opened_before: datetime | None = None
    # Only cases with a callback due at this moment.
    callback_due_at: datetime | None = None

    @classmethod
    def as_of(
        cls, ctx: Ctx, *, status: CaseStatus | None = None, ledger: bool = False, due: bool = False
    ) -> CaseFilter:
        """The desk's filters at the unit of work's time: the ledger (台账) holds the open
        cases opened before the local day began, `due` the cases with a callback due now."""
        midnight = ctx.at.astimezone(ctx.tz).replace(hour=0, minute=0, second=0, microsecond=0)
        return cls(
            status=status,
            opened_before=midnight if ledger else None,
            callback_due_at=ctx.at if due else None,
        )


def _conditions(f: CaseFilter, by: Principal) -> list[ColumnElement[bool]]:
    conditions = [in_scope(MissingCase.jurisdiction_path, by)]
    if f.status is not None:
        conditions.append(MissingCase.status == f.status)
    if f.opened_before is not None:
        conditions += [OPEN_CASE, MissingCase.opened_at < f.opened_before]
    if f.callback_due_at is not None:
        due = select(CaseCallback.case_id).where(
            CaseCallback.due_at <= f.callback_due_at, PENDING_CALLBACK
        )
        conditions.append(MissingCase.id.in_(due))
    return conditions


def count_cases(session: Session, f: CaseFilter, *, by: Principal) -> int:
    return (
        session.scalar(select(func.count()).select_from(MissingCase).where(*_conditions(f, by)))
        or 0
    )


def list_cases(
    session: Session, f: CaseFilter, *, by: Principal, limit: int, offset: int
) -> tuple[Sequence[MissingCase], int]:
    """One page of cases, open ones first, urgent first, then oldest last-seen first; and
    how many match."""
    rows = session.scalars(
        select(MissingCase)
        .where(*_conditions(f, by))
        .order_by(OPEN_CASE.desc(), MissingCase.urgent.desc(), MissingCase.last_seen_at)
        .limit(limit)
        .offset(offset)
    ).all()
    return rows, count_cases(session, f, by=by)


def closed_cases(
    session: Session, *, by: Principal, limit: int, offset: int
) -> Sequence[MissingCase]:
    """One page of closed cases, the latest closed first."""
    return session.scalars(
        visible(MissingCase, by)
        .where(MissingCase.status == CaseStatus.CLOSED)
        .order_by(MissingCase.closed_at.desc(), MissingCase.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()


def waiting_incidents(
    session: Session, *, by: Principal, categories: Collection[str]
) -> Sequence[Incident]:
    """Open incidents in scope of a missing-person category that have no case yet (待建档),
    oldest first."""
    return session.scalars(
        select(Incident)
        .where(
            Incident.category_code.in_(list(categories)),
            OPEN_INCIDENT,
            in_scope(Incident.jurisdiction_path, by),
            ~exists().where(MissingCase.incident_id == Incident.id),
        )
        .order_by(Incident.received_at)
        .limit(WAITING_ROWS)
    ).all()


# --- what hangs off cases (the caller already holds them) ---------------------------------------


def pending_requests(session: Session, case_ids: Sequence[int]) -> dict[int, int]:
    """Requests awaiting a leader's decision, counted per case."""
    return dict(
        session.execute(
            select(CaseRequest.case_id, func.count())
            .where(CaseRequest.case_id.in_(case_ids), CaseRequest.state == RequestState.PENDING)
            .group_by(CaseRequest.case_id)
        ).all()
    )


def next_callbacks(session: Session, case_ids: Sequence[int]) -> dict[int, CaseCallback]:
    """Each case's first pending callback."""
    rows = session.scalars(
        select(CaseCallback)
        .where(CaseCallback.case_id.in_(case_ids), PENDING_CALLBACK)
        .order_by(CaseCallback.case_id, CaseCallback.seq)
    )
    first: dict[int, CaseCallback] = {}
    for row in rows:
        first.setdefault(row.case_id, row)
    return first


def callbacks_of(session: Session, case_id: int) -> Sequence[CaseCallback]:
    return session.scalars(
        select(CaseCallback).where(CaseCallback.case_id == case_id).order_by(CaseCallback.seq)
    ).all()


def links_of(session: Session, case_id: int) -> list[tuple[CaseLink, MissingCase]]:
    """The case's links to other reports of the same person, each with the other case (which
    may lie outside the caller's scope: the screen then shows it without its name)."""
    found = []
    for link in session.scalars(
        select(CaseLink).where(
            or_(CaseLink.case_id == case_id, CaseLink.duplicate_of_id == case_id)
        )
    ):
        other = session.get(
            MissingCase, link.duplicate_of_id if link.case_id == case_id else link.case_id
        )
        assert other is not None
        found.append((link, other))
    return found


def photo_ids(session: Session, case_id: int) -> list[int]:
    return list(
        session.scalars(
            select(CasePhoto.id).where(CasePhoto.case_id == case_id).order_by(CasePhoto.id)
        )
    )


def photos_by_case(session: Session, case_ids: Sequence[int]) -> dict[int, list[int]]:
    """Photo ids per case, oldest first."""
    photos: dict[int, list[int]] = {i: [] for i in case_ids}
    for case_id, photo_id in session.execute(
        select(CasePhoto.case_id, CasePhoto.id)
        .where(CasePhoto.case_id.in_(list(case_ids)))
        .order_by(CasePhoto.id)
    ).all():
        photos[case_id].append(photo_id)
    return photos


def photo_of(session: Session, case: MissingCase, photo_id: int) -> CasePhoto:
    """One photo of the case (404 if it is another case's)."""
    photo = session.get(CasePhoto, photo_id)
    if photo is None or photo.case_id != case.id:
        raise NotFound(f"photo {photo_id} not found on case {case.number}")
    return photo


def firings_of(session: Session, case_id: int) -> Sequence[RuleFiring]:
    return session.scalars(
        select(RuleFiring).where(RuleFiring.case_id == case_id).order_by(RuleFiring.id)
    ).all()


def requests_of(session: Session, case_id: int) -> Sequence[CaseRequest]:
    return session.scalars(
        select(CaseRequest).where(CaseRequest.case_id == case_id).order_by(CaseRequest.id)
    ).all()


def tasks_of(session: Session, case_id: int) -> Sequence[CaseTask]:
    return session.scalars(
        select(CaseTask).where(CaseTask.case_id == case_id).order_by(CaseTask.id)
    ).all()


def notices_of(session: Session, case_id: int) -> Sequence[SearchNotice]:
    """The units the search details were pushed to, nearest first."""
    return session.scalars(
        select(SearchNotice)
        .where(SearchNotice.case_id == case_id)
        .order_by(SearchNotice.distance_m)
    ).all()


def cluster_ids_of(session: Session, case_id: int) -> list[int]:
    return list(
        session.scalars(select(ClusterMember.cluster_id).where(ClusterMember.case_id == case_id))
    )


# --- cluster alerts (聚集预警) ---------------------------------------------------------------


def _alert_in_view(by: Principal) -> ColumnElement[bool]:
    """A district's alert is seen by everyone in the district and by the levels above it."""
    return or_(in_scope(ClusterAlert.district_path, by), covering(ClusterAlert.district_path, by))


def open_cluster_count(session: Session, *, by: Principal) -> int:
    """Cluster alerts no leader has acknowledged yet, in the caller's view."""
    return (
        session.scalar(
            select(func.count())
            .select_from(ClusterAlert)
            .where(_alert_in_view(by), ClusterAlert.acknowledged_at.is_(None))
        )
        or 0
    )


def clusters_in_view(
    session: Session, *, by: Principal, ids: Sequence[int] | None = None, limit: int
) -> Sequence[ClusterAlert]:
    """Cluster alerts in the caller's view (or those of `ids` among them), newest first."""
    query = select(ClusterAlert).where(_alert_in_view(by))
    if ids is not None:
        query = query.where(ClusterAlert.id.in_(list(ids)))
    return session.scalars(query.order_by(ClusterAlert.updated_at.desc()).limit(limit)).all()


def cluster_members(session: Session, cluster_ids: Sequence[int]) -> list[tuple[int, MissingCase]]:
    """(cluster id, case) for every case of the clusters, last seen earliest first; cases
    outside the caller's scope too (they count as people; the caller filters what it shows)."""
    return [
        (cluster_id, case)
        for cluster_id, case in session.execute(
            select(ClusterMember.cluster_id, MissingCase)
            .join(MissingCase, MissingCase.id == ClusterMember.case_id)
            .where(ClusterMember.cluster_id.in_(list(cluster_ids)))
            .order_by(MissingCase.last_seen_at)
        ).all()
    ]


def get_cluster(session: Session, cluster_id: int, *, by: Principal) -> ClusterAlert:
    """A cluster alert of a district in the caller's subtree (the district's leaders and those
    above answer for it; 404 otherwise)."""
    alert = session.scalars(
        select(ClusterAlert).where(
            ClusterAlert.id == cluster_id, in_scope(ClusterAlert.district_path, by)
        )
    ).one_or_none()
    if alert is None:
        raise NotFound(f"cluster alert {cluster_id} not found")
    return alert


def cases_of_cluster(session: Session, cluster_id: int) -> Sequence[MissingCase]:
    return session.scalars(
        select(MissingCase)
        .join(ClusterMember, ClusterMember.case_id == MissingCase.id)
        .where(ClusterMember.cluster_id == cluster_id)
    ).all()


# --- what a unit looks out for (查找协查) ------------------------------------------------------


def notices_to_unit(session: Session, unit_code: str) -> dict[int, SearchNotice]:
    """The search details pushed to the unit, by case id."""
    return {
        n.case_id: n
        for n in session.scalars(select(SearchNotice).where(SearchNotice.unit_code == unit_code))
    }


def lookout_cases(
    session: Session, unit_code: str, pushed: Collection[int]
) -> Sequence[MissingCase]:
    """Open cases whose details were pushed to the unit (`pushed`: their ids) or whose incident
    the unit is on, most urgent and newest first. Not limited by scope: a search radius and a
    dispatch both cross station boundaries, and the unit itself was checked by the caller."""
    on_incident = select(Assignment.incident_id).where(Assignment.unit_code == unit_code)
    return session.scalars(
        select(MissingCase)
        .where(
            OPEN_CASE,
            (MissingCase.id.in_(list(pushed)) | MissingCase.incident_id.in_(on_incident)),
        )
        .order_by(MissingCase.urgent.desc(), MissingCase.last_seen_at.desc())
    ).all()
