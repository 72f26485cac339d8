"""The search: the task group formed in one click, search details pushed to units, appeals."""

from __future__ import annotations

from sqlalchemy import select

from cad110.auth.permissions import Permission
from cad110.errors import Conflict, InvalidInput, NotFound
from cad110.geo.distance import haversine_m
from cad110.kernel import outbox
from cad110.kernel.context import Ctx
from cad110.lifecycles.unit import UnitStatus
from cad110.missing import rules as risk
from cad110.missing.journal import journal
from cad110.missing.repository import get_case
from cad110.missing.schemas import TaskIn, TaskUpdate
from cad110.models.incident import Incident
from cad110.models.missing import (
    Appeal,
    AppealState,
    CaseStatus,
    CaseTask,
    MissingCase,
    OutboxKind,
    SearchNotice,
    TaskState,
    Team,
)
from cad110.models.outbox import OutboxMessage
from cad110.models.subjects import SubjectType
from cad110.models.unit import Assignment, Unit

# 一长四专班: the tasks each team starts with when the group is formed; each is kept with the
# code "group_<team>", by which the screens say its title in the reader's language.
GROUP_TASKS: tuple[tuple[Team, str], ...] = (
    (Team.COMMAND, "统一指挥，研判查找方向，每日汇总进展"),
    (Team.INTELLIGENCE, "调取沿途视频监控，研判活动轨迹"),
    (Team.CRIMINAL, "排查矛盾纠纷，研判有无被侵害可能"),
    (Team.CYBER, "查询手机号及社交账号轨迹"),
    (Team.PATROL, "组织巡逻警力及社会救援力量重点区域查找"),
)
TEAM_ZH = {
    Team.COMMAND: "指挥长",
    Team.INTELLIGENCE: "情报专班",
    Team.CRIMINAL: "刑侦专班",
    Team.CYBER: "网安专班",
    Team.PATROL: "巡特警专班",
}
# Units that can take a search notice now (on shift, not paused).
_REACHABLE = (
    UnitStatus.AVAILABLE,
    UnitStatus.DISPATCHED,
    UnitStatus.EN_ROUTE,
    UnitStatus.ON_SCENE,
    UnitStatus.RETURNING,
)
SEX_ZH = {"male": "男", "female": "女", "unknown": "性别不详"}


def _open_case(ctx: Ctx, number: str, permission: Permission) -> MissingCase:
    ctx.by.require(permission)
    case = get_case(ctx, number)
    if case.status is not CaseStatus.OPEN:
        raise Conflict(f"case {number} is closed")
    return case


def form_group(ctx: Ctx, number: str, commander: str | None) -> MissingCase:
    """一键建群: a commander and the four specialist teams, each with its first task."""
    case = _open_case(ctx, number, Permission.MISSING)
    if case.group_formed_at is not None:
        return case  # one group per case; a repeated click changes nothing
    case.group_formed_at = ctx.at
    case.commander = commander or case.leader or ctx.by.username
    for team, title in GROUP_TASKS:
        ctx.session.add(
            CaseTask(
                case_id=case.id,
                team=team,
                title=title,
                code=f"group_{team.value}",
                assignee=case.commander if team is Team.COMMAND else None,
                state=TaskState.TODO,
                created_at=ctx.at,
                updated_at=ctx.at,
            )
        )
    journal(
        ctx,
        case,
        "group_formed",
        {"commander": case.commander, "teams": [t.value for t, _ in GROUP_TASKS]},
    )
    ctx.session.flush()
    return case


def add_task(ctx: Ctx, number: str, body: TaskIn) -> CaseTask:
    case = _open_case(ctx, number, Permission.MISSING)
    if case.group_formed_at is None:
        raise Conflict(f"case {number} has no task group yet: form it first")
    task = CaseTask(
        case_id=case.id,
        team=body.team,
        title=body.title,
        assignee=body.assignee,
        state=TaskState.TODO,
        created_at=ctx.at,
        updated_at=ctx.at,
    )
    ctx.session.add(task)
    ctx.session.flush()
    journal(
        ctx, case, "task_added", {"task": task.id, "team": body.team.value, "title": body.title}
    )
    return task


