"""The support console at /admin through HTTP, on the real portal app: who gets in, every action
with its confirmation, the lost-phone story end to end, the audit view and the dev outbox."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from tests.support.portal import (
    PASSWORD,
    Browser,
    PortalWorld,
    enrol,
)


def admin_browser(world: PortalWorld, name: str = "root", **overrides: Any) -> Browser:
    """An ``admins`` member who signed in and enrolled through the portal."""
    browser, _ = enrol(world, name, groups=("admins",), **overrides)
    world.next_step()
    return browser


def table_body(page: str) -> str:
    """The rows of the page's table (the filters above it name every action too)."""
    found = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    return found.group(1) if found else ""


def act(browser: Browser, user: str, action: str, **form: str) -> str:
    """Open the user's page and submit one of its forms, as the page's links and forms do."""
    browser.get("/admin/user", params={"username": user})
    page = browser.post(f"/admin/user/{action}", {"username": user, **form})
    return page.text


def test_anonymous_is_sent_to_sign_in(engine_world: PortalWorld) -> None:
    browser = engine_world.browser()
    for path in ("/admin", "/admin/audit", "/admin/users/admin"):
        answer = browser.get(path)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")


def test_a_signed_in_non_admin_is_refused(engine_world: PortalWorld) -> None:
    browser, _ = enrol(engine_world, "alice")
    for path in ("/admin", "/admin/audit", "/admin/users/alice", "/admin/users/new"):
        assert browser.get(path).status_code == 403
    browser.get("/account")
    refused = browser.post("/admin/users/alice/disable", {"reason": "x", "confirm": "yes"})
    assert refused.status_code == 403
    assert engine_world.idp.call("AdminGetUser", UserPoolId=engine_world.pool_id, Username="alice")[
        "Enabled"
    ]


def test_an_admin_without_mfa_is_refused(engine_world: PortalWorld) -> None:
    engine_world.create_user("root", permanent=True, groups=("admins",))
    browser = engine_world.browser(enforcement="optional")
    browser.follow(browser.sign_in("root", PASSWORD))
    assert browser.get("/admin").status_code == 403
    # Under the default policy the same admin is sent to set up MFA first.
    strict = engine_world.browser()
    strict.follow(strict.sign_in("root", PASSWORD))
    assert strict.get("/admin").headers["location"] == "/mfa/setup"


def test_lost_phone_story_through_the_console(world: PortalWorld) -> None:
    alice, secret = enrol(world, "alice")
    admin = admin_browser(world)

    found = admin.get("/admin?q=ali")
    assert found.status_code == 200 and "/admin/user?username=alice" in found.text
    assert '<td class="mfa" data-label="MFA">totp</td>' in found.text
    assert "/admin/user?username=root" not in found.text
    assert "/admin/user?username=root" in admin.get("/admin?q=ro&status=enabled").text
    assert "/admin/user?username=root" not in admin.get("/admin?q=ro&status=disabled").text
    page = admin.get("/admin/users/alice")
    assert '<dd id="mfa-methods">totp</dd>' in page.text

    unconfirmed = admin.post("/admin/users/alice/reset-mfa", {"reason": "lost phone"})
    assert unconfirmed.status_code == 400
    assert "Reset the authenticator: tick the box to confirm." in unconfirmed.text
    assert world.mfa_settings("alice") == ["SOFTWARE_TOKEN_MFA"]

    admin.get("/admin/users/alice")
    done = admin.post(
        "/admin/users/alice/reset-mfa", {"reason": "lost phone, ticket 9", "confirm": "yes"}
    )
    assert done.status_code == 200
    assert "authenticator removed and all sessions signed out" in done.text
    assert world.mfa_settings("alice") == []

    # Alice's old session is gone once the portal re-checks it with Cognito.
    world.clock.advance(61)
    assert alice.get("/").status_code == 303
    # Her next sign-in is forced to set-up, and her old authenticator's code does not work there.
    fresh = world.browser()
    answer = fresh.sign_in("alice", PASSWORD)
    assert answer.headers["location"] == "/mfa/setup"
    fresh.follow(answer)
    refused = fresh.post("/mfa/setup", {"code": world.code(secret)})
    assert refused.status_code == 400
    assert world.mfa_settings("alice") == []

    trail = admin.get("/admin/audit?target=alice")
    assert "admin:root" in trail.text and "lost phone, ticket 9" in trail.text
    assert "reset-mfa" in trail.text and "success" in trail.text


