"""Ending sessions reaches forward-auth at once, on every portal instance sharing the data directory.

Support (console or CLI) and the user's own "sign out everywhere" write a revocation marker to the
shared portal store; every request of every instance reads it. The clock never moves in these
tests: without the marker, each refused answer below would still be a 200 for up to a minute.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from mfa_portal.cli import _load_commands, app
from mfa_portal.wiring import support as wiring_support
from mfa_portal.wiring.support import build_support
from tests.support.portal import PASSWORD, Browser, PortalWorld, enrol

_load_commands()


def other_instance(world: PortalWorld, monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    """A second portal on the same data directory with its own store connections, as another
    process or replica has (the in-process store registry is emptied first)."""
    monkeypatch.setattr(wiring_support, "_STORES", {})
    return world.app()


def signed_in(world: PortalWorld, portal: FastAPI, name: str, secret: str) -> Browser:
    """``name`` signs in with password and TOTP on ``portal``."""
    world.next_step()
    browser = Browser(portal)
    assert browser.sign_in(name, PASSWORD).headers["location"] == "/signin/code"
    browser.post("/signin/code", {"code": world.code(secret)})
    assert browser.get("/auth/verify").status_code == 200
    return browser


@pytest.mark.parametrize("action", ["reset-mfa", "disable", "signout", "delete"])
def test_console_action_refuses_the_users_session_on_another_instance_at_once(
    world: PortalWorld, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    admin, _ = enrol(world, "root", groups=("admins",))
    alice, secret = enrol(world, "alice")
    world.next_step()
    elsewhere = signed_in(world, other_instance(world, monkeypatch), "alice", secret)
    bystander, _ = enrol(world, "bob")

    admin.get("/admin/users/alice")
    confirm = "alice" if action == "delete" else "yes"
    done = admin.post(f"/admin/users/alice/{action}", {"reason": "ticket 12", "confirm": confirm})
    assert done.status_code == 200, done.text

    for browser in (alice, elsewhere):
        assert browser.get("/auth/verify").status_code == 401
        assert browser.get("/").headers["location"].startswith("/signin")
    assert bystander.get("/auth/verify").status_code == 200
    assert admin.get("/auth/verify").status_code == 200


def test_failed_console_action_leaves_sessions_alone(
    world: PortalWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin, _ = enrol(world, "root", groups=("admins",))
    alice, _ = enrol(world, "alice")
    admin.get("/admin/users/alice")
    refused = admin.post("/admin/users/alice/signout", {"reason": "", "confirm": "yes"})
    assert refused.status_code == 400  # no reason given: nothing happened
    admin.get("/admin/users/alice")
    enabled = admin.post("/admin/users/alice/enable", {"reason": "ticket 3", "confirm": "yes"})
    assert enabled.status_code == 200  # enabling ends nobody's session
    assert alice.get("/auth/verify").status_code == 200


def test_cli_action_while_the_portal_serves_and_a_new_sign_in_works(
    world: PortalWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, secret = enrol(world, "alice")
    portal = alice.http.app
    assert isinstance(portal, FastAPI)
    monkeypatch.setattr(wiring_support, "_STORES", {})  # the CLI is another process
    support = build_support(world.settings, world.idp, world.pool_id)

    result = CliRunner().invoke(
        app, ["users", "signout", "alice", "--reason", "ticket 40"], obj=support
    )
    assert result.exit_code == 0, result.output

    assert alice.get("/auth/verify").status_code == 401
    again = signed_in(world, portal, "alice", secret)  # a sign-in after the marker works
    assert again.get("/auth/verify").headers["x-auth-user"] == "alice"
    assert again.get("/").status_code == 200


def test_sign_out_everywhere_reaches_other_instances_at_once(
    world: PortalWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, secret = enrol(world, "alice")
    elsewhere = signed_in(world, other_instance(world, monkeypatch), "alice", secret)

    first.get("/account")
    page = first.post("/account/signout-everywhere", follow=True)
    assert "You have been signed out on every device." in page.text

    assert elsewhere.get("/auth/verify").status_code == 401
    assert elsewhere.get("/account").headers["location"].startswith("/signin")


def test_changes_made_outside_the_portal_still_end_sessions_within_a_minute(
    world: PortalWorld,
) -> None:
    alice, _ = enrol(world, "alice")
    world.idp.call("AdminUserGlobalSignOut", UserPoolId=world.pool_id, Username="alice")
    assert alice.get("/auth/verify").status_code == 200  # the documented bound: not yet asked
    world.clock.advance(61)
    assert alice.get("/auth/verify").status_code == 401
