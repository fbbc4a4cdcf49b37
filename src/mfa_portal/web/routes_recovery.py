"""Recovery codes in the portal: the offer after enrolment, the account page, and ``/recover``.

``/recover`` takes username, password and one recovery code; on success the authenticator is
removed (the same reset support performs) and the user signs in again straight into enrolment.
Every failure shows one sentence; the audit trail keeps the real cause.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from mfa_portal.admin import self_service
from mfa_portal.admin.recovery_codes import as_text_file
from mfa_portal.admin.support import ActionFailed
from mfa_portal.web import hooks
from mfa_portal.web.deps import SignedInUser, render, require_signed_in, verify_csrf
from mfa_portal.web.portal import get_portal
from mfa_portal.web.routes_admin import support_of

router = APIRouter()
Field = Annotated[str, Form()]
CODES_PAGE = "/account/recovery-codes"


def offer_codes_after_enrolment(request: Request, user: SignedInUser) -> str | None:
    """``hooks.after_enrolment``: the first page after set-up offers a set of recovery codes."""
    return f"{CODES_PAGE}?offer=1"


def record_enrolment(request: Request, user: SignedInUser) -> str | None:
    """``hooks.after_enrolment``: audit the new factor and notify the user (OWASP: every change)."""
    support = support_of(request)
    self_service.record_enrolment(support, user.username, user.email, _client_address(request))
    return None


def remaining_for_account(request: Request, user: SignedInUser) -> dict[str, object]:
    """``hooks.account_context``: the account page shows how many recovery codes remain."""
    return {"recovery_remaining": self_service.remaining_codes(support_of(request), user.username)}


for _hook in (record_enrolment, offer_codes_after_enrolment):
    if _hook not in hooks.after_enrolment:
        hooks.after_enrolment.append(_hook)
if remaining_for_account not in hooks.account_context:
    hooks.account_context.append(remaining_for_account)
if "recovery/_account_section.html" not in hooks.account_sections:
    hooks.account_sections.append("recovery/_account_section.html")


def _client_address(request: Request) -> str:
    return request.client.host if request.client else ""


@router.get(CODES_PAGE, response_class=HTMLResponse)
def codes_page(request: Request, offer: str = "") -> Response:
    user = require_signed_in(request)
    remaining = self_service.remaining_codes(support_of(request), user.username)
    return render(request, "recovery/codes.html", remaining=remaining, offer=bool(offer))


@router.post(CODES_PAGE, dependencies=[Depends(verify_csrf)])
def issue_codes(request: Request) -> Response:
    user = require_signed_in(request)
    if not user.mfa_satisfied:  # a session without its second factor cannot mint a way around it
        return render(request, "error.html", 403, title="forbidden.title", body="forbidden.body")
    codes = self_service.issue_codes(
        support_of(request), user.username, source=_client_address(request)
    )
    download = "data:text/plain;charset=utf-8," + quote(as_text_file(user.username, codes))
    return render(request, "recovery/new_codes.html", codes=codes, download=download)


@router.get("/recover", response_class=HTMLResponse)
def recover_form(request: Request) -> Response:
    return render(request, "recovery/recover.html", failed=False, username="")


@router.post("/recover", dependencies=[Depends(verify_csrf)])
def recover_submit(
    request: Request, username: Field = "", password: Field = "", code: Field = ""
) -> Response:
    portal = get_portal(request)
    secret = portal.settings.client_secret
    username = username.strip()
    if not (username and password and code.strip()):
        missing = "recovery.recover.missing"
        return render(request, "recovery/recover.html", 400, failed=missing, username=username)
    try:
        self_service.recover_with_code(
            support_of(request),
            client_id=portal.client_id,
            client_secret=secret.get_secret_value() if secret else None,
            username=username,
            password=password,
            code=code,
            source=_client_address(request),
        )
    except ActionFailed:
        failed = "recovery.recover.failed"  # one sentence for every wrong combination
        return render(request, "recovery/recover.html", 400, failed=failed, username=username)
    return render(request, "recovery/done.html", username=username)
