"""A stolen session cookie cannot take the account for good: moving the email address (where reset
codes go) and making a new set of recovery codes (each removes the authenticator) ask for the
password and a current authenticator code in the same POST, as replacing the authenticator does."""

from __future__ import annotations

import re

from mfa_portal.web.strings import t
from tests.support.portal import PASSWORD, Browser, PortalWorld, enrol
from tests.web.test_code_page import with_email_mfa

CODE = re.compile(r"<li><code>([A-Z2-7]{4}(?:-[A-Z2-7]{4}){3})</code></li>")
AFTER_SET_UP = 11 * 60  # past the minutes in which the first set needs no proof


def _email(world: PortalWorld, name: str) -> str:
    user = world.idp.call("AdminGetUser", UserPoolId=world.pool_id, Username=name)
    return str(next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "email"))


def _refused(page_text: str, key: str = "reproof.failed") -> bool:
    return t(key) in page_text


def test_a_cookie_alone_cannot_move_the_email_address(world: PortalWorld) -> None:
    thief, secret = enrol(world, "alice")
    world.next_step()
    thief.get("/account")
    for form in (
        {"email": "thief@evil.test"},  # the cookie only
        {"email": "thief@evil.test", "password": "Wrong-Pass-1!", "code": world.code(secret)},
        {"email": "thief@evil.test", "password": PASSWORD},  # no code
        {"email": "thief@evil.test", "password": PASSWORD, "code": "000000"},
    ):
        page = thief.post("/account/email", form)
        assert page.status_code == 400 and _refused(page.text), form
        assert 'value="thief@evil.test"' in page.text  # what was typed is kept
    assert _email(world, "alice") == "alice@example.com"

    world.next_step()
    owner = thief.post(
        "/account/email",
        {"email": "alice@new.example", "password": PASSWORD, "code": world.code(secret)},
    )
    assert owner.status_code == 200 and "alice@new.example" in owner.text
    again = thief.get("/account").text  # the form asks every time
    assert 'id="change-email-password"' in again and 'id="change-email-code"' in again


def test_a_new_set_of_recovery_codes_needs_the_account_proven_after_set_up(
    world: PortalWorld,
) -> None:
    browser, secret = enrol(world, "alice")
    old = CODE.findall(browser.post("/account/recovery-codes").text)  # right after set-up: offered
    assert len(old) == 10

    world.clock.advance(AFTER_SET_UP)
    page = browser.get("/account/recovery-codes")
    assert 'name="password"' in page.text and 'name="code"' in page.text
    for form in ({}, {"password": PASSWORD}, {"password": "Wrong-Pass-1!", "code": "123456"}):
        refused = browser.post("/account/recovery-codes", form)
        assert refused.status_code == 400 and _refused(refused.text), form
        assert not CODE.findall(refused.text)
    assert "You have <strong>10</strong> unused recovery codes" in page.text

    world.next_step()
    made = browser.post(
        "/account/recovery-codes", {"password": PASSWORD, "code": world.code(secret)}
    )
    new = CODE.findall(made.text)
    assert len(new) == 10 and not set(new) & set(old)


def test_a_user_with_email_codes_and_an_authenticator_proves_it_with_the_authenticator(
    world: PortalWorld,
) -> None:
    """Cognito offers a choice (SELECT_MFA_TYPE) to a user with two methods; the proof picks the
    authenticator, whose code is on the form."""
    secret = with_email_mfa(world, "fay")
    browser = world.browser()
    browser.follow(browser.sign_in("fay", PASSWORD))
    browser.get("/signin/select")
    browser.post("/signin/select", {"answer": "SOFTWARE_TOKEN_MFA"})
    browser.post("/signin/code", {"code": world.code(secret)})
    assert browser.get("/auth/verify").status_code == 200
    world.next_step()
    browser.get("/account")
    moved = browser.post(
        "/account/email",
        {"email": "fay@new.example", "password": PASSWORD, "code": world.code(secret)},
    )
    assert moved.status_code == 200 and "fay@new.example" in moved.text


def test_a_user_without_an_authenticator_proves_the_password(world: PortalWorld) -> None:
    """Email codes only: the page has no step for a code Cognito would mail, so the password is
    the proof (what a stolen cookie does not carry)."""
    with_email_mfa(world, "jon")
    world.idp.call(
        "AdminSetUserMFAPreference",
        UserPoolId=world.pool_id,
        Username="jon",
        SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False},
        EmailMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    browser = _signed_in_with_email_code(world, "jon")
    page = browser.get("/account")
    assert 'id="change-email-password"' in page.text and 'id="change-email-code"' not in page.text
    wrong = browser.post("/account/email", {"email": "jon@new.example", "password": "Nope-1!x"})
    assert wrong.status_code == 400 and _refused(wrong.text, "reproof.failed_nocode")
    moved = browser.post("/account/email", {"email": "jon@new.example", "password": PASSWORD})
    assert moved.status_code == 200 and "jon@new.example" in moved.text


def _signed_in_with_email_code(world: PortalWorld, name: str) -> Browser:
    browser = world.browser()
    assert browser.sign_in(name, PASSWORD).headers["location"] == "/signin/code"
    browser.get("/signin/code")
    [mail] = world.mails_to(f"{name}@example.com")
    found = re.search(r"\b([0-9]{8})\b", mail.body)
    assert found is not None
    browser.post("/signin/code", {"code": found.group(1)})
    assert browser.get("/auth/verify").status_code == 200
    return browser
