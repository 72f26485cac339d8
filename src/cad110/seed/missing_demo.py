"""Missing-person cases for the demo city, one in each stage of the loop (寻人闭环).

Every step goes through the same use cases the API runs, acting as the seeded accounts (the
call-taker, the dispatcher, the duty leader, each unit's officer) at a time in the past, so the
journals, deadlines and notifications are the ones real work would have left. Times are relative
to the moment of seeding, so that the cases look live when the demo starts:

- an elderly man with dementia missing since a few hours ago: urgent, the golden-72-hours clock
  running, the search group formed, appeals out, nearby units notified, a unit on scene;
- a 13-year-old girl missing 50 hours: a criminal case at once, and past 48 hours a transfer to
  criminal investigation (刑侦) waiting for the leader;
- an adult on the ledger (台账) for 10 days: the 24 h, 3 d and 7 d callbacks recorded, the
  15 d one to come;
- a teenager found safe yesterday: the case and its incident closed, the family told;
- a man reported twice, by his wife and by his employer: the second report linked to the first,
  whose 24 h callback has just fallen due.

Every incident the cases hang on is taken to where it would stand by now, with no supervised
step left overdue: the only deadlines pending are the live ones (the unit on scene reporting,
the callbacks to come).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy.orm import Session

from cad110.auth.principal import SYSTEM, Principal
from cad110.catalog.loader import Catalog
from cad110.dispatch.recommend import recommend
from cad110.incidents.actions import act
from cad110.incidents.intake import create_incident
from cad110.incidents.schemas import (
    ArriveBody,
    CallbackBody,
    CallInfo,
    CloseBody,
    DispatchBody,
    GuideCheck,
    IncidentCreate,
    NoteBody,
    ReportBody,
)
from cad110.kernel.context import Ctx
from cad110.kernel.hooks import Hooks
from cad110.lifecycles.incident import Action
from cad110.lifecycles.unit import UnitEvent, UnitStatus
from cad110.missing import cases, closing, ledger, search
from cad110.missing import rules as risk
from cad110.missing.rules import Rules
from cad110.missing.schemas import (
    CallbackIn,
    CaseOpen,
    CloseIn,
    Details,
    InformantIn,
    LastSeenIn,
    PersonIn,
)
from cad110.models.incident import Incident
from cad110.models.missing import CaseOutcome, MissingCase, Sex
from cad110.models.unit import Unit
from cad110.runtime import subscribers
from cad110.sim.actors import Actors
from cad110.units.service import change_status

SECOND, MINUTE = timedelta(seconds=1), timedelta(minutes=1)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
LEADER = "leader"
# Real places of Fuzhou inside the demo's districts (approximate points), written as the
# simulator writes addresses, and the station whose grid each falls in on the demo plan.
WEST_LAKE = ("福州市鼓楼区西湖公园南门", 119.2930, 26.0900)  # 鼓东派出所
WANDA_TAIJIANG = ("福州市台江区万达广场", 119.3140, 26.0620)  # 台江区第二派出所
RAILWAY_STATION = ("福州市晋安区福州火车站北广场", 119.3155, 26.1125)  # 晋安区第四派出所
WANDA_CANGSHAN = ("福州市仓山区万达广场", 119.2800, 26.0390)  # 仓山区第二派出所
WUYI_SQUARE = ("福州市鼓楼区五一广场", 119.3040, 26.0780)  # 鼓东派出所
SHANGXIAHANG = ("福州市台江区上下杭历史文化街区", 119.3030, 26.0560)  # 台江区第一派出所
Place = tuple[str, float, float]
# The unit steps (签收, 出动, 到场, 释放) name the officer's own unit; the other actions none.
UNIT_STEPS = frozenset({Action.ACKNOWLEDGE, Action.DEPART, Action.ARRIVE, Action.RELEASE})
Result = Literal["resolved", "case_opened", "referred", "no_finding", "other"]


@dataclass
class _Demo:
    """Who acts, and the context for a step taken at a given moment."""

    session: Session
    now: datetime
    tz: ZoneInfo
    catalog: Catalog
    rules: Rules
    hooks: Hooks
    channels: frozenset[str]
    actors: Actors

    def ctx(self, by: Principal, at: datetime) -> Ctx:
        return Ctx(
            session=self.session,
            by=by,
            at=at,
            catalog=self.catalog,
            tz=self.tz,
            hooks=self.hooks,
            parts={Rules: self.rules},
        )

    def officer(self, unit: str) -> Principal:
        return self.actors.units[unit].officer

    def case_officer(self, incident: Incident) -> str:
        """The officer account of the station's first unit looks after the case (专管员)."""
        return f"{incident.jurisdiction_code}-1".lower()

    # --- the incident ------------------------------------------------------------------------

    def call(
        self, at: datetime, place: Place, caller: str, phone: str, category: str, narrative: str
    ) -> Incident:
        """接警 and 受理 in one step, as the call-taker does with a complete record."""
        data = IncidentCreate(
            caller_name=caller,
            caller_phone=phone,
            address=place[0],
            lon=place[1],
            lat=place[2],
            narrative=narrative,
            category=category,
            accept=True,
            call=CallInfo(answered_at=at - 3 * MINUTE, duration_s=170),
        )
        return create_incident(self.ctx(self.actors.calltaker, at), data, idempotency_key=None)

    def act(
        self, by: Principal, at: datetime, incident: Incident, action: Action, body: BaseModel
    ) -> None:
        unit = by.unit_code if action in UNIT_STEPS else None
        act(self.ctx(by, at), incident.number, action, body, unit=unit)

    def attend(self, incident: Incident, at: datetime, drive: timedelta) -> list[str]:
        """派警 the recommended units; each signs, sets off and arrives `drive` later."""
        ctx = self.ctx(self.actors.dispatcher, at)
        advice = recommend(ctx, incident, eta=ctx.eta, k=5)
        units = [r.unit.code for r in advice.items][: max(1, advice.min_units)]
        act(ctx, incident.number, Action.DISPATCH, DispatchBody(units=units, note="按系统推荐派警"))
        for code in units:
            officer = self.officer(code)
            self.act(officer, at + 30 * SECOND, incident, Action.ACKNOWLEDGE, NoteBody())
            self.act(officer, at + MINUTE, incident, Action.DEPART, NoteBody())
            unit = self.session.get(Unit, code)
            if unit is not None and incident.lon is not None and incident.lat is not None:
                # On scene by its AVL as it arrives (a 到场 far from the scene needs a reason).
                unit.last_lon, unit.last_lat = incident.lon, incident.lat
            self.act(officer, at + MINUTE + drive, incident, Action.ARRIVE, ArriveBody())
        return units

    def clear(
        self, incident: Incident, units: list[str], at: datetime, summary: str, result: Result
    ) -> None:
        """处置 and 反馈 by the first unit, every unit released and back at its base."""
        lead = self.officer(units[0])
        self.act(lead, at, incident, Action.HANDLE, NoteBody(note=summary))
        category = self.catalog.get(incident.category_code or "")
        guide = [GuideCheck(code=g.code, done=True) for g in (category.guide if category else ())]
        body = ReportBody(summary=summary, result=result, guide=guide)
        self.act(lead, at + 5 * MINUTE, incident, Action.REPORT, body)
        for code in units:
            officer = self.officer(code)
            self.act(officer, at + 6 * MINUTE, incident, Action.RELEASE, NoteBody(note="警组释放"))
            unit = self.session.get(Unit, code)
            assert unit is not None
            if unit.status is UnitStatus.RETURNING:
                change_status(
                    self.ctx(officer, at + 25 * MINUTE),
                    unit,
                    UnitEvent.BACK_AT_BASE,
                    reason="返回驻地",
                )

    def close_incident(self, incident: Incident, at: datetime, summary: str) -> None:
        """结警 by the dispatcher, and the caller's 回访 within the day (no 督办 left behind)."""
        # One never dispatched (the person came home before a unit went) says so.
        reason = None if incident.dispatched_at is not None else "resolved_before_arrival"
        body = CloseBody(summary=summary, no_dispatch_reason=reason)
        self.act(self.actors.dispatcher, at, incident, Action.CLOSE, body)
        self.callback_caller(incident, at + 3 * HOUR)

    def callback_caller(self, incident: Incident, at: datetime) -> None:
        body = CallbackBody(satisfaction="satisfied", note="报警人对处置表示满意")
        self.act(self.actors.calltaker, at, incident, Action.CALLBACK, body)

    # --- the case ----------------------------------------------------------------------------

    def open(
        self,
        incident: Incident,
        at: datetime,
        person: PersonIn,
        informant: InformantIn,
        last_seen_at: datetime,
        place: Place,
    ) -> MissingCase:
        body = CaseOpen(
            incident=incident.number,
            person=person,
            informant=informant,
            last_seen=LastSeenIn(at=last_seen_at, place=place[0], lon=place[1], lat=place[2]),
            leader=LEADER,
            case_officer=self.case_officer(incident),
        )
        case, _ = cases.open_case(self.ctx(self.actors.calltaker, at), body)
        return case

    def search(self, case: MissingCase, at: datetime, radius_km: float) -> None:
        """一键建群, the search details pushed to units around, 寻人启事 on every channel."""
        dispatcher = self.actors.dispatcher
        search.form_group(self.ctx(dispatcher, at), case.number, LEADER)
        search.push_search(self.ctx(dispatcher, at + MINUTE), case.number, radius_km)
        channels = sorted(self.channels)
        search.publish_appeals(
            self.ctx(dispatcher, at + 2 * MINUTE), case.number, channels, "", self.channels
        )

    def tick(self, case: MissingCase, at: datetime) -> None:
        """What the server's tick would have done for this case by `at`."""
        ctx = self.ctx(SYSTEM, at)
        facts = cases.person_facts(case)
        cases.apply_firings(ctx, case, risk.on_time(facts, case.opened_at, at, self.rules))
        search.widen_appeals(ctx, case)

    def callback(
        self, case: MissingCase, seq: int, at: datetime, said: str, lead: str = ""
    ) -> None:
        by = next(
            u.officer for u in self.actors.units.values() if u.officer.username == case.case_officer
        )
        body = CallbackIn(reached=True, family_said=said, new_lead=lead)
        ledger.record_callback(self.ctx(by, at), case.number, seq, body)


