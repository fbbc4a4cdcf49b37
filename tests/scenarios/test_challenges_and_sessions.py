"""Challenge sessions, MFA_SETUP in required pools, SELECT_MFA_TYPE and lockout (spec §4.3–§4.7)."""

from __future__ import annotations

import json
from functools import partial

import pytest

from mfa_portal.cognito_api.errors import CognitoError
from tests.support.backends import PASSWORD, Backend
from tests.support.cognito_errors import raises_cognito
from tests.support.race import run_together
from tests.support.setup import make_pool


@pytest.mark.moto_differs("MFAS_CAN_SETUP is a Python repr, not JSON")
def test_required_pool_admin_created_user_sets_password_then_enrols(backend: Backend) -> None:
    pool = make_pool(backend, mfa="ON")
    pool.create_user("carol", permanent=False)
    first = pool.sign_in("carol", "Temp-Pass-123!")
    assert first["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    setup = pool.idp.call(
        "RespondToAuthChallenge",
        ClientId=pool.client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=first["Session"],
        ChallengeResponses={"USERNAME": "carol", "NEW_PASSWORD": PASSWORD},
    )
    assert setup["ChallengeName"] == "MFA_SETUP"
    assert json.loads(setup["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]

    assoc = pool.idp.call("AssociateSoftwareToken", Session=setup["Session"])
    verify = pool.idp.call(
        "VerifySoftwareToken",
        Session=assoc["Session"],
        UserCode=backend.code(assoc["SecretCode"]),
        FriendlyDeviceName="phone",
    )
    assert verify["Status"] == "SUCCESS"
    done = pool.idp.call(
        "RespondToAuthChallenge",
        ClientId=pool.client_id,
        ChallengeName="MFA_SETUP",
        Session=verify["Session"],
        ChallengeResponses={"USERNAME": "carol"},
    )
    assert "AccessToken" in done["AuthenticationResult"]
    assert pool.sign_in("carol")["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


@pytest.mark.backends("engine", "wire")
def test_verify_needs_the_session_that_associate_returned(backend: Backend) -> None:
    pool = make_pool(backend, mfa="ON")
    pool.create_user("carol")
    setup = pool.sign_in("carol")
    assert setup["ChallengeName"] == "MFA_SETUP"
    assoc = pool.idp.call("AssociateSoftwareToken", Session=setup["Session"])
    with raises_cognito(
        "NotAuthorizedException", "Invalid session for the user."
    ):  # the InitiateAuth session was spent by Associate
        pool.idp.call(
            "VerifySoftwareToken",
            Session=setup["Session"],
            UserCode=backend.code(assoc["SecretCode"]),
        )


@pytest.mark.moto_differs("replaying a spent session gives ResourceNotFoundException")
def test_a_session_is_single_use(backend: Backend) -> None:
    pool = make_pool(backend)
    pool.create_user("alice")
    secret = pool.enrol_totp("alice")
    step = pool.sign_in("alice")
    if backend.name != "moto":
        backend.next_step()
    pool.answer_totp("alice", step["Session"], backend.code(secret))
    backend.next_step() if backend.name != "moto" else None
    with raises_cognito("NotAuthorizedException", "Invalid session for the user."):
        pool.answer_totp("alice", step["Session"], backend.code(secret))


@pytest.mark.backends("engine", "wire")
def test_a_session_expires_after_the_clients_auth_session_validity(backend: Backend) -> None:
    pool = make_pool(backend)
    pool.create_user("alice")
    secret = pool.enrol_totp("alice")
    step = pool.sign_in("alice")
    backend.clock.advance(3 * 60 + 1)
    with raises_cognito(
        "NotAuthorizedException", "Invalid session for the user, session is expired."
    ):
        pool.answer_totp("alice", step["Session"], backend.code(secret))


@pytest.mark.moto_differs("mints tokens for whatever USERNAME the client sends")
def test_a_session_issued_to_one_user_cannot_be_finished_as_another(backend: Backend) -> None:
    pool = make_pool(backend)
    pool.create_user("mallory")
    pool.create_user("victim")
    mallory_secret = pool.enrol_totp("mallory")
    pool.enrol_totp("victim")
    step = pool.sign_in("mallory")
    if backend.name != "moto":
        backend.next_step()
    with raises_cognito("NotAuthorizedException"):
        pool.answer_totp("victim", step["Session"], backend.code(mallory_secret))


def test_unknown_user_is_reported_in_legacy_mode(backend: Backend) -> None:
    pool = make_pool(backend)
    with raises_cognito("UserNotFoundException", "User does not exist."):
        pool.sign_in("nobody")


@pytest.mark.moto_differs("ignores PreventUserExistenceErrors")
def test_unknown_user_looks_like_a_wrong_password_when_existence_errors_are_prevented(
    backend: Backend,
) -> None:
    pool = make_pool(backend, prevent_user_existence=True)
    pool.create_user("alice")
    for name, password in (("nobody", PASSWORD), ("alice", "Wrong-Pass-1!")):
        with raises_cognito("NotAuthorizedException", "Incorrect username or password."):
            pool.sign_in(name, password)


@pytest.mark.moto_differs("has no lockout")
def test_five_free_failures_then_password_attempts_exceeded(backend: Backend) -> None:
    pool = make_pool(backend)
    pool.create_user("alice")
    for _ in range(5):
        with raises_cognito("NotAuthorizedException", "Incorrect username or password."):
            pool.sign_in("alice", "Wrong-Pass-1!")
    with raises_cognito(
        "NotAuthorizedException", "Password attempts exceeded"
    ):  # even the right password is refused while locked
        pool.sign_in("alice")


@pytest.mark.backends("engine", "wire")
def test_wrong_totp_codes_count_toward_the_lockout(backend: Backend) -> None:
    pool = make_pool(backend)
    pool.create_user("alice")
    secret = pool.enrol_totp("alice")
    wrong = f"{(int(backend.code(secret)) + 500_000) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(CognitoError):
            pool.answer_totp("alice", pool.sign_in("alice")["Session"], wrong)
    with raises_cognito("NotAuthorizedException", "Password attempts exceeded"):
        pool.sign_in("alice")


@pytest.mark.backends("engine", "wire")
def test_two_racing_uses_of_one_code_exactly_one_wins(backend: Backend) -> None:
    pool = make_pool(backend)
    pool.create_user("alice")
    secret = pool.enrol_totp("alice")
    backend.next_step()
    sessions = [pool.sign_in("alice")["Session"] for _ in range(2)]
    code = backend.code(secret)
    results = run_together([partial(pool.answer_totp, "alice", s, code) for s in sessions])
    wins = [r for r in results if isinstance(r, dict)]
    losses = [r for r in results if isinstance(r, CognitoError)]
    assert len(wins) == 1 and len(losses) == 1
    assert losses[0].code == "CodeMismatchException"


@pytest.mark.backends("engine", "wire")
def test_two_activated_factors_and_no_preference_ask_which_one(backend: Backend) -> None:
    pool = make_pool(backend, email_mfa=True)
    pool.create_user("dave")
    pool.enrol_totp("dave")
    pool.idp.call(
        "AdminSetUserMFAPreference",
        UserPoolId=pool.pool_id,
        Username="dave",
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": False},
        EmailMfaSettings={"Enabled": True, "PreferredMfa": False},
    )
    step = pool.sign_in("dave")
    assert step["ChallengeName"] == "SELECT_MFA_TYPE"
    assert sorted(json.loads(step["ChallengeParameters"]["MFAS_CAN_CHOOSE"])) == [
        "EMAIL_OTP",
        "SOFTWARE_TOKEN_MFA",
    ]
    chosen = pool.idp.call(
        "RespondToAuthChallenge",
        ClientId=pool.client_id,
        ChallengeName="SELECT_MFA_TYPE",
        Session=step["Session"],
        ChallengeResponses={"USERNAME": "dave", "ANSWER": "SOFTWARE_TOKEN_MFA"},
    )
    assert chosen["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
