"""Logins that hold: a growing wait, a lockout an administrator lifts, the same answer for
names with and without an account, a slowed address, no hashing while refused."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

import httpx
import pytest
from sqlalchemy import select

import cad110.web.pages as pages
from cad110.auth.passwords import login_pool
from cad110.auth.throttle import unlock
from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.models.event import Event
from tests.conftest import Api
from tests.world import PASSWORD

WRONG = "not the password at all"


@pytest.fixture(autouse=True)
def _refusals_answered_at_once(runtime: Runtime) -> None:
    # The hold-back on refusals is real time; the clock these tests move is virtual.
    runtime.settings.login_refusal_delay_s = 0.0


def _login(api: Api, username: str, password: str = WRONG) -> httpx.Response:
    return api.client.post(
        "/login", data={"username": username, "password": password}, follow_redirects=False
    )


def _fail_patiently(api: Api, clock: VirtualClock, username: str, times: int) -> list[int]:
    """`times` wrong passwords, each after waiting as long as the last answer asked."""
    statuses = []
    for _ in range(times):
        response = _login(api, username)
        statuses.append(response.status_code)
        if response.status_code == 429:
            clock.advance(timedelta(seconds=int(response.headers["retry-after"])))
    return statuses


def _user_events(runtime: Runtime, username: str) -> list[tuple[str, dict[str, object]]]:
    with transaction(runtime.sessions) as session:
        rows = session.scalars(
            select(Event)
            .where(Event.subject_type == "user", Event.subject_id == username)
            .order_by(Event.seq)
        )
        return [(e.kind, json.loads(e.payload)) for e in rows]


def test_forty_wrong_passwords_lock_the_account_until_an_administrator_unlocks_it(
    api: Api, clock: VirtualClock, runtime: Runtime
) -> None:
    for _ in range(40):
        response = _login(api, "dispatcher")
        if response.status_code == 429 and "锁定" not in response.text:
            clock.advance(timedelta(seconds=int(response.headers["retry-after"])))
    refused = _login(api, "dispatcher", PASSWORD)
    assert refused.status_code == 429
    assert "该账号已被锁定，请联系管理员解锁" in refused.text
    assert int(refused.headers["retry-after"]) > 0
    assert "cad110_session" not in api.client.cookies
    clock.advance(timedelta(days=2))  # a lockout does not wear off
    assert _login(api, "dispatcher", PASSWORD).status_code == 429

    with transaction(runtime.sessions) as session:
        lifted = unlock(session, username="Dispatcher", now=clock.now(), actor="admin")
    assert lifted
    opened = _login(api, "dispatcher", PASSWORD)
    assert opened.status_code == 303
    assert "cad110_session" in api.client.cookies


def test_the_wait_doubles_with_each_further_failure_and_retry_after_says_how_long(
    api: Api, clock: VirtualClock
) -> None:
    assert [_login(api, "calltaker").status_code for _ in range(3)] == [401, 401, 401]
    waits = []
    for _ in range(4):
        early = _login(api, "calltaker")
        assert early.status_code == 429
        waits.append(int(early.headers["retry-after"]))
        assert f"请 {waits[-1]} 秒后再试" in early.text
        clock.advance(timedelta(seconds=waits[-1] - 1))
        assert _login(api, "calltaker").status_code == 429  # one second short
        clock.advance(timedelta(seconds=1))
        assert _login(api, "calltaker").status_code == 401
    assert waits == [2, 4, 8, 16]
    english = api.client.post(
        "/login",
        data={"username": "calltaker", "password": WRONG},
        headers={"Accept-Language": "en"},
    )
    assert "Too many failed attempts; try again in 32 s." in english.text


def test_a_name_without_an_account_gets_the_same_answers_as_a_real_one(
    api: Api, clock: VirtualClock, runtime: Runtime
) -> None:
    # Same length as "dispatcher", so that even the length of the page cannot differ.
    real, unknown = "dispatcher", "dispatchor"
    pool = login_pool(runtime.settings.login_hash_workers)

    def answers(username: str) -> list[tuple[int, str, dict[str, str]]]:
        seen = []
        for _ in range(12):
            before = pool.verified
            response = _login(api, username)
            hashed = pool.verified - before
            # A refused attempt hashes nothing; any other hashes once, with or without account.
            assert hashed == (0 if response.status_code == 429 else 1)
            seen.append(
                (
                    response.status_code,
                    response.text.replace(username, "NAME"),
                    dict(response.headers),
                )
            )
            clock.advance(timedelta(seconds=5))
        return seen

    for_real = answers(real)
    for_unknown = answers(unknown)
    assert for_real == for_unknown
    assert {status for status, _, _ in for_real} == {401, 429}
    # The locked message too, once the limit is reached, for the name that has no account.
    for username in (real, unknown):
        while "锁定" not in (last := _login(api, username)).text:
            clock.advance(timedelta(seconds=int(last.headers.get("retry-after", "0"))))
        assert last.status_code == 429
    locked_real, locked_unknown = _login(api, real), _login(api, unknown)
    assert locked_real.text.replace(real, "NAME") == locked_unknown.text.replace(unknown, "NAME")
    assert dict(locked_real.headers) == dict(locked_unknown.headers)


def test_a_flood_over_many_names_from_one_address_is_slowed(
    api: Api, clock: VirtualClock, runtime: Runtime
) -> None:
    limit = runtime.settings.login_address_delay_after
    assert all(_login(api, f"guess-{n}").status_code == 401 for n in range(limit))
    slowed = _login(api, f"guess-{limit}")
    assert slowed.status_code == 429
    assert slowed.headers["retry-after"] == "2"
    # Everyone behind that address waits, even with the right password…
    assert _login(api, "leader", PASSWORD).status_code == 429
    clock.advance(timedelta(seconds=2))
    assert _login(api, f"guess-{limit}").status_code == 401
    assert _login(api, f"guess-{limit + 1}").headers["retry-after"] == "4"
    clock.advance(timedelta(seconds=4))
    # …and a success from it forgives the address: the next wrong name is a plain 401.
    assert _login(api, "leader", PASSWORD).status_code == 303
    assert _login(api, "guess-after").status_code == 401


def test_a_success_resets_the_accounts_count(api: Api) -> None:
    assert [_login(api, "analyst").status_code for _ in range(2)] == [401, 401]
    assert _login(api, "analyst", PASSWORD).status_code == 303
    assert [_login(api, "analyst").status_code for _ in range(4)] == [401, 401, 401, 429]


def test_the_lockout_of_a_real_account_is_an_event_on_its_chain(
    api: Api, clock: VirtualClock, runtime: Runtime
) -> None:
    limit = runtime.settings.login_lock_after
    statuses = _fail_patiently(api, clock, "leader", 2 * limit)
    assert statuses.count(401) == limit  # only the attempts before the lock were judged
    events = _user_events(runtime, "leader")
    assert [kind for kind, _ in events] == ["user.created", "user.locked"]
    assert events[1][1] == {"failures": limit, "address": "testclient"}
    # An unknown name locks the same, and leaves no trace on any user's chain.
    _fail_patiently(api, clock, "no-such-user", 2 * limit)
    assert _user_events(runtime, "no-such-user") == []
    with transaction(runtime.sessions) as session:
        assert unlock(session, username="leader", now=clock.now(), actor="admin")
        assert not unlock(session, username="leader", now=clock.now(), actor="admin")
    assert [kind for kind, _ in _user_events(runtime, "leader")][-1] == "user.unlocked"


def test_a_refusal_is_held_back_so_a_client_ignoring_retry_after_is_slowed(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime.settings.login_refusal_delay_s = 1.0
    held: list[float] = []

    async def sleep(seconds: float) -> None:
        held.append(seconds)

    monkeypatch.setattr(pages, "asyncio", SimpleNamespace(sleep=sleep))
    assert [_login(api, "dispatcher").status_code for _ in range(3)] == [401, 401, 401]
    assert held == []  # a wrong password is answered as soon as it is judged
    refused = [_login(api, "dispatcher") for _ in range(3)]
    assert [r.status_code for r in refused] == [429, 429, 429]
    assert held == [1.0, 1.0, 1.0]
