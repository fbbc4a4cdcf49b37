"""The account page, rendered from Cognito's ``GetUser`` for the routes that end on it."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.web.deps import SignedInUser, portal_session
from mfa_portal.web.messages import is_token_problem
from mfa_portal.web.outcomes import restart
from mfa_portal.web.portal import get_portal
from mfa_portal.web.responses import render


def account_page(
    request: Request, user: SignedInUser, status: int = 200, **ctx: object
) -> Response:
    try:
        details = user.call("GetUser")
    except CognitoError as exc:
        return (
            restart(request, portal_session(request), "signin.session_ended")
            if is_token_problem(exc)
            else render(request, "error.html", 502, title="error.title", body="error.body")
        )
    enabled = list(details.get("UserMFASettingList") or [])
    attributes = {a["Name"]: a["Value"] for a in details.get("UserAttributes") or []}
    extensions = get_portal(request).extensions
    for extra in extensions.account_context:
        ctx = {**extra(request, user), **ctx}
    return render(
        request,
        "account.html",
        status,
        user=user,
        totp_on="SOFTWARE_TOKEN_MFA" in enabled,
        enabled=enabled,
        preferred=details.get("PreferredMfaSetting"),
        email=attributes.get("email"),
        email_verified=attributes.get("email_verified") == "true",
        pending_email=portal_session(request).state.pending_email,
        sections=list(extensions.account_sections),
        **ctx,
    )
