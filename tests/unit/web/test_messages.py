"""Cognito errors become the portal's message keys: what a user reads after a refused sign-in,
a wrong code or a password the policy rejects."""

from __future__ import annotations

import pytest

from mfa_portal.cognito_api.errors import error
from mfa_portal.web.messages import code_error, password_policy_errors, signin_error
from mfa_portal.web.strings import STRINGS


@pytest.mark.parametrize(
    ("code", "message", "key"),
    [
        ("NotAuthorizedException", "Incorrect username or password.", "signin.incorrect"),
        ("UserNotFoundException", "User does not exist.", "signin.incorrect"),
        ("NotAuthorizedException", "Password attempts exceeded", "signin.locked"),
        ("NotAuthorizedException", "User is disabled.", "signin.disabled"),
        (
            "NotAuthorizedException",
            "Temporary password has expired and must be reset by an administrator.",
            "signin.temp_expired",
        ),
        (
            "NotAuthorizedException",
            "Invalid session for the user, session is expired.",
            "signin.expired",
        ),
        (
            "PasswordResetRequiredException",
            "Password reset required for the user",
            "signin.reset_required",
        ),
        ("UserNotConfirmedException", "User is not confirmed.", "signin.not_confirmed"),
        ("TooManyRequestsException", "Rate exceeded", "signin.unavailable"),
    ],
)
def test_sign_in_errors(code: str, message: str, key: str) -> None:
    assert signin_error(error(code, message)) == key
    assert key in STRINGS


@pytest.mark.parametrize(
    ("code", "message", "key"),
    [
        ("CodeMismatchException", "Invalid code or auth state for the user.", "code.wrong"),
        (
            "EnableSoftwareTokenMFAException",
            "Code mismatch and fail enable Software Token MFA",
            "code.wrong",
        ),
        (
            "ExpiredCodeException",
            "Invalid code provided, please request a code again.",
            "code.wrong",
        ),
        ("NotAuthorizedException", "Invalid session for the user.", "signin.restart"),
        (
            "NotAuthorizedException",
            "Invalid session for the user, session is expired.",
            "signin.expired",
        ),
        ("NotAuthorizedException", "Password attempts exceeded", "code.locked"),
        ("InternalErrorException", "boom", "signin.unavailable"),
    ],
)
def test_code_errors(code: str, message: str, key: str) -> None:
    assert code_error(error(code, message)) == key


def test_password_policy_failures_are_listed() -> None:
    exc = error(
        "InvalidPasswordException",
        "Password did not conform with policy: Password must have uppercase characters",
    )
    assert password_policy_errors(exc) == ["password.rule.upper"]
    exc = error(
        "InvalidPasswordException",
        "Password did not conform with policy: Password must "
        "have numeric characters and symbol characters",
    )
    assert password_policy_errors(exc) == ["password.rule.number", "password.rule.symbol"]
    reused = error("PasswordHistoryPolicyViolationException", "x")
    assert password_policy_errors(reused) == ["password.rule.reused"]
    assert password_policy_errors(error("NotAuthorizedException", "x")) is None
