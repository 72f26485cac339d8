"""The event log reads as sentences in the reader's language, never as Python dicts."""

from __future__ import annotations

import pytest

from cad110.auth.principal import SYSTEM
from cad110.fraud.intake import PLATFORM
from cad110.fraud.ladder import LADDER
from cad110.sms.service import SMS_GATEWAY
from cad110.telephony.service import PHONE_SYSTEM
from cad110.transfers.intake import HOTLINE
from cad110.web.i18n import translations
from cad110.web.sentences import (
    FRAUD_OUTCOMES,
    MACHINES,
    PATTERNS,
    VALUE_WORDS,
    Names,
    actor_name,
    sentence,
    units_named,
)

ZH = translations("zh_CN").gettext
EN = translations("en").gettext
NAMES = Names(
    units={"350102-J1": "鼓楼分局巡特警一组", "350102-J2": "鼓楼分局巡特警二组"},
    people={"wang": "王晓明"},
    places={"350102": "鼓楼分局", "350100": "测试市公安局"},
    categories={"theft": "盗窃", "homicide": "命案"},
)


def test_a_dispatch_names_its_units() -> None:
    payload = {"units": ["350102-J1"], "note": "", "unit_changes": {"350102-J1": "dispatched"}}
    assert sentence("dispatch", payload, NAMES, ZH) == "派警：鼓楼分局巡特警一组"


def test_acceptance_names_category_and_grade() -> None:
    assert sentence("accept", {"category": "theft", "grade": 2}, NAMES, ZH) == "受理：盗窃、2级"
    english = Names(categories={"theft": "Theft"})
    assert sentence("accept", {"category": "theft", "grade": 2}, english, EN) == (
        "Accepted: Theft, Grade 2"
    )


def test_a_release_and_an_unknown_unit() -> None:
    assert sentence("release", {"unit": "350102-J2"}, NAMES, ZH) == "释放：鼓楼分局巡特警二组"
    assert sentence("release", {"unit": "999-X"}, NAMES, ZH) == "释放：999-X"


def test_codes_become_words_and_free_text_stays() -> None:
    assert sentence("invalidate", {"reason": "hoax", "note": "醉酒谎报"}, NAMES, ZH) == (
        "无效警情：谎报、醉酒谎报"
    )
    transfer = {"to": "agency", "agency": "铁路公安", "note": ""}
    assert sentence("transfer", transfer, NAMES, ZH) == "移交：移交其他单位、铁路公安"
    assert sentence("callback", {"satisfaction": "satisfied"}, NAMES, EN) == (
        "Called back: satisfied"
    )
    close = {"summary": "电话答复", "no_dispatch_reason": "advice_by_phone"}
    assert sentence("close", close, NAMES, ZH) == "结警：电话答复、电话答复"


def test_a_reclassification_keeps_the_reason_written() -> None:
    body = {"category": "theft", "grade": 3, "reason": "现场核实为醉酒谎报命案"}
    assert sentence("reclassify", body, NAMES, ZH) == "改类定级：盗窃、3级、现场核实为醉酒谎报命案"


def test_a_reclassification_says_what_changed_and_why() -> None:
    payload = {
        "category": "intentional_injury",
        "grade": 1,
        "reason": "现场有人受伤",
        "before": {"category": "affray", "grade": 2},
        "after": {"category": "intentional_injury", "grade": 1},
    }
    names = Names(categories={"affray": "打架斗殴", "intentional_injury": "故意伤害"})
    assert sentence("reclassify", payload, names, ZH) == (
        "改类定级：打架斗殴 2级 → 故意伤害 1级，理由：现场有人受伤"
    )
    english = Names(categories={"affray": "Affray", "intentional_injury": "Intentional injury"})
    assert sentence("reclassify", payload, english, EN) == (
        "Reclassified: Affray Grade 2 → Intentional injury Grade 1; reason: 现场有人受伤"
    )
    only_grade = {**payload, "category": None, "after": {"category": "affray", "grade": 1}}
    assert "打架斗殴 2级 → 打架斗殴 1级" in sentence("reclassify", only_grade, names, ZH)


def test_a_reassignment_names_both_units_in_the_readers_language() -> None:
    payload = {
        "units": ["350102-J2"],
        "note": "",
        "override_reason": "",
        "add_unit": True,
        "reassigned_from": "350102-J1",
        "unit_changes": {"350102-J2": "dispatched"},
    }
    assert units_named(payload) == {"350102-J1", "350102-J2"}
    assert sentence("dispatch", payload, NAMES, ZH) == (
        "改派：鼓楼分局巡特警一组 → 鼓楼分局巡特警二组"
    )
    english = Names(units={"350102-J1": "Gulou SWAT 1", "350102-J2": "Gulou SWAT 2"})
    assert sentence("dispatch", payload, english, EN) == "Reassigned: Gulou SWAT 1 → Gulou SWAT 2"


