"""The source-governance figures (源头治理, issue 14): the 12345 tickets out and the
emergencies 12345 pushes in (transfers/), and the repeat case files (重复警情档案, repeats/) —
opened, still open, solved, reopened, and the calls of a solved case's matter in the days
before and after. Listed in stats/registry.py among the others.
"""

from __future__ import annotations

from cad110.stats import tally as t
from cad110.stats.figure import Figure, Kind, Source

# 12345 工单, counted on the day a ticket was sent, where its call or incident was; and the
# incidents 12345 pushed into 110, on the day they were received.
TICKETS_12345: tuple[Figure, ...] = (
    Figure(
        "tickets_12345",
        "转12345工单数",
        "Tickets to 12345",
        Kind.COUNT,
        Source.CALLS,
        "tickets (工单) sent to the 12345 platform in the period, from the desk (a call ended "
        "转12345) or the board (移交 → 12345); a caller ringing again adds to a ticket, not a new one",
        formula_zh="本期推送至12345平台的工单数（接警台转12345或调度台移交12345；同一事项再次来电"
        "并入原工单，不另计）",
        stages="sent to 12345",
        unit_zh="件",
        counts=(t.TICKETS,),
    ),
    Figure(
        "transfers_in_12345",
        "12345推送警情数",
        "Emergencies from 12345",
        Kind.COUNT,
        Source.INCIDENTS,
        "incidents received in the period that the 12345 platform pushed into 110 (source "
        "push_12345): police matters the hotline took, the other way of the two-way flow",
        formula_zh="本期接报的由12345平台推送至110的警情数（警情来源为12345推送，工单警单双向流转中"
        "转入110的一侧）",
        stages="pushed by 12345 → received",
        unit_zh="起",
        counts=(t.PUSHED_IN_12345,),
    ),
    Figure(
        "ticket_accepted_time",
        "12345受理用时",
        "12345 acceptance time",
        Kind.DURATION,
        Source.CALLS,
        "p50 and p90 (nearest rank) of the whole seconds from a ticket's sending to the 12345 "
        "platform's acceptance, over tickets sent in the period and accepted",
        formula_zh="本期推送且已受理的工单，自推送至12345受理的整秒数的中位数与90分位数（最近秩法）",
        stages="sent to 12345 → 12345 accepted",
        unit_zh="秒",
        interval=t.TICKET_ACCEPTED,
    ),
    Figure(
        "ticket_done_time",
        "12345办结用时",
        "12345 time to done",
        Kind.HOURS,
        Source.CALLS,
        "mean and median (nearest rank) hours, to two decimals, of the whole seconds from a "
        "ticket's sending to the 12345 platform's done, over tickets sent in the period and done",
        formula_zh="本期推送且已办结的工单，自推送至12345办结整秒数的平均值与中位数（最近秩法），"
        "折合小时，保留两位小数",
        stages="sent to 12345 → 12345 done",
        unit_zh="小时",
        interval=t.TICKET_DONE,
    ),
    Figure(
        "ticket_in_time_rate",
        "12345按时办结率",
        "12345 done in time",
        Kind.RATE,
        Source.CALLS,
        "tickets done by their limit (working days by the hotline's type, transfers/rules.toml) / "
        "tickets sent in the period that are done or past their limit (one not yet due and not "
        "done is not counted)",
        formula_zh="在办理时限（按工单类型的工作日数）内办结的工单数 ÷ 本期推送且已办结或已过时限的"
        "工单数（未到时限且未办结的不计）",
        stages="sent to 12345 → 12345 done",
        unit_zh="个百分点",
        numerator=(t.TICKETS_IN_TIME,),
        denominator=(t.TICKETS_DUE,),
    ),
    Figure(
        "ticket_rang_again_rate",
        "转办后再次报警率",
        "Rang 110 again after transfer",
        Kind.RATE,
        Source.CALLS,
        "tickets sent in the period whose caller rang 110 again while the ticket was open / "
        "tickets sent in the period",
        formula_zh="本期推送的工单中，工单办理期间来电人再次拨打110的工单数 ÷ 本期推送的工单数",
        stages="sent to 12345 → 12345 done",
        unit_zh="个百分点",
        numerator=(t.TICKETS_RANG_AGAIN,),
        denominator=(t.TICKETS,),
    ),
)

