"""The protected home page, the account page, and forward-auth for other applications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from mfa_portal.admin.audit import OK
from mfa_portal.admin.support import ActionFailed, Actor, audited
from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.web.account_page import BLOCKS, account_page
from mfa_portal.web.deps import (
    CSRF,
    SignedIn,
    SignedInUser,
    client_address,
    current_user,
    portal_session,
)
from mfa_portal.web.identity_headers import identity_headers
from mfa_portal.web.messages import is_token_problem, log, password_policy_errors
from mfa_portal.web.outcomes import restart
from mfa_portal.web.password_policy import new_password_problems
from mfa_portal.web.portal import get_portal
from mfa_portal.web.responses import render, see_other

router = APIRouter()


#: ``/account?notice=…``: only these fixed sentences, never text from the query string.
NOTICES = {
    "enrolled": "account.enrolled",
    "replace_cancelled": "account.replace_cancelled",
    "replace_cancelled_pending": "account.replace_cancelled_pending",
    "preferred": "account.mfa.preference_saved",
}


@router.get("/")
def home(request: Request, user: SignedIn) -> Response:
    return render(request, "home.html", user=user)


@router.get("/account")
def account(request: Request, user: SignedIn) -> Response:
    notice = NOTICES.get(request.query_params.get("notice") or "")
    return account_page(request, user, notice=notice)


@router.post("/account/password", dependencies=[CSRF])
def change_password(
    request: Request,
    user: SignedIn,
    current: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    found, rules = new_password_problems(request, password, confirm)
    if not current:
        found = {"current": ["account.password.current_missing"], **found}
    if found:
        return account_page(request, user, 400, field_errors=found, field_rules=rules)
    try:
        user.call("ChangePassword", PreviousPassword=current, ProposedPassword=password)
    except CognitoError as exc:
        refused = password_policy_errors(exc)
        if refused is not None:
            return account_page(
                request,
                user,
                400,
                field_errors={"password": ["password.policy"]},
                field_rules=refused,
            )
        if exc.code == "LimitExceededException":
            return account_page(request, user, 400, errors=["account.password.limit"])
        if exc.code == "NotAuthorizedException" and not is_token_problem(exc):
            return account_page(
                request, user, 400, field_errors={"current": ["account.password.wrong"]}
            )
        log.info("password change failed: %s", exc.code)
        return restart(request, portal_session(request), "signin.session_ended")
    _end_other_sessions(request, user)
    return account_page(request, user, notice="account.password.changed")


def _end_other_sessions(request: Request, user: SignedInUser) -> None:
    """After a password change every other portal session of the user ends (on every instance,
    at its next request), and this one goes on: whoever held a copy of a session, or signed in
    with the old password, is out (ASVS 3.3.3). Audited, so their next sign-in page says why.
    Cognito's refresh tokens held by other applications are not revoked (that would take this
    session's too, and signing it in again would need a code)."""
    detail = "password changed; the user's other portal sessions ended"
    generation = _end_sessions(request, user, "password-change", detail)
    ps = portal_session(request)
    if generation is not None:
        ps.state.revocation_generation = generation  # this session stays valid
    ps.rotate()


def _end_sessions(request: Request, user: SignedInUser, action: str, detail: str) -> int | None:
    """Audit the user's own session-ending ``action`` (the ended tabs' sign-in page reads it to
    say why) and end every portal session of theirs on every instance; the new revocation
    generation, or None without a revocation store."""
    support = get_portal(request).support
    support.audit.append(
        actor=f"self:{user.username}",
        target=user.username,
        action=action,
        reason="by the user",
        outcome=OK,
        detail=detail,
        source=client_address(request) or "",
    )
    if support.revocations is None:
        return None
    return support.revocations.revoke(get_portal(request).user_pool_id, user.sub)


@router.post("/account/mfa-preference", dependencies=[CSRF])
def choose_preferred(
    request: Request, user: SignedIn, method: Annotated[str, Form()] = ""
) -> Response:
    """Make one of the user's own methods the preferred one (SetUserMFAPreference, as the user).

    Only a method Cognito lists for the user right now is accepted; the change is audited."""
    try:
        enabled = user.call("GetUser").get("UserMFASettingList") or []
    except CognitoError as exc:
        log.info("reading the user's methods failed: %s", exc.code)
        return restart(request, portal_session(request), "signin.session_ended")
    if method not in BLOCKS or method not in enabled:
        return account_page(
            request, user, 400, field_errors={"method": ["account.mfa.choose_missing"]}
        )
    support = get_portal(request).support
    actor = Actor(f"self:{user.username}", client_address(request) or "")
    try:
        with audited(support, actor, "mfa-preference", user.username, "chosen by the user") as step:
            user.call(
                "SetUserMFAPreference", **{BLOCKS[method]: {"Enabled": True, "PreferredMfa": True}}
            )
            step.done(f"{method} preferred")
    except ActionFailed as exc:
        log.info("setting the preferred method failed: %s", exc.code)
        if exc.code == "NotAuthorizedException":
            return restart(request, portal_session(request), "signin.session_ended")
        return account_page(request, user, 400, errors=["account.mfa.choose_failed"])
    return see_other("/account?notice=preferred")


@router.post("/account/signout-everywhere", dependencies=[CSRF])
def signout_everywhere(request: Request, user: SignedIn) -> Response:
    detail = "signed out everywhere by the user"
    try:
        user.call("GlobalSignOut")
    except CognitoError as exc:
        log.info("global sign-out failed: %s", exc.code)
        detail += f"; Cognito's GlobalSignOut failed ({exc.code}), portal sessions ended"
    _end_sessions(request, user, "signout", detail)  # audited like support's sign-out
    portal_session(request).end()
    return see_other("/signin?notice=signed_out_everywhere")


@router.get("/auth/verify")
def forward_auth(request: Request) -> Response:
    """nginx ``auth_request`` / Traefik ``forwardAuth``: 200 with who it is, or 401.

    ``X-Auth-Email`` is empty unless the ID token says the address is verified: an address the user
    just typed in (self-service change) must not let them pass as its owner in an app keyed on email.
    The headers' encoding (UTF-8, plus ASCII-only twins) is ``identity_headers``'s, shared with the
    short path in front of the portal (``forward_auth``).
    """
    user = current_user(request)
    if user is None or not user.mfa_satisfied:
        return Response(status_code=401, headers={"Cache-Control": "no-store"})
    response = Response(status_code=200, headers={"Cache-Control": "no-store"})
    response.raw_headers.extend(
        identity_headers(
            username=user.username,
            sub=user.sub,
            email=(user.email or "") if user.email_verified else "",
            groups=user.groups,
        )
    )
    return response
