"""Issuing, refreshing and revoking tokens; authenticating access tokens (token_store, access)."""

from __future__ import annotations

import json
from typing import Any

import jwt
import pytest

from mfa_portal.clock import FakeClock
from mfa_portal.pool.access import authenticate_access_token
from mfa_portal.pool.auth_sessions import SessionStage, create_session
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.pools import AppClient, Pool, save_client, save_pool
from mfa_portal.pool.token_store import refresh_tokens, revoke_user_tokens, start_family
from mfa_portal.pool.users import User, load_user_by_id
from tests.support.cognito_errors import raises_cognito
from tests.support.postgres import stored_text

POOL_ID = "us-east-1_TokPool01"


def seed_pool(
    engine: Engine, client_settings: dict[str, Any] | None = None
) -> tuple[Pool, AppClient]:
    now = engine.clock.now()
    pool = Pool(POOL_ID, "tokens", {}, {"MfaConfiguration": "OFF"}, now, now)
    client = AppClient(
        "client1aaaaaaaaaaaaaaaaaaa", POOL_ID, "web", None, client_settings or {}, now, now
    )
    with engine.db.transaction() as conn:
        save_pool(conn, pool)
        save_client(conn, client)
    return pool, client


def seed_user(
    engine: Engine,
    username: str = "alice",
    attributes: dict[str, str] | None = None,
    groups: tuple[str, ...] = (),
) -> User:
    now = engine.clock.now()
    attrs = (
        attributes
        if attributes is not None
        else {"email": "a@example.com", "email_verified": "true"}
    )
    with engine.db.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO users (pool_id, username, username_key, sub, status, attributes, "
            "password_hash, created, modified) VALUES (?, ?, ?, ?, 'CONFIRMED', ?, ?, ?, ?) RETURNING id",
            (
                POOL_ID,
                username,
                username,
                f"sub-{username}",
                json.dumps(attrs),
                engine.hasher.hash("Passw0rd!"),
                now,
                now,
            ),
        )
        user_id = int(cur.fetchone()[0])
        for precedence, group in enumerate(groups):
            conn.execute(
                "INSERT INTO groups (pool_id, name, precedence, created, modified) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (POOL_ID, group, precedence, now, now),
            )
            conn.execute("INSERT INTO group_members VALUES (?, ?, ?)", (POOL_ID, group, user_id))
        return load_user_by_id(conn, user_id)


def ctx_of(engine: Engine) -> Context:
    return Context(engine, engine.clock.now(), None)


def sign_in(
    engine: Engine, pool: Pool, client: AppClient, user: User, auth_time: float | None = None
) -> dict[str, Any]:
    ctx = ctx_of(engine)
    with ctx.tx() as conn:
        return start_family(ctx, conn, pool, client, user, auth_time=auth_time).sign(
            ctx.engine.signer
        )


def refresh(engine: Engine, pool: Pool, client: AppClient, token: str) -> dict[str, Any]:
    ctx = ctx_of(engine)
    with ctx.tx() as conn:
        return refresh_tokens(ctx, conn, pool, client, token).sign(ctx.engine.signer)


def authenticate(engine: Engine, token: str) -> User:
    ctx = ctx_of(engine)
    with ctx.read() as conn:
        return authenticate_access_token(ctx, conn, token).user


def verified(engine: Engine, token: str) -> dict[str, Any]:
    """Claims verified the way a resource server would: with the JWKS only."""
    jwks = jwt.PyJWKSet.from_dict(engine.signer.jwks())
    key = jwks[jwt.get_unverified_header(token)["kid"]].key
    claims: dict[str, Any] = jwt.decode(
        token,
        key,
        algorithms=["RS256"],
        options={"verify_exp": False, "verify_iat": False, "verify_aud": False},
    )
    return claims


@pytest.fixture
def setup(engine: Engine) -> tuple[Pool, AppClient, User]:
    pool, client = seed_pool(engine)
    user = seed_user(
        engine,
        attributes={
            "email": "a@example.com",
            "email_verified": "true",
            "custom:tier": "7",
            "name": "Alice",
        },
        groups=("admins", "staff"),
    )
    return pool, client, user


