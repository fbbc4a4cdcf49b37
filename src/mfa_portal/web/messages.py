"""Turn a Cognito error into the message a person should read, by error name and the catalog's predicates.

Unknown user and wrong password map to the same text so the sign-in page cannot be used to find out
who has an account. Raw Cognito messages are never shown: they go to the log without secrets. Which
Cognito text means what is decided only by the predicates of ``cognito_api.messages``, the catalog
the embedded pool raises its texts from; this module holds no sentence of its own.
"""

from __future__ import annotations

import logging

from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.cognito_api.messages import (
    broken_password_rules,
    is_lockout,
    is_password_constraint,
    is_session_expired,
    is_session_problem,
    is_temporary_password_expired,
    is_token_problem,
    is_user_disabled,
)

__all__ = [
    "code_error",
    "is_lockout",
    "is_session_expired",
    "is_session_problem",
    "is_token_problem",
    "log",
    "password_policy_errors",
    "signin_error",
]

log = logging.getLogger("mfa_portal.web")

_RULE_KEYS = {
    "length": "password.rule.length",
    "uppercase": "password.rule.upper",
    "lowercase": "password.rule.lower",
    "number": "password.rule.number",
    "symbol": "password.rule.symbol",
}


def _restart_key(exc: CognitoError) -> str:
    """An expired challenge says so; a spent or unknown one just starts again."""
    return "signin.expired" if is_session_expired(exc) else "signin.restart"


def signin_error(exc: CognitoError) -> str:
    """The message key for a failed password step."""
    log.info("sign-in refused: %s", exc.code)
    if exc.code == "NotAuthorizedException":
        if is_lockout(exc):
            return "signin.locked"
        if is_user_disabled(exc):
            return "signin.disabled"
        if is_temporary_password_expired(exc):
            return "signin.temp_expired"
        if is_session_problem(exc):
            return _restart_key(exc)
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
        return _restart_key(exc)
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
    if exc.code != "InvalidPasswordException" and not is_password_constraint(exc):
        return None
    rules = broken_password_rules(exc)
    return [_RULE_KEYS[rule] for rule in rules] or ["password.rule.other"]
