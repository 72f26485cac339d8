"""Steps shared by the rollups' tests: the city's analyst, a summary read both raw and rolled,
and the incidents it counts."""

from __future__ import annotations

from cad110.auth.principal import Principal
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.models.user import Role
from cad110.stats import service
from cad110.stats.periods import GroupBy
from cad110.stats.schemas import Group, Summary

CITY = Principal.acting_for("350100/", username="analyst", role=Role.ANALYST)


def both(
    runtime: Runtime, f: service.Filters, group_by: GroupBy | None = None
) -> tuple[Summary, Summary]:
    with transaction(runtime.sessions) as session:
        ctx = runtime.ctx(session, CITY)
        return (
            service.summary(ctx, f, group_by, rolled=False),
            service.summary(ctx, f, group_by),
        )


def incidents(summary: Summary | Group) -> int:
    found = next(f for f in summary.figures if f.key == "incidents_total")
    assert found.value is not None
    assert found.value.count is not None
    return found.value.count
