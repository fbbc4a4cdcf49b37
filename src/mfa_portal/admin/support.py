"""What every support action needs, and the one wrapper that audits it.

An action is a function ``(support, actor, ...) -> ActionResult``. It runs its Cognito calls inside
``audited(...)``, which appends exactly one audit entry whether the calls succeed or fail, and turns
a ``CognitoError`` into ``ActionFailed`` carrying Cognito's code and message.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from mfa_portal.admin.audit import FAILED, OK, AuditLog
from mfa_portal.admin.enrolment_codes import EnrolmentCodes
from mfa_portal.admin.notify import Notifier
from mfa_portal.admin.recovery_codes import RecoveryCodes
from mfa_portal.admin.recovery_limit import RecoveryLimit
from mfa_portal.admin.resend_limit import ResendLimit
from mfa_portal.admin.revocations import SessionRevocations
from mfa_portal.admin.signin_audit import SignInAudit
from mfa_portal.admin.signin_limit import SignInLimit
from mfa_portal.cognito_api.client import CognitoClient, CognitoError

MAX_REASON = 500  # characters; the audit trail is for a sentence, not a document


@dataclass(frozen=True)
class Actor:
    """Who acts and from where: ``admin:alice`` at 10.0.0.5, ``cli:root`` at host, ``self:bob``."""

    name: str
    source: str = ""


@dataclass
class Support:
    """The capabilities support actions use: the pool (through the seam), audit, mail, codes."""

    client: CognitoClient
    pool_id: str
    audit: AuditLog
    notifier: Notifier | None = None
    recovery: RecoveryCodes | None = None
    revocations: SessionRevocations | None = None  # ends portal sessions at once (forward-auth)
    recovery_limit: RecoveryLimit | None = None  # /recover's rate limit, shared by processes
    resend_limit: ResendLimit | None = None  # "Send a new code" on the email-code page, shared
    enrolment_codes: EnrolmentCodes | None = None
    enrolment_proof: str = "none"  # MFA_PORTAL_ENROLMENT_PROOF: what the next enrolment must prove
    signin_audit: SignInAudit | None = None  # sign-in failures in the trail, rate-limited per user
    signin_limit: SignInLimit | None = None  # failed password steps per address, shared


@dataclass
class ActionResult:
    action: str
    target: str
    message: str
    notes: list[str] = field(default_factory=list)
    secret: str | None = None  # e.g. a temporary password: shown once, never audited or logged

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "action": self.action,
            "target": self.target,
            "ok": True,
            "message": self.message,
            "notes": list(self.notes),
        }
        if self.secret is not None:
            out["temporary_password"] = self.secret
        return out


class ActionFailed(Exception):
    """A support action did not happen; ``code`` is Cognito's error name or a local one.

    People read ``message`` (``str(exc)``); ``code`` is for the audit entry and ``--json``.
    """

    def __init__(self, action: str, target: str, code: str, message: str) -> None:
        super().__init__(message)
        self.action = action
        self.target = target
        self.code = code
        self.message = message

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "target": self.target,
            "ok": False,
            "error": self.code,  # scripts read the code here (kept stable); the text beside it
            "message": self.message,
        }


@dataclass
class Step:
    """The running action: the target may be corrected to the canonical username on the way."""

    action: str
    target: str
    context: str = ""  # what exactly was asked (e.g. "totp disabled"); starts the audit detail
    result: ActionResult | None = None

    def done(self, message: str, notes: list[str] | None = None, secret: str | None = None) -> None:
        self.result = ActionResult(self.action, self.target, message, notes or [], secret)


def clean_reason(reason: str) -> str:
    """The reason as audited: control characters (newlines, NUL, escapes) removed, trimmed."""
    return "".join(ch for ch in reason if not _is_control(ch)).strip()


def reason_problem(reason: str) -> str | None:
    """Why a (cleaned) reason is refused, for people to read; None when it is fine."""
    if not reason:
        return "Give a reason for this action."
    if len(reason) > MAX_REASON:
        return f"The reason is too long: at most {MAX_REASON} characters."
    return None


def _is_control(ch: str) -> bool:
    # Cc: C0/C1 controls; Cf: format characters such as bidi overrides and zero-width joiners.
    return unicodedata.category(ch) in ("Cc", "Cf")


@contextmanager
def audited(
    support: Support, actor: Actor, action: str, target: str, reason: str, context: str = ""
) -> Iterator[Step]:
    """Run an action's calls and append one audit entry with its outcome; see module doc."""
    step = Step(action, target, context)
    reason = clean_reason(reason)
    problem = reason_problem(reason)
    code = "ReasonRequired" if not reason else "ReasonTooLong"
    reason = reason[:MAX_REASON]  # a refused reason is still audited, but bounded
    try:
        if problem is not None:
            raise ActionFailed(action, target, code, problem)
        yield step
        if step.result is None:
            raise RuntimeError(f"action {action} finished without a result")
    except CognitoError as exc:
        _record(support, actor, step, reason, FAILED, f"{exc.code}: {exc.message}")
        raise ActionFailed(action, step.target, exc.code, exc.message) from None
    except ActionFailed as exc:
        _record(support, actor, step, reason, FAILED, f"{exc.code}: {exc.message}")
        raise
    except Exception as exc:
        _record(support, actor, step, reason, FAILED, type(exc).__name__)
        raise
    detail = "; ".join([step.result.message, *step.result.notes])
    _record(support, actor, step, reason, OK, detail)


def _record(
    support: Support, actor: Actor, step: Step, reason: str, outcome: str, detail: str
) -> None:
    if step.context:
        detail = f"{step.context}: {detail}"
    support.audit.append(
        actor=actor.name,
        target=step.target,
        action=step.action,
        reason=reason or "(none given)",
        outcome=outcome,
        detail=detail,
        source=actor.source,
    )


def attributes(user: dict[str, Any]) -> dict[str, str]:
    """``AdminGetUser``'s ``UserAttributes`` (or ListUsers' ``Attributes``) as a dict."""
    items = user.get("UserAttributes", user.get("Attributes", []))
    return {str(a["Name"]): str(a.get("Value", "")) for a in items}