def _person(name: str, sex: Sex, age: int, **kw: Any) -> PersonIn:
    details = Details(**kw.pop("details", {}))
    return PersonIn(name=name, sex=sex, age=age, details=details, **kw)


def _elderly_man(d: _Demo) -> MissingCase:
    """Gone from his daughter's home near West Lake six hours ago; a unit is searching now."""
    t = d.now - 22 * MINUTE
    incident = d.call(
        t,
        WEST_LAKE,
        "陈丽华",
        "13805001122",
        "missing_elderly",
        "报警人称其父亲陈金水（79岁，患老年痴呆）外出散步六个多小时未归，未带手机，家属已在西湖公园一带寻找未果。",
    )
    case = d.open(
        incident,
        t + MINUTE,
        _person(
            "陈金水",
            Sex.MALE,
            79,
            conditions=["dementia"],
            home_address="鼓楼区湖滨路",
            details={
                "height_cm": 165,
                "build": "偏瘦",
                "clothing": "灰色夹克，深蓝色裤子，黑色布鞋",
                "accent": "福州口音",
                "habits": "常去西湖公园、左海公园散步",
                "mental_health": "阿尔茨海默病，记不清家庭住址",
            },
        ),
        InformantIn(name="陈丽华", phone="13805001122", relation="女儿"),
        d.now - 6 * HOUR,
        WEST_LAKE,
    )
    d.attend(incident, t + 2 * MINUTE, drive=4 * MINUTE)  # on scene 15 minutes ago
    d.search(case, t + 8 * MINUTE, radius_km=3)
    return case


