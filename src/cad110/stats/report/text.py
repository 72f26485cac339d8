"""The 通报 text: a title, six numbered paragraphs and a closing line, in Chinese as command
centres write their daily, weekly and monthly reports. Written from a ReportContent only;
figures that do not apply (phone calls under a category filter) or have nothing to measure are
left out rather than printed as zero.
"""

from __future__ import annotations

from collections.abc import Mapping

from cad110.kernel.numbers import percent
from cad110.stats.fraud_notice import fraud_sentence
from cad110.stats.measure import Value
from cad110.stats.report.content import Line, ReportContent, Slice
from cad110.stats.report.phrases import (
    bracketed,
    change_text,
    day_text,
    hours_text,
    listed,
    percent_text,
    period_text,
    plain,
    relative_change,
    seconds_text,
)

TOP_CATEGORIES = 5
_NUMBERS_ZH = "一二三四五六七八九十"
# The steps the 处警效率 paragraph reports: (figure key stem, the step's word).
_STEPS = (("dispatch", "派警"), ("sign_for", "签收"), ("arrival", "到场"), ("feedback", "反馈"))
_TRANSFERS = (
    ("12345", "12345平台"),
    ("119", "119消防"),
    ("120", "120急救"),
    ("agency", "其他部门"),
)


def _count(line: Line) -> int:
    return (line.value.count or 0) if line.value is not None else 0


def _counted(line: Line, unit: str) -> str:
    """ "1,234起（环比上升5.00%）"."""
    assert line.value is not None
    before = line.previous.count if line.previous is not None else None
    return f"{_count(line)}{unit}" + bracketed(relative_change(_count(line), before))


def _rated(line: Line) -> str:
    """ "44.44%（环比下降1.2个百分点）"."""
    assert line.value is not None
    return percent_text(line.value.percent) + bracketed(change_text(line.change))


def _has_rate(line: Line) -> bool:
    return line.value is not None and line.value.percent is not None


def title(c: ReportContent) -> str:
    """ "福州市公安局110指挥中心 2026年11月24日 警情通报"."""
    when = period_text(c.period, monthly=c.kind == "monthly")
    # A period not over yet is reported as far as it has come: "（截至14:05）".
    at = c.made_at
    moment = f"{at:%H:%M}" if c.period.days == 1 else f"{at.month}月{at.day}日{at:%H:%M}"
    so_far = f"（截至{moment}）" if at.date() < c.period.until else ""
    return f"{c.name}110指挥中心 {when} 警情通报{so_far}"


def scope_note(c: ReportContent) -> str:
    """The filters a report was asked with, or ""."""
    parts = []
    if c.category is not None:
        parts.append(f"类别：{c.category_name or c.category}")
    if c.grade is not None:
        parts.append(f"等级：{c.grade}级警情")
    return f"（统计范围：{'，'.join(parts)}）" if parts else ""


def overall(c: ReportContent) -> str:
    """一、总体情况: calls, valid incidents, valid rate, daily average, non-police and
    transfers, 12345 tickets out and emergencies in, phone calls and the abandoned rate, repeat
    callers."""
    lines = c.lines
    when = period_text(c.period, monthly=c.kind == "monthly")
    text = f"{when}，{c.name}共接报警情{_counted(lines['calls_total'], '起')}"
    text += f"，其中有效警情{_counted(lines['valid_incidents'], '起')}"
    if _has_rate(lines["valid_rate"]):
        text += f"，有效警情率{_rated(lines['valid_rate'])}"
    average = lines["daily_average"]
    if c.period.days > 1 and average.value is not None and average.value.average is not None:
        text += f"，日均有效警情{plain(average.value.average)}起" + bracketed(
            change_text(average.change)
        )
    text += "。"
    if _has_rate(lines["non_police_share"]):
        text += f"非警务警情占{_rated(lines['non_police_share'])}"
        moved = [f"{word}{_count(lines[f'transfers_{k}'])}起" for k, word in _TRANSFERS]
        text += f"，移交{listed(moved)}。"
    tickets, pushed = _count(lines["tickets_12345"]), _count(lines["transfers_in_12345"])
    if tickets or pushed:  # 工单警单双向流转: out to 12345 and in from it, side by side
        text += f"向12345平台推送工单{tickets}件，12345平台推送警情{pushed}起。"
    phone = lines["phone_calls"]
    if phone.value is not None and _count(phone) > 0:
        text += f"来电{_counted(phone, '个')}，未接通{_count(lines['abandoned_calls'])}个"
        text += f"，呼损率{_rated(lines['abandoned_rate'])}。"
    if _has_rate(lines["repeat_caller_share"]):
        text += f"重复报警占{_rated(lines['repeat_caller_share'])}。"
    return "一、总体情况\n" + text