# 重复警情档案, counted where the case is (its station), by its type and tier as they stand.
_WINDOW = "N = solved_window_days of stats/rules.toml, 30"
_WINDOW_ZH = "N为统计设置的观察天数，默认30天"
REPEAT_CASES: tuple[Figure, ...] = (
    Figure(
        "repeat_cases_opened",
        "重复警情建档数",
        "Repeat cases opened",
        Kind.COUNT,
        Source.REPEAT_CASES,
        "repeat cases (重复警情档案) opened in the period, by hand or by rule",
        formula_zh="本期新建的重复警情档案数（人工建档与规则建档）",
        stages="case opened",
        unit_zh="件",
        counts=(t.REPEAT_CASES_OPENED,),
    ),
    Figure(
        "repeat_cases_open",
        "重复警情在办数",
        "Repeat cases still open",
        Kind.COUNT,
        Source.REPEAT_CASES,
        "of the repeat cases opened in the period, those not solved as they stand now (being "
        "worked, or their closing report awaiting a leader's approval)",
        formula_zh="本期新建的重复警情档案中，截至统计时尚未化解（在办或结案报告待审批）的档案数",
        stages="case opened → case solved",
        unit_zh="件",
        counts=(t.REPEAT_CASES_OPEN,),
    ),
    Figure(
        "repeat_cases_solved",
        "重复警情化解数",
        "Repeat cases solved",
        Kind.COUNT,
        Source.REPEAT_CASES,
        "approvals of repeat cases as solved (化解: no new call for the quiet days, the owner's "
        "closing report, a leader's approval) in the period; a case solved, reopened and solved "
        "again counts each time",
        formula_zh="本期经领导审批化解的重复警情档案数（无新报警满规定天数、包案人结案报告、领导审批；"
        "化解后重启又再次化解的，每次化解各计一次）",
        stages="case solved",
        unit_zh="件",
        counts=(t.REPEAT_CASES_SOLVED,),
    ),
    Figure(
        "repeat_cases_reopened",
        "重复警情反弹数",
        "Repeat cases reopened",
        Kind.COUNT,
        Source.REPEAT_CASES,
        "solved repeat cases brought back in the period by their matter (a new call linked, or "
        "a threat of extreme behaviour), each reopening once",
        formula_zh="本期已化解后因再次报警或扬言极端而重启的重复警情档案次数（每次重启计一次）",
        stages="case solved → case reopened",
        unit_zh="次",
        counts=(t.REPEAT_CASES_REOPENED,),
    ),
    Figure(
        "repeat_solves_observed",
        "化解满观察期数",
        "Solves observed",
        Kind.COUNT,
        Source.REPEAT_CASES,
        f"solves in the period whose N days after have all passed by the moment of reading "
        f"({_WINDOW}): the solves the calls before and after compare",
        formula_zh=f"本期化解、且化解后N天观察期已满的化解次数（化解前后报警数的统计基数；{_WINDOW_ZH}）",
        stages="case solved",
        unit_zh="次",
        counts=(t.REPEAT_SOLVES_OBSERVED,),
    ),
    Figure(
        "repeat_calls_before_solved",
        "化解前报警数",
        "Calls before solving",
        Kind.COUNT,
        Source.REPEAT_CASES,
        f"over the solves observed: the case's linked incidents received in the N days up to "
        f"the start of the episode solved — its opening, or its latest reopening before the "
        f"solve ({_WINDOW})",
        formula_zh=f"满观察期的化解中，档案关联警情在本轮建档（或重启）前N天内（含当时）接报的起数"
        f"（{_WINDOW_ZH}）",
        stages="received → case opened",
        unit_zh="起",
        counts=(t.REPEAT_CALLS_BEFORE,),
    ),
    Figure(
        "repeat_calls_after_solved",
        "化解后报警数",
        "Calls after solving",
        Kind.COUNT,
        Source.REPEAT_CASES,
        f"over the solves observed: the case's linked incidents received in the N days after "
        f"the solve — each one reopened it ({_WINDOW})",
        formula_zh=f"满观察期的化解中，档案关联警情在化解后N天内接报的起数（再次报警即重启档案；"
        f"{_WINDOW_ZH}）",
        stages="case solved → received",
        unit_zh="起",
        counts=(t.REPEAT_CALLS_AFTER,),
    ),
)
