"""Why a portal session ended, as a fixed code the next sign-in page turns into a sentence.

A session ends out of sight of the browser: support reset the authenticator, the user signed out
everywhere on another device, the session sat unused past the idle timeout or reached its maximum
age, or Cognito stopped honouring its tokens. The open tab's next request lands on the sign-in page
with ``?ended=<code>`` (one of ``ENDED_REASONS``, never free text), which says why and what to do.
Which action ended it is read from the audit trail: the newest session-ending entry for the user
(every way the portal ends sessions is audited, the user's own "Sign out everywhere" included).
"""

from __future__ import annotations

import logging

from mfa_portal.admin.audit import OK, AuditFilter
from mfa_portal.web.portal import Portal
from mfa_portal.web.sessions import PortalSession
from mfa_portal.web.state import ENDED_REASONS

log = logging.getLogger("mfa_portal.web")

#: Audit actions that end a user's sessions, and the code the sign-in page explains them with.
ACTION_REASONS = {
    "reset-mfa": "reset",
    "recovery-reset": "reset",
    "signout": "everywhere",
    "password-change": "password",
    "disable": "ended",
    "delete": "ended",
}


def revocation_reason(portal: Portal, username: str) -> str:
    """The reason for a revocation just seen: the newest session-ending action the audit trail
    recorded for this user ("ended" when none is found)."""
    try:
        entries = portal.support.audit.query(AuditFilter(target=username, outcome=OK, limit=20))
    except Exception as exc:  # the reason is a courtesy: never let it break the sign-out
        log.warning("could not read why a session was revoked: %s", type(exc).__name__)
        return "ended"
    for entry in entries:  # newest first
        if entry.action in ACTION_REASONS:
            return ACTION_REASONS[entry.action]
    return "ended"


def ended_reason(ps: PortalSession) -> str | None:
    """Why this browser's session ended, if it did in this request or just before."""
    reason = ps.ended_reason or ps.state.ended or None
    return reason if reason in ENDED_REASONS else None


def with_reason(url: str, ps: PortalSession) -> str:
    """``url`` (a sign-in URL) with ``ended=<code>`` added when the session just ended."""
    reason = ended_reason(ps)
    if reason is None:
        return url
    return f"{url}{'&' if '?' in url else '?'}ended={reason}"
