"""The enrolment guard, CSRF, cookies, session rotation and security headers."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from mfa_portal.web.deps import Admin
from tests.support.portal import PASSWORD, TEMP_PASSWORD, Browser, PortalWorld, enrol

PROTECTED = ("/", "/account", "/mfa/replace", "/mfa/setup/done")


def test_anonymous_visitors_are_sent_to_sign_in_with_next(world: PortalWorld) -> None:
    browser = world.browser()
    for path in PROTECTED:
        answer = browser.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == f"/signin?next={path}", path
    answer = browser.get("/mfa/setup")
    assert answer.headers["location"] == "/signin?next=/mfa/setup"
    assert browser.get("/auth/verify").status_code == 401


def test_restricted_session_reaches_only_setup_and_sign_out(world: PortalWorld) -> None:
    world.create_user("alice", permanent=True)
    browser = world.browser()
    assert browser.sign_in("alice", PASSWORD).headers["location"] == "/mfa/setup"
    for path in PROTECTED:
        answer = browser.get(path)
        assert (answer.status_code, answer.headers["location"]) == (303, "/mfa/setup"), path
    assert browser.get("/signin").headers["location"] == "/mfa/setup"
    assert browser.get("/auth/verify").status_code == 401
    page = browser.get("/mfa/setup")
    assert page.status_code == 200 and "needs a second sign-in step" in page.text
    for form in ("/account/password", "/account/signout-everywhere"):
        answer = browser.post(form, {"current": PASSWORD, "password": "x", "confirm": "x"})
        assert (answer.status_code, answer.headers["location"]) == (303, "/mfa/setup"), form
    answer = browser.post("/signout")
    assert answer.headers["location"] == "/signin?notice=signed_out"
    assert browser.get("/mfa/setup").headers["location"].startswith("/signin")


def test_mid_challenge_session_is_not_signed_in(world: PortalWorld) -> None:
    world.create_user("alice")
    browser = world.browser()
    browser.sign_in("alice", TEMP_PASSWORD)
    for path in PROTECTED:
        assert browser.get(path).headers["location"].startswith("/signin?next="), path
    assert browser.get("/mfa/setup").headers["location"].startswith("/signin")
    assert browser.get("/auth/verify").status_code == 401


def test_optional_policy_lets_users_skip_enrolment(world: PortalWorld) -> None:
    world.create_user("alice", permanent=True)
    browser = world.browser(enforcement="optional")
    answer = browser.sign_in("alice", PASSWORD)
    assert answer.headers["location"] == "/"
    home = browser.get("/")
    assert home.status_code == 200 and "You have not set up two-step sign-in" in home.text
    # Without MFA the session is not good enough for other applications.
    assert browser.get("/auth/verify").status_code == 401
    page = browser.get("/mfa/setup")  # a GET shows the start button; it creates no key
    assert (
        page.status_code == 200 and "Skip for now" in page.text and 'id="secret"' not in page.text
    )
    page = browser.post("/mfa/setup/start", follow=True)
    assert page.status_code == 200 and "Skip for now" in page.text
    page = browser.post("/mfa/setup", {"code": world.code(browser.secret())}, follow=True)
    assert "Your authenticator is set up" in page.text
    assert browser.get("/auth/verify").status_code == 200


def _with_admin_page(world: PortalWorld) -> Browser:
    app = world.app()
    router = APIRouter()

    @router.get("/admin-probe")
    def probe(request: Request, user: Admin) -> PlainTextResponse:
        return PlainTextResponse(f"admin {user.username}")

    app.include_router(router)
    return Browser(app)


def test_admin_pages_need_the_group_and_mfa(world: PortalWorld) -> None:
    world.create_user("alice", permanent=True)
    browser = _with_admin_page(world)
    browser.follow(browser.sign_in("alice", PASSWORD))
    browser.post("/mfa/setup", {"code": world.code(browser.secret())}, follow=True)
    refused = browser.get("/admin-probe")
    assert refused.status_code == 403
    assert "You do not have access to this page" in refused.text


def test_admin_with_mfa_gets_in(world: PortalWorld) -> None:
    world.create_user("root", permanent=True, groups=("admins",))
    browser = _with_admin_page(world)
    browser.follow(browser.sign_in("root", PASSWORD))
    # Not yet enrolled: restricted, so the admin page sends to set-up.
    assert browser.get("/admin-probe").headers["location"] == "/mfa/setup"
    browser.get("/mfa/setup")
    browser.post("/mfa/setup", {"code": world.code(browser.secret())}, follow=True)
    page = browser.get("/admin-probe")
    assert page.status_code == 200 and page.text == "admin root"
    assert 'href="/admin"' in browser.get("/").text


def test_admin_without_mfa_is_refused_under_optional_policy(world: PortalWorld) -> None:
    world.create_user("root", permanent=True, groups=("admins",))
    app = world.app(enforcement="optional")
    router = APIRouter()

    @router.get("/admin-probe")
    def probe(user: Admin) -> PlainTextResponse:
        return PlainTextResponse("admin")

    app.include_router(router)
    browser = Browser(app)
    browser.follow(browser.sign_in("root", PASSWORD))
    assert browser.get("/admin-probe").status_code == 403


@pytest.mark.parametrize("token", ["", "forged-token"])
def test_forms_without_the_csrf_token_are_refused(engine_world: PortalWorld, token: str) -> None:
    engine_world.create_user("alice", permanent=True)
    browser = engine_world.browser()
    browser.get("/signin")
    page = browser.post("/signin", {"username": "alice", "password": PASSWORD}, csrf=token)
    assert page.status_code == 403 and "Your form expired" in page.text
    assert browser.get("/mfa/setup").headers["location"].startswith("/signin")


def test_every_form_carries_a_csrf_token(engine_world: PortalWorld) -> None:
    browser, _ = enrol(engine_world, "alice")
    for path in ("/account", "/mfa/replace", "/"):
        page = browser.get(path)
        forms = page.text.count("<form")
        assert forms and page.text.count('name="csrf_token"') == forms, path


def test_session_id_rotates_at_sign_in_and_enrolment(engine_world: PortalWorld) -> None:
    engine_world.create_user("alice", permanent=True)
    app = engine_world.app()
    browser = Browser(app)
    browser.get("/signin")
    before = browser.http.cookies.get("__Host-mfa-portal")
    assert before
    browser.sign_in("alice", PASSWORD)
    restricted = browser.http.cookies.get("__Host-mfa-portal")
    assert restricted and restricted != before
    browser.get("/mfa/setup")
    browser.post("/mfa/setup", {"code": engine_world.code(browser.secret())})
    full = browser.http.cookies.get("__Host-mfa-portal")
    assert full and full not in (before, restricted)
    # The pre-sign-in id (e.g. one fixed by an attacker) is worthless now.
    fixated = Browser(app)
    fixated.http.cookies.set("__Host-mfa-portal", before, domain="testserver.local")
    assert fixated.get("/").headers["location"].startswith("/signin")
    stale = Browser(app)
    stale.http.cookies.set("__Host-mfa-portal", restricted, domain="testserver.local")
    assert stale.get("/mfa/setup").headers["location"].startswith("/signin")


def test_cookie_flags(engine_world: PortalWorld) -> None:
    page = engine_world.browser().get("/signin")
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("__Host-mfa-portal=")
    for flag in ("HttpOnly", "Secure", "SameSite=lax", "Path=/"):
        assert flag in cookie
    assert "Domain" not in cookie


def test_plain_http_localhost_cookie_is_not_secure(engine_world: PortalWorld) -> None:
    from starlette.testclient import TestClient

    http = TestClient(engine_world.app(), base_url="http://127.0.0.1:8000")
    cookie = http.get("/signin").headers["set-cookie"]
    assert cookie.startswith("mfa-portal=") and "Secure" not in cookie and "HttpOnly" in cookie
    other = TestClient(engine_world.app(), base_url="http://portal.example")
    assert "Secure" in other.get("/signin").headers["set-cookie"]
    forced = TestClient(engine_world.app(cookie_secure="always"), base_url="http://127.0.0.1")
    assert "Secure" in forced.get("/signin").headers["set-cookie"]


def test_security_headers_on_pages(engine_world: PortalWorld) -> None:
    page = engine_world.browser().get("/signin")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["strict-transport-security"].startswith("max-age=")
    assert "<script" not in page.text and "style=" not in page.text
    css = engine_world.browser().get("/static/portal.css")
    assert css.status_code == 200 and "public" in css.headers["cache-control"]


def test_tokens_and_secrets_never_reach_the_browser(engine_world: PortalWorld) -> None:
    browser, secret = enrol(engine_world, "alice")
    for path in ("/", "/account", "/mfa/setup/done", "/auth/verify"):
        page = browser.get(path)
        assert "eyJ" not in page.text and secret not in page.text.replace(" ", ""), path
        assert "eyJ" not in str(page.headers), path
    assert all(len(value) < 100 for value in browser.http.cookies.values())


def test_unknown_page_is_a_friendly_404(engine_world: PortalWorld) -> None:
    page = engine_world.browser().get("/no-such-page")
    assert page.status_code == 404 and "Page not found" in page.text
