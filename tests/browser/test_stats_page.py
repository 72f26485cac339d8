"""An analyst opens 统计: the cards say what the API computes from seeded incidents, a period
and a group change through the URL, a card charts its figure, a bad filter is refused beside
its field, English is complete, and the page fits 1366×768, a 1920×1080 wall and a phone."""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta
from typing import Any

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from tests.api.fraud_steps import WARNINGS, post, signed_in, warning
from tests.api.helpers import new_incident, ok, report_body, step_body
from tests.browser.steps import login, shot
from tests.conftest import Api

# The test clock starts on 2026-11-23 (centre time); the seeded history moves it a day on.
YESTERDAY = "2026-11-23"
TODAY = "2026-11-24"
UNIT = "35010201-1"


def _seed(api: Api, clock: VirtualClock) -> None:
    """Yesterday one theft; today a theft worked to feedback with a loss partly recovered, a
    fight, and a hoax invalidated."""
    new_incident(api)
    start = clock.now() + timedelta(days=1)
    clock.set(start)
    theft = new_incident(api, accept=True)["number"]
    steps = ((45, "dispatch"), (80, "acknowledge"), (110, "depart"), (420, "arrive"))
    for seconds, step in steps:
        clock.set(start + timedelta(seconds=seconds))
        if step == "dispatch":
            ok(api.post(f"/incidents/{theft}/dispatch", "dispatcher", json={"units": [UNIT]}))
        else:
            ok(
                api.post(
                    f"/incidents/{theft}/units/{UNIT}/{step}", "dispatcher", json=step_body(step)
                )
            )
    # The unit reports back, with the theft's loss and what was recovered of it (处警结果).
    officer = f"officer-{UNIT}"
    ok(api.post(f"/incidents/{theft}/handle", officer, json={"note": "现场处置"}))
    detail = ok(api.get(f"/incidents/{theft}", "dispatcher"))
    ok(api.post(f"/incidents/{theft}/report", officer, json=report_body(detail)))
    for entry in (
        {"kind": "loss", "amount_fen": 320000},
        {"kind": "recovery", "amount_fen": 250050, "at": clock.now().isoformat()},
    ):
        recorded = api.post(f"/incidents/{theft}/outcomes", officer, json=entry)
        assert recorded.status_code == 201, recorded.text
    new_incident(api, narrative="两名男子在路口斗殴", category="affray")
    hoax = new_incident(api, narrative="称有人持刀", caller_phone="13900000009")["number"]
    ok(api.post(f"/incidents/{hoax}/invalidate", "calltaker", json={"reason": "hoax"}))


def _summary(page: Page, base: str, since: str, until: str, **more: str) -> dict[str, Any]:
    query = "&".join(f"{k}={v}" for k, v in {"since": since, "until": until, **more}.items())
    response = page.request.get(f"{base}/api/v1/stats/summary?{query}")
    assert response.ok, response.text()
    return response.json()  # type: ignore[no-any-return]


def _figure(summary: dict[str, Any], key: str) -> dict[str, Any]:
    return next(f for f in summary["figures"] if f["key"] == key)


def _ready(page: Page) -> None:
    expect(page.locator("body[data-stats-ready=true]")).to_have_count(1)


def _points(page: Page, chart: str) -> list[Any]:
    data: list[Any] = page.evaluate(
        "id => echarts.getInstanceByDom(document.getElementById(id)).getOption().series[0].data",
        chart,
    )
    return data


