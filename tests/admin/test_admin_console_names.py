"""The console opens and acts on every username Cognito allows, from its own links and forms.

Before, the user page was ``/admin/users/<name>``: a name with "/" gave 405, a browser turned
``a/../bob`` into bob's page, and ``..`` or ``.`` could not be opened at all."""

from __future__ import annotations

import html
import re

import pytest

from tests.admin.test_admin_console import admin_browser
from tests.support.portal import PortalWorld

NAMES = [
    "a/b",
    "a/../bob",
    "..",
    ".",
    "100%",
    "a%2Fb",
    "what?x=1",
    "a#b",
    "x&y=z",
    "łukasz",
    "日本",
]
LINK = re.compile(r'href="(/admin/user\?[^"]+)"')


@pytest.mark.parametrize("name", NAMES)
def test_search_link_opens_the_user_and_the_forms_act_on_them(
    engine_world: PortalWorld, name: str
) -> None:
    engine_world.create_user(name, email="odd@example.com", permanent=True)
    engine_world.create_user("bob", permanent=True)
    admin = admin_browser(engine_world)
    listing = admin.get("/admin", params={"q": ""})
    hrefs = [html.unescape(h) for h in LINK.findall(listing.text)]
    opened = [admin.get(h) for h in hrefs]
    pages = {h: p for h, p in zip(hrefs, opened, strict=True) if "odd@example.com" in p.text}
    assert len(pages) == 1, hrefs  # exactly one link leads to this user's page, and not to bob's
    (page,) = pages.values()
    assert page.status_code == 200
    form = re.search(
        r'action="(/admin/user/disable)".*?name="username" value="([^"]*)"', page.text, re.S
    )
    assert form and html.unescape(form.group(2)) == name

    done = admin.post(form.group(1), {"username": name, "reason": "test", "confirm": "yes"})
    assert done.status_code == 200
    user = engine_world.idp.call("AdminGetUser", UserPoolId=engine_world.pool_id, Username=name)
    assert user["Enabled"] is False
    bob = engine_world.idp.call("AdminGetUser", UserPoolId=engine_world.pool_id, Username="bob")
    assert bob["Enabled"] is True  # "a/../bob" never reaches bob
    back = re.search(r'href="(/admin/user\?[^"]+)"', done.text)
    assert back and "odd@example.com" in admin.get(html.unescape(back.group(1))).text


def test_an_unknown_or_missing_name_is_a_404(engine_world: PortalWorld) -> None:
    admin = admin_browser(engine_world)
    assert admin.get("/admin/user", params={"username": "nobody"}).status_code == 404
    assert admin.get("/admin/user").status_code == 404
    admin.get("/admin")
    assert admin.post("/admin/user/disable", {"reason": "x", "confirm": "yes"}).status_code == 404


def test_the_old_address_still_opens_a_simple_name(engine_world: PortalWorld) -> None:
    engine_world.create_user("bob", permanent=True)
    admin = admin_browser(engine_world)
    assert "bob@example.com" in admin.get("/admin/users/bob").text
    done = admin.post("/admin/users/bob/disable", {"reason": "x", "confirm": "yes"})
    assert done.status_code == 200
