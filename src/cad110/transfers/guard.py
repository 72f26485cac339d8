"""移交12345 only when it is plainly the hotline's (国办发〔2022〕12号: transfer what is clearly the
other line's). A call-taker or dispatcher handing 12345 an incident whose category is a police
matter, or one that belongs to a repeat case still being worked (a dispute the station is
following until it is settled), is warned and has to confirm: the transfer is refused (409
`transfer_needs_confirm`, with the warnings) until it is sent again with `confirm`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.catalog.loader import Catalog, CategoryClass, TransferTarget
from cad110.errors import Conflict
from cad110.incidents.facts import ActionDecided
from cad110.kernel.context import Ctx
from cad110.lifecycles.incident import Action
from cad110.models.incident import Incident
from cad110.models.repeat_cases import RepeatCase, RepeatCaseIncident, RepeatCaseStatus

# Categories whose refusal to 12345 would be silly to warn about: a call with no matter at all.
_NO_MATTER = frozenset({CategoryClass.INVALID})


@dataclass(frozen=True)
class Warning:
    """Why a transfer to 12345 needs a second look: `police_category` (the incident's category
    is not one the hotline takes) or `open_repeat_case` (the incident is in a case still being
    worked); with the category or case it is about."""

    code: str
    category: str | None = None
    case: str | None = None


class TransferNeedsConfirm(Conflict):
    code = "transfer_needs_confirm"

    def __init__(self, number: str, warnings: list[Warning]) -> None:
        said = ", ".join(w.code for w in warnings)
        super().__init__(f"incident {number} is not plainly 12345's ({said}); send confirm")
        self.warnings = warnings

    def body(self) -> dict[str, Any]:
        return {**super().body(), "warnings": [asdict(w) for w in self.warnings]}


def warnings_of(session: Session, catalog: Catalog, incident: Incident) -> list[Warning]:
    """What a transfer of `incident` to 12345 should be warned about (none: plainly 12345's)."""
    found: list[Warning] = []
    category = catalog.get(incident.category_code) if incident.category_code else None
    if (
        category is not None
        and category.transfer_to is not TransferTarget.HOTLINE_12345
        and category.cls not in _NO_MATTER
    ):
        found.append(Warning("police_category", category=category.code))
    case = session.scalar(
        select(RepeatCase.number)
        .join(RepeatCaseIncident, RepeatCaseIncident.case_id == RepeatCase.id)
        .where(
            RepeatCaseIncident.incident_id == incident.id,
            RepeatCase.status != RepeatCaseStatus.SOLVED,
        )
    )
    if case is not None:
        found.append(Warning("open_repeat_case", case=case))
    return found


def confirm_before_12345(ctx: Ctx, fact: ActionDecided) -> None:
    """移交12345 of an incident that is not plainly the hotline's waits for `confirm`; first
    of the subscribers, so a refused transfer moves nothing."""
    if fact.action is not Action.TRANSFER:
        return
    if fact.incident.transferred_to != TransferTarget.HOTLINE_12345.value:
        return
    if fact.payload.get("confirm"):
        return
    warnings = warnings_of(ctx.session, ctx.catalog, fact.incident)
    if warnings:
        raise TransferNeedsConfirm(fact.incident.number, warnings)
