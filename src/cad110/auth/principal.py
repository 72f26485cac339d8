"""The authenticated caller of a request, with their scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cad110.auth.permissions import Permission, allowed
from cad110.errors import Forbidden, NotFound
from cad110.models.user import Role

if TYPE_CHECKING:
    from cad110.models.jurisdiction import Jurisdiction
    from cad110.models.user import User


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    role: Role
    jurisdiction_code: str
    # The caller sees and acts on their own subtree only.
    scope_path: str
    unit_code: str | None = None
    display_name: str = ""
    # Set when the caller came with the console's session cookie: unsafe requests must echo it.
    csrf_token: str | None = None

    @classmethod
    def acting_for(
        cls, scope_path: str, *, username: str, role: Role, jurisdiction_code: str | None = None
    ) -> Principal:
        """Someone without an account of their own acting over a subtree: the command line
        (the whole tree, `scope_path` "") or a bench filling its throwaway city. Journalled as
        `username`; user id 0, like the system. Their home is the subtree's top unless named."""
        if jurisdiction_code is None:
            jurisdiction_code = scope_path.rstrip("/").rpartition("/")[2]
        return cls(
            user_id=0,
            username=username,
            role=role,
            jurisdiction_code=jurisdiction_code,
            scope_path=scope_path,
        )

    def require(self, permission: Permission) -> None:
        if not allowed(self.role, permission):
            raise Forbidden(f"role {self.role.value} may not {permission.value}")

    def sees(self, path: str) -> bool:
        return path.startswith(self.scope_path)

    def require_in_scope(self, path: str, what: str) -> None:
        # Outside the subtree a record does not exist for this caller: 404, not 403.
        if not self.sees(path):
            raise NotFound(f"{what} not found")


def principal_of(user: User, home: Jurisdiction, *, csrf_token: str | None = None) -> Principal:
    """The principal a user acts as, scoped to their home jurisdiction's subtree."""
    return Principal(
        user_id=user.id,
        username=user.username,
        role=user.role,
        jurisdiction_code=user.jurisdiction_code,
        scope_path=home.path,
        unit_code=user.unit_code,
        display_name=user.display_name,
        csrf_token=csrf_token,
    )


# The system itself (the tick, rule firings, reminders): journalled as "system", sees all.
SYSTEM = Principal.acting_for("", username="system", role=Role.ADMIN)