def update_task(ctx: Ctx, number: str, task_id: int, body: TaskUpdate) -> CaseTask:
    case = _open_case(ctx, number, Permission.MISSING)
    task = ctx.session.get(CaseTask, task_id)
    if task is None or task.case_id != case.id:
        raise NotFound(f"task {task_id} not found on case {number}")
    task.state = body.state
    task.result = body.result or task.result
    if body.assignee is not None:
        task.assignee = body.assignee
    task.updated_at = ctx.at
    journal(ctx, case, "task_updated", {"task": task.id, **body.model_dump(mode="json")})
    return task


def describe(case: MissingCase, *, clothing: bool = True) -> str:
    """The search details in one line: who they are and what they look like."""
    d = case.details
    parts = [case.name, SEX_ZH.get(case.sex.value, "")]
    if case.age is not None:
        parts.append(f"{case.age}岁")
    if d.get("height_cm"):
        parts.append(f"身高约{d['height_cm']}厘米")
    for key in ("build", "features", "clothing", "accent"):
        if d.get(key) and (clothing or key != "clothing"):
            parts.append(str(d[key]))
    return "，".join(p for p in parts if p)


def push_search(ctx: Ctx, number: str, radius_km: float) -> list[SearchNotice]:
    """Send the search details to every reachable unit within the radius of the last-seen
    point, and to every unit on the incident; a unit already told is told again (sent_at)."""
    case = _open_case(ctx, number, Permission.MISSING)
    lon, lat = case.last_seen_lon, case.last_seen_lat
    if lon is None or lat is None:
        incident = ctx.session.get(Incident, case.incident_id)
        assert incident is not None
        lon, lat = incident.lon, incident.lat
    if lon is None or lat is None:
        raise InvalidInput(["last_seen", "lon"], "the case has no last-seen point to search around")
    on_incident = set(
        ctx.session.scalars(
            select(Assignment.unit_code).where(Assignment.incident_id == case.incident_id)
        )
    )
    units = ctx.session.scalars(select(Unit).where(Unit.status.in_(_REACHABLE))).all()
    chosen: dict[str, int] = {}
    for unit in units:
        position = unit.position
        if position is None:
            continue
        metres = int(haversine_m(lon, lat, position[0], position[1]))
        if metres <= radius_km * 1000 or unit.code in on_incident:
            chosen[unit.code] = metres
    known = {
        n.unit_code: n
        for n in ctx.session.scalars(select(SearchNotice).where(SearchNotice.case_id == case.id))
    }
    notices = []
    for code, metres in sorted(chosen.items(), key=lambda kv: kv[1]):
        notice = known.get(code)
        if notice is None:
            notice = SearchNotice(
                case_id=case.id, unit_code=code, distance_m=metres, sent_at=ctx.at
            )
            ctx.session.add(notice)
        else:
            notice.distance_m, notice.sent_at, notice.read_at = metres, ctx.at, None
        notices.append(notice)
    journal(
        ctx,
        case,
        "search_pushed",
        {"radius_km": radius_km, "units": list(chosen), "description": describe(case)},
    )
    ctx.session.flush()
    return notices


def appeal_text(case: MissingCase, ctx: Ctx) -> str:
    seen = case.last_seen_at.astimezone(ctx.tz)
    clothing = case.details.get("clothing")
    wearing = f"，走失时穿{clothing}" if clothing else ""
    return (
        f"寻人启事：{describe(case, clothing=False)}，于{seen:%m月%d日%H时%M分}在{case.last_seen_place}走失{wearing}。"
        "如有线索请拨打110。"
    )


