"""The officer's phone page: a doubtful arrival asks for its reason, every required guide item
is ticked or explained on its own (the summary is never taken for a reason), and a value the
server would refuse stops the feedback before any part of it is sent."""

from __future__ import annotations

from playwright.sync_api import Browser, Request, expect

from cad110.kernel.runtime import Runtime
from tests.api.helpers import new_incident, ok, walk_to_arrival
from tests.browser.steps import login
from tests.conftest import Api

UNIT = "35010201-1"  # ≈1.2 km from the incident, and no fix since
OFFICER = f"officer-{UNIT}"


def _status(runtime: Runtime, number: str) -> str:
    from sqlalchemy import select

    from cad110.models.incident import Incident

    with runtime.sessions() as session:
        found = session.scalar(select(Incident.status).where(Incident.number == number))
        assert found is not None
        return found.value


def _report(api: Api, number: str) -> dict:  # type: ignore[type-arg]
    return dict(ok(api.get(f"/incidents/{number}", "dispatcher"))["outcome"]["report"])


def test_the_officer_gives_reasons_for_a_doubtful_arrival_and_each_item_not_done(
    live_server: str, chromium_browser: Browser, api: Api, runtime: Runtime
) -> None:
    number = new_incident(api, accept=True)["number"]  # theft: three required guide items
    ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": [UNIT]}))
    for step in ("acknowledge", "depart"):
        ok(api.post(f"/incidents/{number}/units/{UNIT}/{step}", OFFICER))

    context = chromium_browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True
    )
    context.set_default_timeout(10_000)
    phone = context.new_page()
    login(phone, live_server, OFFICER)
    # What the officer is going to, first.
    expect(phone.locator(".assignment .unit-category")).to_have_text("盗窃")
    reason_form = phone.locator("#arrive-reason")
    expect(reason_form).to_be_hidden()
    phone.get_by_role("button", name="到场").click()
    # Arriving the same second, 1.2 km from the scene: the page asks why.
    expect(reason_form).to_be_visible()
    expect(reason_form).to_contain_text("定位显示你尚未到达现场")
    # Asked once, by the form: the same refusal is not said again below it.
    expect(phone.locator("#unit-message")).to_have_text("")
    assert phone.locator(".unit-view").inner_text().count("尚未到达现场") == 1
    assert _status(runtime, number) == "departed"
    reason_form.locator("textarea[name=reason]").fill("手机定位失灵，已在现场")
    with phone.expect_navigation():
        phone.get_by_role("button", name="确认到场").click()
    expect(phone.locator("#feedback")).to_be_visible()
    assert _status(runtime, number) == "arrived"

    # Two required items ticked; "list_losses" neither ticked nor explained: refused here.
    phone.locator(".guide-item[data-code=protect_scene] input[name=guide]").check()
    phone.locator(".guide-item[data-code=question_reporter] input[name=guide]").check()
    phone.fill("textarea[name=summary]", "已询问报警人")
    phone.get_by_role("button", name="反馈并结束").click()
    expect(phone.locator("#unit-message")).to_have_text("每项必做事项须勾选完成，或填写未做原因。")
    missing = phone.locator(".guide-item[data-code=list_losses]")
    expect(missing).to_have_class("guide-item required missing")
    expect(missing.locator("input[name=why-list_losses]")).to_be_focused()
    assert _status(runtime, number) == "arrived"  # nothing was sent

    missing.locator("input[name=why-list_losses]").fill("报警人暂无法确认损失")
    phone.get_by_role("button", name="反馈并结束").click()
    expect(phone.locator(".idle")).to_be_visible()
    # Said on the page that follows (the next task, or none), once.
    expect(phone.locator("#unit-message")).to_have_text(f"已反馈并结束：{number}")
    expect(phone.locator("#unit-message")).to_have_class("message done")
    phone.reload()
    expect(phone.locator("#unit-message")).to_have_text("")
    context.close()

    report = _report(api, number)
    guide = {g["code"]: g for g in report["guide"]}
    assert guide["list_losses"] == {
        "code": "list_losses",
        "done": False,
        "note": "报警人暂无法确认损失",
    }
    assert guide["protect_scene"]["done"] is True
    # Optional items left alone carry no borrowed summary.
    assert guide["check_video"] == {"code": "check_video", "done": False, "note": ""}


def test_a_value_the_server_would_refuse_sends_nothing_of_the_feedback(
    live_server: str, chromium_browser: Browser, api: Api, runtime: Runtime
) -> None:
    number = str(new_incident(api)["number"])
    walk_to_arrival(api, number, UNIT)
    context = chromium_browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True
    )
    context.set_default_timeout(10_000)
    phone = context.new_page()
    login(phone, live_server, OFFICER)
    sent: list[str] = []

    def watch(request: Request) -> None:
        if request.method == "POST" and "/api/v1/incidents/" in request.url:
            sent.append(request.url)

    phone.on("request", watch)
    feedback = phone.locator("#feedback")
    for box in feedback.locator(".guide-item input[name=guide]").all():
        box.check()
    phone.fill("textarea[name=summary]", "已追回部分赃款")
    quick = feedback.locator(".outcome-quick")
    finish = phone.get_by_role("button", name="反馈并结束")
    # 现行 only when the officer says so: an arrest typed is not counted as one by default.
    expect(quick.get_by_label("现行抓获")).not_to_be_checked()

    # ¥99,999,999,999: above the server's ¥1,000,000,000, said in yuan beside the field.
    quick.get_by_label("挽回金额（元）").fill("99999999999")
    finish.click()
    recovered = quick.locator(".field-error[data-field=recovered]")
    expect(recovered).to_have_text("应不大于 1,000,000,000.00")
    expect(quick.get_by_label("挽回金额（元）")).to_be_focused()
    # A recovery with no loss would be refused after the report went: said here instead.
    quick.get_by_label("挽回金额（元）").fill("2500")
    finish.click()
    expect(recovered).to_have_text("超出损失金额：请一并填写损失金额")
    quick.get_by_label("损失金额（元）").fill("3200")
    quick.get_by_label("抓获人数").fill("201")
    finish.click()
    expect(quick.locator(".field-error")).to_have_count(1)
    expect(quick.locator(".field-error[data-field=arrested]")).to_have_text("应不大于 200")
    quick.get_by_label("抓获人数").fill("1.5")
    finish.click()
    expect(quick.locator(".field-error[data-field=arrested]")).to_have_text("应为整数")
    assert sent == []  # nothing of it went: no 处置, no 反馈, no outcome
    assert _status(runtime, number) == "arrived"

    quick.get_by_label("抓获人数").fill("1")
    finish.click()
    expect(phone.locator(".idle")).to_be_visible()
    context.close()
    assert _status(runtime, number) == "reported"
    totals = ok(api.get(f"/incidents/{number}/outcomes", "dispatcher"))["totals"]
    assert (totals["loss_fen"], totals["recovered_fen"]) == (320000, 250000)
    assert (totals["arrested"], totals["arrested_in_the_act"]) == (1, 0)