def top_categories(c: ReportContent) -> list[Slice]:
    """The categories with the most valid incidents (none without)."""
    return [s for s in c.categories if _valid(s.values) > 0][:TOP_CATEGORIES]


def categories(c: ReportContent) -> str:
    """二、警情分类: the categories with the most valid incidents, and how each moved."""
    rows = top_categories(c)
    if not rows:
        return "二、警情分类\n本期无有效警情。"
    items = []
    for s in rows:
        before = _valid(s.previous)
        items.append(
            f"{s.label}{_valid(s.values)}起" + bracketed(relative_change(_valid(s.values), before))
        )
    lead = "有效警情中，" + (f"排名前{len(rows)}位的是" if len(rows) > 1 else "")
    return "二、警情分类\n" + lead + listed(items) + "。"


def _valid(values: Mapping[str, Value | None]) -> int:
    value = values.get("valid_incidents")
    return (value.count or 0) if value is not None else 0


def efficiency(c: ReportContent) -> str:
    """三、处警效率: each step's p50 and p90 and its share within the time limit."""
    parts = []
    for stem, word in _STEPS:
        took, within = c.lines[f"{stem}_time"], c.lines[f"{stem}_within_limit"]
        if took.value is None or not took.value.measured:
            continue
        part = f"{word}用时中位数{seconds_text(took.value.p50_s)}"
        part += bracketed(change_text(took.change))
        part += f"，90%在{seconds_text(took.value.p90_s)}以内"
        if _has_rate(within):
            part += f"，{within.figure.zh}{_rated(within)}"
        parts.append(part)
    body = "；".join(parts) + "。" if parts else "本期无可统计的处警用时。"
    return "三、处警效率\n" + body


def supervision(c: ReportContent) -> str:
    """四、督办情况: 督办 opened and escalated, and the overdue rate."""
    opened, escalated = c.lines["supervisions_opened"], c.lines["supervisions_escalated"]
    text = f"因超时督办{_counted(opened, '次')}，其中升级督办{_count(escalated)}次"
    if _has_rate(c.lines["overdue_rate"]):
        text += f"，超时警情率{_rated(c.lines['overdue_rate'])}"
    return "四、督办情况\n" + text + "。"


def _yuan(fen: int | None) -> str:
    return f"{(fen or 0) / 100:.2f}元"


def results(c: ReportContent) -> str:
    """五、处警成效: arrests, caught in the act, dispatch to arrest, cases opened, losses
    recovered, missing people found, callbacks and satisfaction (回访)."""
    lines = c.lines
    parts = [f"抓获{_counted(lines['arrests'], '人')}"]
    in_act = lines["in_the_act_arrest_rate"]
    if _has_rate(in_act):
        assert in_act.value is not None
        share = f"（{in_act.value.numerator}/{in_act.value.denominator}起）"
        parts.append(f"现行抓获率{percent_text(in_act.value.percent)}{share}")
    hours = lines["dispatch_to_arrest"].value
    if hours is not None and hours.measured:
        mean, median = hours_text(hours.mean_hours), hours_text(hours.median_hours)
        parts.append(f"派警至抓获平均用时{mean}，中位{median}")
    parts.append(f"立案{_counted(lines['cases_opened'], '起')}")
    amount, cases = lines["loss_recovery_rate_amount"], lines["loss_recovery_rate_cases"]
    if _has_rate(amount) and amount.value is not None and cases.value is not None:
        parts.append(
            f"涉案损失{_yuan(amount.value.denominator)}，挽回{_yuan(amount.value.numerator)}，"
            f"按金额追赃挽损率{percent_text(amount.value.percent)}，按案件"
            f"{percent_text(cases.value.percent)}"
            f"（{cases.value.numerator}/{cases.value.denominator}起）"
        )
    found = lines["missing_found_rate"]
    if _has_rate(found) and found.value is not None:
        parts.append(
            f"失踪人员找回率{percent_text(found.value.percent)}"
            f"（{found.value.numerator}/{found.value.denominator}人）"
        )
    coverage, satisfied = lines["callback_coverage"], lines["satisfaction_rate"]
    if _has_rate(coverage):
        parts.append(f"回访率{_rated(coverage)}")
    if _has_rate(satisfied) and satisfied.value is not None:
        parts.append(
            f"群众满意率{_rated(satisfied)}"
            f"（{satisfied.value.numerator}/{satisfied.value.denominator}人）"
        )
    return "五、处警成效\n" + "；".join(parts) + "。"