def _missing_girl(d: _Demo) -> MissingCase:
    """Not home from school two days ago; past 48 hours the rules ask for 刑侦."""
    last_seen = d.now - 50 * HOUR
    t = last_seen + HOUR
    incident = d.call(
        t,
        WANDA_TAIJIANG,
        "林志鹏",
        "13959112345",
        "missing_child",
        "报警人称其女儿林雨欣（13岁）放学后在台江万达广场与同学分开后未回家，手机关机。",
    )
    case = d.open(
        incident,
        t + MINUTE,
        _person(
            "林雨欣",
            Sex.FEMALE,
            13,
            phone="13959116789",
            school_or_work="台江区某中学（初一）",
            home_address="台江区宁化街道",
            details={
                "height_cm": 152,
                "clothing": "白色校服上衣，蓝色运动裤，背粉色书包",
                "features": "扎马尾，戴黑框眼镜",
                "social_accounts": ["微信", "QQ"],
            },
        ),
        InformantIn(name="林志鹏", phone="13959112345", relation="父亲"),
        last_seen,
        WANDA_TAIJIANG,
    )
    units = d.attend(incident, t + 2 * MINUTE, drive=5 * MINUTE)
    d.search(case, t + 15 * MINUTE, radius_km=5)
    d.clear(incident, units, t + HOUR, "已立案，移交刑侦专班继续查找", "case_opened")
    d.close_incident(incident, t + 2 * HOUR, "已按刑事案件立案，寻人案件继续办理")
    d.tick(case, last_seen + 3 * HOUR)  # the appeals widen to 500 km
    d.callback(
        case,
        1,
        case.opened_at + 25 * HOUR,
        "仍未联系上，孩子手机一直关机",
        "同学反映其近期与一名网友频繁聊天，曾提到周末要见面",
    )
    d.tick(case, last_seen + 48 * HOUR + MINUTE)  # child_48h: a transfer to 刑侦 is requested
    return case


