"""The console will not let an administrator lock themselves, or everyone, out: disabling or
deleting your own account, or the last member of ``admins``, is refused with a sentence saying
why. Signing yourself out everywhere is allowed and says it ended this session too."""

from __future__ import annotations

import pytest

from mfa_portal.admin.admins import members
from mfa_portal.web import console_guard
from mfa_portal.web.strings import CATALOGS
from mfa_portal.wiring.support import build_support
from tests.admin.test_admin_console import act, admin_browser
from tests.support.portal import PortalWorld


def enabled(world: PortalWorld, name: str) -> bool:
    return bool(world.idp.call("AdminGetUser", UserPoolId=world.pool_id, Username=name)["Enabled"])


@pytest.mark.parametrize("action", ["disable", "delete"])
def test_your_own_account_is_refused(engine_world: PortalWorld, action: str) -> None:
    engine_world.create_user("carol", permanent=True, groups=("admins",))  # not the last one
    root = admin_browser(engine_world)
    page = act(root, "root", action, reason="x", confirm="yes" if action == "disable" else "root")
    assert root.last is not None and root.last.status_code == 400
    assert CATALOGS["en"][f"admin.refused.own_{action}"].split(":")[0] in page
    assert enabled(engine_world, "root")
    assert root.get("/admin").status_code == 200  # still in the console


def test_the_refusal_speaks_german(engine_world: PortalWorld) -> None:
    root = admin_browser(engine_world)
    root.http.headers["Accept-Language"] = "de"
    page = act(root, "root", "disable", reason="x", confirm="yes")
    assert "Ihr eigenes Konto können Sie hier nicht deaktivieren" in page


@pytest.mark.parametrize("action", ["disable", "delete"])
def test_the_last_administrator_is_refused(engine_world: PortalWorld, action: str) -> None:
    """Another caller (the console only opens to admins, so in the console it is always oneself)."""
    support = build_support(engine_world.settings, engine_world.idp, engine_world.pool_id)
    engine_world.create_user("carol", permanent=True, groups=("admins",))
    engine_world.idp.call(  # the first start's administrator steps down: carol is the last
        "AdminRemoveUserFromGroup",
        UserPoolId=engine_world.pool_id,
        Username="admin",
        GroupName="admins",
    )
    assert members(support) == {"carol"}
    refused = console_guard.refusal(support, "someone", action, "carol")
    assert refused is not None and refused.code == "LastAdministrator"
    assert refused.message == CATALOGS["en"][f"admin.refused.last_{action}"]
    assert console_guard.refusal(support, "someone", "reset-mfa", "carol") is None
    engine_world.create_user("dave", permanent=True, groups=("admins",))
    assert console_guard.refusal(support, "someone", action, "carol") is None  # one is left


def test_another_administrator_can_be_disabled(engine_world: PortalWorld) -> None:
    engine_world.create_user("carol", permanent=True, groups=("admins",))
    root = admin_browser(engine_world)
    act(root, "carol", "disable", reason="left", confirm="yes")
    assert root.last is not None and root.last.status_code == 200
    assert not enabled(engine_world, "carol")


def test_signing_yourself_out_says_it_ends_this_session(engine_world: PortalWorld) -> None:
    root = admin_browser(engine_world)
    page = act(root, "root", "signout", reason="lost laptop", confirm="yes")
    assert CATALOGS["en"]["admin.signout.self_note"] in page
    assert root.get("/admin").status_code == 303  # on to the sign-in page
