"""Recovery codes in the portal: the offer after enrolment, the account page, and ``/recover``.

``/recover`` takes username, password and one recovery code; on success the authenticator is
removed (the same reset support performs) and the same request signs the user in again, straight
into enrolment: the recovery code is the proof a new authenticator needs
(``MFA_PORTAL_ENROLMENT_PROOF``), so a user without a verified email address is not left with no
factor at all.
Every failure shows one sentence; the audit trail keeps the real cause. Too many attempts for one
username or address get that same sentence with status 429 and ``Retry-After``.
"""

from __future__ import annotations

import math
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from mfa_portal.admin import self_service
from mfa_portal.admin.recovery_codes import as_text_file
from mfa_portal.admin.support import ActionFailed, Support
from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.cognito_api.id_tokens import TokenInvalid
from mfa_portal.web.deps import (
    SignedInUser,
    client_address,
    portal_session,
    require_signed_in,
    verify_csrf,
)
from mfa_portal.web.extensions import PortalExtensions
from mfa_portal.web.flow import FactorNotAsked, UnsupportedChallenge, apply_outcome, start_sign_in
from mfa_portal.web.messages import log
from mfa_portal.web.portal import get_portal
from mfa_portal.web.reproof import Proven, has_totp, prove_again
from mfa_portal.web.responses import render
from mfa_portal.web.state import EnrolmentProof
from mfa_portal.web.strings import language

router = APIRouter()
Field = Annotated[str, Form()]
CODES_PAGE = "/account/recovery-codes"
#: How long after setting up an authenticator the session may make its first set of codes without
#: proving the account again.
FIRST_CODES_SECONDS = 600


def offer_codes_after_enrolment(request: Request, user: SignedInUser) -> str | None:
    """After enrolment: the first page after set-up offers a set of recovery codes."""
    return f"{CODES_PAGE}?offer=1"


def record_enrolment(request: Request, user: SignedInUser) -> str | None:
    """After enrolment: audit the new factor and notify the user (OWASP: every change)."""
    support = support_of(request)
    device_name = str(getattr(request.state, "device_name", ""))  # set by the set-up page's POST
    self_service.record_enrolment(
        support,
        user.username,
        user.email,
        _client_address(request),
        device_name,
        language=language(),  # the notice is in the language of the page the user is on
    )
    return None


def remaining_for_account(request: Request, user: SignedInUser) -> dict[str, object]:
    """Account page context: how many recovery codes remain."""
    return {"recovery_remaining": self_service.remaining_codes(support_of(request), user.username)}


#: What the recovery-code pages add to enrolment and the account page; the composition root passes
#: it to ``create_app`` (``mfa-portal serve`` always ships it).
EXTENSIONS = PortalExtensions(
    after_enrolment=(record_enrolment, offer_codes_after_enrolment),
    account_sections=("recovery/_account_section.html",),
    account_context=(remaining_for_account,),
)


def support_of(request: Request) -> Support:
    return get_portal(request).support


def _client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def _proof_needed(request: Request) -> bool:
    """Whether a new set needs the password (and a code) again: not in the minutes right after this
    session set up its authenticator, which proved the new app's code (the page offers the first
    set then); always later, since each code removes the authenticator (``reproof``)."""
    enrolled_at = portal_session(request).state.enrolled_at
    return get_portal(request).clock() - enrolled_at >= FIRST_CODES_SECONDS


def _codes_page(
    request: Request, user: SignedInUser, status: int = 200, offer: bool = False, **ctx: Any
) -> Response:
    remaining = self_service.remaining_codes(support_of(request), user.username)
    next_path = portal_session(request).state.next_path  # the first enrolment keeps its destination
    needs_proof = _proof_needed(request)
    return render(
        request,
        "recovery/codes.html",
        status,
        remaining=remaining,
        offer=offer,
        next_path=next_path,
        needs_proof=needs_proof,
        needs_code=needs_proof and has_totp(user),
        **ctx,
    )


@router.get(CODES_PAGE, response_class=HTMLResponse)
def codes_page(request: Request, offer: str = "") -> Response:
    return _codes_page(request, require_signed_in(request), offer=bool(offer))


@router.post(CODES_PAGE, dependencies=[Depends(verify_csrf)])
def issue_codes(request: Request, password: Field = "", code: Field = "") -> Response:
    user = require_signed_in(request)
    if not user.mfa_satisfied:  # a session without its second factor cannot mint a way around it
        return render(request, "error.html", 403, title="forbidden.title", body="forbidden.body")
    if _proof_needed(request):
        needs_code = has_totp(user)
        proof = prove_again(request, user, password, code, needs_code=needs_code)
        if not isinstance(proof, Proven):
            return _codes_page(request, user, 400, field_errors={"codes-password": [proof]})
    codes = self_service.issue_codes(
        support_of(request), user.username, source=_client_address(request), language=language()
    )
    download = "data:text/plain;charset=utf-8," + quote(as_text_file(user.username, codes))
    next_path = portal_session(request).state.next_path
    return render(
        request, "recovery/new_codes.html", codes=codes, download=download, next_path=next_path
    )


@router.get("/recover", response_class=HTMLResponse)
def recover_form(request: Request) -> Response:
    return render(request, "recovery/recover.html", username="")


@router.post("/recover", dependencies=[Depends(verify_csrf)])
def recover_submit(
    request: Request, username: Field = "", password: Field = "", code: Field = ""
) -> Response:
    portal = get_portal(request)
    username = username.strip()
    if not (username and password and code.strip()):
        missing = "recovery.recover.missing"
        return render(request, "recovery/recover.html", 400, errors=[missing], username=username)
    try:
        self_service.recover_with_code(
            support_of(request),
            password_step=portal.password_step,
            username=username,
            password=password,
            code=code,
            source=_client_address(request),
            now=portal.clock(),
            language=language(),
        )
    except ActionFailed as exc:
        failed = "recovery.recover.failed"  # one sentence for every wrong combination
        limited = exc if isinstance(exc, self_service.RecoveryLimited) else None
        status = 400 if limited is None else 429
        page = render(request, "recovery/recover.html", status, errors=[failed], username=username)
        if limited is not None:
            page.headers["Retry-After"] = str(math.ceil(limited.retry_after))
        return page
    signed_in = _sign_in_after_recovery(request, username, password)
    return render(request, "recovery/done.html", username=username, signed_in=signed_in)


def _sign_in_after_recovery(request: Request, username: str, password: str) -> bool:
    """Sign the user in again after the reset, on to set-up; False when that failed (the page
    then asks them to sign in themselves).

    The recovery code proved this session's right to bind a new authenticator, as replacing a
    temporary password does: an emailed set-up code on top would strand every user without a
    verified address (the first administrator of ``make run`` among them) with no factor left.
    """
    portal = get_portal(request)
    ps = portal_session(request)
    ps.state.forget_sign_in()
    ps.state.enrolment_proof = EnrolmentProof(proven=True)
    ps.changed()
    try:
        outcome = start_sign_in(portal, username, password, client_ip=client_address(request))
        apply_outcome(portal, ps, outcome)
    except (CognitoError, UnsupportedChallenge, FactorNotAsked, TokenInvalid) as exc:
        log.warning("sign-in after a recovery-code reset failed: %s", type(exc).__name__)
        ps.state.forget_sign_in()
        ps.changed()
        return False
    return True