def _ledger_adult(d: _Demo) -> MissingCase:
    """Left for work ten days ago and never arrived; on the ledger, called back on schedule."""
    last_seen = d.now - 10 * DAY - 4 * HOUR
    t = d.now - 10 * DAY
    incident = d.call(
        t,
        RAILWAY_STATION,
        "王丽",
        "13600591234",
        "missing_person",
        "报警人称其丈夫郑志明（45岁）上班途中在福州火车站附近下公交后失去联系，单位称其未到岗。",
    )
    case = d.open(
        incident,
        t + MINUTE,
        _person(
            "郑志明",
            Sex.MALE,
            45,
            phone="13805911234",
            school_or_work="福州某物流公司",
            home_address="晋安区象园街道",
            details={
                "height_cm": 172,
                "clothing": "黑色羽绒服，牛仔裤",
                "belongings": "黑色双肩包",
                "suspected_cause": "近期工作压力大，曾向同事提及想离开福州",
            },
        ),
        InformantIn(name="王丽", phone="13600591234", relation="妻子"),
        last_seen,
        RAILWAY_STATION,
    )
    units = d.attend(incident, t + 2 * MINUTE, drive=8 * MINUTE)
    d.clear(incident, units, t + HOUR, "周边查找未果，已调取车站监控，建档继续查找", "no_finding")
    d.close_incident(incident, t + 2 * HOUR, "已建寻人档案，列入台账继续查找")
    opened = case.opened_at
    d.callback(case, 1, opened + DAY + HOUR, "家属称仍无消息，已联系其老家亲属")
    d.callback(case, 2, opened + 3 * DAY + 2 * HOUR, "仍无消息，银行卡无消费记录")
    d.callback(
        case,
        3,
        opened + 7 * DAY + HOUR,
        "仍未联系上",
        "其同事称曾在厦门见过相似的人，已转情报专班核查",
    )
    return case


