"""Setting a password costs a core 20-45 ms: an argon2 hash (two for ChangePassword) and an SRP
verifier. None of it may run while the call holds the store's write lock (SQLite's, or the advisory
lock every PostgreSQL write transaction takes), which every sign-in needs to commit its tokens: while
each of those steps runs, another thread's write transaction goes through.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from mfa_portal.pool import srp
from mfa_portal.pool.engine import Engine
from tests.support.auth_world import SignInRig, tokens_of
from tests.support.pool_rig import PASSWORD
from tests.support.write_lock import WriteProbe

NEW_PASSWORD = "Battery-staple-2!"


def _change_password(rig: SignInRig) -> Callable[[], object]:
    rig.user("alice")
    token = tokens_of(rig.login("alice"))["AccessToken"]
    return lambda: rig.engine.call(
        "ChangePassword",
        {"AccessToken": token, "PreviousPassword": PASSWORD, "ProposedPassword": NEW_PASSWORD},
    )


def _admin_set_user_password(rig: SignInRig) -> Callable[[], object]:
    rig.user("alice")
    return lambda: rig.admin(
        "AdminSetUserPassword", Username="alice", Password=NEW_PASSWORD, Permanent=True
    )


def _admin_create_user(rig: SignInRig) -> Callable[[], object]:
    return lambda: rig.admin(
        "AdminCreateUser", Username="bob", MessageAction="SUPPRESS", TemporaryPassword=NEW_PASSWORD
    )


def _sign_up(rig: SignInRig) -> Callable[[], object]:
    return lambda: rig.engine.call(
        "SignUp", {"ClientId": rig.client_id, "Username": "carol", "Password": NEW_PASSWORD}
    )


CASES = {
    "ChangePassword": (_change_password, ["verify", "verifier", "hash"]),
    "AdminSetUserPassword": (_admin_set_user_password, ["hash", "verifier"]),
    "AdminCreateUser": (_admin_create_user, ["hash", "verifier"]),
    "SignUp": (_sign_up, ["hash", "verifier"]),
}


@pytest.mark.parametrize("operation", list(CASES))
def test_a_password_is_hashed_and_its_verifier_made_without_holding_the_write_lock(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, operation: str
) -> None:
    prepare, expected = CASES[operation]
    call = prepare(SignInRig(engine))
    with WriteProbe(engine) as probe:
        monkeypatch.setattr(engine.hasher, "hash", probe.watched("hash", engine.hasher.hash))
        monkeypatch.setattr(engine.hasher, "verify", probe.watched("verify", engine.hasher.verify))
        monkeypatch.setattr(srp, "make_verifier", probe.watched("verifier", srp.make_verifier))
        call()
    assert probe.steps == [(name, True) for name in expected]
