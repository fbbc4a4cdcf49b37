"""TOTP enrolment and sign-in, the same story on every backend (spec §3.3, §4.4, §5)."""

from __future__ import annotations

import pytest

from mfa_portal.cognito_api.errors import CognitoError
from tests.support.backends import Backend
from tests.support.cognito_errors import raises_cognito
from tests.support.setup import make_pool


def test_enrolled_user_signs_in_with_a_totp_code(backend: Backend) -> None:
    pool = make_pool(backend)
    pool.create_user("alice")
    assert "AuthenticationResult" in pool.sign_in("alice")  # OPTIONAL pool, no factor yet: tokens
    secret = pool.enrol_totp("alice")
    assert pool.mfa_settings("alice") == ["SOFTWARE_TOKEN_MFA"]

    step = pool.sign_in("alice")
    assert step["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    if backend.name != "moto":  # the enrolment code's step is spent; moto does not track steps
        backend.next_step()
    done = pool.answer_totp("alice", step["Session"], backend.code(secret))
    assert done["AuthenticationResult"]["TokenType"] == "Bearer"


def test_a_wrong_code_is_a_code_mismatch(backend: Backend) -> None:
    pool = make_pool(backend)
    pool.create_user("alice")
    secret = pool.enrol_totp("alice")
    step = pool.sign_in("alice")
    wrong = f"{(int(backend.code(secret)) + 1) % 1_000_000:06d}"
    with raises_cognito("CodeMismatchException"):
        pool.answer_totp("alice", step["Session"], wrong)


@pytest.mark.backends("engine", "wire")
def test_wrong_code_message_is_cognitos(backend: Backend) -> None:
    pool = make_pool(backend)
    pool.create_user("alice")
    secret = pool.enrol_totp("alice")
    step = pool.sign_in("alice")
    wrong = f"{(int(backend.code(secret)) + 1) % 1_000_000:06d}"
    with raises_cognito("CodeMismatchException", "Invalid code or auth state for the user."):
        pool.answer_totp("alice", step["Session"], wrong)


@pytest.mark.moto_differs("accepts the same code again within its step (no replay guard)")
def test_a_code_that_signed_in_once_is_refused_the_second_time(backend: Backend) -> None:
    pool = make_pool(backend)
    pool.create_user("alice")
    secret = pool.enrol_totp("alice")
    if backend.name != "moto":
        backend.next_step()
    code = backend.code(secret)
    pool.answer_totp("alice", pool.sign_in("alice")["Session"], code)
    with raises_cognito("CodeMismatchException"):
        pool.answer_totp("alice", pool.sign_in("alice")["Session"], code)


@pytest.mark.backends("engine", "wire")
def test_the_enrolment_code_cannot_be_used_to_sign_in(backend: Backend) -> None:
    pool = make_pool(backend)
    pool.create_user("alice")
    secret = pool.enrol_totp("alice")  # verified with the current step's code
    with raises_cognito("CodeMismatchException"):
        pool.answer_totp("alice", pool.sign_in("alice")["Session"], backend.code(secret))


@pytest.mark.backends("engine", "wire")
def test_codes_one_step_either_side_are_accepted_two_steps_are_not(backend: Backend) -> None:
    pool = make_pool(backend)
    pool.create_user("alice")
    secret = pool.enrol_totp("alice")
    backend.next_step()
    backend.next_step()
    with pytest.raises(CognitoError):
        pool.answer_totp("alice", pool.sign_in("alice")["Session"], backend.code(secret, -2))
    pool.answer_totp("alice", pool.sign_in("alice")["Session"], backend.code(secret, -1))
    backend.next_step()
    backend.next_step()
    pool.answer_totp("alice", pool.sign_in("alice")["Session"], backend.code(secret, +1))


def test_disabling_the_preference_keeps_the_secret(backend: Backend) -> None:
    """Cognito's documented trap (spec §1.2): Enabled=false does not reset TOTP; re-enabling revives it."""
    pool = make_pool(backend)
    pool.create_user("alice")
    secret = pool.enrol_totp("alice")
    pool.idp.call(
        "AdminSetUserMFAPreference",
        UserPoolId=pool.pool_id,
        Username="alice",
        SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False},
    )
    assert "AuthenticationResult" in pool.sign_in("alice")
    pool.idp.call(
        "AdminSetUserMFAPreference",
        UserPoolId=pool.pool_id,
        Username="alice",
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    step = pool.sign_in("alice")
    assert step["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    if backend.name != "moto":
        backend.next_step()
    assert "AuthenticationResult" in pool.answer_totp(
        "alice", step["Session"], backend.code(secret)
    )


@pytest.mark.moto_differs("has no AdminDeleteSoftwareToken")
def test_admin_reset_removes_the_authenticator_for_good(backend: Backend) -> None:
    pool = make_pool(backend)
    pool.create_user("alice")
    secret = pool.enrol_totp("alice")
    pool.idp.call("AdminDeleteSoftwareToken", UserPoolId=pool.pool_id, Username="alice")
    pool.idp.call("AdminUserGlobalSignOut", UserPoolId=pool.pool_id, Username="alice")
    assert pool.mfa_settings("alice") == []
    assert "AuthenticationResult" in pool.sign_in(
        "alice"
    )  # OPTIONAL pool: the portal forces enrolment
    with raises_cognito(
        "InvalidParameterException"
    ):  # and the old secret can never be switched back on
        pool.idp.call(
            "AdminSetUserMFAPreference",
            UserPoolId=pool.pool_id,
            Username="alice",
            SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
        )
    with raises_cognito("ResourceNotFoundException"):
        pool.idp.call("AdminDeleteSoftwareToken", UserPoolId=pool.pool_id, Username="alice")
    assert secret  # the old authenticator still computes codes; nothing accepts them


def test_enabling_totp_without_a_verified_token_is_refused(backend: Backend) -> None:
    pool = make_pool(backend)
    pool.create_user("alice")
    with raises_cognito("InvalidParameterException"):
        pool.idp.call(
            "AdminSetUserMFAPreference",
            UserPoolId=pool.pool_id,
            Username="alice",
            SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
        )


@pytest.mark.moto_differs("uses the 2018 wording 'User has not verified software token mfa'")
def test_enabling_totp_without_a_token_uses_cognitos_current_message(backend: Backend) -> None:
    pool = make_pool(backend)
    pool.create_user("alice")
    no_delivery = "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA"
    with raises_cognito("InvalidParameterException", no_delivery):
        pool.idp.call(
            "AdminSetUserMFAPreference",
            UserPoolId=pool.pool_id,
            Username="alice",
            SoftwareTokenMfaSettings={"Enabled": True},
        )


@pytest.mark.backends("engine", "wire")
def test_an_abandoned_re_enrolment_keeps_asking_for_the_verified_token(backend: Backend) -> None:
    """Spec §3.3 pitfall: on Amazon Cognito a pending AssociateSoftwareToken disables TOTP in an
    OPTIONAL pool while UserMFASettingList still lists it. The embedded pool deliberately keeps
    asking for the verified token (docs/compatibility.md), so the password alone is never enough."""
    pool = make_pool(backend)
    pool.create_user("alice")
    secret = pool.enrol_totp("alice")
    step = pool.sign_in("alice")
    backend.next_step()
    done = pool.answer_totp("alice", step["Session"], backend.code(secret))
    pool.idp.call("AssociateSoftwareToken", AccessToken=done["AuthenticationResult"]["AccessToken"])
    assert pool.mfa_settings("alice") == ["SOFTWARE_TOKEN_MFA"]
    assert pool.sign_in("alice")["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
