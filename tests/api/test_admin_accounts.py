"""Account administration through the API: only the administrator, only within their
jurisdiction, every change journaled on the user's chain, bad input refused by name."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from cad110.accounts.service import add_user
from cad110.auth.tokens import issue_token
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.models.event import Event
from cad110.models.user import LoginThrottle, Role
from tests.conftest import Api
from tests.world import PASSWORD, START

ADMIN_CALLS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/admin/users", None),
    ("GET", "/admin/tokens", None),
    ("POST", "/admin/tokens", {"user": "calltaker"}),
    ("POST", "/admin/users/calltaker/disable", {}),
    ("POST", "/admin/users/calltaker/enable", None),
    ("POST", "/admin/users/calltaker/reset-password", None),
    ("POST", "/admin/users/calltaker/unlock", None),
    ("POST", "/admin/tokens/1/revoke", None),
]


def call(api: Api, user: str, method: str, path: str, body: object = None) -> Any:
    if method == "GET":
        return api.get(path, user)
    return api.post(path, user, json=body)


def journal(runtime: Runtime, username: str) -> list[tuple[str, str, dict[str, Any]]]:
    """The user's chain: (kind, actor, payload) in order."""
    with runtime.sessions() as session:
        rows = session.execute(
            select(Event.kind, Event.actor, Event.payload)
            .where(Event.subject_type == "user", Event.subject_id == username)
            .order_by(Event.seq)
        ).all()
    return [(kind, actor, json.loads(payload)) for kind, actor, payload in rows]


def minhou_admin(api: Api, runtime: Runtime) -> str:
    """An administrator of the Minhou county bureau (350121) only."""
    with transaction(runtime.sessions) as session:
        user = add_user(
            session,
            username="minhou_admin",
            password=PASSWORD,
            role=Role.ADMIN,
            jurisdiction_code="350121",
            now=START,
            actor="test",
        )
        api.world.tokens["minhou_admin"] = issue_token(
            session, user=user, now=START, ttl=timedelta(days=1)
        )
    return "minhou_admin"


def console_login(api: Api, username: str, password: str = PASSWORD) -> int:
    response = api.client.post(
        "/login", data={"username": username, "password": password}, follow_redirects=False
    )
    return response.status_code


def console_get(api: Api, path: str) -> int:
    """A request with the console's session cookie alone."""
    return api.client.get("/api/v1" + path).status_code


def tokens_of(api: Api, username: str) -> list[dict[str, Any]]:
    response = api.get(f"/admin/tokens?user={username}", "admin")
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "role_user",
    ["calltaker", "dispatcher", "leader", "analyst", "auditor", "officer-35010201-1"],
)
def test_only_an_administrator_administers_accounts(api: Api, role_user: str) -> None:
    for method, path, body in ADMIN_CALLS:
        response = call(api, role_user, method, path, body)
        assert response.status_code == 403, (method, path, response.text)
    assert api.get("/incidents", "calltaker").status_code == 200  # nothing was disabled


def test_an_administrator_sees_and_acts_only_within_their_jurisdiction(
    api: Api, runtime: Runtime
) -> None:
    admin = minhou_admin(api, runtime)
    users = api.get("/admin/users", admin).json()["items"]
    assert {u["username"] for u in users} == {
        "minhou_dispatcher",
        "officer-35012101-1",
        "minhou_admin",
    }
    everyone = api.get("/admin/users", "admin").json()["items"]
    assert "minhou_admin" in {u["username"] for u in everyone}
    assert len(everyone) == len(api.world.tokens)
    gulou = api.get("/admin/users?jurisdiction=350102", "admin").json()["items"]
    assert {u["username"] for u in gulou} == {
        "gulou_calltaker",
        "gulou_leader",
        "officer-35010201-1",
        "officer-35010201-2",
        "officer-35010202-1",
    }

    dispatcher_token = tokens_of(api, "dispatcher")[0]["id"]
    outside = [
        ("GET", "/admin/users?jurisdiction=350102", None),
        ("GET", "/admin/tokens?user=dispatcher", None),
        ("POST", "/admin/tokens", {"user": "dispatcher"}),
        ("POST", "/admin/users/gulou_calltaker/disable", {}),
        ("POST", "/admin/users/dispatcher/enable", None),
        ("POST", "/admin/users/dispatcher/reset-password", None),
        ("POST", "/admin/users/dispatcher/unlock", None),
        ("POST", f"/admin/tokens/{dispatcher_token}/revoke", None),
    ]
    for method, path, body in outside:
        response = call(api, admin, method, path, body)
        assert response.status_code == 404, (method, path, response.text)
    assert {t["user"] for t in api.get("/admin/tokens", admin).json()["items"]} == {
        "minhou_dispatcher",
        "officer-35012101-1",
        "minhou_admin",
    }
    assert api.get("/incidents", "dispatcher").status_code == 200
    assert [kind for kind, _a, _p in journal(runtime, "dispatcher")] == ["user.created"]

    in_scope = api.post("/admin/users/minhou_dispatcher/disable", admin, json={})
    assert in_scope.status_code == 200, in_scope.text
    assert api.get("/incidents", "minhou_dispatcher").status_code == 401


