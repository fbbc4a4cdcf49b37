"""Challenge sessions: opaque, hashed at rest, single use, expiring, bound to one challenge."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pyotp
import pytest

from mfa_portal.clock import FakeClock
from mfa_portal.cognito_api import messages
from mfa_portal.pool import auth_sessions
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from tests.support.cognito_errors import raises_cognito
from tests.support.engine_calls import respond_to_totp, totp_pool
from tests.support.postgres import stored_text

IAM = "test"
PASSWORD = "Correct-Horse-9!"


@dataclass
class World:
    engine: Engine
    clock: FakeClock
    pool_id: str
    client_id: str

    def admin(self, op: str, **params: Any) -> dict[str, Any]:
        return self.engine.call(op, {"UserPoolId": self.pool_id, **params}, iam_principal=IAM)

    def ctx(self) -> Context:
        return Context(self.engine, self.clock.now(), None)

    def user_id(self, username: str) -> int:
        with self.engine.db.read() as conn:
            row = conn.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()
        return int(row[0])

    def add_user(self, username: str) -> int:
        self.admin("AdminCreateUser", Username=username, MessageAction="SUPPRESS")
        self.admin("AdminSetUserPassword", Username=username, Password=PASSWORD, Permanent=True)
        return self.user_id(username)

    def create(
        self,
        user_id: int,
        *,
        ttl: int = 180,
        challenge: str = "SOFTWARE_TOKEN_MFA",
        data: dict[str, Any] | None = None,
    ) -> str:
        with self.engine.db.transaction() as conn:
            return auth_sessions.create_session(
                self.ctx(),
                conn,
                pool_id=self.pool_id,
                client_id=self.client_id,
                user_id=user_id,
                stage=auth_sessions.SessionStage.PASSWORD_OK,
                challenge=challenge,
                ttl_seconds=ttl,
                data=data,
            )

    def spend(self, session: str, challenges: set[str] | None = None) -> auth_sessions.AuthSession:
        with self.engine.db.transaction() as conn:
            return auth_sessions.spend_session(self.ctx(), conn, session, challenges=challenges)

    def load(self, session: str, challenges: set[str] | None = None) -> auth_sessions.AuthSession:
        with self.engine.db.transaction() as conn:
            return auth_sessions.load_session(self.ctx(), conn, session, challenges=challenges)

    def count(self) -> int:
        with self.engine.db.read() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM auth_sessions").fetchone()[0])


@pytest.fixture
def world(engine: Engine, clock: FakeClock) -> World:
    pool_id, client_id = totp_pool(engine, "p")
    return World(engine, clock, pool_id, client_id)


@contextmanager
def refused(message: str) -> Iterator[None]:
    """Expect NotAuthorizedException with exactly this message."""
    with raises_cognito("NotAuthorizedException", message):
        yield


def test_session_is_opaque_and_long_like_cognitos(world: World) -> None:
    uid = world.add_user("alice")
    first, second = world.create(uid), world.create(uid)
    assert first.startswith("AYAB") and first != second
    assert 20 <= len(first) <= 4096
    assert world.load(first).user_id == uid


def test_load_returns_the_stored_flow_state(world: World) -> None:
    uid = world.add_user("alice")
    session = world.create(uid, data={"wrong": 1})
    found = world.load(session)
    assert (found.pool_id, found.client_id, found.user_id) == (world.pool_id, world.client_id, uid)
    assert (found.stage, found.challenge, found.data) == (
        auth_sessions.SessionStage.PASSWORD_OK,
        "SOFTWARE_TOKEN_MFA",
        {"wrong": 1},
    )
    assert found.expires_at == found.created + 180 == world.clock.now() + 180
    assert found.id_hash == hashlib.sha256(session.encode()).hexdigest()


def test_unknown_session_is_invalid(world: World) -> None:
    with refused(messages.SESSION_INVALID):
        world.load("AYAB" + "x" * 100)


def test_session_is_single_use(world: World) -> None:
    uid = world.add_user("alice")
    session = world.create(uid)
    assert world.spend(session).user_id == uid
    with refused(messages.SESSION_INVALID):
        world.spend(session)
    with refused(messages.SESSION_INVALID):
        world.load(session)


def test_expired_session_is_refused_and_removed(world: World) -> None:
    uid = world.add_user("alice")
    session = world.create(uid, ttl=180)
    world.clock.advance(179.9)
    world.load(session)  # still alive just before expiry
    world.clock.advance(0.1)  # expires_at itself is already too late
    with refused(messages.SESSION_EXPIRED):
        world.spend(session)
    assert world.count() == 0  # the row is gone, the removal was committed
    with refused(messages.SESSION_INVALID):
        world.load(session)


def test_session_for_another_challenge_is_refused(world: World) -> None:
    uid = world.add_user("alice")
    session = world.create(uid, challenge="MFA_SETUP")
    with refused(messages.SESSION_INVALID):
        world.spend(session, challenges={"SOFTWARE_TOKEN_MFA"})
    assert world.count() == 1  # a misdirected answer does not burn the session
    assert (
        world.spend(session, challenges={"MFA_SETUP", "SOFTWARE_TOKEN_MFA"}).challenge
        == "MFA_SETUP"
    )


def test_update_session_persists_stage_challenge_and_data(world: World) -> None:
    uid = world.add_user("alice")
    session = world.create(uid)
    found = world.load(session)
    found.stage, found.challenge, found.data = (
        auth_sessions.SessionStage.SETUP_VERIFIED,
        "MFA_SETUP",
        {"wrong": 2},
    )
    with world.engine.db.transaction() as conn:
        auth_sessions.update_session(conn, found)
    again = world.load(session)
    assert (again.stage, again.challenge, again.data) == (
        auth_sessions.SessionStage.SETUP_VERIFIED,
        "MFA_SETUP",
        {"wrong": 2},
    )


def test_drop_user_sessions_forgets_only_that_user(world: World) -> None:
    alice, bob = world.add_user("alice"), world.add_user("bob")
    a1, a2, b1 = world.create(alice), world.create(alice), world.create(bob)
    with world.engine.db.transaction() as conn:
        auth_sessions.drop_user_sessions(conn, alice)
    for gone in (a1, a2):
        with refused(messages.SESSION_INVALID):
            world.load(gone)
    assert world.load(b1).user_id == bob


def test_long_expired_sessions_are_swept_when_a_new_one_is_made(world: World) -> None:
    uid = world.add_user("alice")
    old = world.create(uid, ttl=60)
    world.clock.advance(60 + 3601)
    world.create(uid)
    assert world.count() == 1
    with refused(messages.SESSION_INVALID):
        world.load(old)


def test_only_the_hash_is_stored(world: World) -> None:
    uid = world.add_user("alice")
    session = world.create(uid)
    with world.engine.db.read() as conn:
        stored = [tuple(r) for r in conn.execute("SELECT * FROM auth_sessions")]
    assert session not in repr(stored)
    content = stored_text(world.engine.db, world.engine.data_dir)
    assert session not in content and session[4:40] not in content


def test_deleting_the_user_deletes_the_sessions(world: World) -> None:
    uid = world.add_user("alice")
    world.create(uid)
    world.admin("AdminDeleteUser", Username="alice")
    assert world.count() == 0


# --- through the engine ------------------------------------------------------------------------


def _enrolled(world: World) -> tuple[str, str]:
    """alice with TOTP enrolled and preferred; returns (secret, fresh challenge session)."""
    world.add_user("alice")
    sign_in = {
        "ClientId": world.client_id,
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD},
    }
    access = world.engine.call("InitiateAuth", sign_in)["AuthenticationResult"]["AccessToken"]
    secret = world.engine.call("AssociateSoftwareToken", {"AccessToken": access})["SecretCode"]
    code = pyotp.TOTP(secret).at(world.clock.now())
    world.engine.call("VerifySoftwareToken", {"AccessToken": access, "UserCode": code})
    world.engine.call(
        "SetUserMFAPreference",
        {
            "AccessToken": access,
            "SoftwareTokenMfaSettings": {"Enabled": True, "PreferredMfa": True},
        },
    )
    world.clock.advance(30)
    challenge = world.engine.call("InitiateAuth", sign_in)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    return secret, challenge["Session"]


def _answer(world: World, session: str, code: str) -> dict[str, Any]:
    return respond_to_totp(world.engine, world.client_id, session, code)


def test_engine_refuses_a_spent_session(world: World) -> None:
    secret, session = _enrolled(world)
    assert "AuthenticationResult" in _answer(
        world, session, pyotp.TOTP(secret).at(world.clock.now())
    )
    world.clock.advance(30)
    with refused(messages.SESSION_INVALID):
        _answer(world, session, pyotp.TOTP(secret).at(world.clock.now()))


def test_engine_refuses_and_removes_an_expired_session(world: World) -> None:
    secret, session = _enrolled(world)
    world.clock.advance(181)
    with refused(messages.SESSION_EXPIRED):
        _answer(world, session, pyotp.TOTP(secret).at(world.clock.now()))
    assert world.count() == 0
