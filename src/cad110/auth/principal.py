"""The authenticated caller of a request, with their scope."""

from __future__ import annotations

from dataclasses import dataclass

from cad110.auth.permissions import Permission, allowed
from cad110.errors import Forbidden, NotFound
from cad110.models.user import Role


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

    def require(self, permission: Permission) -> None:
        if not allowed(self.role, permission):
            raise Forbidden(f"role {self.role.value} may not {permission.value}")

    def sees(self, path: str) -> bool:
        return path.startswith(self.scope_path)

    def require_in_scope(self, path: str, what: str) -> None:
        # Outside the subtree a record does not exist for this caller: 404, not 403.
        if not self.sees(path):
            raise NotFound(f"{what} not found")
