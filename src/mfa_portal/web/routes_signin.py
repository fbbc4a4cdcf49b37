"""Sign-in pages: password, new password, MFA code, choice of MFA type, sign-out."""

from __future__ import annotations

import json
import math
import re
import time
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.web import signin_address_limit
from mfa_portal.web.delay import Delayer
from mfa_portal.web.deps import CSRF, client_address, portal_session, safe_next
from mfa_portal.web.ended import with_reason
from mfa_portal.web.flow import (
    MFA_CHALLENGES,
    Outcome,
    respond,
    start_sign_in,
)
from mfa_portal.web.messages import (
    code_error,
    is_lockout,
    is_session_expired,
    is_session_problem,
    log,
    password_policy_errors,
    signin_error,
)
from mfa_portal.web.outcomes import advance, restart, signin_page
from mfa_portal.web.password_policy import new_password_problems, policy_sentence
from mfa_portal.web.portal import Portal, get_portal
from mfa_portal.web.responses import render, see_other
from mfa_portal.web.sessions import PortalSession
from mfa_portal.web.signin_failures import (
    record_code_accepted,
    record_code_failure,
    record_password_failure,
)
from mfa_portal.web.state import ENDED_REASONS, Challenge, EnrolmentProof, Stage

router = APIRouter()
DELAYER = Delayer()

NOTICES = (
    "signed_out",
    "signed_out_everywhere",
    "session_ended",
    "expired",
    "password_reset",
    "signed_up",
)
CODE_FIELDS = {
    "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE",
    "EMAIL_OTP": "EMAIL_OTP_CODE",
    "SMS_MFA": "SMS_MFA_CODE",
}
KINDS = {"SOFTWARE_TOKEN_MFA": "totp", "EMAIL_OTP": "email", "SMS_MFA": "sms"}
#: The length of each kind of code, as the label says it: TOTP and SMS codes have 6 digits, the
#: email codes of Cognito (and of the embedded pool) 8.
DIGITS = {"totp": 6, "email": 8, "sms": 6}
#: How long a code step refused for a spent Cognito session waits for a sibling request (a double
#: submit) to finish saving the signed-in session before concluding that the sign-in is over.
SIBLING_WAIT_SECONDS = 2.0
#: Code kinds a new code can be asked for (by signing in again: Cognito has no resend).
RESENDABLE = frozenset({"email", "sms"})
RESEND_AFTER_SECONDS = 30.0  # from the moment the last code was sent
MAX_TYPED = 256  # characters of a typed username kept to fill in again (Cognito allows 128)


@router.get("/signin")
def signin_form(request: Request, next: str = "/", notice: str = "", ended: str = "") -> Response:
    """The sign-in page; ``ended`` (a code of ``ENDED_REASONS``, else ignored) says why the last
    session ended, as does the reason this browser's session remembers (the forward-auth path)."""
    ps = portal_session(request)
    state = ps.state
    if state.stage is Stage.SIGNED_IN:
        return see_other(safe_next(next))
    if state.stage is Stage.MUST_ENROL:
        return see_other("/mfa/setup")
    if not notice and portal_session(request).cookie_outlived:
        notice = "session_ended"  # the open tab of a session support ended: say why
    shown = f"signin.{notice}" if notice in NOTICES else None
    reason = ended if ended in ENDED_REASONS else state.ended
    if reason in ENDED_REASONS:
        shown = f"signin.ended.{reason}"
    username = state.typed_username if state.ended else ""
    if state.ended:  # said once; a reload shows the plain page
        state.ended = ""
        ps.changed()
    return signin_page(request, next=safe_next(next), notice=shown, username=username)


@router.api_route("/auth/signin", methods=["GET", "HEAD"])
def forward_auth_signin(request: Request) -> Response:
    """Where nginx sends a refused visitor: on to ``/signin`` with the whole original URI as ``next``.

    nginx cannot URL-encode ``$request_uri`` itself, so ``return 302 /signin?next=$request_uri``
    would cut ``/report?a=1&b=2`` at the first ``&``. nginx passes the raw URI in
    ``X-Original-URI`` instead, and only a local path is kept (the same rule as ``next``).
    The ``Location`` stays relative, so it keeps the scheme, host and port the browser used.
    """
    original = request.headers.get("x-original-uri", "")
    target = safe_next(original)
    if target == "/":
        url = "/signin"
    else:
        # Headers arrive decoded as latin-1: encode back to the bytes nginx sent, so a raw UTF-8
        # path survives the round trip through the query string.
        url = "/signin?next=" + quote(target.encode("latin-1"), safe="/")
    url = with_reason(url, portal_session(request))  # e.g. the session support just ended
    return RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})


