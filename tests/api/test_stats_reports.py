"""The 通报 of a known day (tests/api/stats_history.py): `cad110 report daily` writes the
text, the workbook and the PDF with the right numbers, and `GET /stats/export` gives the same
report in each format, refusing bad fields and places outside the caller's subtree."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from cad110.cli import app as cli
from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from tests.api.stats_history import DAY, PERIOD, build_history
from tests.conftest import Api

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(book: Any, sheet: str) -> dict[Any, list[Any]]:
    """A sheet's rows by their first cell (the header row included)."""
    return {row[0]: list(row) for row in book[sheet].iter_rows(values_only=True)}


def test_the_daily_report_is_written_as_text_workbook_and_pdf(
    api: Api, runtime: Runtime, clock: VirtualClock, command_line: CliRunner, tmp_path: Path
) -> None:
    build_history(api, runtime, clock)
    out = tmp_path / "reports"
    result = command_line.invoke(
        cli, ["report", "daily", "--day", DAY, "--out", str(out)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    text = (out / f"daily-{DAY}.txt").read_text("utf-8")
    assert text in result.stdout  # printed as written
    assert text.startswith("测试市公安局110指挥中心 2026年11月24日 警情通报\n")
    # 一、总体情况: against 2026-11-23, when B1 was the one call and valid incident.
    assert "共接报警情9起（环比上升800.00%）" in text
    assert "其中有效警情4起（环比上升300.00%）" in text
    assert "有效警情率44.44%（环比下降55.56个百分点）" in text
    assert "非警务警情占22.22%" in text
    assert "移交12345平台2起、1191起" not in text  # each transfer is its own phrase
    assert "移交12345平台2起、119消防0起、120急救1起、其他部门0起" in text
    assert "来电2个（上期为0），未接通1个，呼损率50.00%。" in text
    # 二、警情分类: theft (I1, I2) against B1, then the rest by code.
    assert (
        "排名前3位的是盗窃2起（环比上升100.00%）、人员失踪1起（上期为0）、挪车1起（上期为0）"
        in text
    )
    # 三、处警效率: sign-for p50 30 s against B1's 90 s.
    assert "签收用时中位数30秒（环比缩短1分钟），90%在25分10秒以内" in text
    assert "签收及时率50.00%（环比上升50个百分点）" in text
    assert "派警用时中位数20秒" in text
    # 四、督办情况: I2's two 督办, both escalated.
    assert "因超时督办2次（上期为0），其中升级督办2次，超时警情率50.00%" in text
    # 五、处警成效: nobody caught; the missing person found.
    assert "抓获0人（环比持平）" in text
    assert "失踪人员找回率100.00%（1/1人）" in text
    assert "现行抓获率" not in text  # nothing to divide by: left out, never 0%
    # 六、分地区: one level down, and the centre's own calls (本级).
    assert "闽侯县公安局：接报1起，有效警情1起" in text
    assert "测试市公安局（本级）：接报3起，有效警情0起。" in text
    # No callback reached in the period: no satisfaction rate, rather than 0%.
    assert "满意" not in text

    book = load_workbook(out / f"daily-{DAY}.xlsx")
    assert book.sheetnames == ["概况", "分时", "分类别", "分地区"]
    overview = {row[1]: row for row in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert overview["calls_total"][:7] == ("接警总量", "calls_total", "起", 9, 1, 8, "增加8起")
    assert overview["valid_rate"][3:9] == (44.44, 100, -55.56, "下降55.56个百分点", 4, 9)
    assert overview["sign_for_time"][3] == 30
    assert overview["sign_for_time"][10] == 1510
    assert overview["satisfaction_rate"][3] is None  # nothing to divide by
    # The formula as a Chinese report states it (统计口径), never the English one.
    assert overview["valid_rate"][11] == "有效警情数 ÷ 接警记录数"
    assert book["概况"].freeze_panes == "A2"
    assert book["概况"]["D2"].data_type == "n"  # numbers as numbers
    hours = _rows(book, "分时")
    assert len(hours) == 25  # the header and every hour, the empty ones too
    header = hours["时段"]
    assert hours["09时"][header.index("有效警情")] == 2
    assert hours["10时"][header.index("警情总量")] == 4
    assert hours["03时"][header.index("警情总量")] == 0
    categories = _rows(book, "分类别")
    theft = categories["盗窃"]
    assert theft[categories["类别"].index("有效警情")] == 2
    assert theft[-1] == 1  # B1, the day before
    districts = _rows(book, "分地区")
    assert districts["闽侯县公安局"][districts["地区"].index("有效警情")] == 1

    pdf = PdfReader(out / f"daily-{DAY}.pdf")
    words = "".join(page.extract_text() for page in pdf.pages)
    assert "44.44%" in words
    assert pdf.metadata is not None
    assert pdf.metadata.title == text.splitlines()[0]


def test_the_export_gives_the_report_in_each_format(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    build_history(api, runtime, clock)
    text = api.get("/stats/export", "analyst", params={**PERIOD, "format": "txt"})
    assert text.status_code == 200, text.text
    assert text.headers["content-type"] == "text/plain; charset=utf-8"
    assert text.headers["content-disposition"] == (f'attachment; filename="stats-{DAY}-{DAY}.txt"')
    assert "有效警情率44.44%" in text.text
    # The daily shortcut is the same report under the report's own name.
    daily = api.get(
        "/stats/export", "analyst", params={"kind": "daily", "day": DAY, "format": "txt"}
    )
    assert daily.text == text.text
    assert daily.headers["content-disposition"] == f'attachment; filename="daily-{DAY}.txt"'

    # A month against the month before (October, 31 days): B1 and the four of the 24th.
    month = api.get(
        "/stats/export", "leader", params={"kind": "monthly", "day": DAY, "format": "txt"}
    )
    assert month.text.startswith(
        "测试市公安局110指挥中心 2026年11月 警情通报（截至11月24日10:00）\n"
    )
    assert "2026年11月，测试市公安局共接报警情10起（上期为0）" in month.text
    assert "日均有效警情0.17起（环比增加0.17起）" in month.text
    month_sheet = api.get(
        "/stats/export", "leader", params={"kind": "monthly", "day": DAY, "format": "xlsx"}
    )
    assert month_sheet.headers["content-disposition"] == (
        'attachment; filename="monthly-2026-11-01.xlsx"'
    )
    days = load_workbook(io.BytesIO(month_sheet.content))["分日"]
    assert days.max_row == 31  # the header and every day of November

    sheet = api.get("/stats/export", "leader", params={**PERIOD, "format": "xlsx"})
    assert sheet.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(sheet.content))
    assert book.sheetnames[0] == "概况"
    english = api.client.get(
        "/api/v1/stats/export",
        params={**PERIOD, "format": "xlsx"},
        headers={**api.as_("leader"), "Accept-Language": "en-GB,en;q=0.9"},
    )
    book = load_workbook(io.BytesIO(english.content))
    assert book.sheetnames == ["Overview", "By hour", "By category", "By district"]
    assert book["Overview"]["A2"].value == "Calls"
    assert book["Overview"]["L2"].value.startswith("call records answered in the period")
    # English throughout: no Chinese counter as a unit, categories, places and hours by their
    # English names.
    units = {row[2] for row in book["Overview"].iter_rows(min_row=2, values_only=True)}
    assert not [u for u in units if u and any("\u4e00" <= ch <= "\u9fff" for ch in u)], units
    assert book["By hour"]["A2"].value == "00:00"
    moved = {row[6] for row in book["Overview"].iter_rows(min_row=2, values_only=True)}
    assert "no change" in moved or any(str(m).startswith(("up ", "down ")) for m in moved)
    assert not [m for m in moved if m and any("\u4e00" <= ch <= "\u9fff" for ch in m)], moved
    names = {row[0] for row in book["By category"].iter_rows(min_row=2, values_only=True)}
    assert "Theft" in names, names
    places = [row[0] for row in book["By district"].iter_rows(min_row=2, values_only=True)]
    assert places
    assert not [p for p in places if any("\u4e00" <= ch <= "\u9fff" for ch in p)]

    pdf = api.get("/stats/export", "leader", params={**PERIOD, "format": "pdf"})
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # A category filter: theft alone (phone calls have no category and are left out).
    theft = api.get(
        "/stats/export", "analyst", params={**PERIOD, "category": "theft", "format": "txt"}
    )
    assert "（统计范围：类别：盗窃）" in theft.text
    assert "来电" not in theft.text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"format": "docx"}, "format"),
        ({}, "format"),
        ({"format": "txt", "kind": "yearly"}, "kind"),
        ({"format": "txt", "kind": "daily", "since": DAY}, "kind"),
        ({"format": "txt", "day": DAY}, "day"),
        ({"format": "txt", "kind": "daily", "day": "1950-01-01"}, "day"),
        ({"format": "txt", "since": "2025-01-01", "until": "2026-01-03"}, "until"),
        ({"format": "pdf", "category": "no_such_thing"}, "category"),
        ({"format": "txt", "lang": "fr"}, "lang"),
    ],
)
def test_a_bad_export_query_is_422_naming_the_field(
    api: Api, params: dict[str, Any], field: str
) -> None:
    response = api.get("/stats/export", "analyst", params=params)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["query", field]


def test_an_export_is_scoped_and_needs_the_stats_permission(api: Api) -> None:
    outside = api.get(
        "/stats/export", "gulou_leader", params={"format": "txt", "jurisdiction": "350121"}
    )
    assert outside.status_code == 404
    own = api.get("/stats/export", "gulou_leader", params={"format": "txt", "kind": "weekly"})
    assert own.status_code == 200
    assert own.text.startswith("鼓楼分局110指挥中心 ")
    assert api.get("/stats/export", "calltaker", params={"format": "txt"}).status_code == 403
