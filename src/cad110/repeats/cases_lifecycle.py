"""The repeat case's states and which action each allows: pure, no I/O.

open (在办) ──report──▶ reported (待审批) ──approve──▶ solved (已化解)
   ▲                        │ reject                      │
   └────────────────────────┘◀──── recur / threat ────────┘ (reopened: the matter came back)

A step done, a mediation or a referral, a new tier or owner are entries of an open or
reported case; a new incident linked (recur) or a threat of extreme behaviour brings any case
back to open, voiding a pending closing report.
"""

from __future__ import annotations

from enum import StrEnum

from cad110.errors import InvalidTransition
from cad110.models.repeat_cases import RepeatCaseStatus as CaseStatus

__all__ = ["ALLOWED_FROM", "CaseAction", "CaseStatus", "decide"]


class CaseAction(StrEnum):
    REPORT = "report"  # the owner's closing report (结案报告)
    APPROVE = "approve"  # a leader approves it (审批)
    REJECT = "reject"  # a leader sends it back
    RECUR = "recur"  # a new incident linked (再次报警)
    THREAT = "threat"  # 扬言极端
    STEP = "step"  # the tier's callback or visit done
    JOURNAL = "journal"  # a mediation, a referral or a note
    REGRADE = "regrade"  # a new risk tier
    ASSIGN = "assign"  # a new owner (包案)


O, R, S = CaseStatus.OPEN, CaseStatus.REPORTED, CaseStatus.SOLVED
WORKING = frozenset({O, R})
ALLOWED_FROM: dict[CaseAction, frozenset[CaseStatus]] = {
    CaseAction.REPORT: frozenset({O}),
    CaseAction.APPROVE: frozenset({R}),
    CaseAction.REJECT: frozenset({R}),
    CaseAction.RECUR: frozenset({O, R, S}),
    CaseAction.THREAT: frozenset({O, R, S}),
    CaseAction.STEP: WORKING,
    CaseAction.JOURNAL: WORKING,
    CaseAction.REGRADE: WORKING,
    CaseAction.ASSIGN: WORKING,
}
TO: dict[CaseAction, CaseStatus | None] = {
    CaseAction.REPORT: R,
    CaseAction.APPROVE: S,
    CaseAction.REJECT: O,
    CaseAction.RECUR: O,
    CaseAction.THREAT: O,
}


def decide(status: CaseStatus, action: CaseAction) -> CaseStatus:
    """The status after `action`, or InvalidTransition (409) naming what is allowed."""
    if status not in ALLOWED_FROM[action]:
        allowed = sorted(a.value for a, s in ALLOWED_FROM.items() if status in s)
        raise InvalidTransition(
            f"a {status.value} repeat case cannot be given {action.value}",
            state=status.value,
            allowed=allowed,
        )
    return TO.get(action) or status
