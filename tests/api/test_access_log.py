"""The personal-data access log: append-only in the database, read and exported by the auditor."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from cad110.accounts.service import add_user
from cad110.auth.tokens import issue_token
from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.models.audit import AccessRecord
from cad110.models.user import Role
from tests.api.helpers import new_incident, ok
from tests.api.privacy_steps import PHONE, access_log
from tests.conftest import Api
from tests.world import MINHOU, PASSWORD, START

REASON = "核查重复报警，需回拨报警人"


def _some_accesses(api: Api) -> str:
    number: str = new_incident(api)["number"]
    ok(api.get(f"/incidents/{number}", "dispatcher"))
    ok(api.post(f"/incidents/{number}/reveal", "analyst", json={"reason": REASON}))
    ok(api.get("/incidents", "analyst", params={"caller_phone": "13300133000"}))
    return number


def test_the_access_log_refuses_update_and_delete_in_the_database(
    api: Api, runtime: Runtime
) -> None:
    _some_accesses(api)
    before = [(r.id, r.reason) for r in access_log(runtime)]
    for statement in ("UPDATE access_log SET reason = 'nothing to see'", "DELETE FROM access_log"):
        with pytest.raises(DBAPIError, match="append-only"), runtime.engine.begin() as db:
            db.execute(text(statement))
    assert [(r.id, r.reason) for r in access_log(runtime)] == before


@pytest.mark.parametrize("user", ["analyst", "dispatcher", "leader", "admin", "officer-35010201-1"])
def test_only_the_auditor_reads_or_exports_the_access_log(api: Api, user: str) -> None:
    assert api.get("/access-log", user).status_code == 403
    assert api.get("/access-log/export.csv", user).status_code == 403


def test_the_auditor_finds_who_saw_whose_data_when_and_why(api: Api, clock: VirtualClock) -> None:
    number = _some_accesses(api)
    everything = ok(api.get("/access-log", "auditor"))
    assert everything["total"] == 3
    assert [r["action"] for r in everything["items"]] == ["search", "reveal", "read"]
    [revealed] = ok(api.get("/access-log", "auditor", params={"action": "reveal"}))["items"]
    assert revealed["username"] == "analyst"
    assert revealed["subject_type"] == "incident"
    assert revealed["subject_id"] == number
    assert revealed["fields"] == "caller_name,caller_phone"
    assert revealed["reason"] == REASON
    about = ok(api.get("/access-log", "auditor", params={"subject": number}))
    assert {r["username"] for r in about["items"]} == {"dispatcher", "analyst"}
    by_analyst = ok(api.get("/access-log", "auditor", params={"user": "analyst", "limit": 1}))
    assert (by_analyst["total"], len(by_analyst["items"])) == (2, 1)
    later = (START + timedelta(minutes=1)).isoformat()
    assert ok(api.get("/access-log", "auditor", params={"since": later}))["total"] == 0
    assert ok(api.get("/access-log", "auditor", params={"until": later}))["total"] == 3
    assert ok(api.get("/access-log", "auditor", params={"subject_type": "call"}))["total"] == 0


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("action", "peek"),
        ("subject_type", "person"),
        ("since", "2026-11-23T10:00:00"),
        ("limit", "0"),
    ],
)
def test_a_bad_filter_is_a_422_naming_it(api: Api, param: str, value: str) -> None:
    response = api.get("/access-log", "auditor", params={param: value})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", param]


def test_the_csv_export_opens_in_excel_and_is_itself_recorded(api: Api, runtime: Runtime) -> None:
    number = _some_accesses(api)
    response = api.get("/access-log/export.csv", "auditor", params={"user": "analyst"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="access-log-')
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["action"], r["subject_id"]) for r in rows] == [("search", ""), ("reveal", number)]
    assert rows[1]["reason"] == REASON
    assert rows[1]["at"] == "2026-11-23T10:00:00+08:00"  # the centre's local time
    assert PHONE not in response.text
    export = access_log(runtime)[-1]
    assert (export.username, export.action, export.subject_type) == (
        "auditor",
        "export",
        "access_log",
    )
    assert export.reason == "role:auditor; 2 records; user=analyst"
    assert export.channel == "GET /api/v1/access-log/export.csv"


def _auditor_of(runtime: Runtime, jurisdiction: str) -> str:
    with transaction(runtime.sessions) as session:
        user = add_user(
            session,
            username=f"auditor-{jurisdiction}",
            password=PASSWORD,
            role=Role.AUDITOR,
            jurisdiction_code=jurisdiction,
            unit_code=None,
            now=START,
            actor="test",
        )
        return issue_token(session, user=user, now=START, ttl=timedelta(days=1))


def test_a_district_auditor_sees_its_own_subjects_and_users_only(
    api: Api, runtime: Runtime
) -> None:
    gulou = _some_accesses(api)
    minhou = new_incident(api, lon=MINHOU[0], lat=MINHOU[1])["number"]
    ok(api.get(f"/incidents/{minhou}", "minhou_dispatcher"))
    ok(api.get("/calls", "minhou_dispatcher", params={"caller_phone": "13300133000"}))
    token = _auditor_of(runtime, "350102")
    mine = api.client.get("/api/v1/access-log", headers={"Authorization": f"Bearer {token}"})
    seen = ok(mine)["items"]
    # The analyst's search found nothing in Gulou and the analyst's home is the city: unseen.
    assert {(r["username"], r["subject_id"]) for r in seen} == {
        ("dispatcher", gulou),
        ("analyst", gulou),
    }
    city = ok(api.get("/access-log", "auditor"))["items"]
    assert {r["subject_id"] for r in city} >= {gulou, minhou, ""}
    with runtime.readers() as session:
        assert session.scalar(select(AccessRecord.id).where(AccessRecord.subject_id == minhou))
