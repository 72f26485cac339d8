"""Every action from the incident panel, keyboard first, with guardrails on what cannot be
undone: the dispatch key sends once, ending actions are confirmed in a dialog."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from cad110.kernel.runtime import Runtime
from tests.api.helpers import ok, report_body, step_body
from tests.browser.board_steps import api_of, dispatch, incident, open_board, open_panel
from tests.world import World


def test_the_dispatch_key_sends_the_recommendation_once(
    live_server: str, page: Page, world: World, runtime: Runtime
) -> None:
    with api_of(live_server, world) as api:
        number = incident(api, 0)
        open_board(page, live_server)
        open_panel(page, number)
        expect(page.locator("#panel button[data-key='d']")).to_contain_text("d")
        # Pressed twice in a row: one unit goes, as the category needs.
        page.keyboard.press("d")
        page.keyboard.press("d")
        expect(page.locator("#panel .assignments li")).to_have_count(1)
        # Said by the unit's name, in the colour of done.
        expect(page.locator("#panel .message")).to_have_text("已派警：巡逻35010201-2")
        expect(page.locator("#panel .message")).to_have_class("message done")
        page.wait_for_timeout(500)
        timeline = ok(api.get(f"/incidents/{number}/timeline", "dispatcher"))
        assert [e["kind"] for e in timeline["events"]].count("dispatch") == 1
        # What the category needs is out: the key is no longer offered, only "add unit".
        expect(page.locator("#panel button[data-key='d']")).to_have_count(0)
        expect(page.locator("#panel button[data-key='u']")).to_contain_text("增派")
        page.keyboard.press("d")
        page.wait_for_timeout(300)
        expect(page.locator("#panel .assignments li")).to_have_count(1)
        # Units by name, their state in words.
        expect(page.locator("#panel .assignments")).to_contain_text("巡逻35010201-2")
        expect(page.locator("#panel .assignments")).to_contain_text("派警")


def test_the_manual_picker_finds_units_and_marks_busy_ones(
    live_server: str, page: Page, world: World, runtime: Runtime
) -> None:
    with api_of(live_server, world) as api:
        busy = incident(api, 1)
        dispatch(api, busy, "35010202-1")
        number = incident(api, 0)
        open_board(page, live_server)
        open_panel(page, number)
        page.keyboard.press("u")
        dialog = page.locator("#dlg-pick")
        expect(dialog).to_be_visible()
        expect(page.locator("#dlg-pick-q")).to_be_focused()
        expect(dialog.locator("button.pick")).to_have_count(4)
        busy_pick = dialog.locator("button.pick[data-unit='35010202-1']")
        expect(busy_pick).to_be_disabled()
        expect(busy_pick).to_contain_text("忙碌")
        expect(dialog.locator("button.pick").first).to_contain_text("分钟")
        # Esc closes the dialog, also with words in its search box (the browser would only
        # empty the box, and the next key would be typed into it).
        page.keyboard.type("35012101")
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        page.keyboard.press("u")
        expect(page.locator("#dlg-pick-q")).to_be_focused()
        page.keyboard.type("35012101")
        expect(dialog.locator("button.pick")).to_have_count(1)
        page.keyboard.press("ArrowDown")
        expect(dialog.locator("button.pick[data-unit='35012101-1']")).to_be_focused()
        page.keyboard.press("Enter")
        # Not the recommended unit: the dispatcher says why first, then Enter sends it.
        expect(dialog.locator(".field-error[data-field='override_reason']")).to_contain_text(
            "请填写派警理由"
        )
        expect(page.locator("#dlg-pick-why")).to_be_focused()
        page.keyboard.type("指挥长指定")
        page.keyboard.press("Enter")
        expect(dialog).to_be_hidden()
        expect(page.locator("#panel .assignments")).to_contain_text("巡逻35012101-1")


def test_reassign_merge_transfer_and_another_caller_from_the_panel(
    live_server: str, page: Page, world: World, runtime: Runtime
) -> None:
    with api_of(live_server, world) as api:
        first = incident(api, 0)
        second = incident(api, 2)
        third = incident(api, 4)
        dispatch(api, first, "35010201-1")
        open_board(page, live_server)
        # 改派: r, the unit to replace preselected, a free unit picked from the search.
        open_panel(page, first)
        page.keyboard.press("r")
        expect(page.locator("#dlg-reassign")).to_be_visible()
        page.fill("#dlg-reassign-q", "35010201-2")
        page.locator("#dlg-reassign button.pick[data-unit='35010201-2']").click()
        expect(page.locator("#dlg-reassign")).to_be_hidden()
        expect(page.locator("#panel .assignments")).to_contain_text("巡逻35010201-2")
        expect(page.locator("#panel .assignments")).to_contain_text("已释放")
        # 追加报警人: a; a caller with nothing of them is no record, said beside the phone.
        page.keyboard.press("a")
        attach = page.locator("#dlg-attach")
        attach.locator("button[type=submit]").click()
        need_caller = "请填写报警人电话、姓名或所述内容（至少一项）。"
        expect(attach.locator(".field-error[data-field='caller_phone']")).to_have_text(need_caller)
        expect(page.locator("#dlg-attach-phone")).to_be_focused()
        # Past the page's own check, the server refuses it (422) and the dialog says the same.
        page.evaluate(
            "document.querySelectorAll('#dlg-attach [data-one-of]')"
            ".forEach((el) => el.removeAttribute('data-one-of'))"
        )
        attach.locator("button[type=submit]").click()
        expect(attach.locator("p.error")).to_have_text(need_caller)
        expect(attach).to_be_visible()
        page.fill("#dlg-attach-phone", "13900139000")
        page.fill("#dlg-attach-note", "邻居也看到了")
        page.locator("#dlg-attach button[type=submit]").click()
        expect(page.locator("#dlg-attach")).to_be_hidden()
        calls = ok(api.get(f"/incidents/{first}/timeline", "dispatcher"))["events"]
        assert "call_attached" in [e["kind"] for e in calls]
        # 并案: m, the other incident picked from those nearby: none is chosen for the
        # dispatcher, so m then Enter asks for a choice and merges nothing.
        open_panel(page, second)
        page.keyboard.press("m")
        dialog = page.locator("#dlg-merge")
        expect(dialog).to_contain_text(third)
        expect(dialog.locator(".warning")).to_contain_text("不能撤回")
        expect(dialog.locator("input[name='into']:checked")).to_have_count(0)
        expect(dialog.locator("input[name='into']").first).to_be_focused()
        page.keyboard.press("Enter")
        expect(dialog.locator(".field-error[data-field='into']")).to_have_text("请选择一项。")
        expect(dialog).to_be_visible()
        assert ok(api.get(f"/incidents/{second}", "dispatcher"))["merged_into"] is None
        dialog.locator(f"input[value='{third}']").check()
        dialog.locator("button[type=submit]").click()
        expect(page.locator(f"tr[data-number='{second}']")).to_have_count(0)
        assert ok(api.get(f"/incidents/{second}", "dispatcher"))["merged_into"] == third
        # 移交: t, to another agency by name; without the name it goes nowhere.
        open_panel(page, third)
        page.keyboard.press("t")
        transfer = page.locator("#dlg-transfer")
        page.select_option("#dlg-transfer-to", "agency")
        transfer.locator("button[type=submit]").click()
        need_agency = "请填写接收单位。"
        expect(transfer.locator(".field-error[data-field='agency']")).to_have_text(need_agency)
        expect(page.locator("#dlg-transfer-agency")).to_be_focused()
        # Past the page's own check, the server refuses it (422) and the dialog says the same.
        page.evaluate("document.getElementById('dlg-transfer-agency').required = false")
        transfer.locator("button[type=submit]").click()
        expect(transfer.locator("p.error")).to_have_text(need_agency)
        assert ok(api.get(f"/incidents/{third}", "dispatcher"))["status"] == "accepted"
        page.fill("#dlg-transfer-agency", "铁路公安")
        page.locator("#dlg-transfer button[type=submit]").click()
        expect(page.locator(f"tr[data-number='{third}']")).to_have_count(0)
        assert ok(api.get(f"/incidents/{third}", "dispatcher"))["transferred_to"] == "agency"


def test_ending_actions_ask_first_and_close_offers_the_callback(
    live_server: str, page: Page, world: World, runtime: Runtime
) -> None:
    with api_of(live_server, world) as api:
        hoax = incident(api, 0)
        number = incident(api, 2)
        dispatch(api, number, "35010201-1")
        officer = "officer-35010201-1"
        for step in ("acknowledge", "depart", "arrive"):
            ok(
                api.post(
                    f"/incidents/{number}/units/35010201-1/{step}", officer, json=step_body(step)
                )
            )
        ok(api.post(f"/incidents/{number}/handle", officer, json={}))
        current = ok(api.get(f"/incidents/{number}", "dispatcher"))
        ok(api.post(f"/incidents/{number}/report", officer, json=report_body(current)))
        ok(api.post(f"/incidents/{number}/units/35010201-1/release", officer))
        open_board(page, live_server)
        # 无效: i opens a dialog; nothing happens until a reason is chosen and confirmed.
        open_panel(page, hoax)
        page.keyboard.press("i")
        dialog = page.locator("#dlg-invalidate")
        dialog.locator("button[type=submit]").click()
        expect(dialog).to_be_visible()  # the reason is required
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        assert ok(api.get(f"/incidents/{hoax}", "dispatcher"))["status"] == "accepted"
        page.keyboard.press("i")
        page.select_option("#dlg-invalidate-reason", "misdial")
        dialog.locator("button[type=submit]").click()
        expect(page.locator(f"tr[data-number='{hoax}']")).to_have_count(0)
        # 结警: x asks for a summary; after it the callback is offered before the archive.
        open_panel(page, number)
        page.keyboard.press("x")
        close = page.locator("#dlg-close")
        close.locator("button[type=submit]").click()
        expect(close).to_be_visible()
        page.fill("#dlg-close-summary", "已处置完毕")
        close.locator("button[type=submit]").click()
        callback = page.locator("#dlg-callback")
        expect(callback).to_be_visible()
        page.select_option("#dlg-callback-satisfaction", "satisfied")
        callback.locator("button[type=submit]").click()
        expect(page.locator("#panel .status")).to_have_text("回访")
        page.keyboard.press("g")
        page.locator("#dlg-archive button[type=submit]").click()
        expect(page.locator("#panel .status")).to_have_text("归档")


def test_an_incident_at_receipt_is_accepted_with_its_category_from_the_keyboard(
    live_server: str, page: Page, world: World
) -> None:
    with api_of(live_server, world) as api:
        # Recorded through the API without 受理 or a category (the desk does both at once).
        number = incident(api, 0, accept=False, category=None)
        open_board(page, live_server)
        open_panel(page, number)
        page.keyboard.press("k")
        dialog = page.locator("#dlg-accept")
        expect(dialog).to_be_visible()
        # No category is chosen for the dispatcher: sent as it is, it is refused on the page.
        page.keyboard.press("Enter")
        expect(dialog).to_be_visible()
        assert ok(api.get(f"/incidents/{number}", "dispatcher"))["status"] == "received"
        page.select_option("#dlg-accept-category", "theft")
        dialog.get_by_role("button", name="受理").click()
        expect(dialog).to_be_hidden()
        expect(page.locator("#panel button[data-key='d']")).to_be_visible()
        incident_now = ok(api.get(f"/incidents/{number}", "dispatcher"))
        assert (incident_now["status"], incident_now["category"]) == ("accepted", "theft")


def test_cancel_has_its_key_and_asks_first(live_server: str, page: Page, world: World) -> None:
    with api_of(live_server, world) as api:
        number = incident(api, 1)
        dispatch(api, number, "35010201-1")
        open_board(page, live_server)
        open_panel(page, number)
        # 撤销 (the caller withdraws): z opens the dialog; Esc leaves the incident as it was.
        page.keyboard.press("z")
        dialog = page.locator("#dlg-cancel")
        expect(dialog).to_be_visible()
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        assert ok(api.get(f"/incidents/{number}", "dispatcher"))["status"] == "dispatched"
        page.keyboard.press("z")
        page.fill("#dlg-cancel-note", "报警人来电称已自行解决")
        dialog.locator("button[type=submit]").click()
        expect(page.locator(f"tr[data-number='{number}']")).to_have_count(0)
        assert ok(api.get(f"/incidents/{number}", "dispatcher"))["status"] == "cancelled"
