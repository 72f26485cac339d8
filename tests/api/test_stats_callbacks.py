"""回访率 and 群众满意率 count every callback however it was recorded: the queue, the board's
dialog, a use case called directly (as a history does) — and never an excluded category."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from cad110.auth.principal import Principal
from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.incidents import actions
from cad110.incidents.schemas import CallbackBody
from cad110.kernel.runtime import Runtime
from cad110.kernel.ticks import run_jobs
from cad110.models.user import Role
from cad110.stats import service
from tests.api.callback_steps import answer, closed
from tests.api.helpers import ok
from tests.conftest import Api

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_callback_figures_count_every_path_and_leave_out_excluded_categories(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    by_queue, by_board, direct, unreachable, waiting = (closed(api) for _ in range(5))
    closed(api, category="domestic_violence", narrative="家暴")  # never due, never counted
    ok(answer(api, by_queue, "satisfied"))
    ok(answer(api, by_board, "dissatisfied", "态度差"))
    board = {"satisfaction": "basically_satisfied"}
    # The board's dialog records the callback of an incident the queue had too.
    ok(api.post(f"/incidents/{waiting}/callback", "calltaker", json=board))
    with transaction(runtime.sessions) as session:
        history = Principal.acting_for("350100/", username="history", role=Role.CALLTAKER)
        actions.callback(
            runtime.ctx(session, history), direct, CallbackBody(satisfaction="satisfied")
        )
    for n in range(3):
        if n:  # the next try waits for the rules' retry time
            clock.advance(timedelta(minutes=120))
        ok(answer(api, unreachable, "unreachable"))
    ok(api.post(f"/callbacks/{by_board}/follow-up/reply", "leader", json={"reply": "已整改并致歉"}))
    day = clock.now().astimezone(SHANGHAI).date()
    summary = ok(api.get("/stats/summary", "analyst", params={"since": day.isoformat()}))
    value = {f["key"]: f["value"] for f in summary["figures"]}

    def rate(key: str) -> tuple[int, int, float | None]:
        v = value[key]
        return v["numerator"], v["denominator"], v["percent"]

    # Five thefts due (grade 2 requires it), all five recorded (unreachable after three tries).
    assert rate("callback_coverage") == (5, 5, 100.0)
    # Reached: satisfied ×2, basically ×1, dissatisfied ×1; the unreachable one is out.
    assert rate("satisfaction_rate") == (3, 4, 75.0)
    assert rate("follow_up_in_time") == (1, 1, 100.0)
    # The day's 通报 says them as a centre writes them.
    report = api.get("/stats/export", "analyst", params={"since": day.isoformat(), "format": "txt"})
    assert report.status_code == 200, report.text
    assert "回访率100.00%" in report.text
    assert "群众满意率75.00%" in report.text
    assert "（3/4人）" in report.text


def _coverage(runtime: Runtime, day: str, *, rolled: bool) -> tuple[int | None, int | None]:
    analyst = Principal.acting_for("350100/", username="analyst", role=Role.ANALYST)
    with transaction(runtime.sessions) as session:
        filters = service.Filters(since=datetime.fromisoformat(day).date())
        summary = service.summary(runtime.ctx(session, analyst), filters, rolled=rolled)
    value = next(f.value for f in summary.figures if f.key == "callback_coverage")
    assert value is not None
    return value.numerator, value.denominator


def test_a_callback_counts_as_missed_only_once_its_time_has_come_in_rollups_too(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number = closed(api)
    day = clock.now().astimezone(SHANGHAI).date().isoformat()
    [due] = [
        row for row in ok(api.get("/callbacks", "calltaker"))["items"] if row["number"] == number
    ]
    due_at = datetime.fromisoformat(due["due_at"])
    # Not yet due: nothing missed, nothing to divide by.
    assert _coverage(runtime, day, rolled=False) == (0, 0)
    # Past midnight, before it falls due, the tick rolls the day up as it stands.
    midnight = datetime.combine(
        datetime.fromisoformat(day).date() + timedelta(days=1), time(0, 30), SHANGHAI
    )
    assert midnight < due_at
    clock.set(midnight)
    run_jobs(runtime, clock.now())
    assert _coverage(runtime, day, rolled=True) == (0, 0)
    # Its time passes with no event: the rolled day is not trusted, and then rebuilt.
    clock.set(due_at + timedelta(minutes=1))
    assert _coverage(runtime, day, rolled=False) == (0, 1)
    assert _coverage(runtime, day, rolled=True) == (0, 1)
    run_jobs(runtime, clock.now())
    assert _coverage(runtime, day, rolled=True) == (0, 1)