def _no_sideways_scroll(page: Page) -> None:
    """The page does not scroll sideways once its charts have followed their boxes (they do so
    on the next frame); else the elements that stick out are named."""
    with suppress(PlaywrightTimeout):
        page.wait_for_function(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth",
            timeout=3000,
        )
    wide = page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          if (document.documentElement.scrollWidth <= width) return [];
          return [...document.querySelectorAll("body *")]
            .filter((e) => e.getBoundingClientRect().right > width + 1)
            .map((e) => e.tagName + "." + e.className + "#" + e.id).slice(0, 10);
        }"""
    )
    assert wide == []


def test_analyst_reads_charts_and_regroups_the_figures(
    api: Api, clock: VirtualClock, live_server: str, page: Page, backend: str
) -> None:
    _seed(api, clock)
    login(page, live_server, "analyst")
    page.get_by_role("link", name="统计").click()
    expect(page).to_have_url(f"{live_server}/stats")
    _ready(page)

    today = _summary(page, live_server, TODAY, "2026-11-25")
    valid = _figure(today, "valid_incidents")
    assert valid["value"]["count"] == 2
    assert valid["previous"]["count"] == 1
    expect(page.locator("p[data-figure=valid_incidents]")).to_have_text("2起")
    expect(page.locator("p[data-figure=incidents_total]")).to_have_text(
        f"{_figure(today, 'incidents_total')['value']['count']}起"
    )
    rate = _figure(today, "valid_rate")["value"]
    expect(page.locator("p[data-figure=valid_rate]")).to_have_text(f"{rate['percent']:g}%")
    card = page.locator("article[data-key=valid_incidents]")
    expect(card.locator(".change")).to_have_text(valid["change"]["words"])
    expect(card.locator(".change")).to_have_text("增加1起")
    expect(card.locator(".before")).to_have_text("上期：1起")
    # Its formula as a Chinese report states it (统计口径).
    card.locator("details.formula summary").click()
    expect(card.locator("details.formula p").first).to_have_text(
        "本期接报的警情数，减去认定无效的（谎报、误拨、无声、骚扰、重复、其他）和并入其他警情的"
        "（并案警情只计一次）"
    )
    expect(card.locator("details.formula p").nth(1)).to_have_text("环节：接警")
    card.locator("details.formula summary").click()  # closed again
    # Amounts in yuan, not fen; a time's stages and standard interval in Chinese.
    recovered = page.locator("article[data-key=loss_recovery_rate_amount]")
    expect(recovered.locator(".value")).to_have_text("78.14%")
    expect(recovered.locator(".detail")).to_have_text("¥2,500.50 / ¥3,200.00")
    dispatch = page.locator("article[data-key=dispatch_time] details.formula")
    dispatch.locator("summary").click()
    expect(dispatch.locator("p").nth(1)).to_have_text("环节：接警 → 派警")
    expect(dispatch.locator("p").nth(2)).to_have_text("对应国际标准：接警处理（call processing）")
    dispatch.locator("summary").click()
    # Phone calls carry no category: said, not left blank.
    expect(page.locator("p[data-figure=phone_calls]")).not_to_have_text("")

    # The chosen figure's series, its groups and its hourly profile are drawn.
    for chart in ("chart-series", "chart-groups", "chart-hours"):
        expect(page.locator(f"#{chart} canvas")).to_have_count(1)
    calls = _figure(today, "calls_total")["value"]["count"]
    assert calls == 3
    assert sum(v or 0 for v in _points(page, "chart-series")) == calls  # today, by the hour
    assert sum(v or 0 for v in _points(page, "chart-hours")) == calls

    card.click()
    expect(page.locator("#chart-series[data-shows=valid_incidents]")).to_have_count(1)
    expect(page.locator("#series-title")).to_contain_text("有效警情")
    assert "figure=valid_incidents" in page.url
    assert sum(v or 0 for v in _points(page, "chart-series")) == 2
    expect(page.locator("#groups-table th.chosen")).to_have_text("有效警情")
    _no_sideways_scroll(page)
    shot(page, backend, "stats")

    page.get_by_label("分组").select_option("category")
    _ready(page)
    assert "group_by=category" in page.url
    assert "figure=valid_incidents" in page.url
    rows = page.locator("#groups-table tbody tr")
    expect(rows).to_have_count(3)  # the whole period, then each category by its code
    expect(rows.nth(1)).to_contain_text("打架斗殴")
    expect(rows.nth(2)).to_contain_text("盗窃")
    assert sum(v or 0 for v in _points(page, "chart-groups")) == 2

    page.get_by_label("统计期间").select_option("yesterday")
    _ready(page)
    assert "period=yesterday" in page.url
    before = _summary(page, live_server, YESTERDAY, TODAY)
    assert _figure(before, "valid_incidents")["value"]["count"] == 1
    expect(page.locator("p[data-figure=valid_incidents]")).to_have_text("1起")
    expect(page.locator("#stats-period")).to_contain_text(YESTERDAY)


def test_a_refused_filter_is_said_beside_its_field(api: Api, live_server: str, page: Page) -> None:
    login(page, live_server, "leader")
    page.goto(f"{live_server}/stats?period=custom&since=2026-11-20&until=2026-11-01")
    note = page.locator(".field-error[data-field=until]")
    expect(note).to_have_text("结束日期早于开始日期")
    expect(page.locator("#stats-error")).to_have_text("无法统计：截止日期：结束日期早于开始日期")
    expect(page.locator(".figure-card")).to_have_count(0)
    # Nothing was counted: no empty cards or chart boxes under the refusal.
    expect(page.locator("#stats-cards")).to_be_hidden()
    expect(page.locator("#stats-charts")).to_be_hidden()
    # Nor an export of it, which would be refused off the page, in the API's words.
    expect(page.locator("a.export")).to_have_count(3)
    for export in page.locator("a.export").all():
        expect(export).to_be_hidden()
    page.goto(f"{live_server}/stats?category=nosuch")
    expect(page.locator(".field-error[data-field=category]")).to_have_text(
        "没有这个警情类别，请从列表中选择"
    )
    page.goto(f"{live_server}/stats?jurisdiction=999999")
    expect(page.locator(".field-error[data-field=jurisdiction]")).to_have_text(
        "未找到，或不在您的辖区内"
    )


def test_english_on_a_wall_and_a_phone(
    api: Api, clock: VirtualClock, live_server: str, page: Page
) -> None:
    _seed(api, clock)
    login(page, live_server, "dispatcher")
    page.goto(f"{live_server}/stats")
    page.get_by_role("link", name="English").click()
    _ready(page)
    expect(page.locator("h1")).to_contain_text("Statistics")
    card = page.locator("article[data-key=valid_incidents]")
    expect(card.locator("h3")).to_have_text("Valid incidents")
    expect(card.locator(".value")).to_have_text("2")
    expect(card.locator(".change")).to_have_text("up 1")
    expect(card.locator("details.formula p").first).to_contain_text(
        "incidents received in the period, less those invalidated", use_inner_text=False
    )
    expect(page.get_by_role("link", name="Export Excel")).to_be_visible()
    page.set_viewport_size({"width": 1920, "height": 1080})
    _no_sideways_scroll(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function(
        "() => document.querySelector('#chart-series canvas').getBoundingClientRect().width <= 390"
    )
    _no_sideways_scroll(page)
    box = card.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390


def test_repeat_cases_have_their_section_and_group_by_type_in_the_readers_words(
    api: Api, live_server: str, page: Page
) -> None:
    dispute = new_incident(api, category="family_dispute", narrative="夫妻吵架")["number"]
    body = {"incident": dispute, "type": "family", "owner": f"officer-{UNIT}"}
    assert api.post("/repeat-cases", "dispatcher", json=body).status_code == 201
    login(page, live_server, "analyst")
    page.goto(f"{live_server}/stats?group_by=case_type")
    _ready(page)
    section = page.locator("section[data-section=governance]")
    expect(section.locator("h2")).to_have_text("源头治理")
    expect(section.locator("p[data-figure=repeat_cases_opened]")).to_have_text("1件")
    expect(section.locator("p[data-figure=repeat_cases_open]")).to_have_text("1件")
    expect(page.locator("p[data-figure=transfers_in_12345]")).to_have_text("0起")
    # Grouped by a case's type, the chosen figure is a case figure, each type named.
    expect(page.locator("#groups-table th.chosen")).to_have_text("重复警情建档数")
    rows = page.locator("#groups-table tbody tr")
    expect(rows).to_have_count(2)  # the whole period, then the family case
    expect(rows.nth(1).locator("th")).to_have_text("家庭纠纷")
    assert _points(page, "chart-groups") == [1]
    # Under a category, a case figure says why it has no value.
    page.goto(f"{live_server}/stats?category=family_dispute")
    _ready(page)
    expect(page.locator("article[data-key=repeat_cases_opened] .why")).to_have_text(
        "不适用：重复警情档案按类型和风险等级统计，不分警情类别和等级。"
    )


# Categories with long names (grouped by category they come by code, after "no category").
LONG_NAMED = (
    "affray",
    "complaint_police_conduct",
    "drunk_or_mentally_ill_person",
    "medical_violence",
    "property_damage",
    "property_management_dispute",
    "provocation",
    "public_facility_hazard",
    "theft",
    "threat_extreme_behaviour",
    "traffic_accident_injury",
)

WEEKS = 20  # a custom period's weeks, each with a call: grouped by week, labels slant

# Each label the chart draws, where it lies in the chart's box (its canvas is the box's size).
_LABELS = """id => {
  const node = document.getElementById(id);
  const chart = echarts.getInstanceByDom(node);
  const option = chart.getOption();
  const axis = [...option.xAxis, ...option.yAxis].find((a) => a.type === "category");
  const names = new Set(axis.data.map(String));
  const drawn = chart.getZr().storage.getDisplayList().filter((e) => e.type === "tspan");
  const grid = chart.getModel().getComponent("grid").coordinateSystem.getRect();
  return {
    width: node.clientWidth,
    height: node.clientHeight,
    grid: { x: grid.x, y: grid.y, width: grid.width, height: grid.height },
    names: axis.data,
    labels: drawn
      .filter((e) => names.has(e.style.text) || String(e.style.text).endsWith("…"))
      .map((e) => {
        const r = e.getBoundingRect().clone();
        r.applyTransform(e.getComputedTransform());
        return { text: e.style.text, x: r.x, y: r.y, right: r.x + r.width, bottom: r.y + r.height };
      }),
  };
}"""


def _labels_inside(page: Page, chart: str) -> dict[str, Any]:
    """Every label of the chart's category axis lies wholly inside its box; the plot keeps
    most of the box's height (the labels do not take it)."""
    drawn: dict[str, Any] = page.evaluate(_LABELS, chart)
    assert drawn["labels"], drawn
    outside = [
        label
        for label in drawn["labels"]
        if label["x"] < 0
        or label["y"] < 0
        or label["right"] > drawn["width"]
        or label["bottom"] > drawn["height"]
    ]
    assert outside == [], (drawn["width"], drawn["height"], outside)
    assert drawn["grid"]["height"] >= 0.6 * drawn["height"], drawn["grid"]
    return drawn