@router.post("/signin", dependencies=[CSRF])
def signin_submit(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
    mfa: Annotated[str, Form()] = "",
) -> Response:
    """The password step; ``mfa`` is a method the user chose on a code page ("use my authenticator
    instead"), answered for them when Cognito offers the choice (SELECT_MFA_TYPE)."""
    ps = portal_session(request)
    ps.state.forget_sign_in()
    ps.state.next_path = safe_next(next)
    username = username.strip()
    ps.state.typed_username = username[:MAX_TYPED]
    ps.changed()
    if not username or not password:
        missing = {"username": ["signin.username_missing"]} if not username else {}
        if not password:
            missing["password"] = ["signin.password_missing"]
        return signin_page(
            request, status=400, field_errors=missing, username=username, next=next, mfa=mfa
        )
    admission = signin_address_limit.admit(request)
    if not admission.allowed:  # refused unchecked: no delay, nothing counted for the name
        page = signin_page(
            request,
            error="signin.address_limited",
            status=429,
            username=username,
            next=next,
            mfa=mfa,
        )
        page.headers["Retry-After"] = str(math.ceil(admission.retry_after))
        return page
    started = time.monotonic()
    try:
        with signin_address_limit.password_step(request):
            outcome = start_sign_in(
                get_portal(request), username, password, client_ip=client_address(request)
            )
    except CognitoError as exc:
        record_password_failure(request, username, exc)
        DELAYER.refused(started)
        key = signin_error(exc)
        if key == "signin.reset_required":
            # Only the account's owner gets this far (the password was right): on to the code page.
            ps.state.reset_username = username
            return see_other("/password/reset?notice=required")
        return signin_page(request, error=key, status=400, username=username, next=next, mfa=mfa)
    DELAYER.accepted(started)
    if isinstance(outcome, Challenge) and outcome.name == "SELECT_MFA_TYPE":
        choices = _choices(outcome)
        if mfa in choices:
            try:
                outcome = _choose(get_portal(request), outcome, mfa, choices)
            except CognitoError as exc:
                return restart(request, ps, code_error(exc))
    return advance(request, ps, outcome)


def _choose(portal: Portal, challenge: Challenge, answer: str, choices: list[str]) -> Outcome:
    """Answer SELECT_MFA_TYPE, remembering the other choices for the code page's switch button."""
    outcome = respond(portal, challenge, {"ANSWER": answer})
    if isinstance(outcome, Challenge):
        outcome.alternatives = [choice for choice in choices if choice != answer]
    return outcome


def _pending(ps: PortalSession, *names: str) -> Challenge | None:
    challenge = ps.state.challenge
    if challenge is None or challenge.name not in names:
        return None
    return challenge


@router.get("/signin/new-password")
def new_password_form(request: Request) -> Response:
    if _pending(portal_session(request), "NEW_PASSWORD_REQUIRED") is None:
        return see_other("/signin")
    return new_password_page(request)


def new_password_page(request: Request, status: int = 200, **ctx: Any) -> Response:
    """The new-password form, with the pool's policy stated up front when it can be read."""
    challenge = _pending(portal_session(request), "NEW_PASSWORD_REQUIRED")
    account = portal_session(request).state.typed_username or (
        challenge.username if challenge else ""
    )
    return render(
        request,
        "new_password.html",
        status,
        policy=policy_sentence(request),
        account=account,  # the hidden username field password managers file the password under
        **ctx,
    )


