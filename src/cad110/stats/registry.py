"""Every figure the centre reports, defined once: its names, unit, formula and how it is
computed from a tally (stats/tally.py). docs/statistics.md is written from this table
(`tests/unit/test_stats_figures.py` holds the two together).

A figure is one of five kinds, each computed the same way from tally counters:
- count: the sum of some counters;
- rate: numerator counters / denominator counters, as both integers and a percentage;
- average: counters per local day of the period;
- duration: nearest-rank p50 and p90 of an interval's whole seconds;
- hours: the mean and the nearest-rank median of an interval's whole seconds, in hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cad110.stats import tally as t


class Kind(StrEnum):
    COUNT = "count"
    RATE = "rate"
    AVERAGE = "average"
    DURATION = "duration"
    HOURS = "hours"


class Source(StrEnum):
    """The records a figure counts: phone calls carry no category or grade."""

    INCIDENTS = "incidents"
    CALLS = "calls"
    PHONE = "phone"
    CASES = "missing_cases"


@dataclass(frozen=True)
class Figure:
    key: str
    zh: str
    en: str
    kind: Kind
    source: Source
    formula: str
    # The twelve stages (DOMAIN.md) the figure reads, and the NENA/NFPA interval it matches.
    stages: str = ""
    standard: str = ""
    unit_zh: str = ""
    counts: tuple[str, ...] = ()  # count and average: the counters summed
    numerator: tuple[str, ...] = ()  # rate
    denominator: tuple[str, ...] = ()  # rate
    interval: str = ""  # duration: a key of tally.INTERVALS

    @property
    def by_category(self) -> bool:
        """Whether the figure can be filtered or grouped by category and grade."""
        return self.source is not Source.PHONE


def _duration(key: str, zh: str, en: str, interval: str, standard: str) -> Figure:
    start, end = t.INTERVALS[interval]
    stages = f"{start.removesuffix('_at')} → {end.removesuffix('_at')}"
    return Figure(
        key,
        zh,
        en,
        Kind.DURATION,
        Source.INCIDENTS,
        f"p50 and p90 (nearest rank) of whole seconds from {start} to {end}, over incidents "
        "received in the period that reached both stages",
        stages=stages,
        standard=standard,
        unit_zh="秒",
        interval=interval,
    )


def _within(key: str, zh: str, en: str, step: str, limit: str) -> Figure:
    start, end = t.LIMITED_STEPS[step]
    return Figure(
        key,
        zh,
        en,
        Kind.RATE,
        Source.INCIDENTS,
        f"incidents whose {start} → {end} took no longer than the catalog's {limit} for "
        "their category and grade / incidents that reached both stages",
        stages=f"{start.removesuffix('_at')} → {end.removesuffix('_at')}",
        unit_zh="个百分点",
        numerator=(t.within(step),),
        denominator=(t.measured(step),),
    )


_TRANSFERS = [
    Figure(
        f"transfers_{target}",
        f"移交{zh}",
        f"Transfers to {en}",
        Kind.COUNT,
        Source.CALLS,
        f"call records transferred to {en} straight from the call + incidents received in the "
        f"period and transferred to {en}",
        stages="received → transferred",
        unit_zh="起",
        counts=(t.call_transfer(target), t.incident_transfer(target)),
    )
    for target, zh, en in (
        ("12345", "12345", "12345"),
        ("119", "119", "119 (fire)"),
        ("120", "120", "120 (medical)"),
        ("agency", "其他部门", "another agency"),
    )
]

# 处警结果: each counted on the incident it belongs to, by the incident's 接警 time, as the
# entries that stand say now (a struck entry counts nowhere; a late arrest counts on the day
# the incident was received, whenever it was recorded).
_OUTCOME_STAGES = "handled → later (处警结果)"
_OUTCOMES = (
    Figure(
        "arrests",
        "抓获人数",
        "People caught",
        Kind.COUNT,
        Source.INCIDENTS,
        "people caught (抓获, in the act or later) in incidents received in the period",
        stages=_OUTCOME_STAGES,
        unit_zh="人",
        counts=(t.ARRESTED,),
    ),
    Figure(
        "in_the_act_arrest_rate",
        "现行抓获率",
        "Caught in the act",
        Kind.RATE,
        Source.INCIDENTS,
        "incidents received in the period with anyone caught in the act (现行) / incidents "
        "received in the period with anyone caught — by incident, not by person",
        stages=_OUTCOME_STAGES,
        unit_zh="个百分点",
        numerator=(t.IN_THE_ACT_INCIDENTS,),
        denominator=(t.ARREST_INCIDENTS,),
    ),
    Figure(
        "dispatch_to_arrest",
        "派警至抓获用时",
        "Dispatch to arrest",
        Kind.HOURS,
        Source.INCIDENTS,
        "mean and median (nearest rank) hours, to two decimals, of the whole seconds from the "
        "first 派警 (dispatched_at) to the first arrest, over incidents received in the period "
        "with an arrest at or after their first 派警",
        stages="dispatched → first arrest",
        unit_zh="小时",
        interval=t.DISPATCH_TO_ARREST,
    ),
    Figure(
        "loss_recovery_rate_amount",
        "追赃挽损率(金额)",
        "Losses recovered (amount)",
        Kind.RATE,
        Source.INCIDENTS,
        "fen recovered / fen lost, over incidents received in the period with a loss recorded",
        stages=_OUTCOME_STAGES,
        unit_zh="个百分点",
        numerator=(t.RECOVERED_FEN,),
        denominator=(t.LOSS_FEN,),
    ),
    Figure(
        "loss_recovery_rate_cases",
        "追赃挽损率(案件)",
        "Losses recovered (cases)",
        Kind.RATE,
        Source.INCIDENTS,
        "incidents received in the period with a loss and any amount recovered / incidents "
        "received in the period with a loss recorded",
        stages=_OUTCOME_STAGES,
        unit_zh="个百分点",
        numerator=(t.RECOVERED_INCIDENTS,),
        denominator=(t.LOSS_INCIDENTS,),
    ),
    Figure(
        "cases_opened",
        "立案数",
        "Cases opened",
        Kind.COUNT,
        Source.INCIDENTS,
        "incidents received in the period with a 立案 recorded",
        stages=_OUTCOME_STAGES,
        unit_zh="起",
        counts=(t.CASES_OPENED,),
    ),
)

# 回访 (callbacks/), counted on the incident's own record however the callback was recorded:
# the queue, the board's dialog, an SMS reply, a history.
_CALLBACKS = (
    Figure(
        "callback_coverage",
        "回访率",
        "Callback coverage",
        Kind.RATE,
        Source.INCIDENTS,
        "incidents received in the period whose callback was due (the catalog requires it, or "
        "the sample drew it; excluded categories never) and is recorded, unreachable included "
        "/ incidents received in the period whose callback is recorded or whose due time has "
        "come by the moment of reading (one not yet due is not missed)",
        stages="closed → callback",
        unit_zh="个百分点",
        numerator=(t.CALLBACKS_DONE,),
        denominator=(t.CALLBACKS_DUE,),
    ),
    Figure(
        "satisfaction_rate",
        "群众满意率",
        "Satisfaction",
        Kind.RATE,
        Source.INCIDENTS,
        "callbacks answered satisfied or basically satisfied / callbacks that reached the "
        "caller (satisfied, basically satisfied or dissatisfied; unreachable ones are out), on "
        "incidents received in the period",
        stages="callback",
        unit_zh="个百分点",
        numerator=(t.CALLBACKS_SATISFIED,),
        denominator=(t.CALLBACKS_REACHED,),
    ),
    Figure(
        "follow_up_in_time",
        "整改按时答复率",
        "Follow-ups answered in time",
        Kind.RATE,
        Source.INCIDENTS,
        "follow-ups (不满意整改) answered by the station within their working days / "
        "follow-ups answered or past their due time by the moment of reading, on incidents "
        "received in the period",
        stages="callback → follow-up",
        unit_zh="个百分点",
        numerator=(t.FOLLOW_UPS_IN_TIME,),
        denominator=(t.FOLLOW_UPS,),
    ),
)
FIGURES: tuple[Figure, ...] = (
    Figure(
        "calls_total",
        "接警总量",
        "Calls",
        Kind.COUNT,
        Source.CALLS,
        "call records answered in the period (every contact the desk recorded, valid or not)",
        stages="received",
        unit_zh="起",
        counts=(t.CALLS,),
    ),
    Figure(
        "phone_calls",
        "来电总量",
        "Phone calls",
        Kind.COUNT,
        Source.PHONE,
        "calls the phone system reported ringing in the period (where telephony records them)",
        stages="before received",
        unit_zh="个",
        counts=(t.PHONE_CALLS,),
    ),
    Figure(
        "abandoned_calls",
        "未接通来电",
        "Abandoned calls",
        Kind.COUNT,
        Source.PHONE,
        "phone calls in the period that ended before anyone answered",
        stages="before received",
        standard="NENA abandoned call",
        unit_zh="个",
        counts=(t.PHONE_ABANDONED,),
    ),
    Figure(
        "abandoned_rate",
        "呼损率",
        "Abandoned call rate",
        Kind.RATE,
        Source.PHONE,
        "abandoned phone calls / phone calls",
        stages="before received",
        standard="NENA abandoned call",
        unit_zh="个百分点",
        numerator=(t.PHONE_ABANDONED,),
        denominator=(t.PHONE_CALLS,),
    ),
    Figure(
        "incidents_total",
        "警情总量",
        "Incidents",
        Kind.COUNT,
        Source.INCIDENTS,
        "incidents received in the period, whatever became of them",
        stages="received",
        unit_zh="起",
        counts=(t.INCIDENTS,),
    ),
    Figure(
        "valid_incidents",
        "有效警情",
        "Valid incidents",
        Kind.COUNT,
        Source.INCIDENTS,
        "incidents received in the period, less those invalidated (hoax, misdial, silent, "
        "harassment, duplicate, other) and those merged into another incident (which counts "
        "once, as itself)",
        stages="received",
        unit_zh="起",
        counts=(t.VALID,),
    ),
    Figure(
        "valid_rate",
        "有效警情率",
        "Valid rate",
        Kind.RATE,
        Source.CALLS,
        "valid incidents / call records",
        stages="received",
        unit_zh="个百分点",
        numerator=(t.VALID,),
        denominator=(t.CALLS,),
    ),
    Figure(
        "daily_average",
        "日均有效警情",
        "Valid incidents a day",
        Kind.AVERAGE,
        Source.INCIDENTS,
        "valid incidents / local days in the period (or in the group: a week, a month, the "
        "working days)",
        stages="received",
        unit_zh="起",
        counts=(t.VALID,),
    ),
    Figure(
        "non_police_share",
        "非警务警情占比",
        "Non-police share",
        Kind.RATE,
        Source.CALLS,
        "call records transferred to 12345 straight from the call, or whose incident's "
        "category is non-police / call records",
        stages="received → accepted",
        unit_zh="个百分点",
        numerator=(t.CALLS_NON_POLICE,),
        denominator=(t.CALLS,),
    ),
    *_TRANSFERS,
    _duration("dispatch_time", "派警用时", "Time to dispatch", "dispatch", "call processing"),
    _duration("sign_for_time", "签收用时", "Time to sign for", "sign_for", "acknowledgement"),
    _duration("turnout_time", "出动用时", "Turnout time", "turnout", "turnout"),
    _duration("travel_time", "途中用时", "Travel time", "travel", "travel"),
    _duration("arrival_time", "到场用时", "Time to arrive", "arrival", "turnout + travel"),
    _duration("response_time", "响应用时", "Response time", "response", "response"),
    _duration("feedback_time", "反馈用时", "Time to feedback", "feedback", "on-scene"),
    _duration("close_time", "结警用时", "Time to close", "close", "total incident time"),
    _within("dispatch_within_limit", "派警及时率", "Dispatched in time", "dispatch", "dispatch_s"),
    _within(
        "sign_for_within_limit", "签收及时率", "Signed for in time", "sign_for", "acknowledge_s"
    ),
    _within(
        "arrival_within_limit",
        "到场及时率",
        "Arrived in time",
        "arrival",
        "arrive_urban_s or arrive_suburban_s (by the jurisdiction's area type)",
    ),
    _within("feedback_within_limit", "反馈及时率", "Feedback in time", "feedback", "report_s"),
    _within("close_within_limit", "结警及时率", "Closed in time", "close", "close_s"),
    Figure(
        "overdue_rate",
        "超时警情率",
        "Overdue rate",
        Kind.RATE,
        Source.INCIDENTS,
        "accepted incidents with at least one step overdue (a 督办 opened on it) / incidents "
        "accepted (受理: their steps run against the time limits from then on)",
        stages="accepted → callback",
        unit_zh="个百分点",
        numerator=(t.OVERDUE,),
        denominator=(t.SUPERVISED,),
    ),
    Figure(
        "supervisions_opened",
        "督办数",
        "Supervisions opened",
        Kind.COUNT,
        Source.INCIDENTS,
        "督办 opened on the incidents received in the period (one per overdue step)",
        stages="accepted → callback",
        unit_zh="次",
        counts=(t.SUPERVISIONS,),
    ),
    Figure(
        "supervisions_escalated",
        "督办升级数",
        "Supervisions escalated",
        Kind.COUNT,
        Source.INCIDENTS,
        "of those, the 督办 now owned above the incident's own jurisdiction (escalated)",
        stages="accepted → callback",
        unit_zh="次",
        counts=(t.ESCALATED,),
    ),
    Figure(
        "repeat_caller_share",
        "重复报警占比",
        "Repeat-caller share",
        Kind.RATE,
        Source.CALLS,
        "call records whose caller's number made another call record in the repeat window "
        "before (stats/rules.toml, within the same jurisdiction subtree) / call records with a "
        "number",
        stages="received",
        unit_zh="个百分点",
        numerator=(t.CALLS_REPEAT,),
        denominator=(t.CALLS_WITH_PHONE,),
    ),
    Figure(
        "missing_found_rate",
        "失踪人员找回率",
        "Missing persons found",
        Kind.RATE,
        Source.CASES,
        "missing-person cases opened in the period and found (models.missing.FOUND_OUTCOMES, "
        "self-return included) / cases opened in the period — the missing-person report's "
        "recovery rate",
        stages="received → closed",
        unit_zh="个百分点",
        numerator=(t.CASES_FOUND,),
        denominator=(t.CASES,),
    ),
    *_OUTCOMES,
    *_CALLBACKS,
)
BY_KEY = {f.key: f for f in FIGURES}
