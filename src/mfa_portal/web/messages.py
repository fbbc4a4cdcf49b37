"""Turn a Cognito error into the message a person should read, by error name and known message.

Unknown user and wrong password map to the same text so the sign-in page cannot be used to find out
who has an account. Raw Cognito messages are never shown: they go to the log without secrets.
"""

from __future__ import annotations

import logging

from mfa_portal.cognito_api.errors import CognitoError

log = logging.getLogger("mfa_portal.web")

_POLICY_RULES = (
    ("long enough", "password.rule.length"),
    ("uppercase", "password.rule.upper"),
    ("lowercase", "password.rule.lower"),
    ("numeric", "password.rule.number"),
    ("number", "password.rule.number"),
    ("symbol", "password.rule.symbol"),
)


def is_session_problem(exc: CognitoError) -> bool:
    """Cognito's challenge Session expired, was spent, or is unknown: the flow must start again."""
    return exc.code == "NotAuthorizedException" and "session" in exc.message.lower()


def is_lockout(exc: CognitoError) -> bool:
    return exc.code == "NotAuthorizedException" and "attempts exceeded" in exc.message.lower()


def is_token_problem(exc: CognitoError) -> bool:
    """The access or refresh token is expired or revoked: the portal session is over."""
    text = exc.message.lower()
    return exc.code == "NotAuthorizedException" and ("token" in text or "revoked" in text)


def signin_error(exc: CognitoError) -> str:
    """The message key for a failed password step."""
    log.info("sign-in refused: %s", exc.code)
    text = exc.message.lower()
    if exc.code == "NotAuthorizedException":
        if is_lockout(exc):
            return "signin.locked"
        if "disabled" in text:
            return "signin.disabled"
        if "temporary password has expired" in text:
            return "signin.temp_expired"
        if "session" in text:
            return "signin.expired" if "expired" in text else "signin.restart"
        return "signin.incorrect"
    return {
        "UserNotFoundException": "signin.incorrect",
        "PasswordResetRequiredException": "signin.reset_required",
        "UserNotConfirmedException": "signin.not_confirmed",
    }.get(exc.code, "signin.unavailable")


def code_error(exc: CognitoError) -> str:
    """The message key for a failed code on a challenge page."""
    log.info("code refused: %s", exc.code)
    if is_lockout(exc):
        return "code.locked"
    if is_session_problem(exc):
        return "signin.expired" if "expired" in exc.message.lower() else "signin.restart"
    if exc.code in (
        "CodeMismatchException",
        "ExpiredCodeException",
        "EnableSoftwareTokenMFAException",
    ):
        return "code.wrong"
    if exc.code == "NotAuthorizedException":
        return "signin.expired"
    return "signin.unavailable"


def password_policy_errors(exc: CognitoError) -> list[str] | None:
    """The broken rules of a refused new password, or None when the error is not about the policy."""
    if exc.code == "PasswordHistoryPolicyViolationException":
        return ["password.rule.reused"]
    if exc.code != "InvalidPasswordException" and not (
        exc.code == "InvalidParameterException" and "password" in exc.message.lower()
    ):
        return None
    text = exc.message.lower()
    found: list[str] = []
    for needle, key in _POLICY_RULES:
        if needle in text and key not in found:
            found.append(key)
    return found or ["password.rule.other"]
