"""The incident panel as a shift uses it: no stuck incident (release beside every unit, a key
that cannot act says why), 研判 on screen, a picker that ranks suitable units first and asks why
for another, dialogs that speak the page's language, and no action that trips the policy."""

from __future__ import annotations

from playwright.sync_api import ConsoleMessage, Page, expect

from cad110.kernel.runtime import Runtime
from cad110.models.unit import Unit, UnitKind
from tests.api.helpers import ok, report_body, step_body
from tests.browser.board_steps import api_of, dispatch, incident, open_board, open_panel
from tests.world import World


def _console(page: Page) -> list[str]:
    """Every console message from here on (the policy's refusals are logged there)."""
    seen: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        seen.append(message.text)

    page.on("console", keep)
    return seen


def test_actions_from_dialogs_trip_no_content_security_policy(
    live_server: str, page: Page, world: World, runtime: Runtime
) -> None:
    with api_of(live_server, world) as api:
        number = incident(api, 0)
        seen = _console(page)
        open_board(page, live_server)
        open_panel(page, number)
        # A unit picked by hand.
        page.keyboard.press("u")
        page.fill("#dlg-pick-q", "35010201-2")
        page.locator("#dlg-pick button.pick[data-unit='35010201-2']").click()
        expect(page.locator("#dlg-pick")).to_be_hidden()
        expect(page.locator("#panel .assignments")).to_contain_text("巡逻35010201-2")
        # 改派 to another.
        page.keyboard.press("r")
        page.fill("#dlg-reassign-q", "35010201-1")
        page.locator("#dlg-reassign button.pick[data-unit='35010201-1']").click()
        expect(page.locator("#dlg-reassign")).to_be_hidden()
        expect(page.locator("#panel .assignments")).to_contain_text("巡逻35010201-1")
        # 改类定级, its reason box resized by the user first (the browser gives it a style).
        page.keyboard.press("c")
        page.locator("#dlg-reclassify-reason").evaluate("el => { el.style.height = '8rem'; }")
        page.select_option("#dlg-reclassify-grade", "1")
        page.fill("#dlg-reclassify-reason", "现场有人受伤")
        page.locator("#dlg-reclassify button[type=submit]").click()
        expect(page.locator("#dlg-reclassify")).to_be_hidden()
        expect(page.locator("#panel .grade")).to_have_text("1")
        page.wait_for_timeout(300)
    refused = [m for m in seen if "Content Security Policy" in m or "violates" in m]
    assert refused == [], refused


def _kind(runtime: Runtime, kind: UnitKind, *codes: str) -> None:
    with runtime.sessions() as session, session.begin():
        for code in codes:
            unit = session.get(Unit, code)
            assert unit is not None
            unit.kind = kind


def test_an_incident_with_units_left_after_feedback_can_still_be_closed(
    live_server: str, page: Page, world: World, runtime: Runtime
) -> None:
    with api_of(live_server, world) as api:
        number = incident(api, 0)
        dispatch(api, number, "35010201-1")
        body = {"units": ["35010201-2", "35010202-1"], "add_unit": True}
        ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json=body))
        officer = "officer-35010201-1"
        for step in ("acknowledge", "depart", "arrive"):
            path = f"/incidents/{number}/units/35010201-1/{step}"
            ok(api.post(path, officer, json=step_body(step)))
        ok(api.post(f"/incidents/{number}/handle", officer, json={}))
        current = ok(api.get(f"/incidents/{number}", "dispatcher"))
        ok(api.post(f"/incidents/{number}/report", officer, json=report_body(current)))
        open_board(page, live_server)
        open_panel(page, number)
        # 反馈 in, two units never signed: x says what stands in the way instead of nothing.
        page.keyboard.press("x")
        expect(page.locator("#dlg-close")).to_have_count(0)
        expect(page.locator("#panel .message")).to_have_text(
            "结警前须先释放仍在警情上的警组（各警组旁的“释放”）。"
        )
        # Each unit still on it has its 释放 beside it.
        for unit in ("35010201-1", "35010201-2", "35010202-1"):
            item = page.locator(f"#panel .assignments li[data-unit='{unit}']")
            item.locator("button[data-open='release']").click()
            expect(page.locator("#dlg-release")).to_be_visible()
            page.locator("#dlg-release button[type=submit]").click()
            expect(page.locator(f"#panel .assignments li[data-unit='{unit}'] .state")).to_have_text(
                "已释放"
            )
        page.keyboard.press("x")
        expect(page.locator("#dlg-close")).to_be_visible()
        page.fill("#dlg-close-summary", "已处置完毕")
        page.locator("#dlg-close button[type=submit]").click()
        expect(page.locator("#dlg-callback")).to_be_visible()
        assert ok(api.get(f"/incidents/{number}", "dispatcher"))["status"] == "closed"


def test_a_key_that_cannot_act_says_why(
    live_server: str, page: Page, world: World, runtime: Runtime
) -> None:
    with api_of(live_server, world) as api:
        number = incident(api, 0)
        open_board(page, live_server)
        open_panel(page, number)
        page.keyboard.press("g")
        expect(page.locator("#panel .message")).to_have_text("警情处于“受理”环节，不能归档。")
        page.keyboard.press("r")
        expect(page.locator("#panel .message")).to_have_text("没有可改派的警组。")


