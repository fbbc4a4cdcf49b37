"""What the console refuses to do to administrators: lock its own user or everyone out.

An admin who disables or deletes their own account loses the console mid-task; disabling or
deleting the last member of ``admins`` leaves nobody who can open it (only the CLI on the server
could repair that). The CLI keeps these actions (an operator with shell access is the way back);
the console refuses them with a sentence saying why. Signing yourself out everywhere is harmless
and allowed; the result says it ended this session too.
"""

from __future__ import annotations

from mfa_portal.admin.admins import members
from mfa_portal.admin.support import ActionFailed, Support
from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.web.strings import t

LOCKING = ("disable", "delete")  # actions after which the user can no longer open the console


def canonical(support: Support, username: str) -> str:
    """Cognito's own spelling of the user (an alias or another case of the name resolves to it)."""
    try:
        user = support.client.call("AdminGetUser", UserPoolId=support.pool_id, Username=username)
    except CognitoError:
        return username  # the action itself reports a missing user
    return str(user["Username"])


def refusal(support: Support, acting: str, action: str, username: str) -> ActionFailed | None:
    """Why ``acting`` may not run ``action`` on ``username`` from the console, or None."""
    if action not in LOCKING:
        return None
    target = canonical(support, username)
    if target == acting:
        return ActionFailed(action, target, "OwnAccount", t(f"admin.refused.own_{action}"))
    admins = members(support)
    if target in admins and len(admins) == 1:
        return ActionFailed(action, target, "LastAdministrator", t(f"admin.refused.last_{action}"))
    return None
