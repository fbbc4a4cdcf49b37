"""The catalog of Cognito texts: its texts are Amazon Cognito's, and the portal's predicates know them.

Each predicate is checked against every text of the catalog, so a reworded text, or a new text that a
predicate would swallow, fails here instead of silently sending a person to the wrong page.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from mfa_portal.cognito_api import messages
from mfa_portal.cognito_api.errors import CognitoError, error

Predicate = Callable[[CognitoError], bool]

PREDICATES: dict[str, Predicate] = {
    "session_problem": messages.is_session_problem,
    "session_expired": messages.is_session_expired,
    "lockout": messages.is_lockout,
    "token_problem": messages.is_token_problem,
    "user_disabled": messages.is_user_disabled,
    "temporary_password_expired": messages.is_temporary_password_expired,
}

# The NotAuthorizedException texts each predicate must recognise; every other text of the catalog
# must be recognised by none.
RECOGNISED: dict[str, set[str]] = {
    messages.SESSION_INVALID: {"session_problem"},
    messages.SESSION_EXPIRED: {"session_problem", "session_expired"},
    messages.PASSWORD_ATTEMPTS_EXCEEDED: {"lockout"},
    messages.USER_DISABLED: {"user_disabled"},
    messages.TEMPORARY_PASSWORD_EXPIRED: {"temporary_password_expired"},
    messages.ACCESS_TOKEN_INVALID: {"token_problem"},
    messages.ACCESS_TOKEN_EXPIRED: {"token_problem"},
    messages.ACCESS_TOKEN_REVOKED: {"token_problem"},
    messages.ACCESS_TOKEN_SCOPES: {"token_problem"},
    messages.REFRESH_TOKEN_INVALID: {"token_problem"},
    messages.REFRESH_TOKEN_REVOKED: {"token_problem"},
    messages.REFRESH_TOKEN_EXPIRED: {"token_problem"},
    messages.REFRESH_TOKEN_OTHER_CLIENT: {"token_problem"},
}

CATALOG_TEXTS = sorted(
    {
        value
        for name, value in vars(messages).items()
        if name.isupper() and isinstance(value, str) and not name.endswith(("PREFIX", "MUST_HAVE"))
    }
    | {
        messages.missing_parameter("Session"),
        messages.secret_not_received("client"),
        messages.secret_hash_mismatch("client"),
        messages.alias_exists("email"),
        messages.flow_not_enabled("USER_PASSWORD_AUTH"),
        messages.no_delivery_config("SOFTWARE_TOKEN_MFA"),
    }
)


@pytest.mark.parametrize("text", CATALOG_TEXTS)
def test_each_predicate_recognises_exactly_its_texts(text: str) -> None:
    exc = error("NotAuthorizedException", text)
    seen = {name for name, predicate in PREDICATES.items() if predicate(exc)}
    assert seen == RECOGNISED.get(text, set())


@pytest.mark.parametrize("text", sorted(RECOGNISED))
def test_the_same_text_under_another_error_name_is_not_recognised(text: str) -> None:
    for code in ("CodeMismatchException", "InvalidParameterException", "UserNotFoundException"):
        exc = error(code, text)
        assert not any(predicate(exc) for predicate in PREDICATES.values()), (code, text)


def test_recognised_texts_are_catalog_texts() -> None:
    assert set(RECOGNISED) <= set(CATALOG_TEXTS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The texts the portal routes on, as Amazon Cognito sends them.
        (messages.WRONG_PASSWORD, "Incorrect username or password."),
        (messages.USER_DISABLED, "User is disabled."),
        (messages.PASSWORD_ATTEMPTS_EXCEEDED, "Password attempts exceeded"),
        (messages.SESSION_INVALID, "Invalid session for the user."),
        (messages.SESSION_EXPIRED, "Invalid session for the user, session is expired."),
        (messages.ACCESS_TOKEN_REVOKED, "Access Token has been revoked"),
        (messages.ACCESS_TOKEN_INVALID, "Invalid Access Token"),
        (messages.REFRESH_TOKEN_REVOKED, "Refresh Token has been revoked"),
        (
            messages.TEMPORARY_PASSWORD_EXPIRED,
            "Temporary password has expired and must be reset by an administrator.",
        ),
        (messages.USER_NOT_FOUND, "User does not exist."),
        (messages.USER_NOT_CONFIRMED, "User is not confirmed."),
        (messages.PASSWORD_RESET_REQUIRED, "Password reset required for the user"),
        (messages.MFA_CODE_MISMATCH, "Invalid code or auth state for the user."),
        (
            messages.CONFIRMATION_CODE_MISMATCH,
            "Invalid verification code provided, please try again.",
        ),
        (messages.CONFIRMATION_CODE_EXPIRED, "Invalid code provided, please request a code again."),
        (messages.SOFTWARE_TOKEN_CODE_MISMATCH, "Code mismatch and fail enable Software Token MFA"),
        (
            messages.SOFTWARE_TOKEN_NOT_ENABLED,
            "Software Token MFA has not been enabled by the userPool",
        ),
        (messages.SOFTWARE_TOKEN_MISSING, "Software Token MFA does not exist for the user."),
        (messages.ATTEMPT_LIMIT_EXCEEDED, "Attempt limit exceeded, please try after some time."),
        (
            messages.PASSWORD_TOO_SHORT,
            "Password did not conform with policy: Password not long enough",
        ),
        (
            messages.PASSWORD_NEEDS_SYMBOL,
            "Password did not conform with policy: Password must have symbol characters",
        ),
        (
            messages.secret_hash_mismatch("abc"),
            "Unable to verify secret hash for client abc",
        ),
    ],
)
def test_texts_are_amazon_cognitos(text: str, expected: str) -> None:
    assert text == expected


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        (messages.PASSWORD_TOO_SHORT, ["length"]),
        (messages.PASSWORD_NEEDS_UPPERCASE, ["uppercase"]),
        (messages.PASSWORD_NEEDS_LOWERCASE, ["lowercase"]),
        (messages.PASSWORD_NEEDS_NUMBER, ["number"]),
        (messages.PASSWORD_NEEDS_SYMBOL, ["symbol"]),
        ("Password does not conform to policy: Password not long enough", ["length"]),
        (
            messages.POLICY_PREFIX + "Password must have numeric characters and symbol characters",
            ["number", "symbol"],
        ),
        (messages.POLICY_PREFIX + "Password must have emoji characters", []),
        ("Password not long enough", []),
        (messages.WRONG_PASSWORD, []),
    ],
)
def test_broken_password_rules(text: str, rules: list[str]) -> None:
    assert messages.broken_password_rules(error("InvalidPasswordException", text)) == rules
    assert messages.broken_password_rules(error("InvalidParameterException", text)) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (messages.failed_constraint("password", messages.max_length(256)), True),
        (messages.failed_constraint("proposedPassword", messages.PASSWORD_PATTERN), True),
        (messages.failed_constraint("temporaryPassword", messages.PASSWORD_PATTERN), True),
        (
            messages.validation_errors(
                [
                    messages.constraint("username", messages.max_length(128)),
                    messages.constraint("password", messages.max_length(256)),
                ]
            ),
            True,
        ),
        (messages.failed_constraint("username", messages.max_length(128)), False),
        (messages.NO_RECOVERY_DESTINATION, False),
        (messages.USE_TEMPORARY_PASSWORD_VALIDITY, False),
    ],
)
def test_password_constraint_is_an_input_check_on_a_password_member(
    text: str, expected: bool
) -> None:
    assert messages.is_password_constraint(error("InvalidParameterException", text)) is expected
    assert messages.is_password_constraint(error("InvalidPasswordException", text)) is False