def test_authentication_result_shape(engine: Engine, setup: tuple[Pool, AppClient, User]) -> None:
    result = sign_in(engine, *setup)
    assert set(result) == {"AccessToken", "IdToken", "RefreshToken", "ExpiresIn", "TokenType"}
    assert result["ExpiresIn"] == 3600 and result["TokenType"] == "Bearer"
    assert len(result["RefreshToken"]) >= 43  # at least 256 bits, base64url
    assert "." not in result["RefreshToken"]


def test_access_token_claims(engine: Engine, setup: tuple[Pool, AppClient, User]) -> None:
    pool, client, user = setup
    claims = verified(engine, sign_in(engine, pool, client, user)["AccessToken"])
    now = int(engine.clock.now())
    assert claims["token_use"] == "access"
    assert jwt.get_unverified_header(sign_in(engine, *setup)["AccessToken"])["kid"] == (
        engine.signer.kid("access")
    )
    assert claims["sub"] == user.sub and claims["username"] == "alice"
    assert claims["cognito:groups"] == ["admins", "staff"]
    assert claims["iss"] == f"http://127.0.0.1:9229/{POOL_ID}"
    assert claims["client_id"] == client.id
    assert claims["scope"] == "aws.cognito.signin.user.admin"
    assert claims["iat"] == now and claims["auth_time"] == now and claims["exp"] == now + 3600
    assert claims["jti"] != claims["origin_jti"]
    assert "aud" not in claims and "email" not in claims


def test_id_token_claims(engine: Engine, setup: tuple[Pool, AppClient, User]) -> None:
    pool, client, user = setup
    result = sign_in(engine, pool, client, user)
    claims = verified(engine, result["IdToken"])
    access = verified(engine, result["AccessToken"])
    assert jwt.get_unverified_header(result["IdToken"])["kid"] == engine.signer.kid("id")
    assert claims["token_use"] == "id" and claims["aud"] == client.id
    assert claims["cognito:username"] == "alice" and claims["sub"] == user.sub
    assert claims["email"] == "a@example.com" and claims["email_verified"] is True
    assert claims["custom:tier"] == "7" and claims["name"] == "Alice"
    assert claims["cognito:groups"] == ["admins", "staff"]
    assert claims["origin_jti"] == access["origin_jti"]
    assert claims["event_id"] == access["event_id"]
    assert claims["jti"] != access["jti"]


def test_user_without_groups_has_no_groups_claim(engine: Engine) -> None:
    pool, client = seed_pool(engine)
    user = seed_user(engine, attributes={"email_verified": "false"})
    result = sign_in(engine, pool, client, user)
    assert "cognito:groups" not in verified(engine, result["AccessToken"])
    assert verified(engine, result["IdToken"])["email_verified"] is False


def test_lifetimes_come_from_the_client(engine: Engine) -> None:
    pool, client = seed_pool(
        engine,
        {
            "AccessTokenValidity": 5,
            "IdTokenValidity": 2,
            "RefreshTokenValidity": 60,
            "TokenValidityUnits": {
                "AccessToken": "minutes",
                "IdToken": "hours",
                "RefreshToken": "minutes",
            },
        },
    )
    result = sign_in(engine, pool, client, seed_user(engine))
    now = int(engine.clock.now())
    assert result["ExpiresIn"] == 300
    assert verified(engine, result["AccessToken"])["exp"] == now + 300
    assert verified(engine, result["IdToken"])["exp"] == now + 7200
    assert isinstance(engine.clock, FakeClock)
    engine.clock.advance(3600)
    with raises_cognito("NotAuthorizedException", "Refresh Token has expired"):
        refresh(engine, pool, client, result["RefreshToken"])


def test_only_the_refresh_token_hash_is_stored(
    engine: Engine, setup: tuple[Pool, AppClient, User]
) -> None:
    token = sign_in(engine, *setup)["RefreshToken"]
    assert token not in stored_text(engine.db)


