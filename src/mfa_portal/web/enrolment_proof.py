"""The enrolment proof: what a session that proved only the password adds before it may bind an
authenticator (``MFA_PORTAL_ENROLMENT_PROOF``; docs/security.md "Who may bind an authenticator").

With ``email`` a one-time code goes to the account's *verified* email address; the code lives only
hashed in the portal store (``admin/enrolment_codes.py``). Every failure shows one sentence; the log
keeps the cause, never the code.
"""

from __future__ import annotations

from fastapi import Request

from mfa_portal.admin.enrolment_codes import Check
from mfa_portal.admin.support import attributes
from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.web.messages import log
from mfa_portal.web.portal import Portal, get_portal
from mfa_portal.web.sessions import PortalSession
from mfa_portal.web.state import EnrolmentProof
from mfa_portal.web.strings import language


def _username(ps: PortalSession, mode: str) -> str:
    state = ps.state
    if mode == "challenge" and state.challenge is not None:
        return state.challenge.username
    return state.identity.username if state.identity is not None else ""


def _account(portal: Portal, ps: PortalSession, mode: str) -> tuple[str, str | None]:
    """The user's ``sub`` and verified email address (None when not verified)."""
    support = portal.support
    user = support.client.call(
        "AdminGetUser", UserPoolId=support.pool_id, Username=_username(ps, mode)
    )
    attrs = attributes(user)
    verified = attrs.get("email_verified") == "true" and bool(attrs.get("email"))
    return attrs["sub"], attrs["email"] if verified else None


def send(request: Request, ps: PortalSession, mode: str) -> str | None:
    """Mail a fresh code; return the message key refusing it, or None when sent."""
    portal = get_portal(request)
    codes, notifier = portal.support.enrolment_codes, portal.support.notifier
    if codes is None or notifier is None:
        return "setup.proof_no_email"
    try:
        sub, email = _account(portal, ps, mode)
    except CognitoError as exc:
        log.warning("enrolment code: reading the account failed: %s", exc.code)
        return "signin.unavailable"
    if email is None:
        return "setup.proof_no_email"
    now = portal.clock()
    code = codes.issue(portal.support.pool_id, sub, now)
    if code is None:
        log.info("enrolment code refused: send limit reached")
        return "setup.proof_limit"
    minutes = portal.settings.enrolment_code_minutes
    if not notifier.enrolment_code(email, _username(ps, mode), code, minutes, language=language()):
        return "signin.unavailable"
    ps.state.enrolment_proof = EnrolmentProof(sent_at=now)
    ps.changed()
    return None


def check(request: Request, ps: PortalSession, mode: str, code: str) -> str | None:
    """Spend ``code``; on success the session may create a set-up key. Returns a refusal key."""
    portal = get_portal(request)
    codes = portal.support.enrolment_codes
    if codes is None or not code:
        return "setup.proof_failed"
    try:
        sub, _ = _account(portal, ps, mode)
    except CognitoError as exc:
        log.warning("enrolment code: reading the account failed: %s", exc.code)
        return "signin.unavailable"
    verdict = codes.consume(portal.support.pool_id, sub, code, portal.clock())
    if verdict is not Check.ACCEPTED:
        log.info("enrolment code refused: %s", verdict.value)
        return "setup.proof_failed"
    ps.state.enrolment_proof = EnrolmentProof(sent_at=portal.clock(), proven=True)
    ps.changed()
    return None