def test_assess_raises_risk_and_grade_and_lowers_them_only_with_a_reason(
    live_server: str, page: Page, world: World, runtime: Runtime
) -> None:
    with api_of(live_server, world) as api:
        number = incident(api, 0)
        other = incident(api, 2)
        open_board(page, live_server)
        open_panel(page, number)
        expect(page.locator("#panel button[data-key='s']")).to_contain_text("研判")
        page.keyboard.press("s")
        dialog = page.locator("#dlg-assess")
        expect(dialog).to_be_visible()
        page.select_option("#dlg-assess-risk", "high")
        page.select_option("#dlg-assess-grade", "1")
        page.fill("#dlg-assess-related", other)
        page.fill("#dlg-assess-note", "报警人称对方持刀")
        dialog.locator("button[type=submit]").click()
        expect(dialog).to_be_hidden()
        expect(page.locator("#panel .grade")).to_have_text("1")
        expect(page.locator("#panel .risk")).to_have_text("高风险")
        # Lowering both: the reason is asked for beside its field, and nothing is sent.
        page.keyboard.press("s")
        page.select_option("#dlg-assess-risk", "low")
        page.select_option("#dlg-assess-grade", "3")
        dialog.locator("button[type=submit]").click()
        expect(dialog.locator(".field-error[data-field='reason']")).to_have_text(
            "降低风险或等级须填写理由。"
        )
        expect(page.locator("#dlg-assess-reason")).to_be_focused()
        timeline = ok(api.get(f"/incidents/{number}/timeline", "dispatcher"))["events"]
        assert [e["kind"] for e in timeline].count("assess") == 1
        page.keyboard.type("核实为误会，无人持刀")
        dialog.locator("button[type=submit]").click()
        expect(dialog).to_be_hidden()
        expect(page.locator("#panel .grade")).to_have_text("3")
        expect(page.locator("#panel .risk")).to_have_text("低风险")
        timeline = ok(api.get(f"/incidents/{number}/timeline", "dispatcher"))["events"]
        assert [e["kind"] for e in timeline].count("assess") == 2


def test_the_picker_puts_suitable_units_first_and_asks_why_for_another(
    live_server: str, page: Page, world: World, runtime: Runtime
) -> None:
    # The nearest unit is a traffic group: it does not serve a fight.
    _kind(runtime, UnitKind.TRAFFIC, "35010201-2")
    with api_of(live_server, world) as api:
        number = incident(api, 0, category="affray")
        open_board(page, live_server)
        open_panel(page, number)
        page.keyboard.press("u")
        dialog = page.locator("#dlg-pick")
        first = dialog.locator("button.pick").first
        expect(first).to_have_attribute("data-unit", "35010201-1")
        expect(first).to_contain_text("推荐")
        traffic = dialog.locator("button.pick[data-unit='35010201-2']")
        expect(traffic.locator(".why-not")).to_have_text("交警不处置此类警情")
        # The unsuitable one needs a reason; Enter in the search sends the first suitable one.
        traffic.click()
        expect(dialog.locator(".field-error[data-field='override_reason']")).to_be_visible()
        expect(dialog).to_be_visible()
        page.fill("#dlg-pick-q", "")
        page.locator("#dlg-pick-q").press("Enter")
        expect(dialog).to_be_hidden()
        expect(page.locator("#panel .assignments")).to_contain_text("巡逻35010201-1")
        # Sent anyway with a reason: the reason is kept with the dispatch.
        page.keyboard.press("u")
        dialog.locator("button.pick[data-unit='35010201-2']").click()
        page.keyboard.type("交警就在现场旁")
        page.keyboard.press("Enter")
        expect(dialog).to_be_hidden()
        events = ok(api.get(f"/incidents/{number}/timeline", "dispatcher"))["events"]
        sent = [e for e in events if e["kind"] == "dispatch"][-1]
        assert sent["payload"]["override_reason"] == "交警就在现场旁"


def test_a_recommendation_of_another_kind_says_why_in_words(
    live_server: str, page: Page, world: World, runtime: Runtime
) -> None:
    # Only traffic groups nearby: the recommendation falls back to them and says so.
    _kind(runtime, UnitKind.TRAFFIC, "35010201-1", "35010201-2", "35010202-1")
    with api_of(live_server, world) as api:
        number = incident(api, 0, category="affray")
        open_board(page, live_server)
        open_panel(page, number)
        reasons = page.locator("#panel .recommend .reasons")
        expect(reasons.first).to_contain_text("跨警种（时限内无对口警力）")
        assert "kind_fallback" not in page.locator("#panel").inner_text()


def test_dialogs_say_what_is_missing_in_the_page_language(
    live_server: str, page: Page, world: World, runtime: Runtime
) -> None:
    with api_of(live_server, world) as api:
        number = incident(api, 0)
        open_board(page, live_server)
        open_panel(page, number)
        assert page.locator("#panel dialog form:not([novalidate])").count() == 0
        # Every required field of the dialogs this incident offers, left empty.
        for key, dialog_id, empty in (
            ("x", "dlg-close", {"summary": "请填写此项。", "no_dispatch_reason": "请选择一项。"}),
            ("i", "dlg-invalidate", {"reason": "请选择一项。"}),
            ("c", "dlg-reclassify", {"reason": "请填写此项。"}),
        ):
            page.keyboard.press(key)
            dialog = page.locator(f"#{dialog_id}")
            expect(dialog).to_be_visible()
            dialog.locator("button[type=submit]").click()
            for field, text in empty.items():
                expect(dialog.locator(f".field-error[data-field='{field}']")).to_have_text(text)
            # The browser's own bubble is never raised.
            invalid = dialog.locator("form").evaluate(
                "f => Array.from(f.elements).filter(e => e.validationMessage && e.matches(':focus'))"
                ".map(e => e.name)"
            )
            assert invalid in ([], list(empty)[:1]), invalid
            page.keyboard.press("Escape")
            expect(dialog).to_be_hidden()
        assert ok(api.get(f"/incidents/{number}", "dispatcher"))["status"] == "accepted"
