"""回访 through the API: the queue, answers recorded through the incident's callback, unreachable
tries retried and then recorded, and the follow-up a dissatisfied answer opens."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cad110.audit.verify import verify
from cad110.auth.principal import Principal
from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.incidents import actions
from cad110.incidents.schemas import CallbackBody
from cad110.kernel.runtime import Runtime
from cad110.kernel.ticks import run_jobs
from cad110.models.audit import AccessRecord
from cad110.models.callbacks import CallbackAttempt
from cad110.models.supervision import Deadline, Notification, Step, Supervision
from cad110.models.user import Role
from tests.api.callback_steps import answer, closed, queue
from tests.api.helpers import ok
from tests.conftest import Api


def test_a_closed_incident_waits_in_the_queue_masked_and_its_read_shows_the_number(
    api: Api, runtime: Runtime
) -> None:
    number = closed(api)
    [item] = queue(api)
    assert item["number"] == number
    assert (item["reason"], item["attempts"], item["waiting"]) == ("required", 0, False)
    assert item["caller_phone"] != "13800138000"  # masked in the list
    # What the caller reported, and what the police did: the second is what the caller is told.
    assert (item["reported"], item["summary"]) == ("电动车被盗", "处置完毕")
    # The category in both languages: an English screen never shows 盗窃.
    assert (item["category_zh"], item["category_en"]) == ("盗窃", "Theft")
    one = ok(api.get(f"/callbacks/{number}", "calltaker"))
    assert one["caller_phone"] == "13800138000"
    with transaction(runtime.sessions) as session:
        reads = session.scalars(select(AccessRecord).where(AccessRecord.subject_id == number)).all()
        assert [(r.username, r.fields) for r in reads][-1][0] == "calltaker"
    # Officers and analysts do not work the queue.
    assert api.get("/callbacks", "analyst").status_code == 403


def test_an_excluded_category_never_enters_the_queue(api: Api) -> None:
    closed(api, category="domestic_violence", narrative="家暴")
    assert queue(api) == []


def test_a_satisfied_answer_is_the_incidents_callback_and_leaves_the_queue(
    api: Api, runtime: Runtime
) -> None:
    number = closed(api)
    out = ok(answer(api, number, "satisfied", "感谢民警"))
    assert (out["done"], out["satisfaction"]) == (True, "satisfied")
    incident = ok(api.get(f"/incidents/{number}", "dispatcher"))
    assert incident["status"] == "callback"
    assert incident["outcome"]["callback"] == {"satisfaction": "satisfied", "note": "感谢民警"}
    assert queue(api) == []
    again = answer(api, number, "satisfied")
    assert again.status_code == 409
    with transaction(runtime.sessions) as session:
        assert verify(session).ok


def test_unreachable_is_tried_again_later_then_recorded_as_unreachable(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number = closed(api)
    key = {"Idempotency-Key": "cb-try-1"}
    first = ok(answer(api, number, "unreachable", "无人接听", headers=key))
    assert (first["attempts"], first["done"]) == (1, False)
    # The same request again (a retry) adds no second try.
    assert ok(answer(api, number, "unreachable", "无人接听", headers=key)) == first
    [item] = queue(api)
    assert (item["attempts"], item["waiting"]) == (1, True)
    # Another try before the rules' retry delay is refused, naming when it may be made.
    clock.advance(timedelta(minutes=119))
    early = answer(api, number, "unreachable")
    assert early.status_code == 409
    assert early.json()["code"] == "not_yet"
    assert early.json()["at"] == first["next_try_at"].replace("Z", "+00:00")
    assert queue(api)[0]["attempts"] == 1
    clock.advance(timedelta(minutes=1))
    assert queue(api)[0]["waiting"] is False
    second = ok(answer(api, number, "unreachable"))
    assert (second["attempts"], second["done"]) == (2, False)
    clock.advance(timedelta(hours=2))
    last = ok(answer(api, number, "unreachable", "关机"))
    assert (last["attempts"], last["done"], last["satisfaction"]) == (3, True, "unreachable")
    incident = ok(api.get(f"/incidents/{number}", "dispatcher"))
    assert incident["outcome"]["callback"]["satisfaction"] == "unreachable"
    with transaction(runtime.sessions) as session:
        seqs = session.scalars(select(CallbackAttempt.seq).order_by(CallbackAttempt.seq)).all()
        assert list(seqs) == [1, 2, 3]
        assert verify(session).ok


def test_a_bad_answer_names_the_field(api: Api) -> None:
    number = closed(api)
    response = answer(api, number, "happy")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "answer"
    assert answer(api, "35010201-20990101-9999", "satisfied").status_code == 404


def test_dissatisfied_opens_a_follow_up_that_supervision_escalates_and_the_reply_closes(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number = closed(api)
    ok(answer(api, number, "dissatisfied", "出警太慢"))
    follow_up = ok(api.get(f"/callbacks/{number}/follow-up", "dispatcher"))
    assert follow_up["complaint"] == "出警太慢"
    assert (follow_up["station_name"], follow_up["station_name_en"]) == (
        "鼓东派出所",
        "Gudong Station",
    )
    assert follow_up["reply"] is None
    assert not follow_up["overdue"]
    # Due by the end of the fifth working day, said as that day (never "00:00" of the next).
    assert (follow_up["due_day"], follow_up["due_zh"], follow_up["due_en"]) == (
        "2026-11-30",
        "11月30日（周一）下班前",
        "by the end of Mon 30 Nov",
    )
    assert follow_up["due_at"].startswith("2026-11-30T16:00:00")  # midnight after, local
    # The station's notice says the same day in the same words.
    with transaction(runtime.sessions) as session:
        notice = session.scalars(select(Notification).where(Notification.kind == "follow_up"))
        assert [n.message for n in notice] == [
            f"不满意回访：{number} 请于11月30日（周一）下班前答复整改情况"
        ]
    listed = ok(api.get("/callbacks/follow-ups?open=true", "leader"))["items"]
    assert [f["number"] for f in listed] == [number]
    # Five working days pass with no answer: supervision opens a 督办 on it.
    clock.advance(timedelta(days=9))
    run_jobs(runtime)
    with transaction(runtime.sessions) as session:
        [supervision] = session.scalars(
            select(Supervision).where(Supervision.step == Step.FOLLOW_UP)
        ).all()
        assert supervision.step_done_at is None
    assert ok(api.get(f"/callbacks/{number}/follow-up", "dispatcher"))["overdue"] is True
    refused = api.post(f"/callbacks/{number}/follow-up/reply", "calltaker", json={"reply": "x"})
    assert refused.status_code == 403
    empty = api.post(f"/callbacks/{number}/follow-up/reply", "leader", json={"reply": " "})
    assert empty.status_code == 422
    reply = {"reply": "已约谈处警民警，向报警人致歉"}
    done = ok(api.post(f"/callbacks/{number}/follow-up/reply", "leader", json=reply))
    assert (done["reply"], done["replied_by"], done["overdue"]) == (reply["reply"], "leader", False)
    again = api.post(f"/callbacks/{number}/follow-up/reply", "leader", json=reply)
    assert again.status_code == 409
    with transaction(runtime.sessions) as session:
        deadline = session.scalars(select(Deadline).where(Deadline.step == Step.FOLLOW_UP)).one()
        assert deadline.met_at is not None
        supervision = session.scalars(
            select(Supervision).where(Supervision.step == Step.FOLLOW_UP)
        ).one()
        assert supervision.step_done_at is not None
        assert verify(session).ok


def test_a_callback_recorded_directly_or_from_the_board_counts_too(
    api: Api, runtime: Runtime
) -> None:
    by_board, direct = closed(api), closed(api)
    ok(
        api.post(
            f"/incidents/{by_board}/callback", "calltaker", json={"satisfaction": "dissatisfied"}
        )
    )
    with transaction(runtime.sessions) as session:
        ctx = runtime.ctx(
            session, Principal.acting_for("350100/", username="history", role=Role.CALLTAKER)
        )
        actions.callback(ctx, direct, CallbackBody(satisfaction="basically_satisfied"))
    assert queue(api) == []
    # The board's dissatisfied answer opened a follow-up like the queue's would.
    assert ok(api.get(f"/callbacks/{by_board}/follow-up", "dispatcher"))["reply"] is None
