"""Operations authorised by the user's own tokens, and sign-out (spec §8.2, §9, §11)."""

from __future__ import annotations

import hmac

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool import lockout
from mfa_portal.pool.access import AccessIdentity, authenticate_access_token
from mfa_portal.pool.context import Context
from mfa_portal.pool.password_policy import enforce_policy
from mfa_portal.pool.pools import AppClient, load_client, load_pool
from mfa_portal.pool.registry import Params, Result, operation
from mfa_portal.pool.srp import Verifier
from mfa_portal.pool.srp_store import new_verifier, store_verifier
from mfa_portal.pool.token_store import (
    load_family_by_refresh,
    refresh_tokens,
    revoke_family,
    revoke_user_tokens,
)
from mfa_portal.pool.users import get_user, load_user_by_id, mfa_fields, save_user
from mfa_portal.security_events import emit
from mfa_portal.storage import Connection


@operation("GetUser")
def get_user_op(ctx: Context, p: Params) -> Result:
    with ctx.single_statements() as conn:  # the pool's stamp, then user and family in one join
        user = authenticate_access_token(ctx, conn, p["AccessToken"]).user
    return {"Username": user.username, "UserAttributes": user.attribute_list(), **mfa_fields(user)}


@operation("ChangePassword")
def change_password(ctx: Context, p: Params) -> Result:
    """Replace the password after checking the current one, which counts into the lockout.

    A correct previous password does not reset the failure counter: only a completed sign-in does
    (lockout module), so this call cannot be used to clear failed MFA-code guesses. Existing tokens
    stay valid, as in Cognito.

    Both hashes and the SRP verifier (about 45 ms of a core) run before the write transaction, so
    that no sign-in waits for them to commit. The transaction then judges the token and the lockout
    as they are at that moment, and a password that changed meanwhile is verified again there.
    """
    # The model makes PreviousPassword optional (for passwordless users, which this pool does not
    # have): without it the call is a wrong password, counted like one.
    previous, proposed = str(p.get("PreviousPassword", "")), str(p["ProposedPassword"])
    with ctx.single_statements() as conn:
        seen = authenticate_access_token(ctx, conn, p["AccessToken"])
    lockout.COGNITO.check_not_locked(seen.user, ctx.now)  # refused without a hash, as in the guard
    hasher = ctx.engine.hasher
    new = (
        _new_password(ctx, seen, proposed)
        if hasher.verify(seen.user.password_hash, previous)
        else None
    )
    with ctx.tx() as conn:
        identity = authenticate_access_token(ctx, conn, p["AccessToken"])
        user = identity.user
        unchanged = user.password_hash == seen.user.password_hash
        lockout.guard(
            conn,
            user,
            ctx.now,
            lambda: new is not None if unchanged else hasher.verify(user.password_hash, previous),
            errors.NotAuthorizedException(messages.WRONG_PASSWORD),
        )
        if new is None:  # right only as judged here: the password changed meanwhile
            new = _new_password(ctx, identity, proposed)
        user.password_hash, verifier = new
        save_user(conn, user, ctx.now)
        store_verifier(ctx, conn, user.id, verifier)
    return {}


def _new_password(ctx: Context, identity: AccessIdentity, proposed: str) -> tuple[str, Verifier]:
    """The policy check, the argon2 hash and the SRP verifier of a new password."""
    enforce_policy(identity.pool, proposed, field="proposedPassword")
    verifier = new_verifier(
        ctx, pool_id=identity.pool.id, username=identity.user.username, password=proposed
    )
    return ctx.engine.hasher.hash(proposed), verifier


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
            raise errors.UnsupportedOperationException(messages.REVOCATION_DISABLED)
        if _looks_like_jwt(token):
            raise errors.UnsupportedTokenTypeException(messages.TOKEN_TYPE_NOT_REVOCABLE)
        family = load_family_by_refresh(conn, token)
        if family is None:
            return {}
        if family.client_id != client.id:
            raise errors.UnauthorizedException(messages.CLIENT_CANNOT_REVOKE)
        revoke_family(conn, family.origin_jti)
        owner = load_user_by_id(conn, family.user_id).username
    emit("tokens.revoked", user=owner, ip=ctx.source_ip, reason="RevokeToken")
    return {}


def _authorised_client(conn: Connection, client_id: str, secret: str | None) -> AppClient:
    """The client, authenticated by its secret if it has one (model: UnauthorizedException)."""
    try:
        client = load_client(conn, client_id)
    except errors.ResourceNotFoundException:
        raise errors.UnauthorizedException(messages.CLIENT_CANNOT_REVOKE) from None
    if client.secret is not None:
        if secret is None:
            raise errors.UnauthorizedException(messages.secret_not_received(client.id))
        if not hmac.compare_digest(client.secret.encode(), secret.encode()):
            raise errors.UnauthorizedException(messages.client_secret_mismatch(client.id))
    return client


def _looks_like_jwt(token: str) -> bool:
    """Access and ID tokens are three dot-separated parts; our refresh tokens have no dot."""
    return token.count(".") == 2


@operation("GetTokensFromRefreshToken")
def get_tokens_from_refresh_token(ctx: Context, p: Params) -> Result:
    """What the SDKs (Amplify v6) call to refresh: new access and ID tokens, and with rotation a new
    refresh token. A client with a secret proves it with ``ClientSecret`` (not SECRET_HASH)."""
    with ctx.tx() as conn:
        client = load_client(conn, p["ClientId"])
        pool = load_pool(conn, client.pool_id)
        if client.secret is not None and not hmac.compare_digest(
            client.secret.encode(), str(p.get("ClientSecret") or "").encode()
        ):
            raise errors.NotAuthorizedException(messages.secret_hash_mismatch(client.id))
        if not client.allows("ALLOW_REFRESH_TOKEN_AUTH"):
            raise errors.InvalidParameterException(messages.REFRESH_NOT_ENABLED)
        tokens = refresh_tokens(
            ctx, conn, pool, client, p["RefreshToken"], rotate=client.rotates_refresh_tokens
        )
    return {"AuthenticationResult": tokens.sign(ctx.engine.signer)}  # after the commit
