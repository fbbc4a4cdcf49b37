"""Changing the email address from the account page: request, verify with the emailed code, resend.

Cognito does the work (``UpdateUserAttributes``, ``VerifyUserAttribute``,
``GetUserAttributeVerificationCode``); with the pool's ``AttributesRequireVerificationBeforeUpdate``
the old address stays in force until the new one is proven. The old address is told once the change
is in force, so a takeover that starts by moving the email does not go unseen. Forward-auth keeps
withholding ``X-Auth-Email`` while the address is unverified.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.web.account_page import account_page
from mfa_portal.web.deps import CSRF, SignedIn, SignedInUser, portal_session
from mfa_portal.web.flow import ensure_live
from mfa_portal.web.messages import log
from mfa_portal.web.portal import get_portal
from mfa_portal.web.reproof import Proven, has_totp, prove_again
from mfa_portal.web.strings import language

router = APIRouter()
Field = Annotated[str, Form()]
_ERRORS = {
    "AliasExistsException": "account.email.taken",
    "InvalidParameterException": "account.email.invalid",
    "CodeMismatchException": "account.email.code_wrong",
    "ExpiredCodeException": "account.email.code_expired",
    "LimitExceededException": "account.email.limit",
    "TooManyFailedAttemptsException": "account.email.limit",
    "TooManyRequestsException": "account.email.limit",
}


def _current_email(user: SignedInUser) -> str | None:
    details = user.call("GetUser")
    for attribute in details.get("UserAttributes") or []:
        if attribute["Name"] == "email":
            return str(attribute["Value"])
    return None


def _notify_old(request: Request, user: SignedInUser, old: str | None) -> None:
    notifier = get_portal(request).support.notifier
    if (
        old
        and notifier is not None
        and not notifier.email_changed(old, user.username, language=language())
    ):
        log.warning("the old address was not told of the email change")


@router.post("/account/email", dependencies=[CSRF])
def change_email(
    request: Request, user: SignedIn, email: Field = "", password: Field = "", code: Field = ""
) -> Response:
    """The new address, with the password (and a current authenticator code) proven again: the
    address is where reset codes go, so moving it is a way to take the account (``reproof``)."""
    email = email.strip()
    if not email:
        return account_page(
            request, user, 400, field_errors={"new-email": ["account.email.missing"]}
        )
    needs_code = has_totp(user)
    proof = prove_again(request, user, password, code, needs_code=needs_code)
    if not isinstance(proof, Proven):
        return account_page(
            request, user, 400, field_errors={"change-email-password": [proof]}, typed_email=email
        )
    ps = portal_session(request)
    try:
        old = _current_email(user)
        user.call("UpdateUserAttributes", UserAttributes=[{"Name": "email", "Value": email}])
        now_in_force = _current_email(user) == email
    except CognitoError as exc:
        log.info("email change refused: %s", exc.code)
        key = _ERRORS.get(exc.code, "signin.unavailable")
        if key in ("account.email.taken", "account.email.invalid"):
            return account_page(request, user, 400, field_errors={"new-email": [key]})
        return account_page(request, user, 400, errors=[key])
    if now_in_force:  # the pool changed it at once (no verification first): tell the old address
        _notify_old(request, user, old)
    ps.state.pending_email = email
    ps.changed()
    return account_page(request, user, notice=_sent(now_in_force), sent_to=email)


def _sent(now_in_force: bool) -> str:
    """The notice after a code went out: the sentence must be true for this pool, which either
    keeps the old address until the new one is proven (``AttributesRequireVerificationBeforeUpdate``,
    as the portal creates its pool) or switches at once and leaves the new one unverified."""
    return "account.email.sent_in_force" if now_in_force else "account.email.sent"


@router.post("/account/email/verify", dependencies=[CSRF])
def verify_email(request: Request, user: SignedIn, code: Field = "") -> Response:
    ps = portal_session(request)
    try:
        old = _current_email(user)
        user.call("VerifyUserAttribute", AttributeName="email", Code="".join(code.split()))
        changed = _current_email(user) != old
    except CognitoError as exc:
        log.info("email verification refused: %s", exc.code)
        key = _ERRORS.get(exc.code, "account.email.code_wrong")
        if key == "account.email.limit":
            return account_page(request, user, 400, errors=[key])
        return account_page(request, user, 400, field_errors={"email-code": [key]})
    if changed:
        _notify_old(request, user, old)
    ps.state.pending_email = None
    ps.changed()
    ensure_live(get_portal(request), ps, recheck_now=True)  # the session's identity follows at once
    return account_page(request, user, notice="account.email.changed")


@router.post("/account/email/resend", dependencies=[CSRF])
def resend_code(request: Request, user: SignedIn) -> Response:
    try:
        user.call("GetUserAttributeVerificationCode", AttributeName="email")
    except CognitoError as exc:
        log.info("resending the email code failed: %s", exc.code)
        return account_page(request, user, 429, errors=["account.email.limit"])
    pending = portal_session(request).state.pending_email
    try:
        in_force = pending is not None and _current_email(user) == pending
    except CognitoError:
        in_force = False
    return account_page(request, user, notice=_sent(in_force), sent_to=pending or "")
