"""Self-service password reset: "Forgot your password?" → ForgotPassword → "I have a reset code" →
ConfirmForgotPassword → sign in again, with the second factor still asked for.

Every answer is the one a user reads: the same page whether or not the username exists, one field
error per field, every broken password rule at once, and a clear sentence for each refusal.
"""

from __future__ import annotations

import re

import httpx
import pytest

from mfa_portal.web.strings import t
from tests.support.cognito_errors import Refusing
from tests.support.portal import PASSWORD, Browser, EnrolledUser, PortalWorld

NEW_PASSWORD = "New-Battery-Staple-7!"
CODE = re.compile(r"\b([0-9]{6})\b")


def reset_code(world: PortalWorld, email: str) -> str:
    """The code in the newest reset mail to ``email``."""
    found = CODE.search(world.mails_to(email)[-1].body)
    assert found, "no reset code in the mail"
    return found.group(1)


def request_code(browser: Browser, username: str) -> httpx.Response:
    browser.get("/password/forgot")
    return browser.post("/password/forgot", {"username": username})


def reset(
    browser: Browser, username: str, code: str, password: str = NEW_PASSWORD
) -> httpx.Response:
    browser.get("/password/reset")
    return browser.post(
        "/password/reset",
        {"username": username, "code": code, "password": password, "confirm": password},
    )