def test_refresh_keeps_family_and_auth_time(
    engine: Engine, setup: tuple[Pool, AppClient, User]
) -> None:
    pool, client, user = setup
    first = sign_in(engine, pool, client, user, auth_time=engine.clock.now() - 30)
    assert isinstance(engine.clock, FakeClock)
    engine.clock.advance(600)
    again = refresh(engine, pool, client, first["RefreshToken"])
    assert "RefreshToken" not in again and again["TokenType"] == "Bearer"
    before, after = verified(engine, first["AccessToken"]), verified(engine, again["AccessToken"])
    assert after["origin_jti"] == before["origin_jti"]
    assert after["auth_time"] == before["auth_time"] == int(engine.clock.now()) - 630
    assert after["iat"] == before["iat"] + 600 and after["jti"] != before["jti"]
    assert verified(engine, again["IdToken"])["origin_jti"] == before["origin_jti"]
    assert authenticate(engine, again["AccessToken"]).username == "alice"


def test_unknown_refresh_token(engine: Engine, setup: tuple[Pool, AppClient, User]) -> None:
    pool, client, _ = setup
    with raises_cognito("NotAuthorizedException", "Invalid Refresh Token"):
        refresh(engine, pool, client, "not-a-token")


def test_refresh_with_another_client(engine: Engine, setup: tuple[Pool, AppClient, User]) -> None:
    pool, client, user = setup
    other = AppClient("client2bbbbbbbbbbbbbbbbbbb", POOL_ID, "other", None, {}, 0, 0)
    with engine.db.transaction() as conn:
        save_client(conn, other)
    token = sign_in(engine, pool, client, user)["RefreshToken"]
    with raises_cognito("NotAuthorizedException", "Refresh Token has different Client"):
        refresh(engine, pool, other, token)


def test_refresh_for_disabled_user(engine: Engine, setup: tuple[Pool, AppClient, User]) -> None:
    pool, client, user = setup
    token = sign_in(engine, pool, client, user)["RefreshToken"]
    engine.db.connect().execute("UPDATE users SET enabled = 0 WHERE id = ?", (user.id,))
    with raises_cognito("NotAuthorizedException", "User is disabled."):
        refresh(engine, pool, client, token)


def test_global_revocation(engine: Engine, setup: tuple[Pool, AppClient, User]) -> None:
    pool, client, user = setup
    old = sign_in(engine, pool, client, user)
    ctx = ctx_of(engine)
    with ctx.tx() as conn:
        session = create_session(
            ctx,
            conn,
            pool_id=pool.id,
            client_id=client.id,
            user_id=user.id,
            stage=SessionStage.PASSWORD_OK,
            challenge="SOFTWARE_TOKEN_MFA",
            ttl_seconds=180,
        )
        revoke_user_tokens(ctx, conn, user)
    with raises_cognito("NotAuthorizedException", "Access Token has been revoked"):
        authenticate(engine, old["AccessToken"])
    with raises_cognito("NotAuthorizedException", "Refresh Token has been revoked"):
        refresh(engine, pool, client, old["RefreshToken"])
    with engine.db.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM auth_sessions").fetchone()[0] == 0
        stored = load_user_by_id(conn, user.id)
    assert stored.tokens_valid_after == engine.clock.now()
    assert session  # the pending challenge above is what was dropped
    fresh = sign_in(engine, pool, client, stored)  # a new sign-in in the same second works
    assert authenticate(engine, fresh["AccessToken"]).id == user.id
    assert refresh(engine, pool, client, fresh["RefreshToken"])["AccessToken"]


def test_access_token_expiry(engine: Engine, setup: tuple[Pool, AppClient, User]) -> None:
    token = sign_in(engine, *setup)["AccessToken"]
    assert isinstance(engine.clock, FakeClock)
    engine.clock.advance(3599)
    assert authenticate(engine, token).username == "alice"
    engine.clock.advance(1)
    with raises_cognito("NotAuthorizedException", "Access Token has expired"):
        authenticate(engine, token)


