"""Self-service with recovery codes: issue a set, count what is left, and the lost-phone reset.

The reset asks for the password and one recovery code. The password is checked by Cognito itself
(``InitiateAuth``: the password step must succeed, returning a challenge or tokens); then the code
is spent and the same reset as support's runs. Failures carry the specific cause for the audit
trail; pages must show one uniform message (STYLE habit 8).

Before any of that, ``recovery_limit`` decides whether this username and address may try at all
(no argon2 work is done for a refused attempt). A failed password step is not audited by itself —
its username is whatever the caller typed — but counted into the address's burst, audited once.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from mfa_portal.admin.actions import remove_authenticator
from mfa_portal.admin.audit import FAILED, utc_iso
from mfa_portal.admin.enrolments import ENROL_ACTION, device_name_in, enrolment_detail
from mfa_portal.admin.recovery_codes import RecoveryCodes
from mfa_portal.admin.recovery_limit import Burst, RecoveryLimit
from mfa_portal.admin.support import ActionFailed, ActionResult, Actor, Support, attributes, audited
from mfa_portal.cognito_api.client import CognitoError
from mfa_portal.cognito_api.password_auth import PasswordStep
from mfa_portal.security_events import emit

RESET_ACTION = "recovery-reset"
UNIFORM_FAILURE = "The username, password or recovery code is not right."
RESET_REASON = "lost authenticator (recovery code)"
RATE_LIMITED = "RateLimited"


class RecoveryLimited(ActionFailed):
    """Too many attempts for this username or address; refused before the password is checked."""

    def __init__(self, target: str, retry_after: float) -> None:
        super().__init__(RESET_ACTION, target, RATE_LIMITED, "Too many attempts; try again later.")
        self.retry_after = retry_after


def _codes(support: Support) -> RecoveryCodes:
    if support.recovery is None:
        raise RuntimeError("recovery codes need a RecoveryCodes store")
    return support.recovery


def _limit(support: Support) -> RecoveryLimit:
    if support.recovery_limit is None:
        raise RuntimeError("the recovery reset needs a RecoveryLimit")
    return support.recovery_limit


def _audit_bursts(support: Support, bursts: list[Burst]) -> None:
    """One audit entry per burst of failed password steps from one address."""
    for burst in bursts:
        plural = "" if burst.failures == 1 else "s"
        detail = (
            f"{burst.failures} failed attempt{plural} from {burst.source or 'an unknown address'} "
            f"between {utc_iso(burst.first)} and {utc_iso(burst.last)}"
        )
        if burst.limited_until is not None:
            detail += f"; further attempts refused until {utc_iso(burst.limited_until)}"
        support.audit.append(
            actor="anonymous",
            target="-",
            action=RESET_ACTION,
            reason=RESET_REASON,
            outcome=FAILED,
            detail=detail,
            source=burst.source,
        )


def _user(support: Support, username: str) -> dict[str, Any]:
    return support.client.call("AdminGetUser", UserPoolId=support.pool_id, Username=username)


def issue_codes(
    support: Support, username: str, source: str = "", language: str | None = None
) -> list[str]:
    """A new set for the signed-in user (the old set stops working); audited and notified (in
    ``language``, the page's, else the user's ``locale``)."""
    actor = Actor(f"self:{username}", source)
    codes: list[str] = []
    with audited(support, actor, "recovery-codes issue", username, "issued by the user") as step:
        user = _user(support, username)
        step.target = user["Username"]
        attrs = attributes(user)
        codes = _codes(support).issue(support.pool_id, attrs["sub"])
        notes: list[str] = []
        if support.notifier and attrs.get("email"):
            if not support.notifier.recovery_codes_issued(
                attrs["email"], step.target, language=language or attrs.get("locale")
            ):
                notes.append("the notification email could not be sent")
        step.done(f"{len(codes)} recovery codes issued; the previous set was voided", notes)
    emit("recovery-codes.issued", user=username, ip=source, outcome="success", count=len(codes))
    return codes


def record_enrolment(
    support: Support,
    username: str,
    email: str | None,
    source: str = "",
    device_name: str = "",
    *,
    language: str | None = None,
) -> None:
    """A new authenticator was set up (first time or replacement): audit it (with the device name,
    which Cognito never returns outside a sign-in challenge) and tell the user."""
    actor = Actor(f"self:{username}", source)
    with audited(support, actor, ENROL_ACTION, username, "set up by the user") as step:
        notes: list[str] = []
        if support.notifier and email:
            if not support.notifier.mfa_changed(email, username, "enrolled", language=language):
                notes.append("the notification email could not be sent")
        step.done(enrolment_detail(device_name), notes)
    emit("mfa.enrolled", user=username, ip=source, outcome="success", factor="SOFTWARE_TOKEN_MFA")


def device_of(detail: str) -> str | None:
    """The device name an enrolment entry's detail carries (``enrolment_detail``), or None."""
    return device_name_in(detail) or None


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
    language: str | None = None,
) -> ActionResult:
    """Password + one unused recovery code: remove the authenticator and sign out everywhere.

    Raises ``RecoveryLimited`` when the username or address has used up its attempts, and
    ``ActionFailed`` (code ``NotAuthorizedException``, ``UserNotFoundException``,
    ``RecoveryCodeRejected``, ...) on any other failure; the user is told ``UNIFORM_FAILURE``.
    """
    limit = _limit(support)
    admission = limit.admit(source, username)
    _audit_bursts(support, admission.ended)
    where = {"user": username, "ip": source}
    if not admission.allowed:
        emit("recovery.rate-limited", logging.WARNING, **where, outcome="failure")
        raise RecoveryLimited(username, admission.retry_after)
    try:
        _check_password(
            password_step,
            username,
            password,
            now=time.time() if now is None else now,
            source=source,
        )
    except (CognitoError, ActionFailed) as exc:
        _audit_bursts(support, [b for b in [limit.failed(source)] if b is not None])
        emit("recovery.failed", **where, outcome="failure", reason=exc.code)
        raise ActionFailed(RESET_ACTION, username, exc.code, exc.message) from None
    try:
        actor = Actor(f"self:{username}", source)
        return _reset_with_code(support, actor, username, code, language)
    except ActionFailed as exc:
        emit("recovery.failed", **where, outcome="failure", reason=exc.code)
        raise


def _reset_with_code(
    support: Support, actor: Actor, username: str, code: str, language: str | None
) -> ActionResult:
    """After the password step: spend the code and reset, audited (the username is real now)."""
    with audited(support, actor, RESET_ACTION, username, RESET_REASON) as step:
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
            if not support.notifier.recovery_code_used(
                attrs["email"], step.target, remaining, language=language or attrs.get("locale")
            ):
                notes.append("the notification email could not be sent")
        step.done(f"authenticator removed with a recovery code; {remaining} codes remain", notes)
    assert step.result is not None
    emit("recovery.used", user=step.target, ip=actor.source, outcome="success", remaining=remaining)
    return step.result
