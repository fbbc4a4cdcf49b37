"""The console's user page: the reset first, the user's own recent entries, the device and the
enrolment date, nothing risky preselected, destructive actions marked and confirmed, and errors that
name the form and the field, tied to the field for assistive technology."""

from __future__ import annotations

import re

from tests.admin.test_admin_console import admin_browser
from tests.support.portal import PASSWORD, PortalWorld


def _enrol_named(world: PortalWorld, name: str, device: str) -> None:
    world.create_user(name, permanent=True)
    browser = world.browser()
    browser.follow(browser.sign_in(name, PASSWORD))
    secret = browser.secret()
    done = browser.post("/mfa/setup", {"code": world.code(secret), "device_name": device})
    assert done.status_code == 303


def test_the_page_leads_with_the_reset_and_the_users_own_entries(world: PortalWorld) -> None:
    _enrol_named(world, "alice", "Pixel 8")
    admin = admin_browser(world)
    for n in range(12):
        admin.get("/admin/users/alice")
        admin.post("/admin/users/alice/signout", {"reason": f"ticket {n}", "confirm": "yes"})
    page = admin.get("/admin/users/alice").text
    forms = re.findall(r'<form method="post" action="/admin/user/([a-z-]+)"', page)
    assert forms[0] == "reset-mfa"
    assert forms.index("delete") == len(forms) - 1
    assert '<dd id="device">Pixel 8</dd>' in page
    assert re.search(r'<dd id="enrolled"><time datetime="\d{4}-\d\d-\d\dT[\d:]+Z"', page)
    # Every time on the page says its zone, as the audit trail's column heading does.
    times = re.findall(r"<time [^>]*>([^<]*)</time>", page)
    assert times and all(shown.endswith(" UTC") for shown in times), times
    recent = re.search(r'<ol class="activity" id="recent">(.*?)</ol>', page, re.S)
    assert recent and recent.group(1).count("<li>") == 10
    assert "ticket 11" in recent.group(1) and "ticket 1<" not in recent.group(1)  # newest ten
    assert 'href="/admin/audit?target=alice"' in page


def test_an_authenticator_set_up_elsewhere_is_said_to_be_unrecorded(
    engine_world: PortalWorld,
) -> None:
    engine_world.create_user("bob", permanent=True)
    admin = admin_browser(engine_world)
    page = admin.get("/admin/users/bob").text
    assert '<dd id="device">not recorded by the portal</dd>' in page
    assert '<dd id="enrolled">not recorded by the portal</dd>' in page


def test_nothing_risky_is_preselected_and_destructive_actions_are_marked(
    engine_world: PortalWorld,
) -> None:
    engine_world.create_user("bob", permanent=True)
    admin = admin_browser(engine_world)
    page = admin.get("/admin/users/bob").text
    set_mfa = page.split('id="set-mfa"')[1].split("</details>")[0]
    assert 'type="radio"' in set_mfa and "checked" not in set_mfa
    attribute = page.split('id="set-attr-attr_name"')[1].split("</select>")[0]
    assert re.search(r'<option value="" selected>', attribute)
    for action in ("reset-password", "disable", "delete"):
        block = page.split(f'id="{action}"')[1].split("</details>")[0]
        assert 'class="danger"' in block, action
        assert "danger-zone" in page.split(f'id="{action}"')[0].rsplit("<details", 1)[1]
    for action in ("set-mfa", "set-attr", "signout"):
        assert 'class="danger"' not in page.split(f'id="{action}"')[1].split("</details>")[0]
    assert "<details" in page.split('id="delete"')[0].rsplit("\n", 1)[1]  # folded


def test_every_problem_of_a_form_is_named_with_the_form_and_tied_to_its_field(
    engine_world: PortalWorld,
) -> None:
    engine_world.create_user("bob", permanent=True)
    admin = admin_browser(engine_world)
    admin.get("/admin/users/bob")
    answer = admin.post("/admin/users/bob/set-mfa", {"reason": "", "method": "", "setting": ""})
    assert answer.status_code == 400
    page = answer.text
    summary = page.split('class="error-summary"')[1].split("</div>")[0]
    for message, field in (
        ("Change an MFA method: choose a method.", "set-mfa-method"),
        ("Change an MFA method: choose a setting.", "set-mfa-setting"),
        ("Change an MFA method: give a reason for this action.", "set-mfa-reason"),
        ("Change an MFA method: tick the box to confirm.", "set-mfa-confirm"),
    ):
        assert f'<a href="#{field}">{message}</a>' in summary
        assert f'<p class="field-error" id="{field}-error">{message}</p>' in page
        tag = re.search(rf'<[a-z]+ [^>]*id="{field}"[^>]*>', page)
        assert tag and f'aria-describedby="{field}-error"' in tag.group(0), field
        assert 'aria-invalid="true"' in tag.group(0)
    assert '<details class="action" id="set-mfa" open>' in page  # the failing form is open
    assert "error-focus.js" in page  # the summary takes the focus
    assert engine_world.mfa_settings("bob") == []


def test_what_was_typed_is_kept_but_not_the_confirmation(engine_world: PortalWorld) -> None:
    engine_world.create_user("bob", permanent=True)
    admin = admin_browser(engine_world)
    admin.get("/admin/users/bob")
    page = admin.post(
        "/admin/users/bob/set-attr",
        {"attr_name": "name", "attr_value": "Robert", "reason": "renamed", "confirm": ""},
    ).text
    assert "Set an attribute: tick the box to confirm." in page
    assert 'value="Robert"' in page and 'value="renamed"' in page
    assert '<option value="name" selected>' in page
    assert "Set an attribute: give a reason" not in page


def test_delete_needs_the_typed_name_and_a_get_changes_nothing(
    engine_world: PortalWorld,
) -> None:
    engine_world.create_user("bob", permanent=True)
    admin = admin_browser(engine_world)
    for action in ("delete", "disable", "reset-mfa"):
        assert admin.get(f"/admin/users/bob/{action}?reason=x&confirm=bob").status_code == 405
    admin.get("/admin/users/bob")
    empty = admin.post("/admin/users/bob/delete", {"reason": "left", "confirm": ""})
    assert "Delete the user: type the username to confirm." in empty.text
    ticked = admin.post("/admin/users/bob/delete", {"reason": "left", "confirm": "yes"})
    assert "Delete the user: the name you typed is not this username" in ticked.text
    assert admin.get("/admin/users/bob").status_code == 200
    done = admin.post("/admin/users/bob/delete", {"reason": "left", "confirm": "bob"})
    assert "user deleted" in done.text
