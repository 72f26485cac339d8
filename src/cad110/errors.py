"""Domain errors. Each carries the HTTP status the API renders it with.

DomainError
├── NotFound              404  (also: outside the caller's jurisdiction)
├── Forbidden             403  (the caller's role may not do this)
├── Unauthenticated       401
├── Conflict              409
│   ├── InvalidTransition 409  (the lifecycle refuses the action in this state)
│   ├── NotYet            409  (too early: carries the time from which it may be done)
│   ├── UnitNotAvailable  409
│   └── ConcurrentUpdate  409  (someone else changed the record first)
└── InvalidInput          422  (names the field)

Besides the English message, InvalidTransition carries a `reason` and each InvalidInput item a
`code`: machine words ("not_allowed", "category_required") by which a screen says it in the
user's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class DomainError(Exception):
    status_code = 400
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"detail": self.message, "code": self.code}


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class Unauthenticated(DomainError):
    status_code = 401
    code = "unauthenticated"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"

    def __init__(
        self, message: str, *, state: str, allowed: Sequence[str], reason: str = "not_allowed"
    ) -> None:
        super().__init__(message)
        self.state = state
        self.allowed = list(allowed)
        self.reason = reason

    def body(self) -> dict[str, Any]:
        return {
            **super().body(),
            "reason": self.reason,
            "state": self.state,
            "allowed": self.allowed,
        }


class NotYet(Conflict):
    """Too early: the thing may be done from `at` on (an unreachable callback's next try)."""

    code = "not_yet"

    def __init__(self, message: str, *, at: str) -> None:
        super().__init__(message)
        self.at = at

    def body(self) -> dict[str, Any]:
        return {**super().body(), "at": self.at}


class UnitNotAvailable(Conflict):
    code = "unit_not_available"


class ConcurrentUpdate(Conflict):
    code = "concurrent_update"


class InvalidInput(DomainError):
    """Bad input found past schema validation; rendered like FastAPI's own 422."""

    status_code = 422
    code = "invalid_input"

    def __init__(self, field: str | Sequence[str], message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.reason = code
        loc = [field] if isinstance(field, str) else list(field)
        # A bare field name is a body field; ("query", "since") names its place explicitly.
        self.loc = loc if loc[0] in {"body", "query", "path", "header"} else ["body", *loc]

    def body(self) -> dict[str, Any]:
        item = {"loc": self.loc, "msg": self.message, "type": self.code, "code": self.reason}
        return {"detail": [item], "code": self.code}
