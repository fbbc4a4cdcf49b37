"""``GET /signout`` (what an app links to) is a one-click page whose button POSTs with the CSRF
token: the GET itself signs nobody out. A missing static file is a plain 404."""

from __future__ import annotations

import re

from mfa_portal.web.strings import t
from tests.support.portal import EnrolledUser, PortalWorld


def test_the_signout_link_shows_a_one_click_page(
    world: PortalWorld, enrolled: EnrolledUser
) -> None:
    browser, _ = enrolled("alice")
    page = browser.get("/signout")
    assert page.status_code == 200
    assert t("signout.intro") in page.text and t("error.title") not in page.text
    form = re.search(r'<form method="post" action="/signout">(.*?)</form>', page.text, re.S)
    assert form is not None and 'name="csrf_token"' in form.group(1)
    assert t("signout.submit") in form.group(1)
    assert browser.get("/auth/verify").status_code == 200  # the GET changed nothing
    answer = browser.post("/signout")
    assert answer.headers["location"] == "/signin?notice=signed_out"
    assert browser.get("/auth/verify").status_code == 401


def test_a_forged_signout_post_is_refused(world: PortalWorld, enrolled: EnrolledUser) -> None:
    browser, _ = enrolled("bob")
    browser.get("/signout")
    assert browser.post("/signout", csrf="forged").status_code == 403
    assert browser.get("/auth/verify").status_code == 200


def test_the_signout_link_when_not_signed_in(world: PortalWorld) -> None:
    answer = world.browser().get("/signout")
    assert (answer.status_code, answer.headers["location"]) == (303, "/signin?notice=signed_out")


def test_a_missing_static_file_is_a_404(world: PortalWorld) -> None:
    browser = world.browser()
    missing = browser.get("/static/no-such-file.css")
    assert missing.status_code == 404
    assert "Traceback" not in missing.text and missing.text == t("notfound.title")
    assert browser.get("/static/portal.css").status_code == 200
    assert browser.get("/static/error-focus.js").status_code == 200