@pytest.mark.parametrize("token_kind", ["IdToken", "RefreshToken", "garbage"])
def test_non_access_tokens_are_invalid(
    engine: Engine, setup: tuple[Pool, AppClient, User], token_kind: str
) -> None:
    result = sign_in(engine, *setup)
    token = "eyJ.garbage.token" if token_kind == "garbage" else result[token_kind]
    with raises_cognito("NotAuthorizedException", "Invalid Access Token"):
        authenticate(engine, token)


def _resign(engine: Engine, token: str, **changes: Any) -> str:
    claims = verified(engine, token)
    claims.update(changes)
    return engine.signer.sign(claims, "access")


def test_token_for_an_unknown_pool_is_invalid(
    engine: Engine, setup: tuple[Pool, AppClient, User]
) -> None:
    token = sign_in(engine, *setup)["AccessToken"]
    for iss in (
        "http://127.0.0.1:9229/us-east-1_Nope",
        f"https://evil.example/{POOL_ID}",
        "noslash",
    ):
        with raises_cognito("NotAuthorizedException", "Invalid Access Token"):
            authenticate(engine, _resign(engine, token, iss=iss))


def test_token_with_mismatched_username_or_client_is_invalid(
    engine: Engine, setup: tuple[Pool, AppClient, User]
) -> None:
    token = sign_in(engine, *setup)["AccessToken"]
    for change in (
        {"username": "mallory"},
        {"client_id": "client2bbbbbbbbbbbbbbbbbbb"},
        {"origin_jti": None},
    ):
        with raises_cognito("NotAuthorizedException", "Invalid Access Token"):
            authenticate(engine, _resign(engine, token, **change))


def test_token_of_a_deleted_user(engine: Engine, setup: tuple[Pool, AppClient, User]) -> None:
    pool, client, user = setup
    token = sign_in(engine, pool, client, user)["AccessToken"]
    with engine.db.transaction() as conn:
        conn.execute("DELETE FROM users WHERE id = ?", (user.id,))
    with raises_cognito("UserNotFoundException", "User does not exist."):
        authenticate(engine, token)


def test_token_of_a_disabled_user(engine: Engine, setup: tuple[Pool, AppClient, User]) -> None:
    pool, client, user = setup
    token = sign_in(engine, pool, client, user)["AccessToken"]
    engine.db.connect().execute("UPDATE users SET enabled = 0 WHERE id = ?", (user.id,))
    with raises_cognito("NotAuthorizedException", "User is disabled."):
        authenticate(engine, token)


def test_identity_carries_pool_client_and_the_tokens_groups(
    engine: Engine, setup: tuple[Pool, AppClient, User]
) -> None:
    pool, client, user = setup
    token = sign_in(engine, pool, client, user)["AccessToken"]
    ctx = ctx_of(engine)
    with ctx.read() as conn:
        identity = authenticate_access_token(ctx, conn, token)
    assert identity.pool.id == pool.id and identity.client_id == client.id
    assert identity.claims["cognito:groups"] == ["admins", "staff"]
    assert identity.claims["sub"] == user.sub


def test_long_expired_families_are_purged_at_the_next_sign_in(
    engine: Engine, setup: tuple[Pool, AppClient, User]
) -> None:
    pool, client, user = setup
    old = sign_in(engine, pool, client, user)
    assert isinstance(engine.clock, FakeClock)
    engine.clock.advance(30 * 86400 + 3600)  # refresh expired, but within a day of it: kept
    sign_in(engine, pool, client, user)
    with engine.db.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM token_families").fetchone()[0] == 2
    engine.clock.advance(86400)
    sign_in(engine, pool, client, user)
    with engine.db.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM token_families").fetchone()[0] == 2
    with raises_cognito(
        "NotAuthorizedException", "Invalid Refresh Token"
    ):  # gone, not just expired
        refresh(engine, pool, client, old["RefreshToken"])
