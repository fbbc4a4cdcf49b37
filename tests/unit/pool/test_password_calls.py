"""Which calls the wire runs on a password-call thread: those that hash on every path, judged from
the request as sent, whatever JSON it holds."""

from __future__ import annotations

from typing import Any

import pytest

from mfa_portal.pool import password_calls


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("InitiateAuth", {"AuthFlow": "USER_PASSWORD_AUTH"}),
        ("AdminInitiateAuth", {"AuthFlow": "ADMIN_USER_PASSWORD_AUTH"}),
        ("AdminInitiateAuth", {"AuthFlow": "ADMIN_NO_SRP_AUTH"}),
        ("RespondToAuthChallenge", {"ChallengeName": "NEW_PASSWORD_REQUIRED"}),
        ("AdminRespondToAuthChallenge", {"ChallengeName": "NEW_PASSWORD_REQUIRED"}),
        ("SignUp", {}),
        ("ChangePassword", {}),
        ("ConfirmForgotPassword", {}),
        ("AdminSetUserPassword", {}),
    ],
)
def test_calls_that_always_hash_run_on_a_password_call_thread(
    operation: str, params: dict[str, Any]
) -> None:
    assert password_calls.hashes(operation, params)


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("InitiateAuth", {"AuthFlow": "REFRESH_TOKEN_AUTH"}),
        ("InitiateAuth", {"AuthFlow": "USER_SRP_AUTH"}),
        ("InitiateAuth", {"AuthFlow": "ADMIN_NO_SRP_AUTH"}),  # not a public flow
        ("AdminInitiateAuth", {"AuthFlow": "REFRESH_TOKEN_AUTH"}),
        ("RespondToAuthChallenge", {"ChallengeName": "SOFTWARE_TOKEN_MFA"}),
        ("RespondToAuthChallenge", {"ChallengeName": "PASSWORD_VERIFIER"}),
        ("AdminRespondToAuthChallenge", {}),
        ("GetUser", {}),
        ("ForgotPassword", {}),
        ("AdminResetUserPassword", {}),
        ("AdminCreateUser", {}),  # hashes, but mails its invitation in the middle of the call
        ("NoSuchOperation", {"AuthFlow": "USER_PASSWORD_AUTH"}),
    ],
)
def test_other_calls_do_not(operation: str, params: dict[str, Any]) -> None:
    assert not password_calls.hashes(operation, params)


@pytest.mark.parametrize("sent", [None, 7, ["USER_PASSWORD_AUTH"], {"USER_PASSWORD_AUTH": 1}])
def test_a_flow_or_challenge_that_is_not_a_string_is_left_to_validation(sent: object) -> None:
    """An unhashable member (a list, an object) must not raise here: validation answers it."""
    assert not password_calls.hashes("InitiateAuth", {"AuthFlow": sent})
    assert not password_calls.hashes("RespondToAuthChallenge", {"ChallengeName": sent})
