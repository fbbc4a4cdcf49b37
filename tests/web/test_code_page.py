"""The code page fits the code: an emailed code is 8 digits and is checked in the email, not waited
for; and a user who chose email while also having an authenticator can switch to it."""

from __future__ import annotations

import re

import httpx

from mfa_portal.web.strings import t
from tests.support.portal import PASSWORD, Browser, PortalWorld, enrol
from tests.support.setup import email_codes_on

EMAIL_CODE = re.compile(r"\b([0-9]{8})\b")


def with_email_mfa(world: PortalWorld, username: str) -> str:
    """Turn on email codes in the pool; enrol ``username`` with TOTP and email, no preference
    (so Cognito offers SELECT_MFA_TYPE). Returns the TOTP secret."""
    email_codes_on(world.idp, world.pool_id)
    _, secret = enrol(world, username)
    world.idp.call(
        "AdminSetUserMFAPreference",
        UserPoolId=world.pool_id,
        Username=username,
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": False},
        EmailMfaSettings={"Enabled": True, "PreferredMfa": False},
    )
    world.next_step()
    return secret


def choose_email(world: PortalWorld, username: str) -> tuple[Browser, httpx.Response]:
    browser = world.browser()
    assert browser.sign_in(username, PASSWORD).headers["location"] == "/signin/select"
    browser.get("/signin/select")
    assert browser.post("/signin/select", {"answer": "EMAIL_OTP"}).status_code == 303
    return browser, browser.get("/signin/code")


def code_input(page: httpx.Response) -> str:
    found = re.search(r'<input id="code"[^>]*>', page.text)
    assert found is not None
    return found.group(0)


def test_the_email_code_page_asks_for_8_digits(world: PortalWorld) -> None:
    with_email_mfa(world, "fay")
    browser, page = choose_email(world, "fay")
    assert f'<label for="code">{t("code.label.email")}</label>' in page.text
    assert "6-digit" not in page.text
    for malformed in ("123456", "12ab5678"):  # a TOTP-length code, or letters: never sent on
        page = browser.post("/signin/code", {"code": malformed})
        assert page.status_code == 400 and t("code.format.email") in page.text
    assert 'aria-invalid="true"' in code_input(page)
    assert "code-error" in code_input(page)
    [mail] = world.mails_to("fay@example.com")
    found = EMAIL_CODE.search(mail.body)
    assert found is not None
    wrong = f"{(int(found.group(1)) + 1) % 10**8:08d}"
    page = browser.post("/signin/code", {"code": wrong})
    assert page.status_code == 400
    assert t("code.wrong.email") in page.text and "Wait for a new code" not in page.text
    answer = browser.post("/signin/code", {"code": found.group(1)})
    assert answer.headers["location"] == "/"
    assert browser.get("/auth/verify").status_code == 200


def test_the_authenticator_page_still_asks_for_6_digits(world: PortalWorld) -> None:
    secret = with_email_mfa(world, "gil")
    browser = world.browser()
    browser.sign_in("gil", PASSWORD)
    browser.get("/signin/select")
    browser.post("/signin/select", {"answer": "SOFTWARE_TOKEN_MFA"})
    page = browser.get("/signin/code")
    assert f'<label for="code">{t("code.label.totp")}</label>' in page.text
    # The other method Cognito offered is one click away here too.
    assert t("code.switch.EMAIL_OTP") in page.text
    assert browser.post("/signin/code", {"code": world.code(secret)}).headers["location"] == "/"


def test_use_my_authenticator_instead(world: PortalWorld) -> None:
    secret = with_email_mfa(world, "hal")
    browser, page = choose_email(world, "hal")
    assert t("code.switch.SOFTWARE_TOKEN_MFA") in page.text
    switched = browser.post("/signin/code/switch", {"method": "SOFTWARE_TOKEN_MFA"})
    assert switched.status_code == 200
    assert t("signin.switch_method") in switched.text and 'value="hal"' in switched.text
    assert 'name="mfa" value="SOFTWARE_TOKEN_MFA"' in switched.text
    assert browser.get("/auth/verify").status_code == 401  # nothing granted by switching
    answer = browser.post(
        "/signin", {"username": "hal", "password": PASSWORD, "mfa": "SOFTWARE_TOKEN_MFA"}
    )
    assert answer.headers["location"] == "/signin/code"  # straight past the choice
    page = browser.get("/signin/code")
    assert t("code.intro.totp") in page.text
    assert browser.post("/signin/code", {"code": world.code(secret)}).headers["location"] == "/"
    assert browser.get("/auth/verify").status_code == 200