def _found_yesterday(d: _Demo) -> MissingCase:
    """A 16-year-old who left home after a quarrel, found safe in an internet café."""
    last_seen = d.now - 34 * HOUR
    t = d.now - 32 * HOUR
    incident = d.call(
        t,
        WANDA_CANGSHAN,
        "张伟",
        "13905911888",
        "missing_person",
        "报警人称其儿子张子豪（16岁）与家人争吵后离家，在仓山万达广场附近失去联系。",
    )
    case = d.open(
        incident,
        t + MINUTE,
        _person(
            "张子豪",
            Sex.MALE,
            16,
            phone="13905913456",
            school_or_work="仓山区某中学（高一）",
            details={"height_cm": 175, "clothing": "黑色连帽卫衣，灰色运动裤"},
        ),
        InformantIn(name="张伟", phone="13905911888", relation="父亲"),
        last_seen,
        WANDA_CANGSHAN,
    )
    units = d.attend(incident, t + 2 * MINUTE, drive=6 * MINUTE)
    d.search(case, t + 10 * MINUTE, radius_km=5)
    d.clear(incident, units, t + HOUR, "周边网吧、商场查找未果，已建档推送查找", "no_finding")
    found = CloseIn(
        outcome=CaseOutcome.FOUND_SAFE,
        note="在台江区上下杭附近一网吧找到，身体无恙，已交由家长带回",
        found_place=SHANGXIAHANG[0],
    )
    closing.close_case(d.ctx(d.actors.dispatcher, d.now - 26 * HOUR), case.number, found)
    d.callback_caller(incident, d.now - 25 * HOUR)
    return case


def _reported_twice(d: _Demo) -> tuple[MissingCase, MissingCase]:
    """A man reported by his wife, then by his employer: one person, two linked reports."""
    last_seen = d.now - 30 * HOUR
    first_at = d.now - 26 * HOUR
    home = d.call(
        first_at,
        WUYI_SQUARE,
        "陈秀梅",
        "13705912222",
        "missing_person",
        "报警人称其丈夫吴建平（52岁）饭后外出散步，四个多小时未归，电话无人接听。",
    )
    first = d.open(
        home,
        first_at + MINUTE,
        _person("吴建平", Sex.MALE, 52, phone="13705918888", home_address="鼓楼区五一中路"),
        InformantIn(name="陈秀梅", phone="13705912222", relation="妻子"),
        last_seen,
        WUYI_SQUARE,
    )
    units = d.attend(home, first_at + 2 * MINUTE, drive=5 * MINUTE)
    d.clear(home, units, first_at + HOUR, "周边查找未果，已建档继续查找", "no_finding")
    d.close_incident(home, first_at + 2 * HOUR, "已建寻人档案继续查找")

    second_at = d.now - 20 * HOUR
    work = d.call(
        second_at,
        SHANGXIAHANG,
        "刘强",
        "13960813333",
        "missing_person",
        "报警人称其店员吴建平未按时来上班，电话不通，担心出事。",
    )
    second = d.open(
        work,
        second_at + MINUTE,
        # The employer gives his age a year off and writes the number with spaces.
        _person("吴建平", Sex.MALE, 53, phone="137 0591 8888", school_or_work="上下杭某茶叶店"),
        InformantIn(name="刘强", phone="13960813333", relation="雇主"),
        last_seen - 6 * HOUR,  # when he left the shop, before he went home
        SHANGXIAHANG,
    )
    d.close_incident(work, second_at + HOUR, "已建寻人档案，与前案关联查找")
    return first, second


def seed_missing_demo(
    session: Session,
    *,
    now: datetime,
    tz: ZoneInfo,
    catalog: Catalog,
    rules: Rules,
    appeal_channels: frozenset[str],
) -> list[MissingCase]:
    """The demo's missing-person cases, oldest first (call once, with the city)."""
    demo = _Demo(
        session, now, tz, catalog, rules, subscribers(), appeal_channels, Actors.load(session)
    )
    ledger_case = _ledger_adult(demo)
    girl = _missing_girl(demo)
    found = _found_yesterday(demo)
    first, second = _reported_twice(demo)
    elderly = _elderly_man(demo)
    session.flush()
    return [ledger_case, girl, found, first, second, elderly]
