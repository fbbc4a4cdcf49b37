"""The history kept for names that are no user: never the name itself, expiring and bounded.

That the answers match a real user's is shown over the wire in tests/wire/test_user_existence.py.
"""

from __future__ import annotations

import pytest

from mfa_portal.pool import unknown_names
from mfa_portal.pool.engine import Engine
from tests.support.auth_world import SignInRig
from tests.support.cognito_errors import raises_cognito

WRONG = ("NotAuthorizedException", "Incorrect username or password.")
EXCEEDED = ("NotAuthorizedException", "Password attempts exceeded")


def rows(engine: Engine) -> list[dict[str, object]]:
    with engine.db.read() as conn:
        return [dict(r) for r in conn.execute("SELECT * FROM unknown_names")]


def fail(rig: SignInRig, name: str, expected: tuple[str, str] = WRONG) -> None:
    with raises_cognito(*expected):
        rig.login(name, "Wrong-pass-1")


def test_the_name_is_not_stored(engine: Engine) -> None:
    rig = SignInRig(engine, prevent=True)
    fail(rig, "Jane.Doe-Secret-Passw0rd")
    [row] = rows(engine)
    assert not any("Jane" in str(value) or "Secret" in str(value) for value in row.values())
    assert row["failed_attempts"] == 1


def test_legacy_clients_are_told_and_nothing_is_kept(engine: Engine) -> None:
    rig = SignInRig(engine, prevent=False)
    for _ in range(6):
        with raises_cognito("UserNotFoundException", "User does not exist."):
            rig.login("nobody")
    assert rows(engine) == []


def test_rows_expire_with_the_lockout_and_are_purged(engine: Engine) -> None:
    rig = SignInRig(engine, prevent=True)
    for _ in range(5):
        fail(rig, "nobody")
    fail(rig, "nobody", EXCEEDED)
    rig.clock.advance(899)  # 15 idle minutes have not passed: still remembered
    fail(rig, "somebody")
    assert len(rows(engine)) == 2
    rig.clock.advance(900)
    fail(rig, "somebody")  # any write purges what has expired
    assert len(rows(engine)) == 1
    for _ in range(4):
        fail(rig, "nobody")  # the count started over, as a real user's does
    assert len(rows(engine)) == 2


def test_a_flood_of_names_is_bounded_and_does_not_erase_a_probed_name(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(unknown_names, "MAX_ROWS_PER_POOL", 3)
    rig = SignInRig(engine, prevent=True)
    for _ in range(5):
        fail(rig, "probed")
    for i in range(6):
        fail(rig, f"flood-{i}")
    assert len(rows(engine)) == 3
    fail(rig, "probed", EXCEEDED)


def test_forgot_password_requests_are_kept_for_an_hour(engine: Engine) -> None:
    rig = SignInRig(engine, prevent=True, recovery=["verified_email"])
    engine.call("ForgotPassword", {"ClientId": rig.client_id, "Username": "nobody"})
    assert len(rows(engine)) == 1
    rig.clock.advance(3600)
    fail(rig, "somebody")
    assert [r["failed_attempts"] for r in rows(engine)] == [1]
