"""Who may use the support console: the members of the pool's ``admins`` group.

The first start makes its administrator a member; every further one is granted (and taken away)
here, by ``mfa-portal users grant-admin`` / ``revoke-admin``, audited like every support action,
so an operator never needs a raw ``AdminAddUserToGroup`` that leaves no trace in the trail.
A grant shows from the user's next sign-in (the group travels in the ID token); a revocation at
once (every console page asks Cognito, ``web.deps.require_admin``). The last administrator cannot
be removed: nobody would be left to open the console.
"""

from __future__ import annotations

from typing import Any

from mfa_portal.admin.actions import logged
from mfa_portal.admin.support import ActionFailed, ActionResult, Actor, Support, audited

ADMIN_GROUP = "admins"


def grant_admin(support: Support, actor: Actor, username: str, reason: str) -> ActionResult:
    """Add ``username`` to the administrators."""
    with audited(support, actor, "grant-admin", username, reason) as step:
        user = support.client.call("AdminGetUser", UserPoolId=support.pool_id, Username=username)
        step.target = str(user["Username"])
        if step.target in members(support):
            raise ActionFailed(
                step.action, step.target, "AlreadyAdministrator", "already an administrator"
            )
        support.client.call(
            "AdminAddUserToGroup",
            UserPoolId=support.pool_id,
            Username=step.target,
            GroupName=ADMIN_GROUP,
        )
        notes = ["it takes effect at their next sign-in"]
        if not user.get("UserMFASettingList"):
            notes.append("the console opens only after they set up an authenticator")
        step.done(f"added to the administrators ({ADMIN_GROUP})", notes)
    return logged(actor, step.result)


def revoke_admin(support: Support, actor: Actor, username: str, reason: str) -> ActionResult:
    """Remove ``username`` from the administrators, unless they are the last one."""
    with audited(support, actor, "revoke-admin", username, reason) as step:
        user = support.client.call("AdminGetUser", UserPoolId=support.pool_id, Username=username)
        step.target = str(user["Username"])
        admins = members(support)
        if step.target not in admins:
            raise ActionFailed(step.action, step.target, "NotAdministrator", "not an administrator")
        if len(admins) == 1:
            raise ActionFailed(
                step.action,
                step.target,
                "LastAdministrator",
                "the last administrator cannot be removed: grant another one first",
            )
        support.client.call(
            "AdminRemoveUserFromGroup",
            UserPoolId=support.pool_id,
            Username=step.target,
            GroupName=ADMIN_GROUP,
        )
        step.done(
            f"removed from the administrators ({ADMIN_GROUP}); the console refuses them at once"
        )
    return logged(actor, step.result)


def members(support: Support) -> set[str]:
    """Every administrator's username (``ListUsersInGroup``, all pages); the console's guard
    against locking everyone out asks it too."""
    found: set[str] = set()
    params: dict[str, Any] = {"UserPoolId": support.pool_id, "GroupName": ADMIN_GROUP}
    while True:
        page = support.client.call("ListUsersInGroup", **params)
        found.update(str(u["Username"]) for u in page.get("Users") or [])
        token = page.get("NextToken")
        if not token:
            return found
        params["NextToken"] = token