def publish_appeals(
    ctx: Ctx, number: str, channels: list[str], text: str, known: frozenset[str]
) -> list[Appeal]:
    """寻人启事 to social channels, through the outbox; the reach follows the time lost."""
    case = _open_case(ctx, number, Permission.APPEAL)
    unknown = [c for c in channels if c not in known]
    if unknown:
        raise InvalidInput(
            "channels",
            f"unknown channel(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}",
        )
    radius = risk.appeal_radius_km(case.last_seen_at, ctx.at, risk.in_force(ctx))
    existing = {
        a.channel: a for a in ctx.session.scalars(select(Appeal).where(Appeal.case_id == case.id))
    }
    body = text or appeal_text(case, ctx)
    appeals = []
    for channel in dict.fromkeys(channels):
        appeal = existing.get(channel)
        if appeal is not None and appeal.state is AppealState.ACTIVE:
            appeals.append(appeal)  # already out: a repeated request changes nothing
            continue
        if appeal is None:
            appeal = Appeal(
                case_id=case.id, channel=channel, created_by=ctx.by.username, created_at=ctx.at
            )
            ctx.session.add(appeal)
        appeal.text, appeal.radius_km, appeal.state = body, radius, AppealState.ACTIVE
        appeal.withdrawn_at = None
        ctx.session.flush()
        enqueue(ctx, case, OutboxKind.APPEAL_PUBLISH, channel, appeal)
        journal(
            ctx,
            case,
            "appeal_published",
            {"appeal": appeal.id, "channel": channel, "radius_km": radius},
        )
        appeals.append(appeal)
    return appeals


def enqueue(
    ctx: Ctx,
    case: MissingCase,
    kind: OutboxKind,
    channel: str,
    appeal: Appeal | None = None,
    text: str = "",
) -> OutboxMessage:
    """A message for an outside system, committed with the change that caused it."""
    payload: dict[str, object] = {"case": case.number, "kind": kind.value}
    if appeal is not None:
        payload |= {
            "appeal": appeal.id,
            "text": appeal.text,
            "radius_km": appeal.radius_km,
            "centre": [case.last_seen_lon, case.last_seen_lat],
        }
    if text:
        payload["text"] = text
    if kind is OutboxKind.INFORM:
        payload["phone"] = case.informant_phone
    return outbox.enqueue(
        ctx,
        SubjectType.MISSING_CASE,
        case.number,
        channel,
        kind,
        payload,
        ref=appeal_ref(appeal.id) if appeal is not None else None,
    )


def appeal_ref(appeal_id: int) -> str:
    """How an appeal's messages are marked in the outbox, to be found again (views.py)."""
    return f"appeal:{appeal_id}"


def widen_appeals(ctx: Ctx, case: MissingCase) -> int:
    """Widen each active appeal whose reach the time lost has outgrown (called by the tick)."""
    radius = risk.appeal_radius_km(case.last_seen_at, ctx.at, risk.in_force(ctx))
    widened = 0
    for appeal in ctx.session.scalars(
        select(Appeal).where(Appeal.case_id == case.id, Appeal.state == AppealState.ACTIVE)
    ):
        if appeal.radius_km < radius:
            journal(
                ctx,
                case,
                "appeal_widened",
                {"appeal": appeal.id, "from_km": appeal.radius_km, "to_km": radius},
            )
            appeal.radius_km = radius
            ctx.session.flush()
            enqueue(ctx, case, OutboxKind.APPEAL_WIDEN, appeal.channel, appeal)
            widened += 1
    return widened


def withdraw_appeals(ctx: Ctx, case: MissingCase) -> int:
    """Take every active appeal down (the person was found, or the case closed)."""
    count = 0
    for appeal in ctx.session.scalars(
        select(Appeal).where(Appeal.case_id == case.id, Appeal.state == AppealState.ACTIVE)
    ):
        appeal.state, appeal.withdrawn_at = AppealState.WITHDRAWN, ctx.at
        enqueue(ctx, case, OutboxKind.APPEAL_WITHDRAW, appeal.channel, appeal)
        journal(ctx, case, "appeal_withdrawn", {"appeal": appeal.id, "channel": appeal.channel})
        count += 1
    return count
