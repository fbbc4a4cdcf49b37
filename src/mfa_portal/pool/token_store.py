"""Issuing, refreshing and revoking a user's tokens (spec §11).

Each sign-in starts a *token family*: one row keyed by ``origin_jti`` holding the SHA-256 of the
opaque refresh token, the original ``auth_time`` and the revocation flag. Every access and ID token
minted from that sign-in (including by refresh) carries the family's ``origin_jti``, so revoking the
family (``RevokeToken``) or all of a user's families (global sign-out) makes those tokens fail with
the Cognito APIs. Offline verifiers still accept them until ``exp`` (spec §15 pitfall 14).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, replace
from typing import Any

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool import auth_sessions
from mfa_portal.pool.context import Context
from mfa_portal.pool.ids import uuid4_text
from mfa_portal.pool.pools import AppClient, Pool
from mfa_portal.pool.purge import purge_expired
from mfa_portal.pool.storage import CommitThenRaise
from mfa_portal.pool.tokens import TokenSigner
from mfa_portal.pool.users import User, load_user_by_id, save_user, user_groups
from mfa_portal.storage import Connection, Row

ACCESS_SCOPE = "aws.cognito.signin.user.admin"
REFRESH_TOKEN_BYTES = 64  # 512 bits from the injected CSPRNG
# Access/ID tokens live at most a day; a family is kept that long after its refresh token expires
# so that those tokens still pass the family check, then it is purged.
MAX_TOKEN_SECONDS = 86400
_BOOLEAN_ATTRIBUTES = {"email_verified", "phone_number_verified"}


@dataclass(frozen=True)
class TokenFamily:
    origin_jti: str
    user_id: int
    client_id: str
    auth_time: float
    created: float
    expires_at: float
    revoked: bool


def refresh_digest(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()


def new_uuid(ctx: Context) -> str:
    """A version-4 UUID from the injected randomness (jti, origin_jti, event_id)."""
    return uuid4_text(ctx.random_bytes(16))


def _new_refresh_token(ctx: Context) -> str:
    """An opaque refresh token: ``REFRESH_TOKEN_BYTES`` from the injected CSPRNG, base64url."""
    return base64.urlsafe_b64encode(ctx.random_bytes(REFRESH_TOKEN_BYTES)).decode().rstrip("=")


def load_family(conn: Connection, origin_jti: str) -> TokenFamily | None:
    row = conn.execute(
        "SELECT * FROM token_families WHERE origin_jti = ?", (origin_jti,)
    ).fetchone()
    return None if row is None else _family(row)


def load_family_by_refresh(conn: Connection, refresh_token: str) -> TokenFamily | None:
    row = conn.execute(
        "SELECT * FROM token_families WHERE refresh_hash = ?", (refresh_digest(refresh_token),)
    ).fetchone()
    return None if row is None else _family(row)


# The family's columns, named ``family_<column>``, to read a family joined to another row.
FAMILY_COLUMNS = ", ".join(
    f"{{table}}.{name} AS family_{name}"
    for name in (
        "origin_jti",
        "user_id",
        "client_id",
        "auth_time",
        "created",
        "expires_at",
        "revoked",
    )
)


def _family(row: Row) -> TokenFamily:
    return TokenFamily(
        row["origin_jti"],
        row["user_id"],
        row["client_id"],
        row["auth_time"],
        row["created"],
        row["expires_at"],
        bool(row["revoked"]),
    )


def joined_family(row: Row) -> TokenFamily | None:
    """The family read beside another row through ``FAMILY_COLUMNS`` (None: no such family)."""
    if row["family_origin_jti"] is None:
        return None
    return TokenFamily(
        row["family_origin_jti"],
        row["family_user_id"],
        row["family_client_id"],
        row["family_auth_time"],
        row["family_created"],
        row["family_expires_at"],
        bool(row["family_revoked"]),
    )


def revoked_for(family: TokenFamily | None, user: User, issued_at: float) -> bool:
    """Whether tokens of ``family`` issued at ``issued_at`` are revoked for Cognito API use.

    JWT ``iat`` is whole seconds, so it is compared with the whole second of the sign-out; a token
    issued earlier in that same second is still caught: global sign-out also revokes its family.
    """
    return family is None or family.revoked or issued_at < int(user.tokens_valid_after)


@dataclass(frozen=True)
class Unsigned:
    """A started family's tokens with their claims fixed, not yet signed.

    The two RS256 signatures are the dearest part of a sign-in after the password hash, and they
    need nothing from the database. A sign-in or a refresh therefore signs after its transaction
    has committed (``delivery.deliver``, ``GetTokensFromRefreshToken``), and holds the write lock,
    which every other write of the pool waits for, only for its SQL.
    """

    access: dict[str, Any]
    id: dict[str, Any]
    expires_in: int
    refresh_token: str | None

    def sign(self, signer: TokenSigner) -> dict[str, Any]:
        """Cognito's ``AuthenticationResult``."""
        result: dict[str, Any] = {
            "AccessToken": signer.sign(self.access, "access"),
            "ExpiresIn": self.expires_in,
            "TokenType": "Bearer",
            "IdToken": signer.sign(self.id, "id"),
        }
        if self.refresh_token is not None:
            result["RefreshToken"] = self.refresh_token
        return result