@router.post("/signin/new-password", dependencies=[CSRF])
def new_password_submit(
    request: Request, password: Annotated[str, Form()] = "", confirm: Annotated[str, Form()] = ""
) -> Response:
    ps = portal_session(request)
    challenge = _pending(ps, "NEW_PASSWORD_REQUIRED")
    if challenge is None:
        return see_other("/signin")
    found, rules = new_password_problems(request, password, confirm)
    if found:
        return new_password_page(request, 400, field_errors=found, field_rules=rules)
    try:
        outcome = respond(get_portal(request), challenge, {"NEW_PASSWORD": password})
    except CognitoError as exc:
        rules = password_policy_errors(exc) or []
        if rules:
            return new_password_page(
                request, 400, field_errors={"password": ["password.policy"]}, field_rules=rules
            )
        if is_session_problem(exc) or is_lockout(exc):
            return restart(request, ps, code_error(exc))
        return restart(request, ps, signin_error(exc))
    # The temporary password was a one-time secret delivered out of band (the first start's console,
    # an invitation): replacing it proves as much as an emailed set-up code would, so the first
    # enrolment of this sign-in needs no further proof. A support reset keeps the password, and
    # then the proof is asked for.
    ps.state.enrolment_proof = EnrolmentProof(proven=True)
    ps.changed()
    return advance(request, ps, outcome)


def _code_context(request: Request, challenge: Challenge) -> dict[str, Any]:
    kind = KINDS[challenge.name]
    return {
        "resend": kind in RESENDABLE and get_portal(request).support.resend_limit is not None,
        "kind": kind,
        "digits": DIGITS[kind],
        "destination": challenge.parameters.get("CODE_DELIVERY_DESTINATION", ""),
        "device": challenge.parameters.get("FRIENDLY_DEVICE_NAME", ""),
        "alternatives": [name for name in challenge.alternatives if name in CODE_FIELDS],
    }


@router.get("/signin/code")
def code_form(request: Request) -> Response:
    challenge = _pending(portal_session(request), *MFA_CHALLENGES)
    if challenge is None:
        return see_other("/signin")
    return render(request, "code.html", **_code_context(request, challenge))


@router.post("/signin/code", dependencies=[CSRF])
def code_submit(request: Request, code: Annotated[str, Form()] = "") -> Response:
    ps = portal_session(request)
    challenge = _pending(ps, *MFA_CHALLENGES)
    if challenge is None:
        return see_other("/signin")
    code = re.sub(r"\s+", "", code)
    kind = KINDS[challenge.name]
    if not (code.isascii() and code.isdigit() and len(code) == DIGITS[kind]):
        return render(
            request,
            "code.html",
            400,
            field_errors={"code": [f"code.format.{kind}"]},
            **_code_context(request, challenge),
        )
    try:
        outcome = respond(get_portal(request), challenge, {CODE_FIELDS[challenge.name]: code})
    except CognitoError as exc:
        if is_session_problem(exc) and not is_session_expired(exc):
            target = ps.superseded_target(wait_seconds=SIBLING_WAIT_SECONDS)
            if target is not None:
                # A double submit: the sibling request spent the Cognito session and signed the
                # browser in under a new id. Follow it and leave its cookie in place.
                ps.leave_cookie_alone()
                return see_other(target)
        record_code_failure(request, challenge.username, exc, code, kind)
        key = code_error(exc)
        if key != "code.wrong":
            return restart(request, ps, key)
        return render(
            request,
            "code.html",
            400,
            field_errors={"code": [f"code.wrong.{kind}"]},
            **_code_context(request, challenge),
        )
    ps.state.mfa_answered = True
    record_code_accepted(request, challenge.username, code, kind)
    if challenge.name == "SOFTWARE_TOKEN_MFA":
        ps.state.totp_device = challenge.parameters.get("FRIENDLY_DEVICE_NAME", "")
    return advance(request, ps, outcome)


