"""三方通话: the victim, 110 and the anti-fraud centre (反诈中心) on one line, the centre's
specialist talking the person out of paying while the seat stays on. Recorded on the warning
as an event of its chain, by whom and with whom, so the history says the centre was brought in.
"""

from __future__ import annotations

from cad110.auth.permissions import Permission
from cad110.errors import Conflict
from cad110.fraud import ladder
from cad110.fraud.schemas import ThreeWayCallIn
from cad110.kernel.context import Ctx
from cad110.models.fraud import FraudWarning, WarningStatus


def record_three_way_call(ctx: Ctx, w: FraudWarning, body: ThreeWayCallIn) -> FraudWarning:
    """The three-way call on an open warning (409 once closed: the outcome is the last word)."""
    ctx.by.require(Permission.FRAUD)
    if w.status is not WarningStatus.OPEN:
        raise Conflict(f"{ladder.warning_ref(w.id)} is closed already ({w.outcome})")
    w.updated_at = ctx.at
    ctx.session.flush()
    ladder.record(
        ctx,
        w,
        "three_way_call",
        {"at": ctx.at.isoformat(), "centre": body.centre, "note": body.note},
    )
    return w
