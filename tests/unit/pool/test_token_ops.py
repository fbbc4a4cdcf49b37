"""GetUser, ChangePassword, GlobalSignOut, AdminUserGlobalSignOut and RevokeToken (ops/token_ops)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from mfa_portal.clock import FakeClock
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.pools import load_client, load_pool
from mfa_portal.pool.token_store import refresh_tokens, start_family
from mfa_portal.pool.users import get_user
from tests.support.cognito_errors import raises_cognito

PASSWORD = "Correct-horse-1"
NEW_PASSWORD = "Battery-staple-2"


@dataclass
class World:
    engine: Engine
    pool_id: str
    client_id: str

    def admin(self, op: str, **params: Any) -> dict[str, Any]:
        return self.engine.call(op, {"UserPoolId": self.pool_id, **params}, iam_principal="test")

    def public(self, op: str, **params: Any) -> dict[str, Any]:
        return self.engine.call(op, params)

    def add_client(self, **params: Any) -> str:
        made = self.admin("CreateUserPoolClient", ClientName="c", **params)["UserPoolClient"]
        return str(made["ClientId"])

    def add_user(self, name: str = "alice", **attributes: str) -> None:
        attrs = [{"Name": k, "Value": v} for k, v in attributes.items()]
        self.admin("AdminCreateUser", Username=name, MessageAction="SUPPRESS", UserAttributes=attrs)
        self.admin("AdminSetUserPassword", Username=name, Password=PASSWORD, Permanent=True)

    def sign_in(self, name: str = "alice", client_id: str | None = None) -> dict[str, Any]:
        ctx = Context(self.engine, self.engine.clock.now(), None)
        with ctx.tx() as conn:
            pool = load_pool(conn, self.pool_id)
            client = load_client(conn, client_id or self.client_id)
            return start_family(ctx, conn, pool, client, get_user(conn, pool, name)).sign(
                ctx.engine.signer
            )

    def refresh(self, token: str, client_id: str | None = None) -> dict[str, Any]:
        ctx = Context(self.engine, self.engine.clock.now(), None)
        with ctx.tx() as conn:
            pool = load_pool(conn, self.pool_id)
            client = load_client(conn, client_id or self.client_id)
            return refresh_tokens(ctx, conn, pool, client, token).sign(ctx.engine.signer)


@pytest.fixture
def world(engine: Engine) -> World:
    pool = engine.call("CreateUserPool", {"PoolName": "p"}, iam_principal="test")["UserPool"]
    w = World(engine, pool["Id"], "")
    w.client_id = w.add_client()
    w.add_user(email="alice@example.com", email_verified="true")
    return w


# --- GetUser -------------------------------------------------------------------------------


def test_get_user_returns_the_token_owner(world: World) -> None:
    token = world.sign_in()["AccessToken"]
    got = world.public("GetUser", AccessToken=token)
    assert got["Username"] == "alice"
    names = {a["Name"]: a["Value"] for a in got["UserAttributes"]}
    assert names["email"] == "alice@example.com" and "sub" in names
    assert not {"MFAOptions", "PreferredMfaSetting", "UserMFASettingList"} & set(got)


def test_get_user_reports_mfa_settings(world: World) -> None:
    with world.engine.db.transaction() as conn:
        conn.execute(
            "UPDATE users SET mfa_enabled = '[\"SOFTWARE_TOKEN_MFA\"]', "
            "preferred_mfa = 'SOFTWARE_TOKEN_MFA' WHERE username = 'alice'"
        )
    got = world.public("GetUser", AccessToken=world.sign_in()["AccessToken"])
    assert got["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert got["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    assert "MFAOptions" not in got


def test_get_user_with_id_token_is_invalid(world: World) -> None:
    with raises_cognito("NotAuthorizedException", "Invalid Access Token"):
        world.public("GetUser", AccessToken=world.sign_in()["IdToken"])


def test_get_user_after_disable(world: World) -> None:
    token = world.sign_in()["AccessToken"]
    world.admin("AdminDisableUser", Username="alice")
    with raises_cognito("NotAuthorizedException", "User is disabled."):
        world.public("GetUser", AccessToken=token)


def test_get_user_after_delete(world: World) -> None:
    token = world.sign_in()["AccessToken"]
    world.admin("AdminDeleteUser", Username="alice")
    with raises_cognito("UserNotFoundException", "User does not exist."):
        world.public("GetUser", AccessToken=token)


def test_get_user_with_expired_token(world: World) -> None:
    token = world.sign_in()["AccessToken"]
    assert isinstance(world.engine.clock, FakeClock)
    world.engine.clock.advance(3600)
    with raises_cognito("NotAuthorizedException", "Access Token has expired"):
        world.public("GetUser", AccessToken=token)


# --- sign-out ------------------------------------------------------------------------------


def test_global_sign_out_revokes_every_session(world: World) -> None:
    first, second = world.sign_in(), world.sign_in()
    assert world.public("GlobalSignOut", AccessToken=first["AccessToken"]) == {}
    for result in (first, second):
        with raises_cognito("NotAuthorizedException", "Access Token has been revoked"):
            world.public("GetUser", AccessToken=result["AccessToken"])
        with raises_cognito("NotAuthorizedException", "Refresh Token has been revoked"):
            world.refresh(result["RefreshToken"])
    with raises_cognito("NotAuthorizedException", "Access Token has been revoked"):
        world.public("GlobalSignOut", AccessToken=first["AccessToken"])
    assert world.public("GetUser", AccessToken=world.sign_in()["AccessToken"])["Username"]


def test_admin_global_sign_out(world: World) -> None:
    world.add_user("bob")
    alice, bob = world.sign_in(), world.sign_in("bob")
    assert world.admin("AdminUserGlobalSignOut", Username="alice") == {}
    with raises_cognito("NotAuthorizedException", "Access Token has been revoked"):
        world.public("GetUser", AccessToken=alice["AccessToken"])
    with raises_cognito("NotAuthorizedException", "Refresh Token has been revoked"):
        world.refresh(alice["RefreshToken"])
    assert world.public("GetUser", AccessToken=bob["AccessToken"])["Username"] == "bob"


def test_admin_global_sign_out_errors(world: World) -> None:
    with raises_cognito("UserNotFoundException", "User does not exist."):
        world.admin("AdminUserGlobalSignOut", Username="nobody")
    with raises_cognito("ResourceNotFoundException"):
        world.engine.call(
            "AdminUserGlobalSignOut",
            {"UserPoolId": "us-east-1_Missing00", "Username": "alice"},
            iam_principal="test",
        )
    with raises_cognito("MissingAuthenticationTokenException"):
        world.engine.call(
            "AdminUserGlobalSignOut", {"UserPoolId": world.pool_id, "Username": "alice"}
        )


# --- RevokeToken ---------------------------------------------------------------------------


def test_revoke_token_revokes_only_that_family(world: World) -> None:
    kept, revoked = world.sign_in(), world.sign_in()
    world.public("RevokeToken", Token=revoked["RefreshToken"], ClientId=world.client_id)
    with raises_cognito("NotAuthorizedException", "Refresh Token has been revoked"):
        world.refresh(revoked["RefreshToken"])
    with raises_cognito("NotAuthorizedException", "Access Token has been revoked"):
        world.public("GetUser", AccessToken=revoked["AccessToken"])
    assert world.public("GetUser", AccessToken=kept["AccessToken"])["Username"] == "alice"
    assert world.refresh(kept["RefreshToken"])["AccessToken"]


def test_revoke_token_also_kills_tokens_refreshed_from_it(world: World) -> None:
    tokens = world.sign_in()
    refreshed = world.refresh(tokens["RefreshToken"])
    world.public("RevokeToken", Token=tokens["RefreshToken"], ClientId=world.client_id)
    with raises_cognito("NotAuthorizedException", "Access Token has been revoked"):
        world.public("GetUser", AccessToken=refreshed["AccessToken"])


def test_revoke_token_is_idempotent_and_silent_for_unknown_tokens(world: World) -> None:
    token = world.sign_in()["RefreshToken"]
    for _ in range(2):
        assert world.public("RevokeToken", Token=token, ClientId=world.client_id) == {}
    assert world.public("RevokeToken", Token="unknown", ClientId=world.client_id) == {}


@pytest.mark.parametrize("kind", ["AccessToken", "IdToken"])
def test_revoke_token_rejects_jwts(world: World, kind: str) -> None:
    with raises_cognito("UnsupportedTokenTypeException"):
        world.public("RevokeToken", Token=world.sign_in()[kind], ClientId=world.client_id)


def test_revoke_token_from_another_client(world: World) -> None:
    other = world.add_client()
    tokens = world.sign_in()
    with raises_cognito("UnauthorizedException"):
        world.public("RevokeToken", Token=tokens["RefreshToken"], ClientId=other)
    assert world.refresh(tokens["RefreshToken"])["AccessToken"]  # still valid


def test_revoke_token_with_unknown_client(world: World) -> None:
    with raises_cognito("UnauthorizedException"):
        world.public("RevokeToken", Token="x", ClientId="nosuchclient00000000000000")


def test_revoke_token_disabled_on_client(world: World) -> None:
    client = world.add_client(EnableTokenRevocation=False)
    tokens = world.sign_in(client_id=client)
    with raises_cognito("UnsupportedOperationException"):
        world.public("RevokeToken", Token=tokens["RefreshToken"], ClientId=client)
    assert world.refresh(tokens["RefreshToken"], client)["AccessToken"]


def test_revoke_token_needs_the_client_secret(world: World) -> None:
    client = world.add_client(GenerateSecret=True)
    described = world.admin("DescribeUserPoolClient", ClientId=client)["UserPoolClient"]
    secret = described["ClientSecret"]
    token = world.sign_in(client_id=client)["RefreshToken"]
    with raises_cognito("UnauthorizedException"):
        world.public("RevokeToken", Token=token, ClientId=client)
    wrong = secret[:-1] + ("y" if secret.endswith("x") else "x")  # always another secret
    with raises_cognito("UnauthorizedException"):
        world.public("RevokeToken", Token=token, ClientId=client, ClientSecret=wrong)
    world.public("RevokeToken", Token=token, ClientId=client, ClientSecret=secret)
    with raises_cognito("NotAuthorizedException", "Refresh Token has been revoked"):
        world.refresh(token, client)


# --- ChangePassword ------------------------------------------------------------------------


def _change(world: World, token: str, previous: str, proposed: str = NEW_PASSWORD) -> None:
    world.public(
        "ChangePassword", AccessToken=token, PreviousPassword=previous, ProposedPassword=proposed
    )


def _password_ok(world: World, password: str) -> bool:
    with world.engine.db.read() as conn:
        row = conn.execute("SELECT password_hash FROM users WHERE username = 'alice'").fetchone()
    return world.engine.hasher.verify(row[0], password)


def test_change_password(world: World) -> None:
    token = world.sign_in()["AccessToken"]
    _change(world, token, PASSWORD)
    assert _password_ok(world, NEW_PASSWORD) and not _password_ok(world, PASSWORD)
    assert world.public("GetUser", AccessToken=token)["Username"] == "alice"


def test_change_password_with_wrong_previous_counts_toward_lockout(world: World) -> None:
    token = world.sign_in()["AccessToken"]
    for _ in range(5):
        with raises_cognito("NotAuthorizedException", "Incorrect username or password."):
            _change(world, token, "Wrong-password-1")
    with raises_cognito("NotAuthorizedException", "Password attempts exceeded"):
        _change(world, token, PASSWORD)  # locked: even the right password fails
    assert _password_ok(world, PASSWORD)
    with world.engine.db.read() as conn:
        failures = conn.execute("SELECT failed_attempts FROM users WHERE username = 'alice'")
        assert failures.fetchone()[0] == 5
    assert isinstance(world.engine.clock, FakeClock)
    world.engine.clock.advance(2)
    _change(world, token, PASSWORD)
    assert _password_ok(world, NEW_PASSWORD)


@pytest.mark.parametrize("previous", [{}, {"PreviousPassword": None}])
def test_change_password_without_the_previous_one_is_a_wrong_password(
    world: World, previous: dict[str, Any]
) -> None:
    token = world.sign_in()["AccessToken"]
    with raises_cognito("NotAuthorizedException", "Incorrect username or password."):
        world.public("ChangePassword", AccessToken=token, ProposedPassword=NEW_PASSWORD, **previous)
    assert _password_ok(world, PASSWORD)
    with world.engine.db.read() as conn:
        failures = conn.execute("SELECT failed_attempts FROM users WHERE username = 'alice'")
        assert failures.fetchone()[0] == 1


def test_change_password_enforces_the_policy(world: World) -> None:
    token = world.sign_in()["AccessToken"]
    prefix = "Password did not conform with policy: "
    with raises_cognito("InvalidPasswordException", prefix + "Password not long enough"):
        _change(world, token, PASSWORD, "Aa1!")
    with raises_cognito(
        "InvalidPasswordException", prefix + "Password must have symbol characters"
    ):
        _change(world, token, PASSWORD, "NoSymbols123")
    assert _password_ok(world, PASSWORD)


def test_change_password_while_locked_refuses_without_hashing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = world.sign_in()["AccessToken"]
    for _ in range(5):
        with raises_cognito("NotAuthorizedException", "Incorrect username or password."):
            _change(world, token, "Wrong-password-1")
    hashed: list[str] = []
    monkeypatch.setattr(world.engine.hasher, "verify", lambda *a: hashed.append("verify"))
    monkeypatch.setattr(world.engine.hasher, "hash", lambda *a: hashed.append("hash"))
    with raises_cognito("NotAuthorizedException", "Password attempts exceeded"):
        _change(world, token, PASSWORD)
    assert hashed == []


def _meanwhile(world: World, monkeypatch: pytest.MonkeyPatch, act: Callable[[], object]) -> None:
    """Run ``act`` once, right after ChangePassword's first check of the previous password (before
    its transaction), as another request would."""
    real_verify = world.engine.hasher.verify
    done: list[bool] = []

    def verify(stored: str | None, password: str) -> bool:
        ok = real_verify(stored, password)
        if not done:
            done.append(True)
            act()
        return ok

    monkeypatch.setattr(world.engine.hasher, "verify", verify)


def test_change_password_judges_a_password_an_admin_set_meanwhile(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The previous password is judged as it is when the change commits: the old one, right a
    moment before, no longer counts; the new one does."""
    token = world.sign_in()["AccessToken"]
    admin_password = "Admin-chosen-3!"

    def reset() -> None:
        world.admin(
            "AdminSetUserPassword", Username="alice", Password=admin_password, Permanent=True
        )

    _meanwhile(world, monkeypatch, reset)
    with raises_cognito("NotAuthorizedException", "Incorrect username or password."):
        _change(world, token, PASSWORD)
    assert _password_ok(world, admin_password)
    with world.engine.db.read() as conn:
        failures = conn.execute("SELECT failed_attempts FROM users WHERE username = 'alice'")
        assert failures.fetchone()[0] == 1

    _meanwhile(world, monkeypatch, reset)  # wrong before the reset, right after it
    _change(world, token, admin_password)
    assert _password_ok(world, NEW_PASSWORD)


def test_change_password_with_a_token_revoked_meanwhile_changes_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = world.sign_in()["AccessToken"]
    _meanwhile(world, monkeypatch, lambda: world.public("GlobalSignOut", AccessToken=token))
    with raises_cognito("NotAuthorizedException", "Access Token has been revoked"):
        _change(world, token, PASSWORD)
    assert _password_ok(world, PASSWORD)


def test_change_password_after_sign_out(world: World) -> None:
    token = world.sign_in()["AccessToken"]
    world.public("GlobalSignOut", AccessToken=token)
    with raises_cognito("NotAuthorizedException", "Access Token has been revoked"):
        _change(world, token, PASSWORD)
    assert _password_ok(world, PASSWORD)
