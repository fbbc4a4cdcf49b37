"""When a user's authenticator was set up, and under which device name, as the audit trail says.

Cognito keeps the ``FriendlyDeviceName`` given at ``VerifySoftwareToken`` but returns it only in the
``SOFTWARE_TOKEN_MFA`` challenge of a sign-in, never from ``GetUser``/``AdminGetUser``, and keeps no
enrolment date at all. The portal records both in its own audit entry for the enrolment
(``enrol-authenticator``), so the account page and the console can show them. A reset recorded after
that entry makes it stale: the authenticator it describes is gone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from mfa_portal.admin.audit import OK, AuditFilter, AuditLog

ENROL_ACTION = "enrol-authenticator"
#: Actions that remove the authenticator an earlier enrolment entry describes.
RESET_ACTIONS = frozenset({"reset-mfa", "recovery-reset", "delete"})
_DEVICE = re.compile(r'; device name: ("(?:[^"\\]|\\.)*")')
#: How far back to look for the newest enrolment among a user's audit entries.
LOOKBACK = 200


@dataclass(frozen=True)
class Enrolled:
    at: float  # epoch seconds of the audit entry
    device_name: str  # "" when none was given


def enrolment_detail(device_name: str) -> str:
    """The audit detail of an enrolment; the device name as a JSON string, so notes appended after
    it (``; …``) and any quote or semicolon inside it cannot be mistaken for one another."""
    detail = "authenticator app set up"
    if not device_name:
        return detail
    return f"{detail}; device name: {json.dumps(device_name, ensure_ascii=False)}"


def latest_enrolment(audit: AuditLog, username: str) -> Enrolled | None:
    """The newest successful enrolment of ``username`` not undone by a later reset, or None."""
    entries = audit.query(AuditFilter(target=username, outcome=OK, limit=LOOKBACK))
    for entry in entries:  # newest first
        if entry.action in RESET_ACTIONS:
            return None
        if entry.action == ENROL_ACTION:
            return Enrolled(entry.at, device_name_in(entry.detail))
    return None


def device_name_in(detail: str) -> str:
    found = _DEVICE.search(detail)
    if found is None:
        return ""
    try:
        name = json.loads(found.group(1))
    except ValueError:
        return ""
    return name if isinstance(name, str) else ""
