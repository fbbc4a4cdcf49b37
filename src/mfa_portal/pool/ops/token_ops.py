"""Operations authorised by the user's own tokens, and sign-out (spec §8.2, §9, §11)."""

from __future__ import annotations

import hmac
import sqlite3

from mfa_portal.cognito_api import errors
from mfa_portal.pool import lockout
from mfa_portal.pool.access import authenticate_access_token
from mfa_portal.pool.context import Context
from mfa_portal.pool.password_policy import enforce_policy
from mfa_portal.pool.pools import AppClient, load_client, load_pool
from mfa_portal.pool.registry import Params, Result, operation
from mfa_portal.pool.storage import CommitThenRaise
from mfa_portal.pool.token_store import load_family_by_refresh, revoke_family, revoke_user_tokens
from mfa_portal.pool.users import get_user, load_user_by_id, mfa_fields, save_user
from mfa_portal.security_events import emit

UNSUPPORTED_TOKEN = "The token type is not supported; only refresh tokens can be revoked."
REVOCATION_DISABLED = "Token revocation is not enabled for this client."
WRONG_PASSWORD = "Incorrect username or password."
CLIENT_NOT_AUTHORIZED = "The client is not authorized to revoke this token."


@operation("GetUser")
def get_user_op(ctx: Context, p: Params) -> Result:
    with ctx.read() as conn:
        user = authenticate_access_token(ctx, conn, p["AccessToken"]).user
    return {"Username": user.username, "UserAttributes": user.attribute_list(), **mfa_fields(user)}


@operation("ChangePassword")
def change_password(ctx: Context, p: Params) -> Result:
    """Replace the password after checking the current one, which counts into the lockout.

    A correct previous password does not reset the failure counter: only a completed sign-in does
    (lockout module), so this call cannot be used to clear failed MFA-code guesses. Existing tokens
    stay valid, as in Cognito.
    """
    with ctx.tx() as conn:
        identity = authenticate_access_token(ctx, conn, p["AccessToken"])
        user = identity.user
        lockout.check_not_locked(user, ctx.now)
        if not ctx.engine.hasher.verify(user.password_hash, p["PreviousPassword"]):
            lockout.record_failure(user, ctx.now)
            save_user(conn, user, ctx.now)
            raise CommitThenRaise(errors.NotAuthorizedException(WRONG_PASSWORD))
        enforce_policy(identity.pool, p["ProposedPassword"], field="proposedPassword")
        user.password_hash = ctx.engine.hasher.hash(p["ProposedPassword"])
        save_user(conn, user, ctx.now)
    return {}


@operation("GlobalSignOut")
def global_sign_out(ctx: Context, p: Params) -> Result:
    with ctx.tx() as conn:
        identity = authenticate_access_token(ctx, conn, p["AccessToken"])
        revoke_user_tokens(ctx, conn, identity.user)
    emit("tokens.revoked", user=identity.user.username, ip=ctx.source_ip, reason="GlobalSignOut")
    return {}


@operation("AdminUserGlobalSignOut")
def admin_user_global_sign_out(ctx: Context, p: Params) -> Result:
    with ctx.tx() as conn:
        pool = load_pool(conn, p["UserPoolId"])
        user = get_user(conn, pool, p["Username"])
        revoke_user_tokens(ctx, conn, user)
    emit("tokens.revoked", user=user.username, ip=ctx.source_ip, reason="AdminUserGlobalSignOut")
    return {}


@operation("RevokeToken")
def revoke_token(ctx: Context, p: Params) -> Result:
    """Revoke one refresh token's family: it and every access/ID token minted from it.

    An unknown refresh token is accepted silently (RFC 7009 §2.2), so the call reveals nothing.
    """
    token: str = p["Token"]
    with ctx.tx() as conn:
        client = _authorised_client(conn, p["ClientId"], p.get("ClientSecret"))
        if not client.token_revocation:
            raise errors.UnsupportedOperationException(REVOCATION_DISABLED)
        if _looks_like_jwt(token):
            raise errors.UnsupportedTokenTypeException(UNSUPPORTED_TOKEN)
        family = load_family_by_refresh(conn, token)
        if family is None:
            return {}
        if family.client_id != client.id:
            raise errors.UnauthorizedException(CLIENT_NOT_AUTHORIZED)
        revoke_family(conn, family.origin_jti)
        owner = load_user_by_id(conn, family.user_id).username
    emit("tokens.revoked", user=owner, ip=ctx.source_ip, reason="RevokeToken")
    return {}


def _authorised_client(conn: sqlite3.Connection, client_id: str, secret: str | None) -> AppClient:
    """The client, authenticated by its secret if it has one (model: UnauthorizedException)."""
    try:
        client = load_client(conn, client_id)
    except errors.ResourceNotFoundException:
        raise errors.UnauthorizedException(CLIENT_NOT_AUTHORIZED) from None
    if client.secret is not None:
        if secret is None:
            raise errors.UnauthorizedException(
                f"Client {client.id} is configured for secret but secret was not received"
            )
        if not hmac.compare_digest(client.secret.encode(), secret.encode()):
            raise errors.UnauthorizedException(f"Unable to verify secret for client {client.id}")
    return client


def _looks_like_jwt(token: str) -> bool:
    """Access and ID tokens are three dot-separated parts; our refresh tokens have no dot."""
    return token.count(".") == 2
