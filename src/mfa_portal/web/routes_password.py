"""Self-service password reset: "Forgot your password?" (ForgotPassword) and "I have a reset code"
(ConfirmForgotPassword).

The answer to a request never says whether the username exists: Cognito's PreventUserExistenceErrors
already simulates a delivery, and the errors a pool without it gives away (unknown user, disabled,
nowhere to send) read here exactly like a success. A completed reset leaves MFA as it was, so the
next sign-in still asks for the second factor.
"""

from __future__ import annotations

import re
import time
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.web.delay import Delayer
from mfa_portal.web.deps import CSRF, portal_session
from mfa_portal.web.messages import log, password_policy_errors
from mfa_portal.web.password_policy import broken_rules, policy_sentence, pool_policy
from mfa_portal.web.portal import Portal, get_portal
from mfa_portal.web.responses import render, see_other

router = APIRouter()
#: Pads every reset request to the usual duration: a real delivery (mail sent) takes longer than a
#: simulated one, and the time must not tell the two apart.
DELAYER = Delayer()

RESET_CODE = re.compile(r"^[0-9]{6}$")  # Cognito's (and the embedded pool's) reset codes
NOTICES = {"sent": "reset.sent", "required": "reset.required"}
#: Refusals of ForgotPassword that would tell an unknown, disabled or unreachable account apart.
HIDDEN = frozenset(
    {
        "UserNotFoundException",
        "NotAuthorizedException",
        "InvalidParameterException",
        "CodeDeliveryFailureException",
        "InvalidEmailRoleAccessPolicyException",
        "InvalidSmsRoleAccessPolicyException",
        "InvalidSmsRoleTrustRelationshipException",
    }
)
LIMITS = frozenset(
    {"LimitExceededException", "TooManyRequestsException", "TooManyFailedAttemptsException"}
)
FieldErrors = dict[str, list[str]]


def _secret_hash(portal: Portal, username: str) -> dict[str, str]:
    """ForgotPassword takes the hash as ``SecretHash``, not inside AuthParameters."""
    value = portal.secret_hash(username).get("SECRET_HASH")
    return {"SecretHash": value} if value else {}


def _admin_only(exc: CognitoError) -> bool:
    """The pool lets only administrators reset passwords (the same for every user)."""
    return exc.code == "NotAuthorizedException" and "contact administrator" in exc.message.lower()


def _page(
    request: Request, template: str, status: int, field_errors: FieldErrors, **ctx: Any
) -> Response:
    """The form again: the summary lists the page's errors, then each field's (linked to it), a
    policy's broken rules right after it."""
    return render(
        request,
        template,
        status,
        errors=ctx.pop("errors", []),
        field_errors=field_errors,
        field_rules=ctx.pop("rules", []),
        **ctx,
    )


@router.get("/password/forgot")
def forgot_form(request: Request) -> Response:
    return render(request, "forgot.html", field_errors={})


@router.post("/password/forgot", dependencies=[CSRF])
def forgot_submit(request: Request, username: Annotated[str, Form()] = "") -> Response:
    ps = portal_session(request)
    username = username.strip()
    if not username:
        return _page(request, "forgot.html", 400, {"username": ["reset.username_missing"]})
    portal = get_portal(request)
    started = time.monotonic()
    try:
        portal.client.call(
            "ForgotPassword",
            ClientId=portal.client_id,
            Username=username,
            **_secret_hash(portal, username),
        )
    except CognitoError as exc:
        log.info("password-reset request refused: %s", exc.code)
        if exc.code in LIMITS:
            return _page(request, "forgot.html", 429, {}, errors=["reset.limit"], username=username)
        if _admin_only(exc):
            return _page(request, "forgot.html", 400, {}, errors=["forgot.admin_only"])
        if exc.code not in HIDDEN:
            return _page(
                request, "forgot.html", 400, {}, errors=["reset.unavailable"], username=username
            )
    finally:
        DELAYER.accepted(started)  # learn the real duration first, then pad up to the average
        DELAYER.refused(started)
    ps.state.reset_username = username
    ps.changed()
    return see_other("/password/reset?notice=sent")


@router.get("/password/reset")
def reset_form(request: Request, notice: str = "", username: str = "") -> Response:
    """The "I have a reset code" page; the support email links here with ``?username=``."""
    remembered = portal_session(request).state.reset_username
    return render(
        request,
        "reset.html",
        field_errors={},
        notice=NOTICES.get(notice),
        username=username.strip() or remembered,
        policy=policy_sentence(request),
    )


def _form_errors(username: str, code: str, password: str, confirm: str) -> FieldErrors:
    """Every mistake visible without asking Cognito, all at once, per field."""
    found: FieldErrors = {}
    if not username:
        found["username"] = ["reset.username_missing"]
    if not RESET_CODE.match(code):
        found["code"] = ["reset.code_format"]
    if not password:
        found["password"] = ["newpw.missing"]
    elif password != confirm:
        found["confirm"] = ["newpw.mismatch"]
    return found


@router.post("/password/reset", dependencies=[CSRF])
def reset_submit(
    request: Request,
    username: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    ps = portal_session(request)
    username, code = username.strip(), re.sub(r"\s+", "", code)
    page: dict[str, Any] = {"username": username, "policy": policy_sentence(request)}
    found = _form_errors(username, code, password, confirm)
    policy = pool_policy(request)
    rules = broken_rules(policy, password) if policy is not None and password else []
    if rules:  # all of them at once, before the code is tried (Cognito names only the first)
        found["password"] = ["password.policy"]
        page["rules"] = rules
    if found:
        return _page(request, "reset.html", 400, found, **page)
    portal = get_portal(request)
    try:
        portal.client.call(
            "ConfirmForgotPassword",
            ClientId=portal.client_id,
            Username=username,
            ConfirmationCode=code,
            Password=password,
            **_secret_hash(portal, username),
        )
    except CognitoError as exc:
        return _refused(request, exc, page)
    log.info("password reset completed through the portal")
    ps.end()  # Cognito signed the user out everywhere; this browser follows
    return see_other("/signin?notice=password_reset")


def _refused(request: Request, exc: CognitoError, page: dict[str, Any]) -> Response:
    """One sentence per cause a user can act on; an unknown or disabled user reads as a wrong code."""
    log.info("password reset refused: %s", exc.code)
    rules = password_policy_errors(exc)
    if rules is not None:
        return _page(
            request, "reset.html", 400, {"password": ["password.policy"]}, rules=rules, **page
        )
    if exc.code in LIMITS:
        return _page(request, "reset.html", 429, {}, errors=["reset.limit"], **page)
    if exc.code == "ExpiredCodeException":
        return _page(request, "reset.html", 400, {"code": ["reset.code_expired"]}, **page)
    if exc.code in ("CodeMismatchException", "UserNotFoundException", "NotAuthorizedException"):
        return _page(request, "reset.html", 400, {"code": ["reset.code_wrong"]}, **page)
    return _page(request, "reset.html", 400, {}, errors=["reset.unavailable"], **page)
