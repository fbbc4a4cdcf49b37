"""The open tab of a session that support (or the user elsewhere) ended says so at sign-in.

Behind forward-auth the session ends inside nginx's sub-request, whose new cookie never reaches the
browser: the browser keeps presenting the old one, and the sign-in page it is sent to explains why.
"""

from __future__ import annotations

import warnings

from mfa_portal.web.strings import t
from tests.support.portal import Browser, PortalWorld, enrol

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


def _ended_by_support(world: PortalWorld, browser: Browser, username: str) -> None:
    """Support signs the user out everywhere; nginx's sub-request then finds the session over."""
    world.idp.call("AdminUserGlobalSignOut", UserPoolId=world.pool_id, Username=username)
    world.clock.advance(world.settings.revalidate_seconds + 1)
    subrequest = TestClient(browser.http.app, base_url="https://testserver")
    subrequest.cookies.update(browser.http.cookies)
    assert subrequest.get("/auth/verify").status_code == 401


def test_the_old_cookie_leads_to_a_sign_in_page_that_says_why(
    engine_world: PortalWorld,
) -> None:
    browser, _ = enrol(engine_world, "dee")
    _ended_by_support(engine_world, browser, "dee")
    page = browser.get("/signin?next=/report")
    assert page.status_code == 200
    assert t("signin.session_ended") in page.text
    again = browser.get("/signin")  # said once: the page gave the browser a live session
    assert t("signin.session_ended") not in again.text


def test_a_first_visit_and_a_sign_out_say_nothing_about_ended_sessions(
    engine_world: PortalWorld,
) -> None:
    assert t("signin.session_ended") not in engine_world.browser().get("/signin").text
    browser, _ = enrol(engine_world, "eve")
    browser.get("/signout")
    ended = browser.post("/signout", follow=True)
    assert t("signin.signed_out") in ended.text
    assert t("signin.session_ended") not in browser.get("/signin").text
