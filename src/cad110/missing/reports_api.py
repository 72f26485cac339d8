"""JSON routes of the missing-person reports: the daily section and recovery statistics.

Readable by every role; a jurisdiction outside the caller's subtree does not exist (404).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from cad110.api.deps import Context, JurisdictionCode
from cad110.api.routing import Router
from cad110.kernel.inputs import Day
from cad110.missing import reports
from cad110.missing.reports import DailyReport, GroupBy, RecoveryReport

router = Router(prefix="/reports/missing", tags=["missing persons", "reports"])


@router.get("/daily", response_model=DailyReport)
def daily(
    ctx: Context,
    day: Annotated[
        Day | None, Query(alias="date", description="Local date, YYYY-MM-DD (default: today)")
    ] = None,
    jurisdiction: JurisdictionCode = None,
) -> DailyReport:
    """每日治安情况汇报 (寻人部分): a day's cases per station, district and in all, with the text."""
    return reports.daily_report(ctx, day, jurisdiction)


@router.get("/recovery", response_model=RecoveryReport)
def recovery(
    ctx: Context,
    since: Annotated[Day, Query(description="First local day of the period")],
    until: Annotated[Day, Query(description="Day after the period (exclusive)")],
    jurisdiction: JurisdictionCode = None,
    group_by: GroupBy = "district",
) -> RecoveryReport:
    """找回率: recovery of the cases opened in [since, until), per district or station."""
    return reports.recovery_stats(ctx, since, until, jurisdiction, group_by)