def test_disabling_a_user_ends_their_sessions_and_tokens_and_is_journaled(
    api: Api, runtime: Runtime
) -> None:
    assert console_login(api, "dispatcher") == 303
    assert console_get(api, "/incidents") == 200
    assert api.get("/incidents", "dispatcher").status_code == 200

    response = api.post(
        "/admin/users/dispatcher/disable", "admin", json={"reason": "调离岗位 / transferred"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["sessions_ended"], body["tokens_revoked"]) == (1, 1)
    assert body["user"]["active"] is False

    assert api.get("/incidents", "dispatcher").status_code == 401
    assert console_get(api, "/incidents") == 401
    assert console_login(api, "dispatcher") == 401
    assert api.post("/admin/users/dispatcher/disable", "admin", json={}).status_code == 409
    assert [t["state"] for t in tokens_of(api, "dispatcher")] == ["revoked"]

    enabled = api.post("/admin/users/dispatcher/enable", "admin")
    assert enabled.status_code == 200, enabled.text
    assert enabled.json()["active"] is True
    # The old token stays revoked; the account needs a new one.
    assert api.get("/incidents", "dispatcher").status_code == 401
    assert console_login(api, "dispatcher") == 303
    assert api.post("/admin/users/dispatcher/enable", "admin").status_code == 409

    kinds = [(kind, actor) for kind, actor, _payload in journal(runtime, "dispatcher")]
    assert kinds == [
        ("user.created", "test"),
        ("user.disabled", "admin"),
        ("user.enabled", "admin"),
    ]
    assert journal(runtime, "dispatcher")[1][2] == {
        "reason": "调离岗位 / transferred",
        "sessions_ended": 1,
        "tokens_revoked": 1,
    }


def test_an_administrator_cannot_disable_their_own_account(api: Api, runtime: Runtime) -> None:
    response = api.post("/admin/users/admin/disable", "admin", json={})
    assert response.status_code == 409
    assert "own account" in response.json()["detail"]
    assert api.get("/admin/users", "admin").status_code == 200
    assert [kind for kind, _a, _p in journal(runtime, "admin")] == ["user.created"]


def test_a_password_reset_is_shown_once_and_ends_console_sessions(
    api: Api, runtime: Runtime
) -> None:
    assert console_login(api, "dispatcher") == 303
    assert console_get(api, "/incidents") == 200

    response = api.post("/admin/users/dispatcher/reset-password", "admin")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    password = response.json()["password"]
    assert response.json()["username"] == "dispatcher"
    assert password != PASSWORD

    assert console_get(api, "/incidents") == 401
    assert console_login(api, "dispatcher", PASSWORD) == 401
    assert console_login(api, "dispatcher", password) == 303
    # A token is not a password: it stays.
    assert api.get("/incidents", "dispatcher").status_code == 200

    reset = journal(runtime, "dispatcher")[-1]
    assert reset == ("user.password_reset", "admin", {"sessions_ended": 1})
    assert password not in json.dumps(journal(runtime, "dispatcher"))
    users = {u["username"]: u for u in api.get("/admin/users", "admin").json()["items"]}
    assert users["dispatcher"]["password_changed_at"] is not None


def test_an_administrator_unlocks_a_locked_account(api: Api, runtime: Runtime) -> None:
    with transaction(runtime.sessions) as session:
        session.add(
            LoginThrottle(
                key="account:calltaker", failures=10, last_failure_at=START, locked_at=START
            )
        )
    users = {u["username"]: u for u in api.get("/admin/users", "admin").json()["items"]}
    assert users["calltaker"]["locked"] is True
    assert users["dispatcher"]["locked"] is False
    assert console_login(api, "calltaker") == 429

    response = api.post("/admin/users/calltaker/unlock", "admin")
    assert response.status_code == 200, response.text
    assert response.json()["locked"] is False
    assert console_login(api, "calltaker") == 303
    assert api.post("/admin/users/calltaker/unlock", "admin").status_code == 409
    assert journal(runtime, "calltaker")[-1][:2] == ("user.unlocked", "admin")


def test_tokens_are_listed_without_their_secret_issued_once_and_revoked_at_once(
    api: Api, runtime: Runtime
) -> None:
    listed = api.get("/admin/tokens?user=dispatcher", "admin")
    assert listed.status_code == 200
    assert api.world.tokens["dispatcher"] not in listed.text
    [old] = listed.json()["items"]
    assert set(old) == {"id", "user", "label", "created_at", "expires_at", "revoked_at", "state"}
    assert (old["user"], old["state"], old["revoked_at"]) == ("dispatcher", "active", None)

    issued = api.post(
        "/admin/tokens", "admin", json={"user": "Dispatcher", "label": "AVL 网关", "days": 7}
    )
    assert issued.status_code == 201, issued.text
    assert issued.headers["cache-control"] == "no-store"
    new = issued.json()
    secret = new.pop("token")
    assert (new["user"], new["label"], new["state"]) == ("dispatcher", "AVL 网关", "active")
    assert new["expires_at"].startswith("2026-11-30")
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.client.get("/api/v1/incidents", headers=headers).status_code == 200
    assert [t["id"] for t in tokens_of(api, "dispatcher")] == [old["id"], new["id"]]

    revoked = api.post(f"/admin/tokens/{new['id']}/revoke", "admin")
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["state"] == "revoked"
    # The token was remembered by the request above; the revocation is not kept waiting.
    assert api.client.get("/api/v1/incidents", headers=headers).status_code == 401
    assert api.get("/incidents", "dispatcher").status_code == 200
    assert api.post(f"/admin/tokens/{new['id']}/revoke", "admin").status_code == 409

    entries = journal(runtime, "dispatcher")
    assert [kind for kind, _a, _p in entries] == ["user.created", "token.issued", "token.revoked"]
    assert entries[1][2]["token_id"] == entries[2][2]["token_id"] == new["id"]
    assert secret not in json.dumps(entries)


def test_tokens_are_issued_to_active_accounts_only(api: Api) -> None:
    assert api.post("/admin/users/analyst/disable", "admin", json={}).status_code == 200
    refused = api.post("/admin/tokens", "admin", json={"user": "analyst"})
    assert refused.status_code == 409
    assert api.post("/admin/tokens", "admin", json={"user": "nobody"}).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body", "loc"),
    [
        ("POST", "/admin/tokens", {"user": "bad user!"}, ["body", "user"]),
        ("POST", "/admin/tokens", {"user": "dispatcher", "days": 0}, ["body", "days"]),
        ("POST", "/admin/tokens", {"user": "dispatcher", "days": 100_000}, ["body", "days"]),
        ("POST", "/admin/tokens", {"user": "dispatcher", "label": "x" * 65}, ["body", "label"]),
        ("POST", "/admin/tokens", {"user": "dispatcher", "scope": "all"}, ["body", "scope"]),
        ("POST", "/admin/tokens", {}, ["body", "user"]),
        ("POST", "/admin/users/dispatcher/disable", {"reason": "x" * 201}, ["body", "reason"]),
        ("POST", "/admin/users/dispatcher/disable", {"why": "x"}, ["body", "why"]),
        ("POST", "/admin/users/x/disable", {}, ["path", "username"]),
        ("POST", "/admin/users/a%20b/reset-password", None, ["path", "username"]),
        ("POST", "/admin/tokens/0/revoke", None, ["path", "token_id"]),
        ("POST", "/admin/tokens/99999999999/revoke", None, ["path", "token_id"]),
        ("POST", "/admin/tokens/abc/revoke", None, ["path", "token_id"]),
        ("GET", "/admin/tokens?user=%25%25", None, ["query", "user"]),
        ("GET", "/admin/users?jurisdiction=%2F", None, ["query", "jurisdiction"]),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    api: Api, method: str, path: str, body: object, loc: list[str]
) -> None:
    response = call(api, "admin", method, path, body)
    assert response.status_code == 422, response.text
    assert loc in [error["loc"] for error in response.json()["detail"]]


def test_unknown_accounts_and_tokens_are_not_found(api: Api) -> None:
    assert api.post("/admin/users/nobody/disable", "admin", json={}).status_code == 404
    assert api.get("/admin/tokens?user=nobody", "admin").status_code == 404
    assert api.post("/admin/tokens/4242/revoke", "admin").status_code == 404
    assert api.get("/admin/users?jurisdiction=999999", "admin").status_code == 404


def test_a_taken_username_is_refused_with_its_own_code(api: Api) -> None:
    body = {"username": "dispatcher", "role": "dispatcher", "jurisdiction": "350102"}
    refused = api.post("/admin/users", "admin", json=body)
    assert refused.status_code == 409
    # Its own code, so the screen can say what is wrong instead of "not accepted".
    assert refused.json()["code"] == "username_taken"