def test_long_group_names_are_cut_with_an_ellipsis_not_by_the_charts_edge(
    api: Api, clock: VirtualClock, live_server: str, page: Page
) -> None:
    new_incident(api, category=None, narrative="无类别", caller_phone="13900000020")
    for i, code in enumerate(LONG_NAMED):
        new_incident(api, category=code, narrative=f"测试{i}", caller_phone=f"139000001{i:02d}")
    login(page, live_server, "analyst")
    page.goto(f"{live_server}/stats?group_by=category")
    _ready(page)
    drawn = _labels_inside(page, "chart-groups")
    assert drawn["names"][0] == "未分类"
    assert "水、电、气、热等公共设施险情" in drawn["names"]

    page.get_by_role("link", name="English").click()
    _ready(page)
    drawn = _labels_inside(page, "chart-groups")
    assert drawn["names"][0] == "no category"
    shown = [label["text"] for label in drawn["labels"]]
    assert "no category" in shown
    # A name too long for its room is cut with "…"; the axis and the tooltip keep it whole.
    page.set_viewport_size({"width": 1000, "height": 768})
    page.wait_for_function(
        "() => document.querySelector('#chart-groups canvas').getBoundingClientRect().width < 500"
    )
    drawn = _labels_inside(page, "chart-groups")
    name = "Drunk or mentally ill person in public"
    assert name in drawn["names"]
    assert name not in [label["text"] for label in drawn["labels"]]
    cut = [label["text"] for label in drawn["labels"] if label["text"].endswith("…")]
    assert any(text.startswith("Drunk or mentally") for text in cut), cut
    tip = page.evaluate(
        """name => {
          const chart = echarts.getInstanceByDom(document.getElementById("chart-groups"));
          const index = chart.getOption().yAxis[0].data.indexOf(name);
          chart.dispatchAction({ type: "showTip", seriesIndex: 0, dataIndex: index });
          const texts = [];
          chart.getZr().storage.getRoots().forEach(function walk(e) {
            if (e.type === "text" && e.style && e.style.text) texts.push(String(e.style.text));
            if (e.childrenRef) e.childrenRef().forEach(walk);
          });
          return texts.join("\\n");
        }""",
        name,
    )
    assert name in tip
    page.set_viewport_size({"width": 1366, "height": 768})

    # Many weeks slant their labels: the first one is not cut by the left edge either.
    for _ in range(WEEKS - 1):
        clock.advance(timedelta(days=7))
        new_incident(api, caller_phone="13900000030")
    since, until = "2026-11-23", (clock.now() + timedelta(days=1)).date().isoformat()
    login(page, live_server, "analyst")  # the session ended in the months gone by
    page.goto(f"{live_server}/stats?period=custom&since={since}&until={until}&group_by=week")
    _ready(page)
    drawn = _labels_inside(page, "chart-groups")
    assert len(drawn["names"]) == WEEKS
    assert drawn["names"][0] == "week of 11-23"
    assert drawn["names"][0] in [label["text"] for label in drawn["labels"]]


