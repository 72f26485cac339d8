"""The anti-fraud warning figures (反诈预警, issue 15): warnings received, reached in time,
dissuaded, and the money protected, lost and frozen — each counted on the day the warning was
received, where its station is, and groupable by its level, its fraud type and the user who
recorded its outcome. Listed in stats/registry.py among the others; the facts are
stats/fraud_facts.py.
"""

from __future__ import annotations

from cad110.stats import tally as t
from cad110.stats.figure import Figure, Kind, Source

# A warning's level (models.fraud.FraudLevel) as a centre names it.
FRAUD_LEVEL_ZH = {"low": "低风险", "medium": "中风险", "high": "高风险", "urgent": "紧急"}

FRAUD: tuple[Figure, ...] = (
    Figure(
        "fraud_warnings",
        "接收反诈预警数",
        "Fraud warnings received",
        Kind.COUNT,
        Source.FRAUD,
        "anti-fraud warnings received in the period (a signal joining an open warning of the "
        "same person is not another warning)",
        formula_zh="本期接收的反诈预警数（同一人预警在办期间再次推送的线索并入原预警，不另计）",
        stages="warning received",
        unit_zh="条",
        counts=(t.FRAUD_WARNINGS,),
    ),
    Figure(
        "fraud_reached_in_time",
        "预警及时见面率",
        "Warnings reached in time",
        Kind.RATE,
        Source.FRAUD,
        "warnings received in the period whose first contact step (the first 96110 call task "
        "or visit; an SMS reaches nobody for sure) was done — answered, or the officer "
        "arrived — within its level's limit / warnings whose first contact step is done, "
        "unanswered or overdue (one still pending, or dropped as the warning closed first, is "
        "not counted)",
        formula_zh="本期接收的预警中，首次联系环节（首个96110外呼或上门走访，短信不计）在其风险等级"
        "规定时限内完成（接通或民警到场）的预警数 ÷ 首次联系环节已完成、未接通或已超时的预警数"
        "（尚在时限内未完成的、预警已先处置而取消的不计）",
        stages="warning received → first contact",
        unit_zh="个百分点",
        numerator=(t.FRAUD_CONTACT_IN_TIME,),
        denominator=(t.FRAUD_CONTACT_DUE,),
    ),
    Figure(
        "fraud_dissuaded",
        "劝阻成功数",
        "Dissuaded",
        Kind.COUNT,
        Source.FRAUD,
        "warnings received in the period closed as dissuaded (劝阻成功)",
        formula_zh="本期接收的预警中处置结果为劝阻成功的预警数",
        stages="warning closed",
        unit_zh="人",
        counts=(t.FRAUD_DISSUADED,),
    ),
    Figure(
        "fraud_dissuasion_rate",
        "劝阻成功率",
        "Dissuasion rate",
        Kind.RATE,
        Source.FRAUD,
        "warnings received in the period closed as dissuaded / warnings received in the period "
        "closed with any outcome (dissuaded, lost, unreachable, false alarm); open ones are out",
        formula_zh="本期接收的预警中劝阻成功的预警数 ÷ 已有处置结果（劝阻成功、已被骗、无法联系、"
        "误报）的预警数（尚未处置的不计）",
        stages="warning received → warning closed",
        unit_zh="个百分点",
        numerator=(t.FRAUD_DISSUADED,),
        denominator=(t.FRAUD_WITH_OUTCOME,),
    ),
    Figure(
        "fraud_amount_protected",
        "避免损失金额",
        "Amount protected",
        Kind.COUNT,
        Source.FRAUD,
        "the amounts protected (by default the amount at risk) on warnings received in the "
        "period and closed as dissuaded, in yuan (kept in fen)",
        formula_zh="本期接收且劝阻成功的预警所避免的损失金额合计（默认为预警时的涉案金额），单位元"
        "（按分累计）",
        stages="warning closed",
        unit_zh="元",
        counts=(t.FRAUD_PROTECTED_FEN,),
    ),
    Figure(
        "fraud_amount_lost",
        "被骗损失金额",
        "Amount lost",
        Kind.COUNT,
        Source.FRAUD,
        "the amounts lost on warnings received in the period and closed as lost, in yuan "
        "(kept in fen)",
        formula_zh="本期接收且处置结果为已被骗的预警登记的损失金额合计，单位元（按分累计）",
        stages="warning closed",
        unit_zh="元",
        counts=(t.FRAUD_LOST_FEN,),
    ),
    Figure(
        "fraud_amount_frozen",
        "止付冻结金额",
        "Amount frozen",
        Kind.COUNT,
        Source.FRAUD,
        "the amounts the banks report frozen on the stop-payment/freeze requests (紧急止付/冻结) "
        "done for warnings received in the period, in yuan (kept in fen)",
        formula_zh="本期接收的预警所发紧急止付/冻结请求中，银行反馈已冻结的金额合计，单位元（按分累计）",
        stages="warning closed → freeze done",
        unit_zh="元",
        counts=(t.FRAUD_FROZEN_FEN,),
    ),
)
