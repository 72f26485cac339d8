"""The figures of what the police did and of 回访: 处警结果 (arrests, cases opened, …) and callback
coverage and satisfaction, part of the registry (stats/registry.py)."""

from __future__ import annotations

from cad110.stats import tally as t
from cad110.stats.figure import Figure, Kind, Source

# 处警结果: each counted on the incident it belongs to, by the incident's 接警 time, as the
# entries that stand say now (a struck entry counts nowhere; a late arrest counts on the day
# the incident was received, whenever it was recorded).
OUTCOME_STAGES = "handled → later (处警结果)"
OUTCOMES = (
    Figure(
        "arrests",
        "抓获人数",
        "People caught",
        Kind.COUNT,
        Source.INCIDENTS,
        "people caught (抓获, in the act or later) in incidents received in the period",
        formula_zh="本期接报警情中抓获的人数（现行抓获与事后抓获合计）",
        stages=OUTCOME_STAGES,
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
        formula_zh="本期接报警情中有现行抓获的警情数 ÷ 有抓获的警情数（按警情计，不按人数计）",
        stages=OUTCOME_STAGES,
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
        formula_zh="本期接报、首次派警后有抓获的警情，自首次派警至首次抓获整秒数的平均值与中位数"
        "（最近秩法），折合小时，保留两位小数",
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
        formula_zh="挽回金额 ÷ 损失金额（以分计），限本期接报且登记了损失的警情",
        stages=OUTCOME_STAGES,
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
        formula_zh="本期接报、登记了损失且有挽回金额的警情数 ÷ 本期接报且登记了损失的警情数",
        stages=OUTCOME_STAGES,
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
        formula_zh="本期接报且登记立案的警情数",
        stages=OUTCOME_STAGES,
        unit_zh="起",
        counts=(t.CASES_OPENED,),
    ),
)

# 回访 (callbacks/), counted on the incident's own record however the callback was recorded:
# the queue, the board's dialog, an SMS reply, a history.
CALLBACKS = (
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
        formula_zh="本期接报、应回访（目录要求或抽样抽中，排除类别除外）且已回访（含未接通）的警情数 "
        "÷ 本期接报、已回访或截至统计时已到回访时限的警情数（未到时限的不算漏访）",
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
        formula_zh="回访结果为满意或基本满意的回访数 ÷ 接通的回访数"
        "（满意、基本满意、不满意；未接通不计），限本期接报的警情",
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
        formula_zh="派出所在规定工作日内答复的不满意整改数 "
        "÷ 已答复或截至统计时已超期的整改数，限本期接报的警情",
        stages="callback → follow-up",
        unit_zh="个百分点",
        numerator=(t.FOLLOW_UPS_IN_TIME,),
        denominator=(t.FOLLOW_UPS,),
    ),
)