def districts(c: ReportContent) -> str:
    """六、分地区: each jurisdiction one level down."""
    rows = []
    for s in c.districts:
        calls, valid = s.values.get("calls_total"), s.values.get("valid_incidents")
        row = f"{s.label}：接报{calls.count if calls else 0}起"
        row += f"，有效警情{valid.count if valid else 0}起"
        sign_for = s.values.get("sign_for_time")
        if sign_for is not None and sign_for.measured:
            row += f"，签收用时中位数{seconds_text(sign_for.p50_s)}"
        arrival = s.values.get("arrival_within_limit")
        if arrival is not None and arrival.percent is not None:
            row += f"，到场及时率{percent_text(arrival.percent)}"
        rows.append(row + "。")
    return "六、分地区\n" + ("\n".join(rows) if rows else "本期各地区无警情。")


def source_governance(c: ReportContent) -> str:
    """七、源头治理 (repeat cases) as a centre reports it: cases opened and still worked, solved
    and come back, and for the solves whose days after have passed, the matter's calls before
    and after; "" where the period holds none of it (a category's report: a case has none)."""
    lines = c.lines
    opened, still = _count(lines["repeat_cases_opened"]), _count(lines["repeat_cases_open"])
    solved, back = _count(lines["repeat_cases_solved"]), _count(lines["repeat_cases_reopened"])
    observed = _count(lines["repeat_solves_observed"])
    if not (opened or solved or back):
        return ""
    text = f"本期新建重复警情档案{opened}件，目前仍在办{still}件；"
    text += f"经审批化解{solved}件次，化解后反弹{back}次。"
    if observed:
        n = c.solved_window_days
        before = _count(lines["repeat_calls_before_solved"])
        after = _count(lines["repeat_calls_after_solved"])
        text += (
            f"化解满{n}日的{observed}件次，化解前{n}日内报警{before}起，化解后{n}日内报警{after}起"
        )
        text += f"，{fell(before, after)}。" if before else "。"
    return text


def fell(before: int, after: int) -> str:
    """How the calls after a solve compare with those before: "下降50.00%", "上升…", "持平"."""
    if after == before:
        return "持平"
    verb = "下降" if after < before else "上升"
    return f"{verb}{percent_text(percent(abs(before - after), before))}"


def closing(c: ReportContent) -> str:
    return "请各单位对照本通报，压实接处警责任，提升处警效率。\n特此通报。"


def signature(c: ReportContent) -> str:
    """Who reports, and the day the report was made."""
    return f"{c.name}110指挥中心\n{day_text(c.made_at.date())}"


def anti_fraud(c: ReportContent) -> str:
    """反诈预警 in one sentence (stats/fraud_notice.py); "" where no warning came."""
    return fraud_sentence({key: line.value for key, line in c.lines.items()})


def sections(c: ReportContent) -> list[str]:
    """The six numbered paragraphs, each its heading, a line break and its text; then one on
    source governance (源头治理) where the period has repeat cases to report, and one on the
    anti-fraud warnings (反诈预警) where any came, numbered on."""
    found = [overall(c), categories(c), efficiency(c), supervision(c), results(c), districts(c)]
    extra = [("源头治理", source_governance(c)), ("反诈预警", anti_fraud(c))]
    for heading, text in extra:
        if text:
            found.append(f"{_NUMBERS_ZH[len(found)]}、{heading}\n{text}")
    return found


def paragraphs(c: ReportContent) -> list[str]:
    """The title, the scope note (if any), the six paragraphs, the closing and signature."""
    note = scope_note(c)
    return [title(c), *([note] if note else []), *sections(c), closing(c), signature(c)]


def report_text(c: ReportContent) -> str:
    """The whole 通报 as plain text, paragraphs apart."""
    return "\n\n".join(paragraphs(c)) + "\n"
