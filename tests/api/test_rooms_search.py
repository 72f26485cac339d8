"""The analyst's room: incident search across fields, in scope, masked; the XLSX export and
the printable PDF record, each recorded in the access log."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from cad110.incidents import search as finder
from tests.api.helpers import new_incident, ok
from tests.conftest import Api
from tests.world import MINHOU, PASSWORD


def _login(api: Api, username: str) -> None:
    response = api.client.post(
        "/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def _search(api: Api, **params: Any) -> str:
    page = api.client.get("/search", params=params)
    assert page.status_code == 200, page.text
    return page.text


def _log(api: Api, **params: str) -> list[dict[str, Any]]:
    return ok(api.get("/access-log", "auditor", params=params))["items"]  # type: ignore[no-any-return]


def test_analyst_lands_on_search_and_admin_on_the_admin_room(api: Api) -> None:
    _login(api, "analyst")
    assert api.client.get("/", follow_redirects=False).headers["location"] == "/search"
    _login(api, "admin")
    assert api.client.get("/", follow_redirects=False).headers["location"] == "/admin"


def test_search_by_words_number_category_label_and_unit(api: Api) -> None:
    bike = new_incident(api, narrative="电动车在小区楼下被盗", category="theft")["number"]
    fight = new_incident(api, narrative="两名男子在路口斗殴", category="affray")["number"]
    ok(api.post(f"/incidents/{fight}/accept", "calltaker", json={}))
    ok(api.post(f"/incidents/{fight}/dispatch", "dispatcher", json={"units": ["35010201-2"]}))
    _login(api, "analyst")
    by_words = _search(api, text="小区楼下")
    assert bike in by_words
    assert fight not in by_words
    by_number = _search(api, number=fight)
    assert fight in by_number
    assert bike not in by_number
    by_label = _search(api, category="盗窃")
    assert bike in by_label
    assert fight not in by_label
    by_unit = _search(api, unit="35010201-2")
    assert fight in by_unit
    assert bike not in by_unit
    by_status = _search(api, status="dispatched")
    assert fight in by_status
    assert bike not in by_status


def test_an_unknown_category_or_too_wide_a_window_is_said_not_searched(api: Api) -> None:
    new_incident(api)
    _login(api, "analyst")
    refused = _search(api, category="不存在的类别")
    assert "没有与“不存在的类别”对应的类别" in refused
    assert "no category is called" not in refused  # the reader's words, not the API's detail
    assert "每次最多查询 366 天" in _search(api, since="2024-01-01", until="2026-11-23")


def test_a_category_is_found_by_pinyin_initials_and_synonym_as_on_the_desk(api: Api) -> None:
    bike = new_incident(api, narrative="电动车在小区楼下被盗", category="theft")["number"]
    fight = new_incident(api, narrative="两名男子在路口斗殴", category="affray")["number"]
    _login(api, "analyst")
    for typed in ("daoqie", "dq", "被偷", "theft"):
        found = _search(api, category=typed)
        assert bike in found, typed
        assert fight not in found, typed


def test_search_keeps_to_the_readers_jurisdiction(api: Api) -> None:
    gulou = new_incident(api)["number"]
    minhou = new_incident(api, lon=MINHOU[0], lat=MINHOU[1], address="闽侯县甘蔗街道")["number"]
    _login(api, "minhou_dispatcher")
    found = _search(api)
    assert minhou in found
    assert gulou not in found


def test_results_are_masked_and_a_lookup_by_phone_is_logged(api: Api) -> None:
    number = new_incident(api, caller_phone="13912345678")["number"]
    _login(api, "analyst")
    found = _search(api, phone="13912345678").split("<tbody>", 1)[1]
    assert number in found
    assert "13912345678" not in found  # the table masks it (the form keeps what was typed)
    rows = _log(api, action="search", user="analyst")
    assert [(r["subject_id"], r["fields"]) for r in rows] == [(number, "caller_phone")]
    assert "13912345678" not in rows[0]["reason"]


def _sheet(body: bytes) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))  # type: ignore[union-attr]


def test_analyst_exports_masked_rows_and_the_export_is_logged(api: Api) -> None:
    number = new_incident(api, caller_phone="13912345678", narrative="=HYPERLINK(1)")["number"]
    _login(api, "analyst")
    response = api.client.get("/search/export.xlsx", params={"text": "HYPERLINK"})
    assert response.status_code == 200, response.text
    rows = _sheet(response.content)
    assert rows[0][0] == "警情编号"
    assert [r[0] for r in rows[1:]] == [number]
    assert "13912345678" not in str(rows)
    assert rows[1][-1] == "=HYPERLINK(1)"  # text, never a formula
    logged = _log(api, action="export", user="analyst")
    assert len(logged) == 1
    assert logged[0]["subject_id"] == ""
    assert "1 incidents" in logged[0]["reason"]


def test_a_dispatcher_export_names_each_record_shown_in_full(api: Api) -> None:
    number = new_incident(api, caller_phone="13912345678")["number"]
    _login(api, "dispatcher")
    rows = _sheet(api.client.get("/search/export.xlsx").content)
    assert "13912345678" in str(rows)
    logged = _log(api, action="export", user="dispatcher", subject=number)
    assert [r["fields"] for r in logged] == ["caller_name,caller_phone"]
    assert logged[0]["reason"] == "duty:dispatcher"


def test_an_export_over_the_row_cap_is_refused(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(3):
        new_incident(api)
    monkeypatch.setattr(finder, "EXPORT_ROWS", 2)
    _login(api, "analyst")
    response = api.client.get("/search/export.xlsx")
    assert response.status_code == 422
    assert "一次导出最多 2 条" in response.text
    assert _log(api, action="export") == []


def test_export_is_refused_to_a_calltaker(api: Api) -> None:
    _login(api, "calltaker")
    assert api.client.get("/search/export.xlsx").status_code == 403


def test_the_printable_record_is_a_pdf_with_the_number_and_is_logged(api: Api) -> None:
    number = new_incident(api, caller_phone="13912345678")["number"]
    _login(api, "analyst")
    response = api.client.get(f"/incidents/{number}/record.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert number in text
    assert "13912345678" not in text
    # The event log as the record page says it, not its stored payloads.
    assert "接警" in text
    assert "category:" not in text
    assert "received" not in text
    logged = _log(api, action="export", subject=number)
    assert [(r["username"], r["fields"], r["reason"]) for r in logged] == [
        ("analyst", "", "role:analyst")
    ]


def test_the_printable_record_outside_scope_does_not_exist(api: Api) -> None:
    number = new_incident(api)["number"]
    _login(api, "minhou_dispatcher")
    assert api.client.get(f"/incidents/{number}/record.pdf").status_code == 404


def test_the_sheet_names_units_keeps_their_codes_and_grades_are_numbers(api: Api) -> None:
    number = new_incident(api, category="theft", accept=True)["number"]
    ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": ["35010201-2"]}))
    _login(api, "analyst")
    rows = _sheet(api.client.get("/search/export.xlsx", params={"number": number}).content)
    header, row = rows[0], rows[1]
    assert row[header.index("处警单位")] == "巡逻35010201-2"
    assert row[header.index("警组编号")] == "35010201-2"
    assert row[header.index("等级")] == 2


def test_the_units_sent_are_listed_in_the_reader_s_language(api: Api) -> None:
    fight = new_incident(api, narrative="两名男子在路口斗殴", category="affray")["number"]
    ok(api.post(f"/incidents/{fight}/accept", "calltaker", json={}))
    units = {"units": ["35010201-1", "35010201-2"]}
    ok(api.post(f"/incidents/{fight}/dispatch", "dispatcher", json=units))
    _login(api, "analyst")
    chinese = _search(api, number=fight)
    assert '</span>、<span class="unit-name"' in chinese
    api.client.get("/lang/en", follow_redirects=False)
    english = _search(api, number=fight)
    assert '</span>, <span class="unit-name"' in english
    assert "、" not in english.split('class="units"')[1].split("</td>")[0]
