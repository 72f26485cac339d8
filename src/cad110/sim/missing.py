"""The missing-person loop in the living demo: the call-taker opens the case file (首接), the
dispatcher forms the search group for a vulnerable person, and most people are found.

Cases are driven through the same use cases as the console (`open_case`, `form_group`,
`push_search`, `close_case`). The person is drawn from the category of the incident; the
time until found is squeezed by the speed like every unsupervised stretch.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from sqlalchemy.orm import Session

from cad110.incidents.repository import get_incident
from cad110.lifecycles.incident import Status
from cad110.missing.cases import open_case
from cad110.missing.closing import close_case
from cad110.missing.repository import get_case
from cad110.missing.schemas import CaseOpen, CloseIn, Details, InformantIn, LastSeenIn, PersonIn
from cad110.missing.search import form_group, push_search
from cad110.models.incident import Incident
from cad110.models.missing import CaseOutcome, Sex
from cad110.sim import content
from cad110.sim.core import SimCore

# Share of simulated people found (the seed centre: 99.63%; the rest stay on the ledger).
FOUND_SHARE = 0.9
# Hours until found: at least half an hour, most within the day (mean about 5.5 h).
FOUND_MIN_H, FOUND_MEAN_EXTRA_H = 0.5, 5.0
OUTCOMES = (
    (CaseOutcome.FOUND_SAFE, 0.8),
    (CaseOutcome.RETURNED, 0.15),
    (CaseOutcome.FOUND_INJURED, 0.05),
)
GIVEN = (
    "建国",
    "秀英",
    "桂兰",
    "志强",
    "丽华",
    "明",
    "芳",
    "伟",
    "静",
    "浩然",
    "子涵",
    "欣怡",
    "宇轩",
)
CLOTHING = (
    "深蓝色外套，黑色裤子",
    "灰色夹克，布鞋",
    "红色毛衣，牛仔裤",
    "白色校服，运动鞋",
    "黑色羽绒服",
)
RELATION = ("子女", "配偶", "父母", "邻居", "同事")


class MissingActor(SimCore):
    def _open_missing_case(self, number: str) -> None:
        rng = self._missing_rng
        inc = self._incidents.get(number)
        if inc is None or inc.category is None or self._leaves(incident=number):
            return
        code = inc.category.code
        sex = Sex.FEMALE if code == "missing_minor_female" or rng.random() < 0.45 else Sex.MALE
        age, conditions = {
            "missing_elderly": (rng.randint(66, 90), ["dementia"] if rng.random() < 0.6 else []),
            "missing_child": (rng.randint(4, 13), []),
            "missing_minor_female": (rng.randint(14, 17), []),
            "missing_mentally_impaired": (
                rng.randint(18, 60),
                [rng.choice(["intellectual_disability", "mental_illness"])],
            ),
        }.get(code, (rng.randint(18, 64), []))
        lost_h = rng.uniform(0.5, 8.0)

        def work(session: Session) -> str:
            ctx = self._ctx(session, self._actors.calltaker)
            incident = get_incident(session, number, by=ctx.by)
            body = CaseOpen(
                incident=number,
                person=PersonIn(
                    name=rng.choice(content.SURNAMES) + rng.choice(GIVEN),
                    sex=sex,
                    age=age,
                    phone=content.mobile(rng) if age >= 12 else None,
                    conditions=conditions,
                    details=Details(
                        height_cm=rng.randint(110, 180) if age >= 8 else 100,
                        clothing=rng.choice(CLOTHING),
                    ),
                ),
                informant=InformantIn(
                    name=incident.caller_name or "报警人",
                    phone=incident.caller_phone or content.mobile(rng),
                    relation=rng.choice(RELATION),
                ),
                last_seen=LastSeenIn(
                    at=ctx.at - timedelta(hours=lost_h),
                    place=incident.address or "辖区内",
                    lon=incident.lon,
                    lat=incident.lat,
                ),
            )
            case, _created = open_case(ctx, body)
            return case.number

        case_number = self._tx("missing case", work)
        if case_number is None:
            return
        self.stats["missing_cases"] += 1
        self._after(rng.uniform(60, 240), "search group", partial(self._search_group, case_number))
        if rng.random() < FOUND_SHARE:
            hours = FOUND_MIN_H + rng.expovariate(1 / FOUND_MEAN_EXTRA_H)
            self._after(
                self._squeeze(hours * 3600, 300), "found", partial(self._found, case_number)
            )

    def _search_group(self, case_number: str) -> None:
        def work(session: Session) -> None:
            ctx = self._ctx(session, self._actors.dispatcher)
            form_group(ctx, case_number, None)
            push_search(ctx, case_number, 3.0)

        self._tx("search group", work)

    def _found(self, case_number: str) -> None:
        rng = self._missing_rng
        outcome = rng.choices([o for o, _ in OUTCOMES], weights=[w for _, w in OUTCOMES])[0]
        note = {
            CaseOutcome.FOUND_SAFE: "经巡逻民警及群众协查找到，已交家属",
            CaseOutcome.RETURNED: "家属来电告知已自行回家",
            CaseOutcome.FOUND_INJURED: "找到时轻微受伤，已送医",
        }[outcome]

        def work(session: Session) -> tuple[str, bool]:
            """Close the case: the incident's number, and whether that closed it too."""
            ctx = self._ctx(session, self._actors.dispatcher)
            incident = session.get(Incident, get_case(ctx, case_number).incident_id)
            assert incident is not None
            before = incident.status
            close_case(ctx, case_number, CloseIn(outcome=outcome, note=note))
            closed_now = before is not Status.CLOSED and incident.status is Status.CLOSED
            return incident.number, closed_now

        result = self._tx("missing found", work)
        if result is None:
            return
        self.stats["missing_found"] += 1
        number, closed_now = result
        if closed_now:
            # The family is called back like any caller (the catalog asks for it for every
            # missing person), then the incident is archived.
            wait = self._squeeze(self._rng.uniform(20, 90) * 60, 120)
            self._after(wait, "callback", partial(self._callback, number, True, 0))