def test_an_event_with_nothing_to_add_is_just_its_verb() -> None:
    assert sentence("queue", {"note": ""}, NAMES, ZH) == "待派"
    assert sentence("archive", {}, NAMES, EN) == "Archived"


def test_supervision_names_places() -> None:
    escalated = {"supervision": 3, "from": "350102", "to": "350100", "level": "district"}
    assert sentence("supervision_escalated", escalated, NAMES, ZH) == (
        "督办升级：鼓楼分局 → 测试市公安局"
    )
    opened = {"step": "arrive", "unit": "350102-J1", "owner": "350102", "overdue_s": 5}
    assert "鼓楼分局巡特警一组" in sentence("supervision_opened", opened, NAMES, ZH)


def test_an_unknown_kind_never_shows_a_dict() -> None:
    text = sentence("something_new", {"a": {"b": 1}, "c": "值", "d": [1, "x"]}, NAMES, ZH)
    assert "{" not in text
    assert "值" in text


def test_people_by_display_name() -> None:
    assert actor_name("wang", NAMES, ZH) == "王晓明"
    assert actor_name("system", NAMES, ZH) == "系统"
    assert actor_name("nobody", NAMES, ZH) == "nobody"


def test_the_accounts_no_person_holds_are_named_for_what_they_are() -> None:
    # Every principal the code acts as without a person behind it, by the name it journals.
    machines = [SYSTEM.username, LADDER, PLATFORM.username, PHONE_SYSTEM.username]
    machines += [SMS_GATEWAY.username, HOTLINE.username, "cli"]
    assert sorted(MACHINES) == sorted(machines)
    assert actor_name(LADDER, NAMES, ZH) == "反诈预警流程"
    assert actor_name(PHONE_SYSTEM.username, NAMES, EN) == "the phone system"
    for machine in machines:
        assert actor_name(machine, NAMES, ZH) != machine
        assert actor_name(machine, NAMES, EN) != machine


def test_units_named_collects_every_unit_mentioned() -> None:
    payload = {"units": ["A"], "unit": "B", "unit_changes": {"C": "released"}}
    assert units_named(payload) == {"A", "B", "C"}


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_text_of_the_log_is_in_the_catalog(locale: str) -> None:
    catalog = translations(locale)
    texts = [
        *PATTERNS.values(),
        *(w for words in VALUE_WORDS.values() for w in words.values()),
        *FRAUD_OUTCOMES.values(),
    ]
    if locale == "zh_CN":
        assert [t for t in texts if catalog.gettext(t) == t] == []
    else:
        assert [t for t in texts if t not in catalog._catalog] == []


def test_a_closed_fraud_warning_is_said_on_its_visit_with_its_outcome_in_words() -> None:
    payload = {"warning": "FW-2", "outcome": "dissuaded"}
    assert sentence("fraud_warning_closed", payload, NAMES, ZH) == "反诈预警已结：FW-2、劝阻成功"
    assert sentence("fraud_warning_closed", payload, NAMES, EN) == (
        "Fraud warning closed: FW-2, Dissuaded"
    )


def test_a_report_keeps_the_reason_a_guide_item_was_not_done() -> None:
    payload = {
        "summary": "已调解",
        "result": "resolved",
        "guide": [{"code": "photo", "done": False, "note": "现场无监控"}],
    }
    assert sentence("report", payload, NAMES, ZH) == "反馈：现场无监控、已解决、已调解"


def test_a_relocation_says_where_it_was_where_it_is_and_why() -> None:
    payload = {
        "place": "T-XHGY",
        "address": None,
        "reason": "报警人补充",
        "before": {"address": "鼓楼区无此路1号", "lon": None, "lat": None},
        "after": {"address": "鼓楼区湖滨路西湖公园", "lon": 119.2905, "lat": 26.0805},
    }
    assert sentence("relocate", payload, NAMES, ZH) == (
        "更正地点：鼓楼区无此路1号 → 鼓楼区湖滨路西湖公园，理由：报警人补充"
    )
    assert sentence("relocate", payload, NAMES, EN) == (
        "Place corrected: 鼓楼区无此路1号 → 鼓楼区湖滨路西湖公园; reason: 报警人补充"
    )
    nowhere = {**payload, "before": {"address": None}}
    assert sentence("relocate", nowhere, NAMES, ZH).startswith("更正地点：— → 鼓楼区湖滨路西湖公园")
