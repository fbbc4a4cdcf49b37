"""The account page lists every MFA method with the preferred one marked, the authenticator's device
name and set-up date, and lets the user choose the preferred method (SetUserMFAPreference)."""

from __future__ import annotations

import re

import httpx

from mfa_portal.admin.actions import reset_mfa
from mfa_portal.admin.audit import AuditFilter
from mfa_portal.admin.support import Actor
from mfa_portal.web.strings import t
from tests.support.cognito_errors import Refusing
from tests.support.portal import PASSWORD, Browser, PortalWorld
from tests.web.test_code_page import with_email_mfa


def _signed_in_with_totp(world: PortalWorld, username: str, secret: str) -> Browser:
    browser = world.browser()
    browser.sign_in(username, PASSWORD)
    browser.get("/signin/select")
    browser.post("/signin/select", {"answer": "SOFTWARE_TOKEN_MFA"})
    browser.get("/signin/code")
    assert browser.post("/signin/code", {"code": world.code(secret)}).headers["location"] == "/"
    return browser


def _method(page: httpx.Response, name: str) -> str:
    found = re.search(rf'<li id="method-{name}">(.*?)</li>', page.text, re.S)
    assert found is not None, f"{name} not listed"
    return found.group(1)


def test_every_method_is_listed_and_the_preferred_one_can_be_chosen(world: PortalWorld) -> None:
    secret = with_email_mfa(world, "ann")  # TOTP and email on, neither preferred
    browser = _signed_in_with_totp(world, "ann", secret)
    page = browser.get("/account")
    assert page.status_code == 200
    assert '<dd id="mfa-status">On</dd>' in page.text
    assert '<dd id="mfa-preferred">None</dd>' in page.text
    totp = _method(page, "SOFTWARE_TOKEN_MFA")
    assert t("select.SOFTWARE_TOKEN_MFA") in totp and t("account.mfa.preferred_badge") not in totp
    assert re.search(
        r'<time datetime="\d{4}-\d{2}-\d{2}">', totp
    )  # from the enrolment's audit entry
    email = _method(page, "EMAIL_OTP")
    assert "ann@example.com" in email

    answer = browser.post("/account/mfa-preference", {"method": "EMAIL_OTP"})
    assert answer.headers["location"] == "/account?notice=preferred"
    page = browser.follow(answer)
    assert t("account.mfa.preference_saved") in page.text
    assert t("account.mfa.preferred_badge") in _method(page, "EMAIL_OTP")
    assert t("account.mfa.preferred_badge") not in _method(page, "SOFTWARE_TOKEN_MFA")
    assert 'id="method" name="method" value="SOFTWARE_TOKEN_MFA">' in page.text
    assert 'value="EMAIL_OTP" checked>' in page.text
    user = world.idp.call("AdminGetUser", UserPoolId=world.pool_id, Username="ann")
    assert user["PreferredMfaSetting"] == "EMAIL_OTP"
    portal = browser.http.app.state.portal  # type: ignore[attr-defined]
    [entry] = portal.support.audit.query(AuditFilter(action="mfa-preference"))
    assert (entry.actor, entry.target, entry.outcome) == ("self:ann", "ann", "success")
    # The next sign-in goes straight to the preferred method's code, no choice asked.
    assert world.browser().sign_in("ann", PASSWORD).headers["location"] == "/signin/code"


def test_the_device_name_given_at_set_up_is_shown(world: PortalWorld) -> None:
    world.create_user("bea", permanent=True)
    browser = world.browser()
    browser.follow(browser.sign_in("bea", PASSWORD))
    secret = browser.secret()
    page = browser.post(
        "/mfa/setup", {"code": world.code(secret), "device_name": 'Work "phone"; 2'}, follow=True
    )
    assert page.status_code == 200
    page = browser.get("/account")
    totp = _method(page, "SOFTWARE_TOKEN_MFA")
    assert '<bdi class="device-name">Work &#34;phone&#34;; 2</bdi>' in totp
    assert t("account.mfa.preferred_badge") in totp
    # One method, already preferred: nothing to choose.
    assert 'action="/account/mfa-preference"' not in page.text
    # A later sign-in takes the name from Cognito's challenge.
    world.next_step()
    again = world.browser()
    again.sign_in("bea", PASSWORD)
    code_page = again.get("/signin/code")
    assert "Work" in code_page.text
    again.post("/signin/code", {"code": world.code(secret)})
    assert "Work &#34;phone&#34;; 2</bdi>" in _method(again.get("/account"), "SOFTWARE_TOKEN_MFA")


