"""Read-only views of users and the pool for the console and the CLI.

``ListUsers`` carries no MFA fields (spec §3.1), so the user page asks ``AdminGetUser`` per user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mfa_portal.admin.support import Support, attributes
from mfa_portal.cognito_api.client import CognitoError

MFA_NAMES = {"SOFTWARE_TOKEN_MFA": "totp", "EMAIL_OTP": "email", "SMS_MFA": "sms"}
STATUS_FILTERS = ("enabled", "disabled")


@dataclass(frozen=True)
class UserSummary:
    username: str
    email: str
    status: str
    enabled: bool
    created: str


@dataclass(frozen=True)
class UserDetail:
    username: str
    status: str
    enabled: bool
    created: str
    modified: str
    attributes: dict[str, str] = field(default_factory=dict)
    mfa_methods: list[str] = field(default_factory=list)
    preferred_mfa: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "status": self.status,
            "enabled": self.enabled,
            "created": self.created,
            "modified": self.modified,
            "attributes": dict(self.attributes),
            "mfa_methods": list(self.mfa_methods),
            "preferred_mfa": self.preferred_mfa,
        }


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value or "")


def _summary(user: dict[str, Any]) -> UserSummary:
    return UserSummary(
        username=str(user["Username"]),
        email=attributes(user).get("email", ""),
        status=str(user.get("UserStatus", "")),
        enabled=bool(user.get("Enabled", True)),
        created=_iso(user.get("UserCreateDate")),
    )


def list_users(
    support: Support, filter_expr: str = "", status: str = "", limit: int = 60
) -> list[UserSummary]:
    """``ListUsers`` with a Cognito filter (``email ^= "bo"``), paging up to ``limit`` users."""
    found: list[UserSummary] = []
    token: str | None = None
    while len(found) < limit:
        params: dict[str, Any] = {
            "UserPoolId": support.pool_id,
            "Limit": min(60, limit - len(found)),
        }
        if filter_expr:
            params["Filter"] = filter_expr
        if token:
            params["PaginationToken"] = token
        page = support.client.call("ListUsers", **params)
        found.extend(_summary(u) for u in page.get("Users", []))
        token = page.get("PaginationToken")
        if not token:
            break
    if status:
        want = status.lower() == "enabled"
        found = [u for u in found if u.enabled == want]
    return found[:limit]


def search_users(
    support: Support, prefix: str, status: str = "", limit: int = 60
) -> list[UserSummary]:
    """Users whose username or email starts with ``prefix`` (one ListUsers call per attribute)."""
    prefix = prefix.strip()
    if not prefix:
        return list_users(support, "", status, limit)
    quoted = prefix.replace("\\", "\\\\").replace('"', '\\"')
    merged: dict[str, UserSummary] = {}
    for attribute in ("username", "email"):
        for user in list_users(support, f'{attribute} ^= "{quoted}"', status, limit):
            merged.setdefault(user.username, user)
    return sorted(merged.values(), key=lambda u: u.username)[:limit]


def mfa_of(support: Support, users: list[UserSummary]) -> dict[str, list[str]]:
    """MFA methods per listed user: one ``AdminGetUser`` each (UserRead quota); failures are absent."""
    found: dict[str, list[str]] = {}
    for user in users:
        try:
            found[user.username] = get_user(support, user.username).mfa_methods
        except CognitoError:
            continue
    return found


def names_in_audit(user: UserDetail) -> tuple[str, ...]:
    """The names the audit trail files entries about ``user`` under: the username, and the email
    address a failed sign-in typed (entries carry the name as typed)."""
    return tuple(dict.fromkeys(n for n in (user.username, user.attributes.get("email")) if n))


def audit_names(support: Support, name: str) -> tuple[str, ...]:
    """``names_in_audit`` of the user ``name`` names, with ``name`` itself first; ``name`` alone
    when it names no user (a pool id, a deleted user, a name that never existed)."""
    try:
        user = get_user(support, name)
    except CognitoError as exc:
        if exc.code not in ("UserNotFoundException", "InvalidParameterException"):
            raise
        return (name,)
    return tuple(dict.fromkeys((name, *names_in_audit(user))))


def get_user(support: Support, username: str) -> UserDetail:
    user = support.client.call("AdminGetUser", UserPoolId=support.pool_id, Username=username)
    methods = [MFA_NAMES.get(m, m) for m in user.get("UserMFASettingList") or []]
    preferred = user.get("PreferredMfaSetting")
    return UserDetail(
        username=str(user["Username"]),
        status=str(user.get("UserStatus", "")),
        enabled=bool(user.get("Enabled", True)),
        created=_iso(user.get("UserCreateDate")),
        modified=_iso(user.get("UserLastModifiedDate")),
        attributes=attributes(user),
        mfa_methods=methods,
        preferred_mfa=MFA_NAMES.get(preferred, preferred) if preferred else None,
    )
