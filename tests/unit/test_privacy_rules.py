"""Personal data: the masks (GB/T 35273 practice) and who sees what in full, without a database."""

from __future__ import annotations

import pytest

from cad110.auth.principal import Principal
from cad110.live.notice import Notice
from cad110.models.user import Role
from cad110.privacy.export import to_csv
from cad110.privacy.masking import (
    fields_in,
    mask_id_number,
    mask_name,
    mask_payload,
    mask_phone,
    scrub,
    secrets_in,
)
from cad110.privacy.policy import sight
from tests.world import START

STATION = "350100/350102/35010201/"


def _by(role: Role, home: str = "350100/", unit: str | None = None) -> Principal:
    return Principal(
        user_id=1,
        username=f"{role.value}-1",
        role=role,
        jurisdiction_code=home.rstrip("/").split("/")[-1],
        scope_path=home,
        unit_code=unit,
    )


def test_a_mobile_keeps_its_prefix_and_last_four_digits() -> None:
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("059187654321") == "059****4321"  # a Fuzhou landline
    assert mask_phone("+447911123456") == "+44****3456"


def test_a_short_number_keeps_less() -> None:
    assert mask_phone("87654321") == "87****21"
    assert mask_phone("12345") == "****5"
    assert mask_phone("12") == "****"


def test_a_name_keeps_its_surname() -> None:
    assert mask_name("张三") == "张*"
    assert mask_name("王秀英") == "王**"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("李") == "*"


def test_an_id_number_keeps_its_region_and_last_four() -> None:
    assert mask_id_number("35010219900101123X") == "350102********123X"
    assert mask_id_number("350102900101123") == "350102*****1123"  # the old 15-digit form
    assert mask_id_number("12345") == "*****"


def test_the_case_journal_masks_informant_and_numbers_but_not_the_missing_person() -> None:
    opened = {
        "incident": "35010201-20261123-0001",
        "person": {
            "name": "王秀英",
            "id_number": "35010219480101002X",
            "phone": "13600136000",
            "details": {"clothing": "蓝色棉袄"},
        },
        "informant": {"name": "李芳", "phone": "13900139000", "relation": "女儿"},
    }
    masked, fields = mask_payload(opened)
    assert masked["person"]["name"] == "王秀英"  # the search needs it
    assert masked["person"]["details"] == {"clothing": "蓝色棉袄"}
    assert masked["person"]["id_number"] == "350102********002X"
    assert masked["person"]["phone"] == "136****6000"
    assert masked["informant"] == {"name": "李*", "phone": "139****9000", "relation": "女儿"}
    assert fields == {"person.id_number", "person.phone", "informant.name", "informant.phone"}
    assert opened["informant"]["phone"] == "13900139000"  # the original is left alone


def test_incident_events_mask_the_caller_and_a_number_typed_into_a_note() -> None:
    received = {"caller_name": "张三", "caller_phone": "13800138000", "narrative": "手机被抢"}
    note = {"note": "回拨13800138000无人接听"}
    secrets = secrets_in([received, note])
    assert mask_payload(received, secrets)[0]["caller_phone"] == "138****8000"
    assert mask_payload(received, secrets)[0]["caller_name"] == "张*"
    assert mask_payload(note, secrets) == ({"note": "回拨138****8000无人接听"}, frozenset())
    assert fields_in(received) == {"caller_name", "caller_phone"}
    assert fields_in({"caller_phone": None}) == frozenset()


def test_free_text_is_searched_only_for_numbers_long_enough_to_mean_something() -> None:
    secrets = secrets_in([{"caller_phone": "110"}], [("phone", "13800138000")])
    assert secrets == {"13800138000": "138****8000"}
    assert scrub("拨打110后又拨13800138000", secrets) == "拨打110后又拨138****8000"


@pytest.mark.parametrize(
    ("role", "home", "full"),
    [
        (Role.CALLTAKER, "350100/", True),
        (Role.DISPATCHER, "350100/350102/", True),
        (Role.LEADER, "350100/", True),
        (Role.DISPATCHER, "350100/350121/", False),  # another district's record
        (Role.ANALYST, "350100/", False),
        (Role.AUDITOR, "350100/", False),
        (Role.ADMIN, "350100/", False),
    ],
)
def test_desk_roles_see_their_jurisdiction_in_full_and_analysts_never(
    role: Role, home: str, full: bool
) -> None:
    seen = sight(_by(role, home), path=STATION)
    assert seen.full is full
    assert seen.reason == (f"duty:{role.value}" if full else "")


def test_an_officer_sees_in_full_only_where_his_unit_was_sent_or_he_is_the_case_officer() -> None:
    officer = _by(Role.OFFICER, STATION, unit="35010201-1")
    assert sight(officer, path=STATION, units_sent={"35010201-1", "35010201-2"}).reason == (
        "assigned unit 35010201-1"
    )
    assert not sight(officer, path=STATION, units_sent={"35010201-2"}).full
    assert not sight(officer, path=STATION).full
    as_case_officer = sight(officer, path=STATION, case_officer="officer-1")
    assert as_case_officer.full
    assert as_case_officer.reason == "case officer"


def test_a_live_notice_carries_ids_never_personal_data() -> None:
    notice = Notice(
        kind="incident",
        id="35010201-20261123-0001",
        paths=(STATION,),
        event="received",
        at=START,
        seq=1,
    )
    assert set(notice.for_client()) == {"kind", "id", "event", "at", "seq"}


def test_the_csv_export_keeps_a_formula_as_text_for_the_spreadsheet() -> None:
    class Row:
        at = START
        username = "analyst"
        role = "analyst"
        action = "reveal"
        subject_type = "incident"
        subject_id = "35010201-20261123-0001"
        fields = "caller_phone"
        reason = '=HYPERLINK("http://x","点我")'
        channel = "POST /api/v1/incidents/{number}/reveal"
        address = "10.0.0.8"

    data = to_csv([Row()], START.tzinfo)  # type: ignore[list-item,arg-type]
    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("at,username,role,action")
    assert "'=HYPERLINK" in lines[1]
