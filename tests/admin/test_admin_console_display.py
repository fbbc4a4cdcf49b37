"""The console over HTTP shows user text as the CLI does: control and bidi characters as visible
escapes, and a non-ASCII username marked beside its ASCII form, so support acts on the right account."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.admin.test_admin_console import admin_browser
from tests.support.portal import PortalWorld, isolated_world

MARKER = "look-alike/non-ASCII"
RAW = ("\x1b", "\x07", "\u202e", "\x9b")


@pytest.fixture
def ew(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PortalWorld]:
    yield from isolated_world("engine", tmp_path, monkeypatch)


def assert_inert(page: str) -> None:
    for char in RAW:
        assert char not in page, repr(char)


def test_usernames_typed_at_recover_stay_out_of_the_audit_view(ew: PortalWorld) -> None:
    visitor = ew.browser()
    visitor.get("/recover")
    refused = visitor.post(
        "/recover",
        {"username": "\x1b]0;x\x07root\u202e\u0430", "password": "Wrong-1!", "code": "0000-0000"},
    )
    assert refused.status_code == 400
    admin = admin_browser(ew)

    trail = admin.get("/admin/audit")

    assert trail.status_code == 200
    assert_inert(trail.text)
    # A failed password step is summarised per burst and address (never one row per typed name),
    # so the attacker's text does not reach the trail at all.
    assert "]0;x" not in html.unescape(trail.text)


def test_a_look_alike_user_is_marked_in_search_and_on_its_page(ew: PortalWorld) -> None:
    ew.create_user("r\u043eot")  # Cyrillic о; admin_browser signs in as "root"
    ew.idp.call(
        "AdminUpdateUserAttributes",
        UserPoolId=ew.pool_id,
        Username="r\u043eot",
        UserAttributes=[{"Name": "name", "Value": "\x1b[2J\u202eAdministrator\x9b"}],
    )
    admin = admin_browser(ew)

    found = admin.get("/admin?q=")
    page = admin.get("/admin/users/r\u043eot")

    marked = f"[{MARKER}: <code>r\\u043eot</code>]"
    assert html.unescape(found.text).count(marked) == 1  # the Cyrillic one, not "root"
    assert page.status_code == 200
    assert '<h1><span class="username">r\u043eot</span> <strong class="lookalike"' in (
        html.unescape(page.text)
    )
    assert marked in html.unescape(page.text)
    assert_inert(page.text)
    assert "\\x1b[2J\\u202eAdministrator\\x9b" in html.unescape(page.text)
    plain = admin.get("/admin/users/root")
    assert MARKER not in plain.text