def test_every_other_action_from_the_console(engine_world: PortalWorld) -> None:
    engine_world.create_user("bob", permanent=True)
    admin = admin_browser(engine_world)

    text = act(admin, "bob", "set-attr", attr_name="email", attr_value="b2@example.com",
               verified="yes", reason="new mail", confirm="yes")  # fmt: skip
    assert "attributes updated: email, email_verified" in text
    assert "b2@example.com" in admin.get("/admin/users/bob").text

    text = act(admin, "bob", "set-mfa", method="totp", setting="enabled", reason="x", confirm="yes")
    # no authenticator: Cognito's message says why, without its internal error name
    assert "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA" in text
    assert "InvalidParameterException" not in text

    text = act(admin, "bob", "reset-password", temporary="yes", reason="forgot", confirm="yes")
    assert 'id="temporary-password"' in text

    assert "user disabled" in act(admin, "bob", "disable", reason="leaving", confirm="yes")
    assert '<dd id="enabled">no</dd>' in admin.get("/admin/users/bob").text
    assert "user enabled" in act(admin, "bob", "enable", reason="stays", confirm="yes")
    assert "signed out everywhere" in act(admin, "bob", "signout", reason="x", confirm="yes")

    text = act(admin, "bob", "delete", reason="offboard", confirm="bo")
    shown = re.search(r'id="delete-confirm-error">([^<]*)<', text)
    assert shown and "Delete the user: the name you typed is not this username" in shown.group(1)
    assert "ConfirmationMismatch" not in shown.group(1), "people read the message, not the code"
    text = act(admin, "bob", "delete", reason="offboard", confirm="bob")
    assert "user deleted" in text
    assert admin.get("/admin/users/bob").status_code == 404
    assert admin.get("/admin/users/bob/nothing").status_code in (404, 405)

    admin.get("/admin/users/new")
    created = admin.post(
        "/admin/users/new",
        {"username": "carl", "email": "carl@example.com", "reason": "hire", "deliver": "show"},
    )
    assert created.status_code == 200 and 'id="temporary-password"' in created.text
    empty = admin.post("/admin/users/new", {"username": "", "email": "", "reason": "x"})
    assert empty.status_code == 400

    export = admin.get("/admin/audit/export?format=csv&target=bob")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [r["action"] for r in rows] == [
        "set-attr", "set-mfa", "reset-password", "disable", "enable",
        "signout", "delete", "delete",
    ]  # fmt: skip
    assert {r["actor"] for r in rows} == {"admin:root"}
    assert [r["outcome"] for r in rows][1] == "failure"
    failures = table_body(admin.get("/admin/audit?outcome=failure").text)
    assert "ConfirmationMismatch" in failures and "set-attr" not in failures
    assert "Dates must look like" in admin.get("/admin/audit?since=someday").text
    assert "Dates must look like" in admin.get("/admin/audit?until=someday").text
    any_outcome = admin.get("/admin/audit?outcome=maybe")  # only an edited URL sends this
    assert "Dates must look like" not in any_outcome.text
    rows_shown = table_body(any_outcome.text)
    assert "ConfirmationMismatch" in rows_shown and "set-attr" in rows_shown
    bad = admin.get("/admin/audit/export?format=xml")
    assert bad.status_code == 400
    assert "That request is not valid: the export format must be csv or jsonl." in bad.text
    assert "Something went wrong" not in bad.text and "xml" not in bad.text
    bad_date = admin.get("/admin/audit/export?since=%3Cb%3Esomeday")
    assert bad_date.status_code == 400 and "Dates must look like" in bad_date.text
    assert "someday" not in bad_date.text


def test_reasons_are_checked_before_anything_happens(engine_world: PortalWorld) -> None:
    engine_world.create_user("bob", permanent=True)
    admin = admin_browser(engine_world)
    for reason, message in (
        ("   ", "Disable the user: give a reason for this action."),
        ("x" * 501, "Disable the user: the reason is too long: at most 500 characters."),
    ):
        text = act(admin, "bob", "disable", reason=reason, confirm="yes")
        assert message in text and "Reason" + "Required" not in text and "ReasonInvalid" not in text
    assert engine_world.idp.call("AdminGetUser", UserPoolId=engine_world.pool_id, Username="bob")[
        "Enabled"
    ]
    assert "user disabled" in act(
        admin, "bob", "disable", reason="left\x00 \x1b[2Jteam", confirm="yes"
    )
    export = admin.get("/admin/audit/export?format=jsonl&target=bob&outcome=success")
    assert '"reason": "left [2Jteam"' in export.text


def test_console_forms_need_the_csrf_token(engine_world: PortalWorld) -> None:
    engine_world.create_user("bob", permanent=True)
    admin = admin_browser(engine_world)
    admin.get("/admin/users/bob")
    refused = admin.post("/admin/users/bob/disable", {"reason": "x", "confirm": "yes"}, csrf="")
    assert refused.status_code == 403
    assert engine_world.idp.call("AdminGetUser", UserPoolId=engine_world.pool_id, Username="bob")[
        "Enabled"
    ]


def test_dev_outbox_only_in_development_mode(engine_world: PortalWorld) -> None:
    engine_world.create_user("bob", permanent=True)
    admin = admin_browser(engine_world, mode="development")
    act(admin, "bob", "signout", reason="x", confirm="yes")
    act(admin, "bob", "set-attr", attr_name="name", attr_value="Bob", reason="x", confirm="yes")
    enrol(engine_world, "carol", mode="development")
    carol_reset = act(admin, "carol", "reset-mfa", reason="lost phone", confirm="yes")
    assert "authenticator removed" in carol_reset
    on_this_machine = Browser(admin.http.app, address="127.0.0.1")  # type: ignore[arg-type]
    outbox = on_this_machine.get("/dev/outbox")
    assert outbox.status_code == 200
    assert "carol@example.com" in outbox.text and "Your authenticator was reset" in outbox.text
    # Each message says when it was sent, in UTC like the console's other times.
    assert re.search(
        r'Sent: <time datetime="[0-9T:-]+Z" title="[^"]+">[^<]+ UTC</time>', outbox.text
    )
    production = engine_world.browser()
    assert production.get("/dev/outbox").status_code == 404
