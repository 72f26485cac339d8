"""What a figure is (stats/registry.py lists them all): its kind, the records it counts, its
names, formulas in English and Chinese, the stages it reads and the counters it is computed from."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    REPEAT_CASES = "repeat_cases"  # 重复警情档案: a type and a tier, no category or grade
    FRAUD = "fraud_warnings"  # 反诈预警: a level and a fraud type, no category or grade


@dataclass(frozen=True)
class Figure:
    key: str
    zh: str
    en: str
    kind: Kind
    source: Source
    formula: str
    # The same formula as a Chinese report writes it (统计口径), shown to a reader in Chinese.
    formula_zh: str = field(kw_only=True)
    # The twelve stages (DOMAIN.md) the figure reads, and the NENA/NFPA interval it matches.
    stages: str = ""
    standard: str = ""
    unit_zh: str = ""
    counts: tuple[str, ...] = ()  # count and average: the counters summed
    numerator: tuple[str, ...] = ()  # rate
    denominator: tuple[str, ...] = ()  # rate
    interval: str = ""  # duration: a key of tally.INTERVALS

    @property
    def stages_zh(self) -> str:
        """The stages in Chinese (接警 → 派警), as a Chinese reader names them."""
        return " → ".join(_STAGE_WORDS_ZH[part] for part in self.stages.split(" → ") if part)

    @property
    def standard_zh(self) -> str:
        """The NENA/NFPA interval in Chinese, its own English name kept beside it."""
        return f"{_STANDARD_ZH[self.standard]}（{self.standard}）" if self.standard else ""

    @property
    def money(self) -> bool:
        """Whether the figure counts or divides amounts in fen (shown in yuan), not records."""
        return bool(t.FEN_COUNTERS.intersection(self.denominator + self.counts))

    @property
    def by_category(self) -> bool:
        """Whether the figure can be filtered or grouped by category and grade."""
        return self.source not in (Source.PHONE, Source.REPEAT_CASES, Source.FRAUD)

    @property
    def by_case(self) -> bool:
        """Whether the figure can be grouped by a repeat case's type and tier."""
        return self.source is Source.REPEAT_CASES

    @property
    def by_fraud(self) -> bool:
        """Whether the figure can be grouped by a fraud warning's level, type and officer."""
        return self.source is Source.FRAUD


# The stages a figure reads (Figure.stages) by their Chinese names (DOMAIN.md).
_STAGE_WORDS_ZH = {
    "before received": "接警前",
    "received": "接警",
    "accepted": "受理",
    "dispatched": "派警",
    "acknowledged": "签收",
    "departed": "出动",
    "arrived": "到场",
    "handled": "处置",
    "reported": "反馈",
    "closed": "结警",
    "callback": "回访",
    "follow-up": "整改答复",
    "transferred": "移交",
    "sent to 12345": "转12345",
    "12345 accepted": "12345受理",
    "12345 done": "12345办结",
    "pushed by 12345": "12345推送",
    "case opened": "建档",
    "case solved": "化解",
    "case reopened": "重启",
    "warning received": "接收预警",
    "first contact": "首次联系",
    "warning closed": "预警处置",
    "freeze done": "止付冻结",
    "first arrest": "首次抓获",
    "later (处警结果)": "事后（处警结果）",
}
# The NENA/NFPA intervals (Figure.standard) in Chinese.
_STANDARD_ZH = {
    "call processing": "接警处理",
    "acknowledgement": "签收",
    "turnout": "出动",
    "travel": "途中",
    "turnout + travel": "出动与途中",
    "response": "响应",
    "on-scene": "现场处置",
    "total incident time": "警情全程",
    "NENA abandoned call": "呼损",
}