@router.post("/signin/code/resend", dependencies=[CSRF])
def code_resend(request: Request) -> Response:
    """ "Send a new code": Cognito has no resend for an MFA code, only a new sign-in, and the portal
    never keeps the password. So the pending sign-in ends and the password step comes back with
    the username filled in, saying why; the method is chosen again for the user. At most one
    resend 30 s after the last code and ``ResendLimit`` per username (shared by every process)."""
    ps = portal_session(request)
    challenge = _pending(ps, *MFA_CHALLENGES)
    if challenge is None:
        return see_other("/signin")
    kind = KINDS[challenge.name]
    portal = get_portal(request)
    limit = portal.support.resend_limit
    if kind not in RESENDABLE or limit is None:
        return see_other("/signin/code")
    wait = challenge.started + RESEND_AFTER_SECONDS - portal.clock()
    error = "code.resend_wait"
    if wait <= 0:
        wait = limit.admit(portal.user_pool_id, challenge.username)
        error = "code.resend_limit"
    if wait > 0:
        page = render(
            request, "code.html", 429, errors=[error], **_code_context(request, challenge)
        )
        page.headers["Retry-After"] = str(math.ceil(max(wait, 1.0)))
        return page
    typed, next_path = ps.state.typed_username or challenge.username, ps.state.next_path
    ps.end()
    ps.state.next_path = next_path
    return signin_page(
        request, notice="signin.resend", username=typed, next=next_path, mfa=challenge.name
    )


@router.post("/signin/code/switch", dependencies=[CSRF])
def code_switch(request: Request, method: Annotated[str, Form()] = "") -> Response:
    """ "Use my authenticator instead": Cognito cannot change a pending challenge's method, so the
    sign-in starts again (password only, the username kept) and the portal answers the
    SELECT_MFA_TYPE that follows with ``method``. Only a method Cognito offered is accepted."""
    ps = portal_session(request)
    challenge = _pending(ps, *MFA_CHALLENGES)
    if challenge is None:
        return see_other("/signin")
    if method not in challenge.alternatives or method not in CODE_FIELDS:
        return see_other("/signin/code")
    username, next_path = challenge.username, ps.state.next_path
    ps.end()
    return signin_page(
        request, notice="signin.switch_method", username=username, next=next_path, mfa=method
    )


def _choices(challenge: Challenge) -> list[str]:
    try:
        offered = json.loads(challenge.parameters.get("MFAS_CAN_CHOOSE", "[]"))
    except ValueError:
        offered = []
    return [str(name) for name in offered if name in CODE_FIELDS]


@router.get("/signin/select")
def select_form(request: Request) -> Response:
    challenge = _pending(portal_session(request), "SELECT_MFA_TYPE")
    if challenge is None:
        return see_other("/signin")
    return render(request, "select_mfa.html", choices=_choices(challenge))


@router.post("/signin/select", dependencies=[CSRF])
def select_submit(request: Request, answer: Annotated[str, Form()] = "") -> Response:
    ps = portal_session(request)
    challenge = _pending(ps, "SELECT_MFA_TYPE")
    if challenge is None:
        return see_other("/signin")
    choices = _choices(challenge)
    if answer not in choices:
        return render(
            request,
            "select_mfa.html",
            400,
            field_errors={"answer": ["select.missing"]},
            choices=choices,
        )
    try:
        outcome = _choose(get_portal(request), challenge, answer, choices)
    except CognitoError as exc:
        return restart(request, ps, code_error(exc))
    return advance(request, ps, outcome)


@router.get("/signout")
def signout_form(request: Request) -> Response:
    """What an app's "Sign out" link opens: one button that POSTs (a GET never signs anyone out,
    so a link or an image elsewhere cannot end the session)."""
    if portal_session(request).state.stage is Stage.ANONYMOUS:
        return see_other("/signin?notice=signed_out")
    return render(request, "signout.html")


@router.post("/signout", dependencies=[CSRF])
def signout(request: Request) -> Response:
    ps = portal_session(request)
    tokens = ps.state.tokens
    portal = get_portal(request)
    if tokens is not None and tokens.refresh_token and portal.client.supports("RevokeToken"):
        try:
            portal.client.call(
                "RevokeToken",
                Token=tokens.refresh_token,
                ClientId=portal.client_id,
                **(
                    {"ClientSecret": portal.settings.client_secret.get_secret_value()}
                    if portal.settings.client_secret
                    else {}
                ),
            )
        except CognitoError as exc:
            log.info("could not revoke the refresh token at sign-out: %s", exc.code)
    ps.end()
    return see_other("/signin?notice=signed_out")