def without_tokens(text: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', "", text)


def test_sign_in_page_links_to_the_reset(world: PortalWorld) -> None:
    page = world.browser().get("/signin")
    assert '<a href="/password/forgot">' + t("signin.forgot") + "</a>" in page.text
    forgot = world.browser().get("/password/forgot")
    assert forgot.status_code == 200
    assert t("forgot.intro") in forgot.text and 'href="/password/reset"' in forgot.text


def test_a_reset_sets_the_password_and_keeps_the_second_factor(
    world: PortalWorld, enrolled: EnrolledUser
) -> None:
    enrolled("alice")
    browser = world.browser()
    answer = request_code(browser, "alice")
    assert (answer.status_code, answer.headers["location"]) == (303, "/password/reset?notice=sent")
    page = browser.get(answer.headers["location"])
    assert t("reset.sent") in page.text
    assert 'value="alice"' in page.text  # remembered from the request
    done = reset(browser, "alice", reset_code(world, "alice@example.com"))
    assert (done.status_code, done.headers["location"]) == (303, "/signin?notice=password_reset")
    assert t("signin.password_reset") in browser.get(done.headers["location"]).text

    assert browser.sign_in("alice", PASSWORD).status_code == 400  # the old password is gone
    answer = browser.sign_in("alice", NEW_PASSWORD)
    assert answer.headers["location"] == "/signin/code"  # MFA is still required
    assert browser.get("/auth/verify").status_code == 401


def test_an_unknown_username_gets_the_same_answer(world: PortalWorld) -> None:
    world.create_user("bob", permanent=True)
    known, unknown = world.browser(), world.browser()
    real = request_code(known, "bob")
    fake = request_code(unknown, "nobody-here")
    assert (real.status_code, real.headers["location"]) == (
        fake.status_code,
        fake.headers["location"],
    )
    real_page = without_tokens(known.get(real.headers["location"]).text)
    fake_page = without_tokens(unknown.get(fake.headers["location"]).text)
    assert real_page.replace('value="bob"', "") == fake_page.replace('value="nobody-here"', "")
    # Confirming for an unknown user reads exactly like a wrong code for a real one.
    wrong = reset(
        known, "bob", "000000" if reset_code(world, "bob@example.com") != "000000" else "1"
    )
    missing = reset(unknown, "nobody-here", "123456")
    assert wrong.status_code == missing.status_code == 400
    assert t("reset.code_wrong") in wrong.text and t("reset.code_wrong") in missing.text
    assert "exist" not in missing.text.lower()


def test_every_field_error_is_shown_at_once_on_its_field(world: PortalWorld) -> None:
    browser = world.browser()
    browser.get("/password/reset")
    page = browser.post(
        "/password/reset", {"username": " ", "code": "12ab", "password": "x", "confirm": "y"}
    )
    assert page.status_code == 400
    assert 'class="error-summary"' in page.text and "/static/error-focus.js" in page.text
    for field, key in (
        ("username", "reset.username_missing"),
        ("code", "reset.code_format"),
        ("password", "password.rule.length"),
        ("confirm", "newpw.mismatch"),
    ):
        assert f'id="{field}-error"' in page.text and t(key) in page.text
        tag = re.search(rf'<input id="{field}"[^>]*>', page.text)
        assert tag is not None
        assert f"{field}-error" in tag.group(0) and 'aria-invalid="true"' in tag.group(0)
    fine = browser.post(
        "/password/reset",
        {"username": "bob", "code": "12ab", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    password = re.search(r'<input id="password"[^>]*>', fine.text)
    assert password is not None and "aria-invalid" not in password.group(0)
    assert 'aria-describedby="password-policy"' in password.group(0)
    empty = browser.post(
        "/password/reset", {"username": "bob", "code": "123456", "password": "", "confirm": ""}
    )
    assert empty.status_code == 400 and 'id="password-error"' in empty.text
    assert t("newpw.missing") in empty.text


def test_every_broken_password_rule_is_reported_at_once(world: PortalWorld) -> None:
    world.create_user("bob", permanent=True)
    browser = world.browser()
    request_code(browser, "bob")
    page = reset(browser, "bob", reset_code(world, "bob@example.com"), password="short")
    assert page.status_code == 400
    field = re.search(r'<div class="field-error" id="password-error">(.*?)</div>', page.text, re.S)
    assert field is not None
    for rule in ("password.rule.length", "password.rule.upper", "password.rule.number"):
        assert t(rule) in field.group(1)
    # The code was not spent: the same code still resets the password.
    assert reset(browser, "bob", reset_code(world, "bob@example.com")).status_code == 303


def test_an_expired_code_says_to_request_a_new_one(world: PortalWorld) -> None:
    world.create_user("bob", permanent=True)
    browser = world.browser()
    request_code(browser, "bob")
    code = reset_code(world, "bob@example.com")
    world.clock.advance(3601)
    page = reset(browser, "bob", code)
    assert page.status_code == 400
    assert t("reset.code_expired") in page.text and 'href="/password/forgot"' in page.text


def test_too_many_requests_are_refused_with_a_clear_sentence(world: PortalWorld) -> None:
    world.create_user("bob", permanent=True)
    browser = world.browser()
    for _ in range(5):
        assert request_code(browser, "bob").status_code == 303
    page = request_code(browser, "bob")
    assert page.status_code == 429
    assert t("reset.limit") in page.text and 'value="bob"' in page.text


def test_too_many_wrong_codes_void_the_code(world: PortalWorld) -> None:
    world.create_user("bob", permanent=True)
    browser = world.browser()
    request_code(browser, "bob")
    code = reset_code(world, "bob@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert t("reset.code_wrong") in reset(browser, "bob", wrong).text
    assert t("reset.code_expired") in reset(browser, "bob", code).text


def test_a_required_reset_leads_to_the_code_page(world: PortalWorld) -> None:
    world.create_user("carol", permanent=True)
    world.idp.call("AdminResetUserPassword", UserPoolId=world.pool_id, Username="carol")
    browser = world.browser()
    answer = browser.sign_in("carol", PASSWORD)
    assert (answer.status_code, answer.headers["location"]) == (
        303,
        "/password/reset?notice=required",
    )
    page = browser.get(answer.headers["location"])
    assert t("reset.required") in page.text and 'value="carol"' in page.text
    assert "Contact your administrator" not in page.text
    done = reset(browser, "carol", reset_code(world, "carol@example.com"))
    assert done.headers["location"] == "/signin?notice=password_reset"
    assert browser.sign_in("carol", NEW_PASSWORD).status_code == 303


def test_the_support_email_link_prefills_the_username(world: PortalWorld) -> None:
    page = world.browser().get("/password/reset?username=dave")
    assert page.status_code == 200 and 'value="dave"' in page.text


def test_reset_forms_need_the_csrf_token(world: PortalWorld) -> None:
    world.create_user("bob", permanent=True)
    browser = world.browser()
    browser.get("/password/forgot")
    assert browser.post("/password/forgot", {"username": "bob"}, csrf="forged").status_code == 403
    assert world.mails_to("bob@example.com") == []
    refused = browser.post(
        "/password/reset",
        {"username": "bob", "code": "123456", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        csrf="forged",
    )
    assert refused.status_code == 403


def test_an_empty_username_is_asked_for(world: PortalWorld) -> None:
    browser = world.browser()
    browser.get("/password/forgot")
    page = browser.post("/password/forgot", {"username": "  "})
    assert page.status_code == 400 and t("reset.username_missing") in page.text
    tag = re.search(r'<input id="username"[^>]*>', page.text)
    assert tag is not None and 'aria-describedby="forgot-intro username-error"' in tag.group(0)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("UserNotFoundException", "Username/client id combination not found."),
        ("NotAuthorizedException", "User is disabled."),
        ("InvalidParameterException", "Cannot reset password for the user as there is no email"),
        ("CodeDeliveryFailureException", "Unable to deliver the code."),
    ],
)
def test_refusals_that_would_tell_accounts_apart_read_as_a_delivery(
    world: PortalWorld, code: str, message: str
) -> None:
    app = world.app(client=Refusing(world.idp, "ForgotPassword", code, message))
    answer = request_code(world.browser(app), "someone")
    assert (answer.status_code, answer.headers["location"]) == (303, "/password/reset?notice=sent")


def test_an_admin_only_pool_says_to_contact_the_administrator(world: PortalWorld) -> None:
    refusing = Refusing(
        world.idp,
        "ForgotPassword",
        "NotAuthorizedException",
        "Contact administrator to reset password.",
    )
    page = request_code(world.browser(world.app(client=refusing)), "bob")
    assert page.status_code == 400 and t("forgot.admin_only") in page.text


def test_an_unavailable_pool_says_so_on_both_pages(world: PortalWorld) -> None:
    down = Refusing(world.idp, "ForgotPassword", "InternalErrorException", "boom")
    page = request_code(world.browser(world.app(client=down)), "bob")
    assert (
        page.status_code == 400 and t("reset.unavailable") in page.text and "boom" not in page.text
    )
    down = Refusing(world.idp, "ConfirmForgotPassword", "InternalErrorException", "boom")
    page = reset(world.browser(world.app(client=down)), "bob", "123456")
    assert (
        page.status_code == 400 and t("reset.unavailable") in page.text and "boom" not in page.text
    )
    limited = Refusing(
        world.idp, "ConfirmForgotPassword", "LimitExceededException", "Attempt limit exceeded"
    )
    page = reset(world.browser(world.app(client=limited)), "bob", "123456")
    assert page.status_code == 429 and t("reset.limit") in page.text
