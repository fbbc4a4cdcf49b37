"""More administrators without raw Cognito calls: ``users grant-admin`` / ``revoke-admin`` change who
opens the console, audited, and never remove the last administrator."""

from __future__ import annotations

import json

from typer.testing import CliRunner, Result

from mfa_portal.admin.audit import AuditFilter, AuditLog
from mfa_portal.admin.support import Support
from mfa_portal.cli import _load_commands, app
from mfa_portal.wiring.support import portal_store
from tests.admin.test_admin_console import admin_browser
from tests.support.portal import PASSWORD, PortalWorld, enrol

_load_commands()
runner = CliRunner()


def _cli(world: PortalWorld, *args: str) -> Result:
    audit = AuditLog(portal_store(world.data_dir, world.settings.database))
    support = Support(client=world.idp, pool_id=world.pool_id, audit=audit)
    return runner.invoke(app, ["users", *args, "--json", "-r", "ticket 42"], obj=support)


def test_a_granted_user_opens_the_console_at_next_sign_in_and_a_revoked_one_is_refused_at_once(
    engine_world: PortalWorld,
) -> None:
    world = engine_world
    root = admin_browser(world)
    alice, secret = enrol(world, "alice")
    assert alice.get("/admin").status_code == 403

    granted = _cli(world, "grant-admin", "alice")
    assert granted.exit_code == 0, granted.output
    body = json.loads(granted.stdout)
    assert body["ok"] and "next sign-in" in " ".join(body["notes"])
    assert alice.get("/admin").status_code == 403  # her ID token predates the grant
    world.next_step()
    again = world.browser()
    again.follow(again.sign_in("alice", PASSWORD))
    again.post("/signin/code", {"code": world.code(secret)})
    assert again.get("/admin").status_code == 200

    twice = _cli(world, "grant-admin", "alice")
    assert twice.exit_code == 1 and json.loads(twice.stdout)["error"] == "AlreadyAdministrator"

    revoked = _cli(world, "revoke-admin", "alice")
    assert revoked.exit_code == 0, revoked.output
    assert again.get("/admin").status_code == 403  # at once, in the session that had it
    assert root.get("/admin").status_code == 200

    trail = AuditLog(portal_store(world.data_dir, world.settings.database)).query(
        AuditFilter(target="alice", action="grant-admin")
    )
    assert [(e.actor.startswith("cli:"), e.outcome, e.reason) for e in trail] == [
        (True, "failure", "ticket 42"),
        (True, "success", "ticket 42"),
    ]


def test_the_last_administrator_and_non_members_are_refused(engine_world: PortalWorld) -> None:
    world = engine_world
    admin_browser(world)  # root; the first start's "admin" is the other administrator
    world.create_user("bob", permanent=True)

    assert _cli(world, "revoke-admin", "admin").exit_code == 0
    last = _cli(world, "revoke-admin", "root")
    assert last.exit_code == 1 and json.loads(last.stdout)["error"] == "LastAdministrator"
    assert "grant another one first" in json.loads(last.stdout)["message"]
    member = world.idp.call("AdminListGroupsForUser", UserPoolId=world.pool_id, Username="root")
    assert [g["GroupName"] for g in member["Groups"]] == ["admins"]

    not_one = _cli(world, "revoke-admin", "bob")
    assert not_one.exit_code == 1 and json.loads(not_one.stdout)["error"] == "NotAdministrator"
    nobody = _cli(world, "grant-admin", "nobody")
    assert nobody.exit_code == 1 and json.loads(nobody.stdout)["error"] == "UserNotFoundException"
