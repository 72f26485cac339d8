"""The probable victims the fake anti-fraud platform warns about (fraud/fake.py): made up from
a seeded random source, so that a demo or a test run can be told again the same way.

Each warning is format 1 of docs/fraud-platforms.md: who (a mobile number, often a name and an
ID number with its check digit right), what (the kind of signal and the fraud type), where
(a point in Fuzhou's central districts, with an address), how much is at stake and the
source's score.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from cad110.fraud.rules import KINDS, load_rules

SOURCE = "gjfzpt"  # 国家反诈平台, as the warning's `source`
# Most signals are a fraud call or an app caught early; money moving or a victim's own report
# is rarer (and graded higher), so that in the demo most warnings start low and some climb.
_KIND_WEIGHTS = (45, 20, 25, 10)
# Amounts at stake, in yuan, and how often each: mostly small sums, now and then a life's savings.
_AMOUNTS = ((2_000, 5), (5_000, 5), (12_000, 4), (30_000, 2), (80_000, 1), (300_000, 0.3))
# The fraud types a platform names: the codes fraud/rules.toml grades (the 12381 types and more).
FRAUD_TYPES = tuple(load_rules().types)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙林郑"
_GIVEN = ("秀英", "建华", "丽娟", "志强", "桂兰", "海峰", "晓燕", "国庆", "美玲", "文斌")
_ADDRESSES = (
    ("鼓楼区五四路", 119.304, 26.095),
    ("台江区宝龙城市广场", 119.298, 26.062),
    ("仓山区万达广场", 119.276, 26.038),
    ("晋安区福新路", 119.335, 26.087),
    ("福州火车站", 119.316, 26.112),
)
# The region codes of the ID numbers (Fuzhou's districts).
_REGIONS = ("350102", "350103", "350104", "350111")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check_digit(first17: str) -> str:
    """The 18th character of a resident ID number (GB 11643-1999, ISO 7064 MOD 11-2)."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def id_number(rng: random.Random) -> str:
    """A made-up resident ID number whose check digit is right; born 1950–2005."""
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(56 * 365))
    first17 = f"{rng.choice(_REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_digit(first17)


def mobile(rng: random.Random) -> str:
    """A made-up mainland mobile number of a real carrier's range."""
    return rng.choice(("138", "139", "158", "187")) + f"{rng.randrange(10**8):08d}"


def yuan(fen: int) -> str:
    """Money as the formats write it: yuan with two decimals."""
    return f"{fen // 100}.{fen % 100:02d}"


def person(rng: random.Random) -> dict[str, Any]:
    """Who a warning is about: always a phone, a name and ID number most of the time."""
    who: dict[str, Any] = {"phone": mobile(rng)}
    if rng.random() < 0.8:
        who["name"] = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
    if rng.random() < 0.6:
        who["id_number"] = id_number(rng)
    return who


def warning(
    rng: random.Random, warning_id: str, at: str, who: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One warning (format 1) about `who` (a new person if None), signalled at `at`: where the
    person is always comes with it (the carrier's cell or the app's fix), as a visit needs it."""
    kind = rng.choices(KINDS, _KIND_WEIGHTS)[0]
    address, lon, lat = rng.choice(_ADDRESSES)
    body: dict[str, Any] = {
        "source": SOURCE,
        "warning_id": warning_id,
        "kind": kind,
        "at": at,
        **(who if who is not None else person(rng)),
        "address": address,
        "lon": round(lon + rng.uniform(-0.004, 0.004), 6),
        "lat": round(lat + rng.uniform(-0.004, 0.004), 6),
        "fraud_type": rng.choice(FRAUD_TYPES),
        "score": rng.randrange(40, 96),
    }
    if kind in ("suspicious_transfer", "victim_report") or rng.random() < 0.3:
        amounts, weights = zip(*_AMOUNTS, strict=True)
        body["amount_at_risk"] = yuan(rng.choices(amounts, weights)[0] * 100)
    return body