def test_after_a_support_reset_the_old_enrolment_is_not_shown(world: PortalWorld) -> None:
    world.create_user("cat", permanent=True)
    browser = world.browser()
    browser.follow(browser.sign_in("cat", PASSWORD))
    secret = browser.secret()
    browser.post("/mfa/setup", {"code": world.code(secret), "device_name": "Old phone"})
    portal = browser.http.app.state.portal  # type: ignore[attr-defined]
    reset_mfa(portal.support, Actor("admin:sam"), "cat", "lost phone")
    fresh = world.browser()
    fresh.follow(fresh.sign_in("cat", PASSWORD))
    page = fresh.get("/account")
    assert "Old phone" not in page.text and "<time" not in page.text


def test_a_method_the_user_does_not_have_is_refused(world: PortalWorld) -> None:
    world.create_user("dan", permanent=True)
    browser = world.browser()
    browser.follow(browser.sign_in("dan", PASSWORD))
    browser.post("/mfa/setup", {"code": world.code(browser.secret())})
    browser.get("/account")
    for method in ("EMAIL_OTP", "SMS_MFA", "WEB_AUTHN", ""):
        page = browser.post("/account/mfa-preference", {"method": method})
        assert page.status_code == 400
        assert t("account.mfa.choose_missing") in page.text
        assert 'aria-describedby="method-error"' in page.text
    assert (
        browser.post("/account/mfa-preference", {"method": "EMAIL_OTP"}, csrf="x").status_code
        == 403
    )
    anonymous = world.browser()
    anonymous.get("/signin")
    answer = anonymous.post("/account/mfa-preference", {"method": "SOFTWARE_TOKEN_MFA"})
    assert answer.headers["location"].startswith("/signin")


def test_a_refused_preference_says_so_and_changes_nothing(world: PortalWorld) -> None:
    secret = with_email_mfa(world, "eve")
    refusing = Refusing(world.idp, "SetUserMFAPreference", "InvalidParameterException", "no")
    browser = Browser(world.app(client=refusing))
    browser.sign_in("eve", PASSWORD)
    browser.get("/signin/select")
    browser.post("/signin/select", {"answer": "SOFTWARE_TOKEN_MFA"})
    browser.post("/signin/code", {"code": world.code(secret)})
    browser.get("/account")
    page = browser.post("/account/mfa-preference", {"method": "EMAIL_OTP"})
    assert page.status_code == 400 and t("account.mfa.choose_failed") in page.text
    user = world.idp.call("AdminGetUser", UserPoolId=world.pool_id, Username="eve")
    assert "PreferredMfaSetting" not in user


def test_a_session_cognito_ended_cannot_choose(world: PortalWorld) -> None:
    """Signed out everywhere outside the portal (e.g. the AWS console): Cognito refuses the
    user's token, so the choice is not made and the sign-in page says the session ended."""
    secret = with_email_mfa(world, "fin")
    browser = _signed_in_with_totp(world, "fin", secret)
    browser.get("/account")
    world.idp.call("AdminUserGlobalSignOut", UserPoolId=world.pool_id, Username="fin")
    page = browser.post("/account/mfa-preference", {"method": "EMAIL_OTP"})
    assert page.status_code == 400 and t("signin.session_ended") in page.text
    user = world.idp.call("AdminGetUser", UserPoolId=world.pool_id, Username="fin")
    assert "PreferredMfaSetting" not in user
