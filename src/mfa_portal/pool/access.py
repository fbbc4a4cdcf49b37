"""Authorising a call by its ``AccessToken`` (GetUser, ChangePassword, AssociateSoftwareToken, ...).

Unlike an offline JWT verifier, the engine also checks server-side state: the token's family must
not be revoked, the user must not have signed out globally since ``iat``, and must still exist and
be enabled.
Whatever is wrong with a token's form or signature, the caller only learns "Invalid Access Token".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mfa_portal.cognito_api import errors, messages
from mfa_portal.pool.config_cache import STAMP_COLUMN, stamp_of
from mfa_portal.pool.context import Context
from mfa_portal.pool.pools import Pool, load_pool
from mfa_portal.pool.token_store import FAMILY_COLUMNS, joined_family, revoked_for
from mfa_portal.pool.tokens import TokenExpired, TokenInvalid
from mfa_portal.pool.users import User, user_from_row
from mfa_portal.storage import Connection

# The user, the token's family and the configuration stamp in one statement: one snapshot of all
# three, so GetUser needs no transaction around it. A missing family (purged, or never issued
# here) reads as NULL columns.
USER_AND_FAMILY = (
    f"SELECT u.*, {FAMILY_COLUMNS.format(table='f')}, {STAMP_COLUMN} FROM users u "
    "LEFT JOIN token_families f ON f.origin_jti = ? WHERE u.pool_id = ? AND u.sub = ?"
)


@dataclass(frozen=True)
class AccessIdentity:
    """Who a valid access token speaks for."""

    pool: Pool
    user: User
    client_id: str
    claims: dict[str, Any]


def authenticate_access_token(ctx: Context, conn: Connection, token: str) -> AccessIdentity:
    """The identity behind ``token``, or the ``NotAuthorizedException`` Cognito would return."""
    try:
        claims = ctx.engine.signer.decode(token, "access", now=ctx.now)
    except TokenExpired:
        raise errors.NotAuthorizedException(messages.ACCESS_TOKEN_EXPIRED) from None
    except TokenInvalid:
        raise errors.NotAuthorizedException(messages.ACCESS_TOKEN_INVALID) from None
    pool_id = _pool_id_of(ctx, claims.get("iss"))
    sub, client_id, origin_jti = (
        claims.get("sub"),
        claims.get("client_id"),
        claims.get("origin_jti"),
    )
    if not (isinstance(sub, str) and isinstance(client_id, str) and isinstance(origin_jti, str)):
        raise errors.NotAuthorizedException(messages.ACCESS_TOKEN_INVALID)
    row = conn.execute(USER_AND_FAMILY, (origin_jti, pool_id, sub)).fetchone()
    # The pool as of the same snapshot: cached under the stamp the row was read with.
    pool = _pool(conn, pool_id, None if row is None else stamp_of(row["config_stamp"]))
    if row is None:
        raise errors.UserNotFoundException(messages.USER_NOT_FOUND)
    user = user_from_row(row)
    if claims.get("username") != user.username:
        raise errors.NotAuthorizedException(messages.ACCESS_TOKEN_INVALID)
    if not user.enabled:
        raise errors.NotAuthorizedException(messages.USER_DISABLED)
    family = joined_family(row)
    if family is not None and (family.user_id != user.id or family.client_id != client_id):
        raise errors.NotAuthorizedException(messages.ACCESS_TOKEN_INVALID)
    if revoked_for(family, user, claims["iat"]):
        raise errors.NotAuthorizedException(messages.ACCESS_TOKEN_REVOKED)
    # ``user.groups`` stays empty: no call authorised by an access token reads them, and the
    # tokens that carry them are minted with the groups read at that moment (``start_family``).
    return AccessIdentity(pool, user, client_id, claims)


def _pool_id_of(ctx: Context, issuer: object) -> str:
    """The pool named by ``iss``, which must be exactly this engine's issuer URL for it."""
    if not isinstance(issuer, str) or "/" not in issuer:
        raise errors.NotAuthorizedException(messages.ACCESS_TOKEN_INVALID)
    pool_id = issuer.rsplit("/", 1)[1]
    if issuer != ctx.engine.issuer(pool_id):
        raise errors.NotAuthorizedException(messages.ACCESS_TOKEN_INVALID)
    return pool_id


def _pool(conn: Connection, pool_id: str, stamp: str | None) -> Pool:
    """The token's pool; a token of a pool that is gone is just invalid."""
    try:
        return load_pool(conn, pool_id, stamp=stamp)
    except errors.ResourceNotFoundException:
        raise errors.NotAuthorizedException(messages.ACCESS_TOKEN_INVALID) from None
