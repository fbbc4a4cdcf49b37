"""What the sign-in pages tell the audit trail about refusals (``admin.signin_audit`` rate-limits it).

The kind is decided by the same catalog predicates that choose the page's message; the typed name
and the address are kept, the password and the code never (only a keyed digest of a code, to
recognise a replay of the code that last signed the user in).
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from fastapi import Request

from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.cognito_api.messages import is_temporary_password_expired, is_user_disabled
from mfa_portal.web.deps import client_address
from mfa_portal.web.messages import code_error, is_lockout, is_session_problem
from mfa_portal.web.portal import get_portal

log = logging.getLogger("mfa_portal.web")

CODE_NOTES = {"totp": "authenticator code", "email": "email code", "sms": "text message code"}


def password_failure_kind(exc: CognitoError) -> str | None:
    """The audit kind of a refused password step, or None for refusals support need not see."""
    if is_lockout(exc):
        return "locked-out"
    if exc.code == "UserNotFoundException":
        return "no-such-user"
    if exc.code != "NotAuthorizedException" or is_session_problem(exc):
        return None
    if is_user_disabled(exc):
        return "disabled"
    if is_temporary_password_expired(exc):
        return None
    return "wrong-password"


def code_failure_kind(exc: CognitoError) -> str | None:
    key = code_error(exc)
    return {"code.locked": "locked-out", "code.wrong": "wrong-code"}.get(key)


def code_digest(request: Request, username: str, code: str) -> str:
    """HMAC of the code under the portal's secret: equal for equal codes, useless without the key."""
    key = get_portal(request).settings.secret_key_bytes()
    message = f"{username.strip().casefold()}\x00{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def record_password_failure(request: Request, username: str, exc: CognitoError) -> None:
    kind = password_failure_kind(exc)
    if kind is not None:
        _record(request, username, kind)


def record_code_failure(
    request: Request, username: str, exc: CognitoError, code: str, factor: str
) -> None:
    kind = code_failure_kind(exc)
    if kind is None:
        return
    digest = code_digest(request, username, code) if factor == "totp" else ""
    _record(request, username, kind, digest=digest, note=CODE_NOTES.get(factor, ""))


def record_code_accepted(request: Request, username: str, code: str, factor: str) -> None:
    audit = get_portal(request).support.signin_audit
    if audit is None or factor != "totp":
        return
    try:
        audit.code_accepted(username, code_digest(request, username, code))
    except Exception:  # the trail must never stop a sign-in
        log.exception("could not remember the accepted code's digest")


def _record(
    request: Request, username: str, kind: str, *, digest: str = "", note: str = ""
) -> None:
    audit = get_portal(request).support.signin_audit
    if audit is None:
        return
    try:
        audit.failed(username, kind, client_address(request) or "", code_digest=digest, note=note)
    except Exception:  # the trail must never stop the page from answering
        log.exception("could not record a sign-in failure in the audit trail")
