"""ConfirmForgotPassword through ``engine.call``: codes, the new password, what a reset changes."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

import pytest

from mfa_portal.cognito_api import messages
from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.pool import reset_codes, totp
from mfa_portal.pool.engine import Engine
from tests.support.cognito_errors import raises_cognito
from tests.support.hash_count import counted_hashes
from tests.support.race import run_together
from tests.support.recovery_world import HOUR, NEW_PASSWORD, RecoveryRig, wrong

# --- ConfirmForgotPassword ---------------------------------------------------------------------------


def test_wrong_codes_then_the_code_is_void(engine: Engine) -> None:
    rig = RecoveryRig(engine)
    rig.user("alice", email="alice@example.com")
    rig.forgot("alice")
    code = rig.code_sent_to("alice@example.com")
    for _ in range(5):
        with raises_cognito("CodeMismatchException", messages.CONFIRMATION_CODE_MISMATCH):
            rig.confirm("alice", wrong(code))
    with raises_cognito("ExpiredCodeException", messages.CONFIRMATION_CODE_EXPIRED):
        rig.confirm("alice", code)
    rig.forgot("alice")  # a new code starts a new count
    with raises_cognito("CodeMismatchException"):
        rig.confirm("alice", wrong(code))
    rig.confirm("alice", rig.code_sent_to("alice@example.com"))


def test_code_is_valid_for_one_hour(engine: Engine) -> None:
    rig = RecoveryRig(engine)
    rig.user("alice", email="alice@example.com")
    rig.user("bob", email="bob@example.com")
    rig.forgot("alice")
    rig.forgot("bob")
    rig.clock.advance(HOUR - 1)
    rig.confirm("alice", rig.code_sent_to("alice@example.com"))
    rig.clock.advance(1)
    code = rig.code_sent_to("bob@example.com")
    with raises_cognito("ExpiredCodeException", messages.CONFIRMATION_CODE_EXPIRED):
        rig.confirm("bob", code)


def test_never_requested_or_already_used(engine: Engine) -> None:
    rig = RecoveryRig(engine)
    rig.user("alice", email="alice@example.com")
    with raises_cognito("ExpiredCodeException", messages.CONFIRMATION_CODE_EXPIRED):
        rig.confirm("alice", "123456")
    rig.forgot("alice")
    code = rig.code_sent_to("alice@example.com")
    rig.confirm("alice", code)
    with raises_cognito("ExpiredCodeException"):
        rig.confirm("alice", code, "An0ther-pass!")
    assert "AuthenticationResult" in rig.login("alice", NEW_PASSWORD)


def test_a_code_belongs_to_its_user(engine: Engine) -> None:
    rig = RecoveryRig(engine)
    rig.user("alice", email="alice@example.com")
    rig.user("bob", email="bob@example.com")
    rig.forgot("alice")
    rig.forgot("bob")
    alice_code = rig.code_sent_to("alice@example.com")
    if alice_code != rig.code_sent_to("bob@example.com"):
        with raises_cognito("CodeMismatchException"):
            rig.confirm("bob", alice_code)
    rig.confirm("alice", alice_code)


def test_unknown_and_disabled_users_legacy(engine: Engine) -> None:
    rig = RecoveryRig(engine)
    with raises_cognito("UserNotFoundException", messages.USERNAME_CLIENT_NOT_FOUND):
        rig.confirm("nobody", "123456")
    rig.user("alice", email="alice@example.com")
    rig.forgot("alice")
    rig.admin("AdminDisableUser", Username="alice")
    code = rig.code_sent_to("alice@example.com")
    with raises_cognito("NotAuthorizedException", "User is disabled."):
        rig.confirm("alice", code)


def test_unknown_and_disabled_users_enabled(engine: Engine) -> None:
    rig = RecoveryRig(engine, prevent=True)
    rig.user("bob", email="bob@example.com")  # exists, never asked for a code
    with raises_cognito("ExpiredCodeException", messages.CONFIRMATION_CODE_EXPIRED):
        rig.confirm("bob", "123456")
    # An unknown name is answered as bob is: expired until a code is asked for, then a mismatch.
    with raises_cognito("ExpiredCodeException", messages.CONFIRMATION_CODE_EXPIRED):
        rig.confirm("nobody", "123456")
    rig.forgot("nobody")
    with raises_cognito("CodeMismatchException", messages.CONFIRMATION_CODE_MISMATCH):
        rig.confirm("nobody", "123456")
    rig.user("alice", email="alice@example.com")
    rig.forgot("alice")
    rig.admin("AdminDisableUser", Username="alice")
    code = rig.code_sent_to("alice@example.com")
    with raises_cognito("CodeMismatchException", messages.CONFIRMATION_CODE_MISMATCH):
        rig.confirm("alice", code)


def test_new_password_must_meet_the_policy_and_the_code_survives(engine: Engine) -> None:
    rig = RecoveryRig(engine)
    rig.user("alice", email="alice@example.com")
    rig.forgot("alice")
    code = rig.code_sent_to("alice@example.com")
    with raises_cognito("InvalidPasswordException"):
        rig.confirm("alice", code, "short")
    with raises_cognito("InvalidParameterException") as err:
        rig.confirm("alice", code, " Lead1ng-space")
    assert "'password'" in err.message and "Lead1ng" not in err.message
    rig.confirm("alice", code)


def test_reset_confirms_a_force_change_password_user(engine: Engine) -> None:
    rig = RecoveryRig(engine)
    rig.user("alice", email="alice@example.com", permanent=False)
    assert rig.status("alice") == "FORCE_CHANGE_PASSWORD"
    rig.forgot("alice")
    rig.confirm("alice", rig.code_sent_to("alice@example.com"))
    assert rig.status("alice") == "CONFIRMED"
    assert "AuthenticationResult" in rig.login("alice", NEW_PASSWORD)


def test_reset_clears_the_lockout(engine: Engine) -> None:
    rig = RecoveryRig(engine)
    rig.user("alice", email="alice@example.com")
    for _ in range(6):
        try:
            rig.login("alice", "Wrong-pass-1")
        except CognitoError:
            pass
    with raises_cognito("NotAuthorizedException", "Password attempts exceeded"):
        rig.login("alice")
    rig.forgot("alice")
    rig.confirm("alice", rig.code_sent_to("alice@example.com"))
    assert "AuthenticationResult" in rig.login("alice", NEW_PASSWORD)


def test_reset_signs_the_user_out_everywhere(engine: Engine) -> None:
    rig = RecoveryRig(engine)
    rig.user("alice", email="alice@example.com")
    auth = rig.login("alice")["AuthenticationResult"]
    rig.clock.advance(2)
    engine.call("GetUser", {"AccessToken": auth["AccessToken"]})
    rig.forgot("alice")
    rig.confirm("alice", rig.code_sent_to("alice@example.com"))
    with raises_cognito("NotAuthorizedException"):
        engine.call("GetUser", {"AccessToken": auth["AccessToken"]})
    refresh = {
        "ClientId": rig.client_id,
        "AuthFlow": "REFRESH_TOKEN_AUTH",
        "AuthParameters": {"REFRESH_TOKEN": auth["RefreshToken"]},
    }
    with raises_cognito("NotAuthorizedException"):
        engine.call("InitiateAuth", refresh)


def test_mfa_is_still_required_after_a_reset(engine: Engine) -> None:
    rig = RecoveryRig(engine)
    rig.set_mfa(
        {"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": {"Enabled": True}}
    )
    rig.user("alice", email="alice@example.com")
    access = rig.login("alice")["AuthenticationResult"]["AccessToken"]
    secret = engine.call("AssociateSoftwareToken", {"AccessToken": access})["SecretCode"]
    code = totp.code_at(secret, totp.step_at(rig.clock.now()))
    verified = engine.call("VerifySoftwareToken", {"AccessToken": access, "UserCode": code})
    assert verified["Status"] == "SUCCESS"
    engine.call(
        "SetUserMFAPreference",
        {
            "AccessToken": access,
            "SoftwareTokenMfaSettings": {"Enabled": True, "PreferredMfa": True},
        },
    )
    before = rig.admin("AdminGetUser", Username="alice")
    rig.forgot("alice")
    rig.confirm("alice", rig.code_sent_to("alice@example.com"))
    after = rig.admin("AdminGetUser", Username="alice")
    assert after["UserMFASettingList"] == before["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert after["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    rig.clock.advance(30)
    challenge = rig.login("alice", NEW_PASSWORD)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert "AuthenticationResult" not in challenge
    done = engine.call(
        "RespondToAuthChallenge",
        {
            "ClientId": rig.client_id,
            "ChallengeName": "SOFTWARE_TOKEN_MFA",
            "Session": challenge["Session"],
            "ChallengeResponses": {
                "USERNAME": "alice",
                "SOFTWARE_TOKEN_MFA_CODE": totp.code_at(secret, totp.step_at(rig.clock.now())),
            },
        },
    )
    assert "AccessToken" in done["AuthenticationResult"]


def test_two_racing_confirms_with_one_code_exactly_one_wins(engine: Engine) -> None:
    rig = RecoveryRig(engine)
    rig.user("alice", email="alice@example.com")
    rig.forgot("alice")
    code = rig.code_sent_to("alice@example.com")
    passwords = ["Fir5t-winner!", "Sec0nd-winner!"]

    def confirm(password: str) -> str:
        rig.confirm("alice", code, password)
        return password

    results = run_together([partial(confirm, pw) for pw in passwords], after_each=engine.db.close)
    outcomes = [r.code if isinstance(r, CognitoError) else r for r in results]
    assert len(outcomes) == 2 and "ExpiredCodeException" in outcomes
    winner = next(o for o in outcomes if o != "ExpiredCodeException")
    assert "AuthenticationResult" in rig.login("alice", winner)


def test_codes_are_never_stored_or_logged_in_clear(
    engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    rig = RecoveryRig(engine)
    rig.user("alice", email="alice@example.com")

    def stored_bytes() -> bytes:
        files = sorted((tmp_path / "pool").glob("pool.sqlite3*"))
        return b"".join(f.read_bytes() for f in files)

    for _ in range(5):  # a new code until one is not there by coincidence before it was issued
        before = stored_bytes()
        rig.forgot("alice")
        code = rig.code_sent_to("alice@example.com")
        if code.encode() not in before:
            break
    else:
        pytest.fail("every code was already in the database by chance")
    assert code.encode() not in stored_bytes()
    with engine.db.read() as conn:
        (stored,) = conn.execute("SELECT code_hash FROM reset_codes").fetchone()
    assert code not in stored
    with raises_cognito("CodeMismatchException"):
        rig.confirm("alice", wrong(code))
    rig.confirm("alice", code)
    assert "password reset completed" in caplog.text
    assert code not in caplog.text and wrong(code) not in caplog.text
    assert NEW_PASSWORD not in caplog.text


def test_email_username_pool_resets_by_the_email_it_signs_in_with(engine: Engine) -> None:
    rig = RecoveryRig(engine, secret=True, pool_extra={"UsernameAttributes": ["email"]})
    rig.user("carol@example.com", email="carol@example.com")
    details = rig.forgot("carol@example.com")["CodeDeliveryDetails"]
    assert details["Destination"] == "c***@e***"
    rig.confirm("carol@example.com", rig.code_sent_to("carol@example.com"))
    assert "AuthenticationResult" in rig.login("carol@example.com", NEW_PASSWORD)


def test_a_code_that_cannot_be_right_costs_no_hash(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each argon2 hash costs the server ~20 ms of a core; a caller with no right code (no
    credentials at all) must not be able to buy one per request."""
    rig = RecoveryRig(engine)
    rig.user("alice", email="alice@example.com")
    hashed = counted_hashes(engine.hasher, monkeypatch)
    with raises_cognito("ExpiredCodeException"):  # none requested
        rig.confirm("alice", "123456")
    with pytest.raises(CognitoError):  # no such user
        rig.confirm("nobody", "123456")
    rig.forgot("alice")
    code = rig.code_sent_to("alice@example.com")
    for _ in range(5):
        with raises_cognito("CodeMismatchException"):
            rig.confirm("alice", wrong(code))
    with raises_cognito("ExpiredCodeException"):  # the right code, after five wrong guesses
        rig.confirm("alice", code)
    assert hashed == []
    rig.forgot("alice")
    rig.confirm("alice", rig.code_sent_to("alice@example.com"))
    assert hashed == [NEW_PASSWORD]
    assert "AuthenticationResult" in rig.login("alice", NEW_PASSWORD)


def test_a_code_that_becomes_right_after_the_read_still_resets(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read before the hash and the transaction may disagree (a code issued in between): the
    transaction's verdict decides, and the password is then hashed there."""
    rig = RecoveryRig(engine)
    rig.user("alice", email="alice@example.com")
    rig.forgot("alice")
    code = rig.code_sent_to("alice@example.com")
    monkeypatch.setattr(reset_codes, "may_accept", lambda *_args: False)
    assert rig.confirm("alice", code) == {}
    assert "AuthenticationResult" in rig.login("alice", NEW_PASSWORD)