def start_family(
    ctx: Context,
    conn: Connection,
    pool: Pool,
    client: AppClient,
    user: User,
    *,
    auth_time: float | None = None,
) -> Unsigned:
    """Start a token family for a completed sign-in (in ``conn``'s transaction); its tokens, to
    sign into Cognito's ``AuthenticationResult`` once the transaction has committed."""
    origin_jti = new_uuid(ctx)
    refresh_token = _new_refresh_token(ctx)
    when = int(ctx.now if auth_time is None else auth_time)
    conn.execute(
        "INSERT INTO token_families (origin_jti, user_id, client_id, refresh_hash, auth_time, "
        "created, expires_at, revoked) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
        (
            origin_jti,
            user.id,
            client.id,
            refresh_digest(refresh_token),
            when,
            ctx.now,
            ctx.now + client.refresh_token_seconds,
        ),
    )
    # A batch of the oldest expired families, anyone's. Not "all of this user's": found through
    # the user index, that was a scan of every family the user has (150 µs per sign-in for a user
    # with 2,000 live ones), and this sweep reaches them all the same.
    purge_expired(conn, "token_families", "origin_jti", ctx.now - MAX_TOKEN_SECONDS)
    user.groups = user_groups(conn, user.id)
    return _unsigned(ctx, pool, client, user, origin_jti, when, refresh_token)


def refresh_tokens(
    ctx: Context,
    conn: Connection,
    pool: Pool,
    client: AppClient,
    refresh_token: str,
    *,
    rotate: bool = False,
) -> Unsigned:
    """New access and ID tokens in the refresh token's family (same origin_jti and auth_time), to
    sign once the transaction has committed, as a sign-in's are.

    With ``rotate`` the answer also carries a new refresh token and the one presented stops working,
    except for the client's retry grace period (a client that lost the answer may ask again). A
    replaced token presented after that is a stolen copy or a replay: the whole family is revoked.
    """
    family = load_family_by_refresh(conn, refresh_token)
    replaced = None if family is not None else _replaced(conn, refresh_token)
    if replaced is not None:
        family, replaced_at = replaced
        if ctx.now - replaced_at > client.refresh_retry_grace_seconds:
            revoke_family(conn, family.origin_jti)
            raise CommitThenRaise(errors.RefreshTokenReuseException(messages.REFRESH_TOKEN_REUSED))
    if family is None:
        raise errors.NotAuthorizedException(messages.REFRESH_TOKEN_INVALID)
    if family.client_id != client.id:
        raise errors.NotAuthorizedException(messages.REFRESH_TOKEN_OTHER_CLIENT)
    user = load_user_by_id(conn, family.user_id)
    if user.pool_id != pool.id:
        raise errors.NotAuthorizedException(messages.REFRESH_TOKEN_INVALID)
    if not user.enabled:
        raise errors.NotAuthorizedException(messages.USER_DISABLED)
    if family.revoked or family.created < user.tokens_valid_after:
        raise errors.NotAuthorizedException(messages.REFRESH_TOKEN_REVOKED)
    if ctx.now >= family.expires_at:
        raise errors.NotAuthorizedException(messages.REFRESH_TOKEN_EXPIRED)
    tokens = _unsigned(ctx, pool, client, user, family.origin_jti, family.auth_time)
    if rotate:
        tokens = replace(tokens, refresh_token=_rotate(ctx, conn, family))
    return tokens


def _replaced(conn: Connection, refresh_token: str) -> tuple[TokenFamily, float] | None:
    """The family a rotated-out refresh token belonged to, and when it was replaced."""
    row = conn.execute(
        "SELECT origin_jti, replaced_at FROM rotated_refresh_tokens WHERE refresh_hash = ?",
        (refresh_digest(refresh_token),),
    ).fetchone()
    if row is None:
        return None
    family = load_family(conn, row["origin_jti"])
    return None if family is None else (family, float(row["replaced_at"]))


