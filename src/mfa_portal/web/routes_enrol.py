""" "Set up your authenticator": enrolment for restricted sessions, ON-pool MFA_SETUP, replacement.

Three ways in, one page:
- a restricted session (password ok, no MFA) enrols with its access token;
- a pool in ON mode answers ``MFA_SETUP`` with the Session chain Associate → Verify → Respond (§15.5);
- a signed-in user replaces the authenticator only after re-proving password and current code, because
  a pending association silently switches TOTP off in an OPTIONAL pool (spec §3.3).

Only a POST creates a set-up key (``AssociateSoftwareToken``): ``/mfa/replace`` right after the
re-authentication, ``/mfa/setup/start`` after the enrolment proof, or the sign-in POST itself when
no proof is configured. A session that proved only the password never reaches a key while the user
has an authenticator registered (``FactorNotAsked``). A key not verified within
``ENROLMENT_SECONDS`` is dropped.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.cognito_api.id_tokens import TokenInvalid
from mfa_portal.settings import Backend, EnrolmentProofKind
from mfa_portal.web import enrolment_proof, reproof
from mfa_portal.web.base_path import site_path
from mfa_portal.web.deps import (
    CSRF,
    current_user,
    portal_session,
    require_signed_in,
)
from mfa_portal.web.ended import with_reason
from mfa_portal.web.flow import (
    ENROLMENT_SECONDS,
    FactorNotAsked,
    Outcome,
    begin_enrolment,
    complete_sign_in,
    respond,
)
from mfa_portal.web.messages import code_error, is_session_problem, log
from mfa_portal.web.outcomes import advance, refuse_unasked_factor, restart
from mfa_portal.web.portal import Portal, get_portal
from mfa_portal.web.qr import grouped, otpauth_uri, qr_svg
from mfa_portal.web.reproof import Proven, has_totp, prove_again
from mfa_portal.web.responses import render, see_other
from mfa_portal.web.sessions import PortalSession
from mfa_portal.web.state import Enrolment, Stage, Tokens
from mfa_portal.web.strings import t

router = APIRouter()

SIX_DIGITS = re.compile(r"^[0-9]{6}$")
TOTP_STEP_SECONDS = 30  # RFC 6238 time step, the one Cognito uses
TOTP_ON = {"Enabled": True, "PreferredMfa": True}
DEVICE_NAME_MAX = 64
#: Controls (NUL, newlines, escapes), format characters (bidi overrides and isolates, zero-width
#: joiners), line/paragraph separators, private use and unassigned code points.
DEVICE_NAME_REFUSED = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cn", "Cs"})


def device_name_problem(name: str) -> str | None:
    """The message key refusing a device name, or None: it is shown later on the code page."""
    if any(unicodedata.category(ch) in DEVICE_NAME_REFUSED for ch in name):
        return "setup.device_invalid"
    if len(name) > DEVICE_NAME_MAX:
        return "setup.device_too_long"
    return None


def _mode(ps: PortalSession, now: float) -> str | None:
    """Which way into set-up this session has, or None (must sign in or re-authenticate)."""
    state = ps.state
    if state.stage is Stage.CHALLENGE and state.challenge and state.challenge.name == "MFA_SETUP":
        return "challenge"
    if state.stage is Stage.MUST_ENROL:
        return "token"
    if state.stage is Stage.SIGNED_IN and state.reauth_until > now:
        return "replace"
    if state.stage is Stage.SIGNED_IN and not state.mfa_answered:
        return "token"
    return None


def _ended(request: Request, ps: PortalSession, exc: CognitoError) -> Response:
    if is_session_problem(exc):
        return restart(request, ps, code_error(exc))
    return restart(request, ps, "signin.session_ended")


def _live_enrolment(ps: PortalSession, now: float) -> Enrolment | None:
    """The pending set-up key, dropped once older than ``ENROLMENT_SECONDS``."""
    enrolment = ps.state.enrolment
    if enrolment is not None and now - enrolment.started > ENROLMENT_SECONDS:
        ps.state.enrolment = None
        ps.changed()
        return None
    return enrolment


def _needs_proof(portal: Portal, ps: PortalSession, mode: str) -> bool:
    """A password-only session proves the mailbox first when the setting asks for it."""
    if mode == "replace" or portal.settings.enrolment_proof is EnrolmentProofKind.NONE:
        return False
    proof = ps.state.enrolment_proof
    return proof is None or not proof.proven


def _start_page(
    request: Request, ps: PortalSession, mode: str, status: int = 200, **ctx: Any
) -> Response:
    portal = get_portal(request)
    proof = ps.state.enrolment_proof
    return render(
        request,
        "setup_start.html",
        status,
        restricted=ps.state.stage is not Stage.SIGNED_IN,
        needs_proof=_needs_proof(portal, ps, mode),
        proof_sent=proof is not None and proof.sent_at > 0,
        can_skip=portal.settings.enforcement.value == "optional"
        and ps.state.stage is Stage.SIGNED_IN,
        **ctx,
    )


def _page(request: Request, ps: PortalSession, status: int = 200, **ctx: Any) -> Response:
    portal = get_portal(request)
    state = ps.state
    assert state.enrolment is not None
    if state.identity is not None:
        account = state.identity.email or state.identity.username
    else:
        account = state.challenge.username if state.challenge else ""
    uri = otpauth_uri(state.enrolment.secret, issuer=portal.settings.issuer_name, account=account)
    return render(
        request,
        "setup.html",
        status,
        qr=qr_svg(uri, title=t("setup.qr_label")),
        replacing=_mode(ps, portal.clock()) == "replace",
        # Amazon Cognito stops asking for the old authenticator while a new key is pending; the
        # embedded pool keeps asking for it (docs/compatibility.md). Say what is true here.
        old_keeps_working=portal.settings.backend is Backend.EMBEDDED,
        uri=uri,  # the "Open in authenticator app" link: the very URI the QR code carries
        secret=grouped(state.enrolment.secret),
        restricted=state.stage is not Stage.SIGNED_IN,
        can_skip=portal.settings.enforcement.value == "optional" and state.stage is Stage.SIGNED_IN,
        **ctx,
    )


def _entry(request: Request) -> tuple[PortalSession, Portal, str | None, Response | None]:
    """The session, portal and set-up mode, or the response that sends the visitor elsewhere."""
    ps = portal_session(request)
    portal = get_portal(request)
    current_user(request)  # refresh / re-check a token-holding session first
    mode = _mode(ps, portal.clock())
    if mode is None:
        if ps.state.stage is Stage.SIGNED_IN:
            return ps, portal, None, see_other("/mfa/replace")
        return (
            ps,
            portal,
            None,
            see_other(with_reason("/signin?next=" + site_path(request, "/mfa/setup"), ps)),
        )
    if mode == "challenge":
        assert ps.state.challenge is not None
        if "SOFTWARE_TOKEN_MFA" not in _offered(ps.state.challenge.parameters):
            return ps, portal, None, restart(request, ps, "setup.unavailable")
    return ps, portal, mode, None


@router.get("/mfa/setup")
def setup_form(request: Request) -> Response:
    """Shows the pending key, or the button that creates one: a GET never starts an association."""
    ps, portal, mode, elsewhere = _entry(request)
    if elsewhere is not None or mode is None:
        return elsewhere or see_other("/signin")
    if _live_enrolment(ps, portal.clock()) is None:
        return _start_page(request, ps, mode)
    return _page(request, ps)


@router.post("/mfa/setup/start", dependencies=[CSRF])
def setup_start(request: Request, proof: Annotated[str, Form()] = "") -> Response:
    """Create the set-up key (AssociateSoftwareToken) once this session proved what it must."""
    ps, portal, mode, elsewhere = _entry(request)
    if elsewhere is not None or mode is None:
        return elsewhere or see_other("/signin")
    if _needs_proof(portal, ps, mode):
        refused = enrolment_proof.check(request, ps, mode, re.sub(r"\s+", "", proof))
        if refused is not None:
            return _start_page(request, ps, mode, 400, field_errors={"proof": [refused]})
    try:
        begin_enrolment(portal, ps, mode)
    except FactorNotAsked:
        return refuse_unasked_factor(request, ps)
    except CognitoError as exc:
        if exc.code == "SoftwareTokenMFANotFoundException":
            return render(request, "error.html", 409, title="setup.title", body="setup.unavailable")
        return _ended(request, ps, exc)
    return see_other("/mfa/setup")


@router.post("/mfa/setup/cancel", dependencies=[CSRF])
def setup_cancel(request: Request) -> Response:
    """Stop replacing: drop the pending key and the re-authentication, keep the old authenticator.

    The pending association is only in Cognito until verified; a later replacement starts over."""
    require_signed_in(request)
    ps = portal_session(request)
    ps.state.enrolment = None
    ps.state.reauth_until = 0.0
    ps.changed()
    embedded = get_portal(request).settings.backend is Backend.EMBEDDED
    return see_other(
        "/account?notice=" + ("replace_cancelled" if embedded else "replace_cancelled_pending")
    )


@router.post("/mfa/setup/send-code", dependencies=[CSRF])
def setup_send_code(request: Request) -> Response:
    """Mail a one-time set-up code to the account's verified address (enrolment proof ``email``)."""
    ps, portal, mode, elsewhere = _entry(request)
    if elsewhere is not None or mode is None:
        return elsewhere or see_other("/signin")
    if not _needs_proof(portal, ps, mode):
        return see_other("/mfa/setup")
    refused = enrolment_proof.send(request, ps, mode)
    if refused is not None:
        return _start_page(request, ps, mode, 400, errors=[refused])
    return see_other("/mfa/setup")