def test_switching_to_a_method_not_offered_is_refused(world: PortalWorld) -> None:
    with_email_mfa(world, "ivy")
    browser, _ = choose_email(world, "ivy")
    answer = browser.post("/signin/code/switch", {"method": "SMS_MFA"})
    assert answer.headers["location"] == "/signin/code"
    assert t("code.label.email") in browser.get("/signin/code").text
    assert (
        browser.post("/signin/code/switch", {"method": "SOFTWARE_TOKEN_MFA"}, csrf="x").status_code
        == 403
    )
    anonymous = world.browser()
    anonymous.get("/signin")
    assert (
        anonymous.post("/signin/code/switch", {"method": "SOFTWARE_TOKEN_MFA"}).headers["location"]
        == "/signin"
    )


def test_a_preferred_email_user_is_not_offered_a_switch(world: PortalWorld) -> None:
    with_email_mfa(world, "jon")
    world.idp.call(
        "AdminSetUserMFAPreference",
        UserPoolId=world.pool_id,
        Username="jon",
        EmailMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    browser = world.browser()
    assert browser.sign_in("jon", PASSWORD).headers["location"] == "/signin/code"
    page = browser.get("/signin/code")
    assert t("code.label.email") in page.text
    assert "/signin/code/switch" not in page.text  # Cognito offered no choice to switch to


def test_send_me_a_new_code_asks_for_the_password_again(world: PortalWorld) -> None:
    """Cognito has no resend for an MFA code; the portal keeps no password: a new code comes from a
    new sign-in, with the username kept and email chosen again, no sooner than 30 s after the last."""
    with_email_mfa(world, "jo")
    browser, page = choose_email(world, "jo")
    assert t("code.resend") in page.text
    too_soon = browser.post("/signin/code/resend")
    assert too_soon.status_code == 429 and t("code.resend_wait") in too_soon.text
    assert int(too_soon.headers["retry-after"]) <= 30
    assert len(world.mails_to("jo@example.com")) == 1  # nothing sent, the code still works
    world.clock.advance(31)
    again = browser.post("/signin/code/resend")
    assert again.status_code == 200
    assert t("signin.resend") in again.text
    assert 'value="jo"' in again.text and 'name="mfa" value="EMAIL_OTP"' in again.text
    assert 'name="password"' in again.text
    assert browser.get("/signin/code").headers["location"] == "/signin"  # that sign-in is over
    answer = browser.post("/signin", {"username": "jo", "password": PASSWORD, "mfa": "EMAIL_OTP"})
    assert answer.headers["location"] == "/signin/code"
    first, second = world.mails_to("jo@example.com")
    old = EMAIL_CODE.search(first.body)
    new = EMAIL_CODE.search(second.body)
    assert old is not None and new is not None
    assert browser.post("/signin/code", {"code": new.group(1)}).headers["location"] == "/"


def test_resends_are_limited_per_user_across_sign_ins(world: PortalWorld) -> None:
    with_email_mfa(world, "kim")
    browser, _ = choose_email(world, "kim")
    for _ in range(5):
        world.clock.advance(31)
        assert browser.post("/signin/code/resend").status_code == 200
        browser.post("/signin", {"username": "kim", "password": PASSWORD, "mfa": "EMAIL_OTP"})
    world.clock.advance(31)
    # A fresh browser does not start a fresh count: the limit is the user's, in the shared store.
    other, _ = choose_email(world, "kim")
    world.clock.advance(31)
    refused = other.post("/signin/code/resend")
    assert refused.status_code == 429 and t("code.resend_limit") in refused.text
    assert "retry-after" in refused.headers
    assert t("code.label.email") in other.get("/signin/code").text  # the pending code still works


def test_no_resend_for_an_authenticator_code(world: PortalWorld) -> None:
    with_email_mfa(world, "lu")
    browser = world.browser()
    browser.sign_in("lu", PASSWORD)
    browser.get("/signin/select")
    browser.post("/signin/select", {"answer": "SOFTWARE_TOKEN_MFA"})
    page = browser.get("/signin/code")
    assert t("code.resend") not in page.text
    assert browser.post("/signin/code/resend").headers["location"] == "/signin/code"
    assert browser.post("/signin/code/resend", csrf="x").status_code == 403
    anonymous = world.browser()
    anonymous.get("/signin")
    assert anonymous.post("/signin/code/resend").headers["location"] == "/signin"


def test_the_authenticator_page_says_which_authenticator_the_name_is(world: PortalWorld) -> None:
    world.create_user("hal", permanent=True)
    browser = world.browser()
    browser.follow(browser.sign_in("hal", PASSWORD))
    secret = browser.secret()
    browser.post("/mfa/setup", {"code": world.code(secret), "device_name": "Work phone"})
    world.next_step()
    again = world.browser()
    assert again.sign_in("hal", PASSWORD).headers["location"] == "/signin/code"
    page = again.get("/signin/code")
    assert 'Authenticator: <bdi class="device-name">Work phone</bdi>' in page.text
    assert 'aria-describedby="code-intro code-device"' in page.text
