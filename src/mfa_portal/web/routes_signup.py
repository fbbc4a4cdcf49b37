"""Self sign-up, when the pool allows it: create the account, confirm it with the emailed code.

Cognito's ``SignUp``/``ConfirmSignUp``/``ResendConfirmationCode`` do the work; the pool decides
(``AllowAdminCreateUserOnly``), the pages only follow. After confirming, the user signs in and the
portal's enrolment guard sends them to set up an authenticator like anyone else.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response

from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.web.deps import CSRF, portal_session
from mfa_portal.web.messages import log, password_policy_errors
from mfa_portal.web.password_policy import new_password_problems, policy_sentence
from mfa_portal.web.pool_info import self_signup_allowed
from mfa_portal.web.portal import Portal, get_portal
from mfa_portal.web.responses import render, see_other

router = APIRouter()
Field = Annotated[str, Form()]
CONFIRM_PAGE = "/signup/confirm"


def _open_pool(request: Request) -> Portal:
    portal = get_portal(request)
    if not self_signup_allowed(portal):
        raise HTTPException(404)
    return portal


@router.get("/signup")
def signup_form(request: Request) -> Response:
    _open_pool(request)
    return render(request, "signup.html", username="", email="", policy=policy_sentence(request))


@router.post("/signup", dependencies=[CSRF])
def signup_submit(
    request: Request,
    username: Field = "",
    email: Field = "",
    password: Field = "",
    confirm: Field = "",
) -> Response:
    portal = _open_pool(request)
    username, email = username.strip(), email.strip()

    def again(
        *errors: str,
        status: int = 400,
        field_errors: dict[str, list[str]] | None = None,
        rules: list[str] | None = None,
    ) -> Response:
        return render(
            request,
            "signup.html",
            status,
            errors=list(errors),
            field_errors=field_errors or {},
            field_rules=rules or [],
            username=username,
            email=email,
            policy=policy_sentence(request),
        )

    found: dict[str, list[str]] = {}  # in the order of the form's fields
    if not username:
        found["username"] = ["signup.username_missing"]
    if not email:
        found["email"] = ["signup.email_missing"]
    password_found, rules = new_password_problems(request, password, confirm)
    found.update(password_found)
    if found:
        return again(field_errors=found, rules=rules)
    try:
        portal.client.call(
            "SignUp",
            ClientId=portal.client_id,
            Username=username,
            Password=password,
            UserAttributes=[{"Name": "email", "Value": email}],
            **_secret_hash(portal, username),
        )
    except CognitoError as exc:
        refused = password_policy_errors(exc)
        if refused is not None:
            return again(field_errors={"password": ["password.policy"]}, rules=refused)
        if exc.code == "UsernameExistsException":
            return again(field_errors={"username": ["signup.taken"]})
        if exc.code == "InvalidParameterException":
            return again("signup.invalid")
        if exc.code in ("TooManyRequestsException", "LimitExceededException"):
            return again("signup.limit", status=429)
        log.info("sign-up refused: %s", exc.code)
        return again("signin.unavailable", status=502)
    ps = portal_session(request)
    ps.state.signup_username = username
    ps.changed()
    return see_other(CONFIRM_PAGE)


def _pending(request: Request) -> str:
    name = portal_session(request).state.signup_username
    if not name:
        raise HTTPException(404)
    return name


@router.get(CONFIRM_PAGE)
def confirm_form(request: Request) -> Response:
    _open_pool(request)
    return render(request, "signup_confirm.html", username=_pending(request))


@router.post(CONFIRM_PAGE, dependencies=[CSRF])
def confirm_submit(request: Request, code: Field = "") -> Response:
    portal = _open_pool(request)
    username = _pending(request)
    code = "".join(code.split())
    if not code.isdigit():
        return render(
            request,
            "signup_confirm.html",
            400,
            field_errors={"code": ["signup.code_format"]},
            username=username,
        )
    try:
        portal.client.call(
            "ConfirmSignUp",
            ClientId=portal.client_id,
            Username=username,
            ConfirmationCode=code,
            **_secret_hash(portal, username),
        )
    except CognitoError as exc:
        key = {
            "CodeMismatchException": "signup.code_wrong",
            "ExpiredCodeException": "signup.code_expired",
            "TooManyFailedAttemptsException": "signup.limit",
            "LimitExceededException": "signup.limit",
        }.get(exc.code, "signup.code_wrong")
        log.info("sign-up confirmation refused: %s", exc.code)
        return render(
            request, "signup_confirm.html", 400, field_errors={"code": [key]}, username=username
        )
    ps = portal_session(request)
    ps.state.signup_username = None
    ps.changed()
    return see_other("/signin?notice=signed_up")


@router.post("/signup/resend", dependencies=[CSRF])
def resend(request: Request) -> Response:
    portal = _open_pool(request)
    username = _pending(request)
    notice, errors = "signup.resent", []
    try:
        portal.client.call(
            "ResendConfirmationCode",
            ClientId=portal.client_id,
            Username=username,
            **_secret_hash(portal, username),
        )
    except CognitoError as exc:
        log.info("resending the sign-up code failed: %s", exc.code)
        notice, errors = "", ["signup.limit"]
    return render(
        request,
        "signup_confirm.html",
        429 if errors else 200,
        errors=errors,
        notice=notice or None,
        username=username,
    )


def _secret_hash(portal: Portal, username: str) -> dict[str, str]:
    """SignUp and friends take ``SecretHash`` (not ``SECRET_HASH`` in a parameter map)."""
    found = portal.secret_hash(username)
    return {"SecretHash": found["SECRET_HASH"]} if found else {}
