"""The set-up page for a user on the phone itself: the open-in-app link, the named apps, the copy
button's script, and the replacing variant with its Cancel."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

from mfa_portal.web.qr import otpauth_uri, qr_svg
from mfa_portal.web.strings import t
from tests.support.portal import PASSWORD, EnrolledUser, PortalWorld

OPEN_LINK = re.compile(r'<a class="button secondary" id="open-app" href="([^"]+)">')
QR = re.compile(r'<figure class="qr" id="qr">(.*?)</figure>', re.S)


def test_open_in_app_link_carries_the_qr_codes_uri(world: PortalWorld) -> None:
    world.create_user("alice", permanent=True, email="alice@example.com")
    browser = world.browser(enrolment_proof="none")
    page = browser.follow(browser.sign_in("alice", PASSWORD))
    assert page.status_code == 200
    secret = browser.secret()
    found = OPEN_LINK.search(page.text)
    assert found, "no 'Open in authenticator app' link"
    uri = html.unescape(found.group(1))
    assert urlsplit(uri).scheme == "otpauth"
    assert parse_qs(urlsplit(uri).query)["secret"] == [secret]
    assert uri == otpauth_uri(
        secret, issuer=world.settings.issuer_name, account="alice@example.com"
    )
    qr = QR.search(page.text)
    assert qr and qr.group(1) == str(qr_svg(uri, title=t("setup.qr_label"))), "QR and link differ"
    assert "Open in authenticator app" in page.text
    assert "Google Authenticator, Microsoft Authenticator, 1Password" in page.text


def test_copy_button_is_progressive_and_its_script_is_served(world: PortalWorld) -> None:
    world.create_user("alice", permanent=True)
    browser = world.browser(enrolment_proof="none")
    page = browser.follow(browser.sign_in("alice", PASSWORD))
    assert '<script src="/static/copy-key.js" defer></script>' in page.text
    assert re.search(r'<button type="button" class="secondary" id="copy-key" hidden', page.text)
    assert "<script>" not in page.text, "no inline script"
    script = browser.get("/static/copy-key.js")
    assert script.status_code == 200
    assert script.headers["content-type"].split(";")[0] in {
        "text/javascript",
        "application/javascript",
    }
    assert "navigator.clipboard" in script.text and "button.hidden = false" in script.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_secret_only_in_the_otpauth_link(world: PortalWorld) -> None:
    world.create_user("alice", permanent=True)
    browser = world.browser(enrolment_proof="none")
    page = browser.follow(browser.sign_in("alice", PASSWORD))
    secret = browser.secret()
    urls = re.findall(r'(?:href|src|action)="([^"]*)"', page.text)
    assert [u for u in urls if secret in u] == [OPEN_LINK.search(page.text).group(1)]  # type: ignore[union-attr]


def test_replacing_page_says_the_old_authenticator_keeps_working(
    world: PortalWorld, enrolled: EnrolledUser
) -> None:
    browser, old_secret = enrolled("alice")
    world.next_step()
    browser.post("/mfa/replace", {"password": PASSWORD, "code": world.code(old_secret)})
    page = browser.get("/mfa/setup")
    assert page.status_code == 200
    # The engine world is the embedded pool; the wire world is configured as Amazon Cognito, where
    # a pending key stops the old authenticator being asked for: the page says so there.
    expected = (
        "Your old authenticator keeps working until you finish"
        if world.name == "engine"
        else "Amazon Cognito no longer asks for your old one"
    )
    assert expected in page.text
    assert 'action="/mfa/setup/cancel"' in page.text


def test_cancel_drops_the_pending_key_and_keeps_the_old_authenticator(
    world: PortalWorld, enrolled: EnrolledUser
) -> None:
    browser, old_secret = enrolled("alice")
    world.next_step()
    browser.post("/mfa/replace", {"password": PASSWORD, "code": world.code(old_secret)})
    browser.get("/mfa/setup")
    new_secret = browser.secret()
    answer = browser.post("/mfa/setup/cancel")
    assert answer.status_code == 303 and answer.headers["location"] == (
        "/account?notice=replace_cancelled"
        if world.name == "engine"
        else "/account?notice=replace_cancelled_pending"
    )
    page = browser.follow(answer)
    notice = (
        "Your authenticator was not changed."
        if world.name == "engine"
        else "Amazon Cognito may still hold the replacement as pending"
    )
    assert page.status_code == 200 and notice in page.text
    # The pending key is gone: set-up asks to re-authenticate, and a code from it is refused.
    assert browser.get("/mfa/setup").headers["location"] == "/mfa/replace"
    world.next_step()
    assert browser.post("/mfa/setup", {"code": world.code(new_secret)}).status_code == 303
    assert world.mfa_settings("alice") == ["SOFTWARE_TOKEN_MFA"]
    world.next_step()
    other = world.browser()
    other.follow(other.sign_in("alice", PASSWORD))
    assert other.post("/signin/code", {"code": world.code(old_secret)}).status_code == 303


def test_cancel_needs_csrf_and_a_signed_in_session(
    world: PortalWorld, enrolled: EnrolledUser
) -> None:
    browser, old_secret = enrolled("alice")
    world.next_step()
    browser.post("/mfa/replace", {"password": PASSWORD, "code": world.code(old_secret)})
    browser.get("/mfa/setup")
    assert browser.post("/mfa/setup/cancel", csrf="forged").status_code == 403
    assert browser.get("/mfa/setup").status_code == 200, "a forged cancel changes nothing"
    anonymous = world.browser()
    anonymous.get("/signin")
    answer = anonymous.post("/mfa/setup/cancel")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")


def test_the_new_apps_code_in_the_confirming_step_is_explained_not_blamed_on_the_clock(
    world: PortalWorld, enrolled: EnrolledUser
) -> None:
    """Cognito's replay guard is per user: the old app's confirming code spent this 30-s step, so
    the new app's first code of the same step is refused. The page says to wait for the next code
    (not "check your phone's clock"), and the next code works."""
    browser, old_secret = enrolled("alice")
    world.next_step()
    browser.post("/mfa/replace", {"password": PASSWORD, "code": world.code(old_secret)})
    browser.get("/mfa/setup")
    new_secret = browser.secret()
    page = browser.post("/mfa/setup", {"code": world.code(new_secret)})
    assert page.status_code == 400
    assert t("setup.same_step") in page.text
    assert "clock" not in page.text
    world.next_step()
    wrong = "000000" if world.code(new_secret) != "000000" else "111111"
    assert "clock" in browser.post("/mfa/setup", {"code": wrong}).text  # another step: as before
    world.next_step()
    done = browser.post("/mfa/setup", {"code": world.code(new_secret)}, follow=True)
    assert "Your authenticator is set up" in done.text
