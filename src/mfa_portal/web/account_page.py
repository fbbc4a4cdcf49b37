"""The account page, rendered from Cognito's ``GetUser`` for the routes that end on it.

Every MFA method Cognito lists for the user is shown, the preferred one marked. The authenticator's
device name comes from the sign-in challenge Cognito named it in (``FRIENDLY_DEVICE_NAME``; ``GetUser``
does not return it), else from the portal's audit entry of the enrolment, which also gives the date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from mfa_portal.admin.enrolments import latest_enrolment
from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.web.deps import SignedInUser, portal_session
from mfa_portal.web.messages import is_token_problem, log
from mfa_portal.web.outcomes import restart
from mfa_portal.web.password_policy import policy_sentence
from mfa_portal.web.portal import get_portal
from mfa_portal.web.responses import render

#: The methods the page can show, in the order it shows them.
METHODS = ("SOFTWARE_TOKEN_MFA", "EMAIL_OTP", "SMS_MFA")
#: SetUserMFAPreference's settings block for each method.
BLOCKS = {
    "SOFTWARE_TOKEN_MFA": "SoftwareTokenMfaSettings",
    "EMAIL_OTP": "EmailMfaSettings",
    "SMS_MFA": "SMSMfaSettings",
}


@dataclass(frozen=True)
class Method:
    name: str  # Cognito's name, e.g. SOFTWARE_TOKEN_MFA
    preferred: bool
    device_name: str = ""
    enrolled_on: str = ""  # YYYY-MM-DD (UTC), when the portal recorded the enrolment
    destination: str = ""  # where email or text-message codes go


def _methods(request: Request, user: SignedInUser, details: dict[str, Any]) -> list[Method]:
    enabled = details.get("UserMFASettingList") or []
    preferred = details.get("PreferredMfaSetting")
    attributes = {a["Name"]: a["Value"] for a in details.get("UserAttributes") or []}
    found: list[Method] = []
    for name in METHODS:
        if name not in enabled:
            continue
        if name == "SOFTWARE_TOKEN_MFA":
            device, day = portal_session(request).state.totp_device, ""
            try:
                recorded = latest_enrolment(get_portal(request).support.audit, user.username)
            except Exception as exc:  # the page still works without the portal's record
                log.warning("could not read the enrolment record: %s", type(exc).__name__)
                recorded = None
            if recorded is not None:
                device = device or recorded.device_name
                day = datetime.fromtimestamp(recorded.at, UTC).strftime("%Y-%m-%d")
            found.append(Method(name, preferred == name, device, day))
        else:
            where = attributes.get("email" if name == "EMAIL_OTP" else "phone_number", "")
            found.append(Method(name, preferred == name, destination=where))
    return found


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
    methods = _methods(request, user, details)
    return render(
        request,
        "account.html",
        status,
        user=user,
        totp_on="SOFTWARE_TOKEN_MFA" in enabled,
        enabled=enabled,
        methods=methods,
        # A choice to make: two methods, or one that is not preferred yet.
        can_choose=len(methods) > 1 or any(not m.preferred for m in methods),
        preferred=details.get("PreferredMfaSetting"),
        email=attributes.get("email"),
        email_verified=attributes.get("email_verified") == "true",
        pending_email=portal_session(request).state.pending_email,
        sections=list(extensions.account_sections),
        policy=policy_sentence(request),
        **ctx,
    )
