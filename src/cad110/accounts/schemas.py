"""Pydantic input and output of account administration."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from cad110.models.user import Role

# As auth/service.py's USERNAME; upper case is accepted and folded, as at login.
USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$"
Username = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=USERNAME_PATTERN)
]
Label = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DisableIn(Strict):
    reason: Reason = ""


JurisdictionCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9A-Za-z_.-]{1,16}$")
]
UnitCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9A-Za-z_.-]{1,32}$")
]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]


class UserIn(Strict):
    """A new account; its password is generated and shown once."""

    username: Username
    role: Role
    jurisdiction: JurisdictionCode
    display_name: DisplayName = ""
    unit: UnitCode | None = None


class UserChange(Strict):
    """Another role, home jurisdiction, unit (officers) or display name."""

    role: Role | None = None
    jurisdiction: JurisdictionCode | None = None
    unit: UnitCode | None = None
    display_name: DisplayName | None = None


class CreatedOut(BaseModel):
    user: UserOut
    password: str = Field(description="the generated password, shown once; give it to the user")


class TokenIn(Strict):
    user: Username
    label: Label = ""
    # Default: the centre's token_ttl_days.
    days: Annotated[int, Field(ge=1, le=3650)] | None = None


class UserOut(BaseModel):
    username: str
    display_name: str
    role: Role
    jurisdiction: str
    unit: str | None
    active: bool
    locked: bool = Field(description="locked after too many failed logins; an admin unlocks it")
    created_at: datetime
    password_changed_at: datetime | None


class UsersOut(BaseModel):
    items: list[UserOut]


class DisabledOut(BaseModel):
    user: UserOut
    sessions_ended: int
    tokens_revoked: int


class PasswordOut(BaseModel):
    username: str
    password: str = Field(description="the new password, shown once; give it to the user")


class TokenOut(BaseModel):
    id: int
    user: str
    label: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    state: Literal["active", "revoked", "expired"]


class TokensOut(BaseModel):
    items: list[TokenOut]


class IssuedOut(TokenOut):
    token: str = Field(description="the bearer token, shown once and stored only as SHA-256")