def _rotate(ctx: Context, conn: Connection, family: TokenFamily) -> str:
    """Give the family a new refresh token; the current one joins the replaced ones.

    Compare-and-set on the current hash: of two refreshes racing with one token, exactly one moves
    the family on; the other is judged as a replaced token (grace period or reuse).
    """
    current = conn.execute(
        "SELECT refresh_hash FROM token_families WHERE origin_jti = ?", (family.origin_jti,)
    ).fetchone()["refresh_hash"]
    fresh = _new_refresh_token(ctx)
    moved = conn.execute(
        "UPDATE token_families SET refresh_hash = ?, "
        "expires_at = CASE WHEN expires_at > ? THEN expires_at ELSE ? END "
        "WHERE origin_jti = ? AND refresh_hash = ?",
        (refresh_digest(fresh), family.expires_at, family.expires_at, family.origin_jti, current),
    ).rowcount
    if moved != 1:
        raise errors.NotAuthorizedException(messages.REFRESH_TOKEN_INVALID)
    conn.execute(
        "INSERT INTO rotated_refresh_tokens (refresh_hash, origin_jti, replaced_at) "
        "VALUES (?, ?, ?) ON CONFLICT (refresh_hash) DO UPDATE "
        "SET origin_jti = excluded.origin_jti, replaced_at = excluded.replaced_at",
        (current, family.origin_jti, ctx.now),
    )
    return fresh


def revoke_family(conn: Connection, origin_jti: str) -> None:
    conn.execute("UPDATE token_families SET revoked = 1 WHERE origin_jti = ?", (origin_jti,))


def revoke_user_tokens(ctx: Context, conn: Connection, user: User) -> None:
    """Global sign-out: every token issued so far stops working; pending challenges are dropped."""
    user.tokens_valid_after = ctx.now
    save_user(conn, user, ctx.now)
    conn.execute("UPDATE token_families SET revoked = 1 WHERE user_id = ?", (user.id,))
    auth_sessions.drop_user_sessions(conn, user.id)


def _unsigned(
    ctx: Context,
    pool: Pool,
    client: AppClient,
    user: User,
    origin_jti: str,
    auth_time: float,
    refresh_token: str | None = None,
) -> Unsigned:
    event_id = new_uuid(ctx)  # one sign-in event, shared by both tokens
    return Unsigned(
        access_claims(ctx, pool, client, user, origin_jti, auth_time, event_id),
        id_claims(ctx, pool, client, user, origin_jti, auth_time, event_id),
        client.access_token_seconds,
        refresh_token,
    )


def access_claims(
    ctx: Context,
    pool: Pool,
    client: AppClient,
    user: User,
    origin_jti: str,
    auth_time: float,
    event_id: str,
) -> dict[str, Any]:
    now = int(ctx.now)
    claims: dict[str, Any] = {"sub": user.sub}
    if user.groups:
        claims["cognito:groups"] = list(user.groups)
    claims.update(
        {
            "iss": ctx.engine.issuer(pool.id),
            "client_id": client.id,
            "origin_jti": origin_jti,
            "event_id": event_id,
            "token_use": "access",
            "scope": ACCESS_SCOPE,
            "auth_time": int(auth_time),
            "exp": now + client.access_token_seconds,
            "iat": now,
            "jti": new_uuid(ctx),
            "username": user.username,
        }
    )
    return claims


def id_claims(
    ctx: Context,
    pool: Pool,
    client: AppClient,
    user: User,
    origin_jti: str,
    auth_time: float,
    event_id: str,
) -> dict[str, Any]:
    now = int(ctx.now)
    claims: dict[str, Any] = {"sub": user.sub}
    if user.groups:
        claims["cognito:groups"] = list(user.groups)
    for name, value in sorted(user.attributes.items()):
        if name == "sub":
            continue
        claims[name] = value == "true" if name in _BOOLEAN_ATTRIBUTES else value
    claims.update(
        {
            "iss": ctx.engine.issuer(pool.id),
            "cognito:username": user.username,
            "origin_jti": origin_jti,
            "aud": client.id,
            "event_id": event_id,
            "token_use": "id",
            "auth_time": int(auth_time),
            "exp": now + client.id_token_seconds,
            "iat": now,
            "jti": new_uuid(ctx),
        }
    )
    return claims
