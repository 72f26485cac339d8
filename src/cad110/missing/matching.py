"""Second reports of one person (linked, never merged) and clusters of people gone missing.

A cluster is the Wuxi pattern: several people missing from one grid, school or workplace within
a short window. The district's leaders are told, with the linked cases.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select

from cad110.kernel.context import Ctx
from cad110.missing import rules as risk
from cad110.missing.journal import district_of, journal, notify
from cad110.models.missing import (
    CaseLink,
    ClusterAlert,
    ClusterKind,
    ClusterMember,
    MissingCase,
)

# Only cases this recent are compared for a second report of the same person.
DUPLICATE_LOOKBACK_DAYS = 365


def record_of(case: MissingCase) -> risk.Record:
    return risk.Record(
        name=case.name,
        age=case.age,
        phone=case.phone,
        id_number=case.id_number,
        place=case.last_seen_place,
    )


def link_duplicates(ctx: Ctx, case: MissingCase) -> list[CaseLink]:
    """Link a new case to every earlier case of the same person, with the score and why."""
    rules = risk.in_force(ctx)
    matches = [MissingCase.name == case.name]
    if case.phone:
        matches.append(MissingCase.phone == case.phone)
    if case.id_number:
        matches.append(MissingCase.id_number == case.id_number)
    since = ctx.at - timedelta(days=DUPLICATE_LOOKBACK_DAYS)
    candidates = ctx.session.scalars(
        select(MissingCase)
        .where(MissingCase.id != case.id, MissingCase.opened_at >= since, or_(*matches))
        .order_by(MissingCase.opened_at)
    ).all()
    links: list[CaseLink] = []
    mine = record_of(case)
    for other in candidates:
        score, reasons = risk.duplicate_score(mine, record_of(other), rules)
        if score < rules.duplicate_threshold:
            continue
        link = CaseLink(
            case_id=case.id,
            duplicate_of_id=other.id,
            score=score,
            reasons=reasons,
            created_at=ctx.at,
        )
        ctx.session.add(link)
        links.append(link)
        payload = {"score": score, "reasons": reasons}
        journal(ctx, case, "duplicate_linked", {**payload, "duplicate_of": other.number})
        journal(ctx, other, "duplicate_linked", {**payload, "reported_again_as": case.number})
    ctx.session.flush()
    return links


def watch_clusters(ctx: Ctx, case: MissingCase) -> list[ClusterAlert]:
    """Raise (or grow) a cluster alert when this case makes enough in one grid or school."""
    alerts: list[ClusterAlert] = []
    keys: list[tuple[ClusterKind, str]] = []
    if case.grid_code:
        keys.append((ClusterKind.GRID, case.grid_code))
    if case.school_key:
        keys.append((ClusterKind.SCHOOL_OR_WORK, case.school_key))
    for kind, key in keys:
        alert = _cluster(ctx, case, kind, key)
        if alert is not None:
            alerts.append(alert)
    return alerts


def _cluster(ctx: Ctx, case: MissingCase, kind: ClusterKind, key: str) -> ClusterAlert | None:
    rules = risk.in_force(ctx)
    since = case.last_seen_at - rules.cluster_window
    column = MissingCase.grid_code if kind is ClusterKind.GRID else MissingCase.school_key
    recent = list(
        ctx.session.scalars(
            select(MissingCase).where(column == key, MissingCase.last_seen_at >= since)
        )
    )
    # A second report of the same person is one person, not two.
    linked = set(
        ctx.session.scalars(
            select(CaseLink.case_id).where(CaseLink.case_id.in_([c.id for c in recent]))
        )
    )
    people = [c for c in recent if c.id not in linked]
    if len(people) < rules.cluster_min or case.id in linked:
        return None
    district = district_of(ctx.session, case)
    alert = ctx.session.scalars(
        select(ClusterAlert).where(
            ClusterAlert.kind == kind,
            ClusterAlert.key == key,
            ClusterAlert.updated_at >= ctx.at - rules.cluster_window,
        )
    ).first()
    new = alert is None
    if alert is None:
        alert = ClusterAlert(
            kind=kind,
            key=key,
            district_code=district.code,
            district_path=district.path,
            created_at=ctx.at,
            updated_at=ctx.at,
        )
        ctx.session.add(alert)
        ctx.session.flush()
    alert.updated_at = ctx.at
    members = set(
        ctx.session.scalars(
            select(ClusterMember.case_id).where(ClusterMember.cluster_id == alert.id)
        )
    )
    for member in people:
        if member.id not in members:
            ctx.session.add(ClusterMember(cluster_id=alert.id, case_id=member.id))
            journal(
                ctx, member, "cluster_alert", {"cluster": alert.id, "kind": kind.value, "key": key}
            )
    where = "网格 " + key if kind is ClusterKind.GRID else (case.school_or_work or key)
    names = "、".join(f"{c.name}（{c.number}）" for c in people)
    days = rules.cluster_window.days
    verb = "聚集预警" if new else "聚集预警更新"
    notify(
        ctx.session,
        district,
        case,
        "missing_cluster",
        f"{verb}：{where} {days}天内{len(people)}人失踪：{names}，请研判是否立线调查",
        ctx.at,
    )
    ctx.session.flush()
    return alert
