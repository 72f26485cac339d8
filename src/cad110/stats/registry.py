"""Every figure the centre reports, defined once: its names, unit, formula (in English and in
Chinese) and how it is
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

from cad110.stats import tally as t
from cad110.stats.figure import Figure, Kind, Source
from cad110.stats.fraud_figures import FRAUD
from cad110.stats.governance import REPEAT_CASES, TICKETS_12345
from cad110.stats.outcome_figures import CALLBACKS, OUTCOMES

__all__ = ["BY_KEY", "FIGURES", "Figure", "Kind", "Source"]


# The twelve stages' times by their Chinese names (DOMAIN.md), as the formulas name them.
_STAGE_ZH = {
    "received_at": "接警",
    "accepted_at": "受理",
    "dispatched_at": "派警",
    "acknowledged_at": "签收",
    "departed_at": "出动",
    "arrived_at": "到场",
    "reported_at": "反馈",
    "closed_at": "结警",
}
# The catalog's time limits by their Chinese names.
_LIMIT_ZH = {
    "dispatch_s": "派警时限",
    "acknowledge_s": "签收时限",
    "arrive": "到场时限（城区或郊区，按辖区类型）",
    "report_s": "反馈时限",
    "close_s": "结警时限",
}


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
        formula_zh=f"本期接报且已到{_STAGE_ZH[start]}、{_STAGE_ZH[end]}两个环节的警情，"
        f"自{_STAGE_ZH[start]}至{_STAGE_ZH[end]}的整秒数的中位数（P50）与P90（最近秩法）",
        stages=stages,
        standard=standard,
        unit_zh="秒",
        interval=interval,
    )


def _within(key: str, zh: str, en: str, step: str, limit: str, limit_zh: str) -> Figure:
    start, end = t.LIMITED_STEPS[step]
    return Figure(
        key,
        zh,
        en,
        Kind.RATE,
        Source.INCIDENTS,
        f"incidents whose {start} → {end} took no longer than the catalog's {limit} for "
        "their category and grade / incidents that reached both stages",
        formula_zh=f"{_STAGE_ZH[start]}至{_STAGE_ZH[end]}用时不超过目录中该类别、等级的"
        f"{limit_zh}的警情数 ÷ 已到两个环节的警情数",
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
        formula_zh=f"接警时直接移交{zh}的接警记录数 + 本期接报后移交{zh}的警情数",
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

FIGURES: tuple[Figure, ...] = (
    Figure(
        "calls_total",
        "接警总量",
        "Calls",
        Kind.COUNT,
        Source.CALLS,
        "call records answered in the period (every contact the desk recorded, valid or not)",
        formula_zh="本期接警记录数（接警台登记的每一次来电来访，有效无效均计）",
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
        formula_zh="本期话务系统报告的来电振铃数（有话务记录的）",
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
        formula_zh="本期来电中接听前即挂断的来电数",
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
        formula_zh="未接通来电数 ÷ 来电总量",
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
        formula_zh="本期接报的警情数（不论后续处理结果）",
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
        formula_zh="本期接报的警情数，减去认定无效的（谎报、误拨、无声、"
        "骚扰、重复、其他）和并入其他警情的（并案警情只计一次）",
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
        formula_zh="有效警情数 ÷ 接警记录数",
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
        formula_zh="有效警情数 ÷ 本期（或分组：周、月、工作日）的本地天数",
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
        formula_zh="接警时直接移交12345或所属警情类别为非警务的接警记录数 ÷ 接警记录数",
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
    _within(
        "dispatch_within_limit",
        "派警及时率",
        "Dispatched in time",
        "dispatch",
        "dispatch_s",
        _LIMIT_ZH["dispatch_s"],
    ),
    _within(
        "sign_for_within_limit",
        "签收及时率",
        "Signed for in time",
        "sign_for",
        "acknowledge_s",
        _LIMIT_ZH["acknowledge_s"],
    ),
    _within(
        "arrival_within_limit",
        "到场及时率",
        "Arrived in time",
        "arrival",
        "arrive_urban_s or arrive_suburban_s (by the jurisdiction's area type)",
        _LIMIT_ZH["arrive"],
    ),
    _within(
        "feedback_within_limit",
        "反馈及时率",
        "Feedback in time",
        "feedback",
        "report_s",
        _LIMIT_ZH["report_s"],
    ),
    _within(
        "close_within_limit",
        "结警及时率",
        "Closed in time",
        "close",
        "close_s",
        _LIMIT_ZH["close_s"],
    ),
    Figure(
        "overdue_rate",
        "超时警情率",
        "Overdue rate",
        Kind.RATE,
        Source.INCIDENTS,
        "accepted incidents with at least one step overdue (a 督办 opened on it) / incidents "
        "accepted (受理: their steps run against the time limits from then on)",
        formula_zh="至少一个环节超时（已开督办）的受理警情数 "
        "÷ 受理警情数（受理后各环节按时限计时）",
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
        formula_zh="本期接报警情上开出的督办数（每个超时环节一次）",
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
        formula_zh="其中当前由警情所属辖区的上级承办（已升级）的督办数",
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
        formula_zh="来电号码在此前的重复报警时间窗内（统计设置，默认30天）、同一辖区范围内另有"
        "接警记录的接警记录数 ÷ 有来电号码的接警记录数",
        stages="received",
        unit_zh="个百分点",
        numerator=(t.CALLS_REPEAT,),
        denominator=(t.CALLS_WITH_PHONE,),
    ),
    Figure(
        "repeat_incident_share",
        "重复警情占比",
        "Repeat-incident share",
        Kind.RATE,
        Source.INCIDENTS,
        "incidents received in the period that repeat at least one earlier incident (linked by "
        "the repeat rules: the same caller, standard address or point close by, or parties, "
        "within each signal's window; repeats/rules.toml) / incidents received",
        formula_zh="与此前警情关联为重复警情（同一号码、同一标准地址或邻近位置、同一当事人，"
        "各在其时间窗内）的警情数 ÷ 接报警情总数",
        stages="received",
        unit_zh="个百分点",
        numerator=(t.REPEAT_INCIDENTS,),
        denominator=(t.INCIDENTS,),
    ),
    *TICKETS_12345,
    *REPEAT_CASES,
    *FRAUD,
    Figure(
        "missing_found_rate",
        "失踪人员找回率",
        "Missing persons found",
        Kind.RATE,
        Source.CASES,
        "missing-person cases opened in the period and found (models.missing.FOUND_OUTCOMES, "
        "self-return included) / cases opened in the period — the missing-person report's "
        "recovery rate",
        formula_zh="本期立案且已找到（含自行返回）的失踪人员案件数 ÷ 本期立案的失踪人员案件数",
        stages="received → closed",
        unit_zh="个百分点",
        numerator=(t.CASES_FOUND,),
        denominator=(t.CASES,),
    ),
    *OUTCOMES,
    *CALLBACKS,
)
BY_KEY = {f.key: f for f in FIGURES}
