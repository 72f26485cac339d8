"""Who may do what: one table, read by every endpoint."""

from __future__ import annotations

from enum import StrEnum

from cad110.models.user import Role

C, D, O, L, A, M, U = (
    Role.CALLTAKER,
    Role.DISPATCHER,
    Role.OFFICER,
    Role.LEADER,
    Role.ANALYST,
    Role.ADMIN,
    Role.AUDITOR,
)


class Permission(StrEnum):
    READ = "read"
    RECEIVE = "receive"  # record calls, create incidents (接警)
    ACCEPT = "accept"
    ASSESS = "assess"
    DISPATCH = "dispatch"
    UNIT_STEP = "unit_step"  # acknowledge, depart, arrive (an officer for their own unit)
    RELEASE = "release"
    HANDLE = "handle"
    REPORT = "report"
    CLOSE = "close"
    CALLBACK = "callback"
    ARCHIVE = "archive"
    MERGE = "merge"
    TRANSFER = "transfer"
    INVALIDATE = "invalidate"
    CANCEL = "cancel"
    SUPERVISE = "supervise"  # acknowledge a 督办
    UNIT_STATUS = "unit_status"  # shift start/end, pause, resume, back at base
    POSITIONS = "positions"  # AVL fixes
    MANAGE = "manage"  # users, units, jurisdictions
    MISSING = "missing"  # open and work a missing-person case (寻人)
    APPEAL = "appeal"  # publish or withdraw a public appeal (寻人启事)
    APPROVE = "approve"  # approve a case grade change or a transfer to 刑侦
    # Show personal data that the caller's duty does not cover, giving a reason (recorded).
    REVEAL = "reveal"
    # Read and export the personal-data access log and the audit of the record (督察).
    AUDIT = "audit"
    # Take a list of incidents out of the system as a spreadsheet (recorded in the access log).
    EXPORT = "export"
    # Write and read the shift handover notes (交接班) of one's position.
    HANDOVER = "handover"
    # Set, revoke and read hazard flags (警示标记) on places and persons: the desk, the
    # dispatcher, the officer who finds the danger, the duty leader.
    FLAGS = "flags"
    # Read the centre's statistics (统计): volumes, response times, rates.
    STATS = "stats"
    # Record and strike what an incident led to (处警结果: arrests, 立案, losses, recoveries):
    # the officer of a unit sent to it, the dispatcher on a unit's word by radio, the leader
    # for the station's later arrests and recoveries.
    OUTCOMES = "outcomes"
    # Open and work a repeat case file (重复警情档案): steps, mediations, referrals, a new
    # tier or owner, the closing report. A leader approves it solved (APPROVE).
    REPEAT_CASE = "repeat_case"
    # Work the anti-fraud warnings (反诈预警): the warning desk reads the queue, calls the
    # person and records the outcome; the leader oversees; the visiting officer reads them.
    FRAUD = "fraud"


ROLES: dict[Permission, frozenset[Role]] = {
    Permission.READ: frozenset({C, D, O, L, A, M, U}),
    Permission.RECEIVE: frozenset({C, D}),
    Permission.ACCEPT: frozenset({C, D}),
    # The analyst reads and reports; grading an incident is the desk's and dispatcher's call.
    Permission.ASSESS: frozenset({C, D}),
    Permission.DISPATCH: frozenset({D}),
    # A dispatcher records these on a unit's behalf when it reports by radio.
    Permission.UNIT_STEP: frozenset({D, O}),
    Permission.RELEASE: frozenset({D, O}),
    Permission.HANDLE: frozenset({D, O}),
    Permission.REPORT: frozenset({D, O}),
    Permission.CLOSE: frozenset({D, L}),
    Permission.CALLBACK: frozenset({C, D}),
    Permission.ARCHIVE: frozenset({D, L}),
    Permission.MERGE: frozenset({C, D}),
    Permission.TRANSFER: frozenset({C, D}),
    Permission.INVALIDATE: frozenset({C, D}),
    Permission.CANCEL: frozenset({D, L}),
    Permission.SUPERVISE: frozenset({L}),
    Permission.UNIT_STATUS: frozenset({D, O, M}),
    # An AVL gateway posts with an admin or dispatcher account; an officer for their unit.
    Permission.POSITIONS: frozenset({D, O, M}),
    Permission.MANAGE: frozenset({M}),
    Permission.MISSING: frozenset({C, D, O, L}),
    Permission.APPEAL: frozenset({D, L}),
    Permission.APPROVE: frozenset({L}),
    Permission.REVEAL: frozenset({O, L, A}),
    Permission.AUDIT: frozenset({U}),
    Permission.EXPORT: frozenset({D, L, A}),
    Permission.HANDOVER: frozenset({C, D, O, L}),
    Permission.FLAGS: frozenset({C, D, O, L}),
    # Figures are judged by the duty leader, written up by the analyst, and watched on duty by
    # the dispatcher (指挥长: response times against limits); they hold no personal data.
    Permission.STATS: frozenset({D, L, A}),
    Permission.OUTCOMES: frozenset({D, O, L}),
    # The station's officers (专管员, 包案民警) and leaders work the cases; the dispatcher
    # opens one from an incident at the desk (建档).
    Permission.REPEAT_CASE: frozenset({D, O, L}),
    Permission.FRAUD: frozenset({C, D, O, L}),
}


def allowed(role: Role, permission: Permission) -> bool:
    return role in ROLES[permission]
