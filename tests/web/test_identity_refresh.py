"""What the portal says about a user follows Cognito, not the ID token of the sign-in.

Privileged pages ask Cognito for ``admins`` membership on every request; re-validation (every
``revalidate_seconds``) refreshes the ID token, so ``X-Auth-Groups`` and ``X-Auth-Email`` follow
changes made anywhere; ``X-Auth-Email`` is only sent for a verified address.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from mfa_portal.cognito_api import errors
from mfa_portal.cognito_api.client import CognitoClient
from tests.support.portal import PASSWORD, Browser, EnrolledUser, PortalWorld


def groups_of(browser: Browser) -> str:
    answer = browser.get("/auth/verify")
    assert answer.status_code == 200
    return answer.headers["x-auth-groups"]


def enrol_existing(world: PortalWorld, portal: FastAPI, name: str) -> Browser:
    """``name`` (already created) signs in on ``portal`` and enrols an authenticator there."""
    browser = Browser(portal)
    browser.follow(browser.sign_in(name, PASSWORD))
    page = browser.post("/mfa/setup", {"code": world.code(browser.secret())}, follow=True)
    assert page.status_code == 200, page.text
    return browser


def set_attributes(world: PortalWorld, name: str, **values: str) -> None:
    world.idp.call(
        "AdminUpdateUserAttributes",
        UserPoolId=world.pool_id,
        Username=name,
        UserAttributes=[{"Name": k, "Value": v} for k, v in values.items()],
    )


def test_a_demoted_admin_loses_the_console_and_the_header_at_once(
    world: PortalWorld, enrolled: EnrolledUser
) -> None:
    world.create_user("bob", permanent=True)
    root, _ = enrolled("root", groups=("admins",))
    assert root.get("/admin").status_code == 200
    assert groups_of(root) == "admins"
    root.get("/admin/users/bob")

    world.idp.call(
        "AdminRemoveUserFromGroup", UserPoolId=world.pool_id, Username="root", GroupName="admins"
    )

    assert root.get("/admin").status_code == 403
    assert root.get("/admin/audit").status_code == 403
    refused = root.post("/admin/users/bob/disable", {"reason": "test", "confirm": "yes"})
    assert refused.status_code == 403
    assert world.idp.call("AdminGetUser", UserPoolId=world.pool_id, Username="bob")["Enabled"]
    assert groups_of(root) == ""  # the session's identity was refreshed on the spot
    assert root.get("/").status_code == 200  # still signed in, just not an admin


def test_group_changes_made_elsewhere_reach_forward_auth_on_revalidation(
    world: PortalWorld, enrolled: EnrolledUser
) -> None:
    world.idp.call("CreateGroup", UserPoolId=world.pool_id, GroupName="finance")
    alice, _ = enrolled("alice", groups=("finance",))
    assert groups_of(alice) == "finance"

    world.idp.call(
        "AdminRemoveUserFromGroup", UserPoolId=world.pool_id, Username="alice", GroupName="finance"
    )
    world.idp.call(
        "AdminAddUserToGroup", UserPoolId=world.pool_id, Username="alice", GroupName="admins"
    )
    assert groups_of(alice) == "finance"  # the documented bound: not asked yet
    world.clock.advance(61)
    assert groups_of(alice) == "admins"
    assert alice.get("/admin").status_code == 200  # promoted: the console opens after the refresh


class NoGroupsAnswer:
    """A seam that fails ``AdminListGroupsForUser`` (e.g. a missing IAM permission, throttling)."""

    def __init__(self, inner: CognitoClient) -> None:
        self.inner = inner

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        if operation == "AdminListGroupsForUser":
            raise errors.error("TooManyRequestsException", "Rate exceeded")
        return self.inner.call(operation, **params)

    def supports(self, operation: str) -> bool:
        return self.inner.supports(operation)


def test_the_console_fails_closed_when_membership_cannot_be_checked(world: PortalWorld) -> None:
    world.create_user("root", permanent=True, groups=("admins",))
    root = enrol_existing(world, world.app(client=NoGroupsAnswer(world.idp)), "root")
    assert groups_of(root) == "admins"
    assert root.get("/admin").status_code == 403
    assert root.get("/").status_code == 200


def test_x_auth_email_only_for_a_verified_address(
    world: PortalWorld, enrolled: EnrolledUser
) -> None:
    alice, _ = enrolled("alice")
    answer = alice.get("/auth/verify")
    assert answer.headers["x-auth-email"] == "alice@example.com"

    # The address changes and is not verified (what a self-service change leaves behind).
    set_attributes(world, "alice", email="ceo@example.com", email_verified="false")
    world.clock.advance(61)
    answer = alice.get("/auth/verify")
    assert answer.status_code == 200
    assert answer.headers["x-auth-email"] == ""
    assert answer.headers["x-auth-user"] == "alice"


def test_a_fresh_sign_in_with_an_unverified_address_sends_no_email(world: PortalWorld) -> None:
    world.create_user("carol", permanent=True)
    set_attributes(world, "carol", email_verified="false")
    carol = enrol_existing(world, world.app(), "carol")
    answer = carol.get("/auth/verify")
    assert answer.status_code == 200
    assert (answer.headers["x-auth-user"], answer.headers["x-auth-email"]) == ("carol", "")
