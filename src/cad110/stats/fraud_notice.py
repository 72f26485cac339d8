"""The anti-fraud warning figures in one sentence, as a centre's 通报 writes them: "本期接收反诈
预警12条，劝阻成功5人，避免损失38.5万元，…". Shown on the 统计 page's 反诈预警 section and as a
paragraph of the 通报 (report/text.py). Pure: values in, words out.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from cad110.kernel.numbers import CENT
from cad110.stats.measure import Value

_FEN_PER_WAN = 1_000_000  # 1万元 = 10,000 yuan = 1,000,000 fen


def wan_yuan(fen: int) -> str:
    """385_000_000 fen → "385"; 38_500_000 → "38.5"; 1_234 → "0" (万元 to two places, rounded
    half up, no trailing zeros, as a 通报 prints amounts)."""
    amount = (Decimal(fen) / _FEN_PER_WAN).quantize(CENT, ROUND_HALF_UP)
    return format(amount.normalize(), "f") if amount else "0"


def _count(values: Mapping[str, Value | None], key: str) -> int:
    value = values.get(key)
    return (value.count or 0) if value is not None else 0


def fraud_sentence(values: Mapping[str, Value | None]) -> str:
    """The sentence for the period's values by figure key; "" where no warning was received
    (or the figures do not apply, as under a category)."""
    received = _count(values, "fraud_warnings")
    if not received:
        return ""
    parts = [
        f"本期接收反诈预警{received}条",
        f"劝阻成功{_count(values, 'fraud_dissuaded')}人",
        f"避免损失{wan_yuan(_count(values, 'fraud_amount_protected'))}万元",
    ]
    lost, frozen = _count(values, "fraud_amount_lost"), _count(values, "fraud_amount_frozen")
    if lost:
        parts.append(f"被骗损失{wan_yuan(lost)}万元")
    if frozen:
        parts.append(f"止付冻结{wan_yuan(frozen)}万元")
    for key, words in (
        ("fraud_dissuasion_rate", "劝阻成功率"),
        ("fraud_reached_in_time", "预警及时见面率"),
    ):
        rate = values.get(key)
        if rate is not None and rate.percent is not None:
            parts.append(f"{words}{rate.percent:.2f}%")
    return "，".join(parts) + "。"
