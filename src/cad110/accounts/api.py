"""Account administration for the administrator (admin role), within their jurisdiction.

Users and tokens outside the administrator's subtree do not exist for them (404). Each
change is journaled on the user's chain; disabling, resetting a password and revoking a
token end the credentials concerned at once, open live streams included.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Path, Query, Response, status

from cad110.accounts import admin
from cad110.accounts.schemas import (
    USERNAME_PATTERN,
    CreatedOut,
    DisabledOut,
    DisableIn,
    IssuedOut,
    PasswordOut,
    TokenIn,
    TokenOut,
    TokensOut,
    UserChange,
    UserIn,
    UserOut,
    UsersOut,
)
from cad110.api.deps import Context, runtime
from cad110.api.routing import Router
from cad110.auth.permissions import Permission
from cad110.kernel.context import Ctx
from cad110.kernel.runtime import Runtime
from cad110.models.user import User

router = Router(prefix="/admin", tags=["admin"])

UsernamePath = Annotated[str, Path(pattern=USERNAME_PATTERN)]
TokenId = Annotated[int, Path(ge=1, le=2**31 - 1)]
# Secrets in an answer are shown once: never kept by a browser or a proxy.
NO_STORE = {"Cache-Control": "no-store"}
Rt = Annotated[Runtime, Depends(runtime)]


def _acting(ctx: Ctx) -> admin.Acting:
    ctx.by.require(Permission.MANAGE)
    return admin.Acting(
        session=ctx.session,
        scope_path=ctx.by.scope_path,
        actor=ctx.by.username,
        now=ctx.at,
        username=ctx.by.username,
    )


def _user_out(by: admin.Acting, user: User) -> UserOut:
    return UserOut.model_validate(admin.user_rows(by.session, [user])[0], from_attributes=True)


@router.get("/users", response_model=UsersOut)
def list_users(
    ctx: Context,
    jurisdiction: Annotated[str | None, Query(pattern=r"^[0-9A-Za-z_.-]{1,32}$")] = None,
) -> UsersOut:
    """Accounts whose home jurisdiction is in the caller's subtree (or in `jurisdiction`'s)."""
    rows = admin.list_users(_acting(ctx), jurisdiction=jurisdiction)
    return UsersOut(items=[UserOut.model_validate(r, from_attributes=True) for r in rows])


@router.post("/users", response_model=CreatedOut, status_code=status.HTTP_201_CREATED)
def create_user(body: UserIn, ctx: Context, rt: Rt, response: Response) -> CreatedOut:
    """A new account at a home in the caller's subtree; its generated password is shown once."""
    by = _acting(ctx)
    user, password = admin.create_user(
        by,
        username=body.username,
        role=body.role,
        jurisdiction=body.jurisdiction,
        display_name=body.display_name,
        unit=body.unit,
        settings=rt.settings,
    )
    response.headers.update(NO_STORE)
    return CreatedOut(user=_user_out(by, user), password=password)


@router.post("/users/{username}/change", response_model=UserOut)
def change_user(username: UsernamePath, body: UserChange, ctx: Context) -> UserOut:
    """Another role, home jurisdiction, unit or name; a change of role, home or unit ends the
    account's console sessions (they carry the old scope). Journaled as user.changed."""
    by = _acting(ctx)
    return _user_out(
        by,
        admin.change_user(
            by,
            username,
            role=body.role,
            jurisdiction=body.jurisdiction,
            unit=body.unit,
            display_name=body.display_name,
        ),
    )


@router.post("/users/{username}/disable", response_model=DisabledOut)
def disable_user(
    username: UsernamePath, ctx: Context, body: DisableIn | None = None
) -> DisabledOut:
    """Disable an account (停用): its console sessions and tokens end now, open live streams
    included. An administrator cannot disable their own account."""
    by = _acting(ctx)
    done = admin.disable_user(by, username, reason=(body or DisableIn()).reason)
    return DisabledOut(
        user=_user_out(by, done.user),
        sessions_ended=done.sessions_ended,
        tokens_revoked=done.tokens_revoked,
    )


@router.post("/users/{username}/enable", response_model=UserOut)
def enable_user(username: UsernamePath, ctx: Context) -> UserOut:
    """Let a disabled account log in again; its old tokens stay revoked."""
    by = _acting(ctx)
    return _user_out(by, admin.enable_user(by, username))


@router.post("/users/{username}/reset-password", response_model=PasswordOut)
def reset_password(username: UsernamePath, ctx: Context, rt: Rt, response: Response) -> PasswordOut:
    """A new generated password, shown once; the account's console sessions end."""
    by = _acting(ctx)
    password = admin.reset_password(by, username, settings=rt.settings)
    response.headers.update(NO_STORE)
    return PasswordOut(username=username.lower(), password=password)


@router.post("/users/{username}/unlock", response_model=UserOut)
def unlock_user(username: UsernamePath, ctx: Context) -> UserOut:
    """Lift the lockout that too many failed logins put on the account."""
    by = _acting(ctx)
    return _user_out(by, admin.unlock_user(by, username))


@router.get("/tokens", response_model=TokensOut)
def list_tokens(
    ctx: Context,
    user: Annotated[str | None, Query(pattern=USERNAME_PATTERN)] = None,
) -> TokensOut:
    """Bearer tokens of the accounts in the caller's subtree (or of `user`); never the secret."""
    rows = admin.list_tokens(_acting(ctx), username=user)
    return TokensOut(items=[TokenOut.model_validate(r, from_attributes=True) for r in rows])


@router.post("/tokens", response_model=IssuedOut, status_code=status.HTTP_201_CREATED)
def issue_token(body: TokenIn, ctx: Context, rt: Rt, response: Response) -> IssuedOut:
    """A new bearer token for an active account, shown once."""
    by = _acting(ctx)
    ttl = timedelta(days=body.days or rt.settings.token_ttl_days)
    row, secret = admin.issue(by, body.user, ttl=ttl, label=body.label)
    response.headers.update(NO_STORE)
    return IssuedOut(
        **TokenOut.model_validate(row, from_attributes=True).model_dump(), token=secret
    )


@router.post("/tokens/{token_id}/revoke", response_model=TokenOut)
def revoke_token(token_id: TokenId, ctx: Context) -> TokenOut:
    """Revoke a token: its next request is refused and its open live streams end."""
    return TokenOut.model_validate(admin.revoke(_acting(ctx), token_id), from_attributes=True)