def test_an_amount_moves_as_money_and_a_count_as_a_count(
    api: Api, runtime: Runtime, clock: VirtualClock, live_server: str, page: Page
) -> None:
    signed_in(runtime)
    body = warning("money", amount_at_risk="30000.00")
    number = post(api, clock, WARNINGS, body).json()["warning"]
    dissuaded = {"outcome": "dissuaded"}
    ok(api.post(f"/fraud/warnings/{number}/outcome", "calltaker", json=dissuaded))
    login(page, live_server, "analyst")
    page.goto(f"{live_server}/stats")
    _ready(page)
    protected = page.locator("article[data-key=fraud_amount_protected]")
    expect(protected.locator(".value")).to_have_text("¥30,000.00")
    expect(protected.locator(".change")).to_have_text("增加¥30,000.00")
    # A count still moves as the API says it (增加1…).
    counted = _figure(_summary(page, live_server, "2026-11-23", TODAY), "fraud_dissuaded")
    dissuaded_change = page.locator("article[data-key=fraud_dissuaded] .change")
    expect(dissuaded_change).to_have_text(counted["change"]["words"])

    page.get_by_role("link", name="English").click()
    _ready(page)
    expect(protected.locator(".value")).to_have_text("¥30,000.00")
    expect(protected.locator(".change")).to_have_text("up ¥30,000.00")
    expect(dissuaded_change).to_have_text("up 1")
    # Charted, an amount is in yuan, not in the fen it is counted in.
    protected.locator("button.figure-name").click()
    expect(page.locator("#chart-series[data-shows=fraud_amount_protected]")).to_have_count(1)
    assert sum(v or 0 for v in _points(page, "chart-hours")) == 30000


def test_a_figure_the_grouping_does_not_count_is_said_not_drawn_empty(
    api: Api, runtime: Runtime, clock: VirtualClock, live_server: str, page: Page
) -> None:
    _seed(api, clock)
    signed_in(runtime)
    post(api, clock, WARNINGS, warning("grouped"))
    login(page, live_server, "analyst")
    page.goto(f"{live_server}/stats?group_by=category")
    _ready(page)
    expect(page.locator("#chart-groups")).to_be_visible()
    expect(page.locator("#groups-note")).to_be_hidden()
    # A fraud warning has no incident category: its figure is in no group of this grouping.
    page.locator("article[data-key=fraud_warnings] button.figure-name").click()
    expect(page.locator("#groups-note")).to_have_text("接收反诈预警数不按类别统计。")
    expect(page.locator("#chart-groups")).to_be_hidden()
    # Back on an incident figure, the chart is drawn again.
    page.locator("article[data-key=calls_total] button.figure-name").click()
    expect(page.locator("#chart-groups")).to_be_visible()
    expect(page.locator("#groups-note")).to_be_hidden()
