"""Verified tokens are cached by the exact token, and nothing server-side is: every revocation,
disable, delete and expiry still refuses a token whose claims were cached a moment ago."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jwt
import pytest

from mfa_portal.clock import FakeClock
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.pools import load_client, load_pool
from mfa_portal.pool.token_cache import VerifiedTokens
from mfa_portal.pool.token_store import start_family
from mfa_portal.pool.users import get_user
from tests.support.cognito_errors import raises_cognito

PASSWORD = "Correct-horse-1"


class World:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        made = engine.call("CreateUserPool", {"PoolName": "p"}, iam_principal="test")
        self.pool_id = str(made["UserPool"]["Id"])
        client = self.admin("CreateUserPoolClient", ClientName="c")["UserPoolClient"]
        self.client_id = str(client["ClientId"])
        self.admin("AdminCreateUser", Username="alice", MessageAction="SUPPRESS")
        self.admin("AdminSetUserPassword", Username="alice", Password=PASSWORD, Permanent=True)

    def admin(self, op: str, **params: Any) -> dict[str, Any]:
        return self.engine.call(op, {"UserPoolId": self.pool_id, **params}, iam_principal="test")

    def public(self, op: str, **params: Any) -> dict[str, Any]:
        return self.engine.call(op, params)

    def sign_in(self) -> dict[str, Any]:
        ctx = Context(self.engine, self.engine.clock.now(), None)
        with ctx.tx() as conn:
            pool = load_pool(conn, self.pool_id)
            client = load_client(conn, self.client_id)
            return start_family(ctx, conn, pool, client, get_user(conn, pool, "alice")).sign(
                ctx.engine.signer
            )

    def cached_token(self) -> dict[str, Any]:
        """A fresh sign-in whose access token GetUser has verified (and so cached) once."""
        tokens = self.sign_in()
        assert self.public("GetUser", AccessToken=tokens["AccessToken"])["Username"] == "alice"
        return tokens


@pytest.fixture
def world(engine: Engine) -> World:
    return World(engine)


def test_a_cached_token_is_not_verified_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = world.cached_token()["AccessToken"]

    def no_more(*args: object, **kwargs: object) -> None:
        raise AssertionError("verified again")

    monkeypatch.setattr(jwt, "decode", no_more)
    assert world.public("GetUser", AccessToken=token)["Username"] == "alice"


def test_a_changed_token_is_not_the_cached_one(world: World) -> None:
    token = world.cached_token()["AccessToken"]
    header, payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    with raises_cognito("NotAuthorizedException", "Invalid Access Token"):
        world.public("GetUser", AccessToken=f"{header}.{payload}.{flipped}")


REVOCATIONS: dict[str, Callable[[World, dict[str, Any]], object]] = {
    "GlobalSignOut": lambda w, t: w.public("GlobalSignOut", AccessToken=t["AccessToken"]),
    "AdminUserGlobalSignOut": lambda w, t: w.admin("AdminUserGlobalSignOut", Username="alice"),
    "RevokeToken": lambda w, t: w.public(
        "RevokeToken", Token=t["RefreshToken"], ClientId=w.client_id
    ),
}


@pytest.mark.parametrize("action", sorted(REVOCATIONS))
def test_a_cached_token_is_refused_once_revoked(world: World, action: str) -> None:
    tokens = world.cached_token()
    REVOCATIONS[action](world, tokens)
    with raises_cognito("NotAuthorizedException", "Access Token has been revoked"):
        world.public("GetUser", AccessToken=tokens["AccessToken"])


def test_a_cached_token_of_a_disabled_user_is_refused(world: World) -> None:
    token = world.cached_token()["AccessToken"]
    world.admin("AdminDisableUser", Username="alice")
    with raises_cognito("NotAuthorizedException", "User is disabled."):
        world.public("GetUser", AccessToken=token)


def test_a_cached_token_of_a_deleted_user_is_refused(world: World) -> None:
    token = world.cached_token()["AccessToken"]
    world.admin("AdminDeleteUser", Username="alice")
    with raises_cognito("UserNotFoundException", "User does not exist."):
        world.public("GetUser", AccessToken=token)


def test_a_cached_token_expires_on_time(world: World) -> None:
    token = world.cached_token()["AccessToken"]
    assert isinstance(world.engine.clock, FakeClock)
    world.engine.clock.advance(3599)
    assert world.public("GetUser", AccessToken=token)["Username"] == "alice"
    world.engine.clock.advance(1)
    with raises_cognito("NotAuthorizedException", "Access Token has expired"):
        world.public("GetUser", AccessToken=token)


def test_an_id_token_is_no_access_token_even_when_cached(world: World) -> None:
    tokens = world.cached_token()
    world.engine.signer.decode(tokens["IdToken"], "id", now=world.engine.clock.now())
    with raises_cognito("NotAuthorizedException", "Invalid Access Token"):
        world.public("GetUser", AccessToken=tokens["IdToken"])


def test_the_cache_is_bounded_and_hands_out_copies() -> None:
    cache = VerifiedTokens(size=2)
    for name in ("a", "b", "c"):
        cache.keep("access", name, {"exp": 100, "sub": name})
    assert len(cache) == 2
    assert cache.claims_of("access", "a", 0) is None  # the least recently used went first
    claims = cache.claims_of("access", "b", 0)
    assert claims == {"exp": 100, "sub": "b"}
    claims["sub"] = "mallory"
    assert cache.claims_of("access", "b", 0) == {"exp": 100, "sub": "b"}
    assert cache.claims_of("id", "b", 0) is None  # another use is another entry
    assert cache.claims_of("access", "b", 100) is None  # expired: gone
    assert len(cache) == 1