@router.post("/mfa/setup", dependencies=[CSRF])
def setup_submit(
    request: Request, code: Annotated[str, Form()] = "", device_name: Annotated[str, Form()] = ""
) -> Response:
    ps = portal_session(request)
    portal = get_portal(request)
    mode = _mode(ps, portal.clock())
    enrolment = _live_enrolment(ps, portal.clock())
    if mode is None or enrolment is None:
        return see_other("/mfa/setup")
    code = re.sub(r"\s+", "", code)
    device_name = device_name.strip()
    refused = device_name_problem(device_name)
    if refused is not None:  # not echoed back: it may hold characters that reorder the page
        return _page(request, ps, 400, field_errors={"device_name": [refused]}, device_name="")
    if not SIX_DIGITS.match(code):
        return _page(
            request, ps, 400, field_errors={"code": ["code.format"]}, device_name=device_name
        )
    name = {"FriendlyDeviceName": device_name} if device_name else {}
    credential: dict[str, str]
    if mode == "challenge":
        credential = {"Session": enrolment.session or ""}
    else:
        assert ps.state.tokens is not None
        credential = {"AccessToken": ps.state.tokens.access_token}
    try:
        result = portal.client.call("VerifySoftwareToken", UserCode=code, **credential, **name)
    except CognitoError as exc:
        key = code_error(exc)
        if key == "code.wrong":
            # Not the phone's clock: the step the old app's code just spent cannot be used again.
            same_step = ps.state.reauth_step == int(portal.clock() // TOTP_STEP_SECONDS)
            wrong = "setup.same_step" if mode == "replace" and same_step else "setup.wrong"
            return _page(request, ps, 400, field_errors={"code": [wrong]}, device_name=device_name)
        return _ended(request, ps, exc)
    if result.get("Status") != "SUCCESS":
        return _page(
            request, ps, 400, field_errors={"code": ["setup.wrong"]}, device_name=device_name
        )
    request.state.device_name = device_name  # for the enrolment's audit entry (after_enrolment)
    if mode == "challenge":
        return _finish_challenge(request, ps, result.get("Session"))
    return _finish(request, ps)


def _finish_challenge(request: Request, ps: PortalSession, session: str | None) -> Response:
    """ON pools: answer MFA_SETUP with the Verify session; Cognito returns tokens or asks for a code."""
    portal = get_portal(request)
    challenge = ps.state.challenge
    assert challenge is not None
    try:
        outcome: Outcome = respond(portal, challenge, {}, session=session)
    except CognitoError as exc:
        return restart(request, ps, code_error(exc))
    ps.state.mfa_answered = True
    if not isinstance(outcome, Tokens):
        return advance(request, ps, outcome)
    try:
        complete_sign_in(portal, ps, outcome)
    except TokenInvalid as exc:
        log.error("ID token from the pool failed verification: %s", exc)
        return restart(request, ps, "signin.unavailable")
    return _finish(request, ps)


def _finish(request: Request, ps: PortalSession) -> Response:
    """Turn TOTP on and preferred, read it back, then grant the full session."""
    portal = get_portal(request)
    state = ps.state
    assert state.tokens is not None
    access = state.tokens.access_token
    try:
        portal.client.call(
            "SetUserMFAPreference", AccessToken=access, SoftwareTokenMfaSettings=TOTP_ON
        )
        user = portal.client.call("GetUser", AccessToken=access)
    except CognitoError as exc:
        log.warning("enabling TOTP after verification failed: %s", exc.code)
        state.enrolment = None
        ps.changed()
        return render(request, "error.html", 500, title="setup.title", body="setup.not_enabled")
    if "SOFTWARE_TOKEN_MFA" not in (user.get("UserMFASettingList") or []):
        log.warning("TOTP not listed as enabled after SetUserMFAPreference")
        state.enrolment = None
        ps.changed()
        return render(request, "error.html", 500, title="setup.title", body="setup.not_enabled")
    state.enrolment = None
    state.enrolment_proof = None
    state.mfa_answered = True
    state.reauth_until = 0.0
    state.enrolled_at = portal.clock()
    state.stage = Stage.SIGNED_IN
    ps.rotate()
    request.state.session_checked = True
    signed_in = current_user(request)
    assert signed_in is not None
    target = get_portal(request).extensions.run_after_enrolment(request, signed_in)
    return see_other(target or "/mfa/setup/done")


@router.get("/mfa/setup/done")
def setup_done(request: Request) -> Response:
    require_signed_in(request)
    return render(request, "setup_done.html", next_path=portal_session(request).state.next_path)


@router.get("/mfa/replace")
def replace_form(request: Request) -> Response:
    user = require_signed_in(request)
    return render(request, "replace.html", needs_code=has_totp(user), account=user.username)


@router.post("/mfa/replace", dependencies=[CSRF])
def replace_submit(
    request: Request, password: Annotated[str, Form()] = "", code: Annotated[str, Form()] = ""
) -> Response:
    """Re-authenticate from scratch (password, then the current TOTP) before any new association."""
    user = require_signed_in(request)
    ps = portal_session(request)
    portal = get_portal(request)
    needs_code = has_totp(user)
    proof = prove_again(request, user, password, code, needs_code=needs_code)
    if not isinstance(proof, Proven) or proof.tokens is None or proof.identity is None:
        errors = [reproof.LOCKED if proof == reproof.LOCKED else "replace.failed"]
        return render(
            request,
            "replace.html",
            400,
            errors=errors,
            needs_code=needs_code,
            account=user.username,
        )
    outcome, identity = proof.tokens, proof.identity
    code = re.sub(r"\s+", "", code)
    ps.state.tokens = outcome
    ps.state.identity = identity
    ps.state.reauth_until = portal.clock() + 300
    ps.state.reauth_step = int(portal.clock() // TOTP_STEP_SECONDS) if code else -1
    ps.state.enrolment = None
    ps.rotate()
    try:  # the current factor was just proven: this POST, and only it, starts the association
        begin_enrolment(portal, ps, "replace")
    except CognitoError as exc:
        log.warning("starting the replacement failed: %s", exc.code)
    return see_other("/mfa/setup")


def _offered(parameters: dict[str, str]) -> list[str]:
    try:
        return [str(x) for x in json.loads(parameters.get("MFAS_CAN_SETUP", "[]"))]
    except ValueError:
        return []
