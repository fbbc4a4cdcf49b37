"""Self-service with recovery codes: issue a set, count what is left, and the lost-phone reset.

The reset asks for the password and one recovery code. The password is checked by Cognito itself
(``InitiateAuth``: the password step must succeed, returning a challenge or tokens); then the code
is spent and the same reset as support's runs. Failures carry the specific cause for the audit
trail; pages must show one uniform message (STYLE habit 8).
"""

from __future__ import annotations

import time
from typing import Any

from mfa_portal.admin.actions import remove_authenticator
from mfa_portal.admin.recovery_codes import RecoveryCodes
from mfa_portal.admin.support import ActionFailed, ActionResult, Actor, Support, attributes, audited
from mfa_portal.cognito_api.password_auth import PasswordStep

RESET_ACTION = "recovery-reset"
UNIFORM_FAILURE = "The username, password or recovery code is not right."


def _codes(support: Support) -> RecoveryCodes:
    if support.recovery is None:
        raise RuntimeError("recovery codes need a RecoveryCodes store")
    return support.recovery


def _user(support: Support, username: str) -> dict[str, Any]:
    return support.client.call("AdminGetUser", UserPoolId=support.pool_id, Username=username)


def issue_codes(support: Support, username: str, source: str = "") -> list[str]:
    """A new set for the signed-in user (the old set stops working); audited and notified."""
    actor = Actor(f"self:{username}", source)
    codes: list[str] = []
    with audited(support, actor, "recovery-codes issue", username, "issued by the user") as step:
        user = _user(support, username)
        step.target = user["Username"]
        attrs = attributes(user)
        codes = _codes(support).issue(support.pool_id, attrs["sub"])
        notes: list[str] = []
        if support.notifier and attrs.get("email"):
            if not support.notifier.recovery_codes_issued(attrs["email"], step.target):
                notes.append("the notification email could not be sent")
        step.done(f"{len(codes)} recovery codes issued; the previous set was voided", notes)
    return codes


def record_enrolment(support: Support, username: str, email: str | None, source: str = "") -> None:
    """A new authenticator was set up (first time or replacement): audit it and tell the user."""
    actor = Actor(f"self:{username}", source)
    with audited(support, actor, "enrol-authenticator", username, "set up by the user") as step:
        notes: list[str] = []
        if support.notifier and email:
            change = "a new authenticator app was set up"
            if not support.notifier.mfa_changed(email, username, change):
                notes.append("the notification email could not be sent")
        step.done("authenticator app set up", notes)


def remaining_codes(support: Support, username: str) -> int:
    sub = attributes(_user(support, username))["sub"]
    return _codes(support).remaining(support.pool_id, sub)


def _check_password(
    step: PasswordStep, username: str, password: str, *, now: float, source: str
) -> None:
    """Cognito itself judges the password (SRP or password flow, as the portal signs in)."""
    result = step.call(username, password, now=now, client_ip=source or None)
    if not result.get("ChallengeName") and not result.get("AuthenticationResult"):
        raise ActionFailed(
            RESET_ACTION, username, "NotAuthorizedException", "password step gave no result"
        )


def recover_with_code(
    support: Support,
    *,
    password_step: PasswordStep,
    username: str,
    password: str,
    code: str,
    source: str = "",
    now: float | None = None,
) -> ActionResult:
    """Password + one unused recovery code: remove the authenticator and sign out everywhere.

    Raises ``ActionFailed`` (code ``NotAuthorizedException``, ``UserNotFoundException``,
    ``RecoveryCodeRejected``, ...) on any failure; the user is then told ``UNIFORM_FAILURE``.
    """
    actor = Actor(f"self:{username}", source)
    with audited(
        support, actor, RESET_ACTION, username, "lost authenticator (recovery code)"
    ) as step:
        _check_password(
            password_step,
            username,
            password,
            now=time.time() if now is None else now,
            source=source,
        )
        user = _user(support, username)
        step.target = user["Username"]
        attrs = attributes(user)
        codes = _codes(support)
        if not codes.consume(support.pool_id, attrs["sub"], code):
            raise ActionFailed(
                RESET_ACTION, step.target, "RecoveryCodeRejected", "no unused code matched"
            )
        notes = remove_authenticator(support, step.target, attrs["sub"])
        remaining = codes.remaining(support.pool_id, attrs["sub"])
        if support.notifier and attrs.get("email"):
            if not support.notifier.recovery_code_used(attrs["email"], step.target, remaining):
                notes.append("the notification email could not be sent")
        step.done(f"authenticator removed with a recovery code; {remaining} codes remain", notes)
    assert step.result is not None
    return step.result
