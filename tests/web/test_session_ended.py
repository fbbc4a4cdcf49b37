"""A session that ends out of sight (support reset, sign-out everywhere, idle, maximum age, an
expired sign-in) sends the open tab's next page to a sign-in page that says why, with the username
the visitor typed, and the way on; the reason is a code from an allow-list, never reflected text."""

from __future__ import annotations

import re

import httpx

from mfa_portal.admin.actions import reset_mfa, sign_out
from mfa_portal.admin.support import Actor
from mfa_portal.web.session_store import SqliteSessionStore
from mfa_portal.web.strings import t
from tests.support.portal import PASSWORD, Browser, EnrolledUser, PortalWorld


def _username_value(page: httpx.Response) -> str:
    found = re.search(r'<input id="username"[^>]*value="([^"]*)"', page.text)
    assert found is not None
    return found.group(1)


def _support(browser: Browser) -> object:
    return browser.http.app.state.portal.support  # type: ignore[attr-defined]


def test_after_a_support_reset_the_open_tab_says_why(
    world: PortalWorld, enrolled: EnrolledUser
) -> None:
    browser, _ = enrolled("alice")
    reset_mfa(_support(browser), Actor("admin:sam"), "alice", "lost phone")  # type: ignore[arg-type]
    answer = browser.get("/account")
    assert answer.headers["location"] == "/signin?next=/account&ended=reset"
    page = browser.follow(answer)
    assert t("signin.ended.reset") in page.text
    assert 'name="next" value="/account"' in page.text
    # Said once: a reload of the plain sign-in page does not repeat it.
    assert t("signin.ended.reset") not in browser.get("/signin").text


def test_support_sign_out_and_the_nginx_path_say_why(
    world: PortalWorld, enrolled: EnrolledUser
) -> None:
    browser, _ = enrolled("bob")
    sign_out(_support(browser), Actor("admin:sam"), "bob", "shared laptop")  # type: ignore[arg-type]
    assert browser.get("/auth/verify").status_code == 401  # nginx asks first, then redirects
    answer = browser.get("/auth/signin", headers={"X-Original-URI": "/report?a=1&b=2"})
    assert answer.headers["location"] == "/signin?next=/report%3Fa%3D1%26b%3D2&ended=everywhere"
    page = browser.follow(answer)
    assert t("signin.ended.everywhere") in page.text


def test_sign_out_everywhere_elsewhere_is_named(world: PortalWorld, enrolled: EnrolledUser) -> None:
    first, secret = enrolled("cyd")
    world.next_step()
    second = world.browser()
    second.sign_in("cyd", PASSWORD)
    second.post("/signin/code", {"code": world.code(secret)})
    second.get("/account")
    second.post("/account/signout-everywhere")
    answer = first.get("/")
    assert answer.headers["location"] == "/signin?next=/&ended=everywhere"


def test_an_idle_session_says_so(world: PortalWorld, enrolled: EnrolledUser) -> None:
    store = SqliteSessionStore(world.data_dir / "idle-sessions.sqlite3", clock=world.clock.now)
    browser, _ = enrolled("dee", store=store)
    assert browser.get("/account").status_code == 200
    world.clock.advance(61 * 60)  # past the 60-minute idle timeout
    answer = browser.get("/account")
    assert answer.headers["location"] == "/signin?next=/account&ended=idle"
    assert t("signin.ended.idle") in browser.follow(answer).text


def test_a_session_past_its_maximum_age_says_so(world: PortalWorld, enrolled: EnrolledUser) -> None:
    browser, _ = enrolled("eli", session_idle_minutes=24 * 60, session_max_hours=1)
    world.clock.advance(3601)
    answer = browser.get("/account")
    assert answer.headers["location"] == "/signin?next=/account&ended=limit"
    assert t("signin.ended.limit") in browser.follow(answer).text


def test_only_known_reasons_are_shown(world: PortalWorld) -> None:
    browser = world.browser()
    for value in ("<script>alert(1)</script>", "signed_out", "reset&x=1", ""):
        page = browser.get("/signin", params={"ended": value})
        assert page.status_code == 200
        assert 'class="notice"' not in page.text
        assert "alert(1)" not in page.text
    page = browser.get("/signin?ended=expired")
    assert t("signin.ended.expired") in page.text
    assert _username_value(page) == ""  # a link carries a reason, never a username


def test_an_expired_sign_in_keeps_the_username(world: PortalWorld, enrolled: EnrolledUser) -> None:
    _, secret = enrolled("fox")
    browser = world.browser()
    browser.sign_in("Fox ", PASSWORD, next="/report")
    world.clock.advance(16 * 60)  # past Cognito's 15-minute limit for a sign-in
    world.next_step()
    page = browser.post("/signin/code", {"code": world.code(secret)})
    assert page.status_code == 400
    assert t("signin.expired") in page.text
    assert _username_value(page) == "Fox"  # what was typed (trimmed), not looked up
    assert 'name="next" value="/report"' in page.text


def test_a_locked_code_step_keeps_the_username(world: PortalWorld, enrolled: EnrolledUser) -> None:
    enrolled("gus")
    browser = world.browser()
    browser.sign_in("gus", PASSWORD)
    page = None
    for _ in range(10):
        page = browser.post("/signin/code", {"code": "000000"})
        if t("code.locked") in page.text or t("signin.restart") in page.text:
            break
    assert page is not None and "/signin" in page.text
    assert _username_value(page) == "gus"


def test_behind_nginx_the_reason_survives_the_dropped_cookie(
    world: PortalWorld, enrolled: EnrolledUser
) -> None:
    """nginx's ``auth_request`` drops the sub-request's ``Set-Cookie``: the browser's next request
    (``/auth/signin``) still names the ended session, and must still learn why it ended."""
    browser, _ = enrolled("dana")
    before = dict(browser.http.cookies)
    reset_mfa(_support(browser), Actor("admin:sam"), "dana", "lost phone")  # type: ignore[arg-type]
    assert browser.get("/auth/verify").status_code == 401
    browser.http.cookies.clear()
    for name, value in before.items():  # what the browser still holds: the old cookie
        browser.http.cookies.set(name, value)
    answer = browser.get("/auth/signin", headers={"X-Original-URI": "/report?a=1&b=2"})
    assert answer.headers["location"] == "/signin?next=/report%3Fa%3D1%26b%3D2&ended=reset"
    page = browser.follow(answer)
    assert t("signin.ended.reset") in page.text
    assert _username_value(page) == "dana"  # what they typed to sign in, as on the direct path
    assert t("signin.ended.reset") not in browser.get("/signin").text  # said once
