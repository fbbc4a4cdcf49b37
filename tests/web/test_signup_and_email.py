"""Self sign-up when the pool allows it, and changing the email address from the account page."""

from __future__ import annotations

import re

import httpx

from mfa_portal.admin.notify import Outbox
from mfa_portal.wiring.support import portal_store
from tests.support.portal import PASSWORD, Browser, PortalWorld, enrol

CODE = re.compile(r"\b(\d{6,8})\b")


def _open_pool(world: PortalWorld, *, verify_before_update: bool = True) -> None:
    world.idp.call(
        "UpdateUserPool",
        UserPoolId=world.pool_id,
        AutoVerifiedAttributes=["email"],
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": False},
        UserAttributeUpdateSettings={
            "AttributesRequireVerificationBeforeUpdate": ["email"] if verify_before_update else []
        },
        MfaConfiguration="OPTIONAL",
    )


def _last_code(world: PortalWorld, to: str) -> str:
    """The newest code the pool mailed to ``to``."""
    for message in reversed(world.mails_to(to)):
        found = CODE.search(message.body)
        if found:
            return found.group(1)
    raise AssertionError(f"no code was mailed to {to}")


def _portal_mail(world: PortalWorld, to: str) -> list[str]:
    """What the portal itself sent ``to`` (development outbox): notices."""
    outbox = Outbox(portal_store(world.data_dir, world.settings.database), echo=False)
    return [m.subject + "\n" + m.body for m in outbox.messages() if m.recipient == to]


def test_a_closed_pool_has_no_sign_up(world: PortalWorld) -> None:
    browser = world.browser()
    assert "/signup" not in browser.get("/signin").text
    assert browser.get("/signup").status_code == 404


def test_sign_up_confirm_sign_in_and_enrol(world: PortalWorld) -> None:
    _open_pool(world)
    browser = world.browser(mode="development")
    assert 'href="/signup"' in browser.get("/signin").text
    browser.get("/signup")
    answer = browser.post(
        "/signup",
        {
            "username": "newbie",
            "email": "newbie@example.com",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert answer.headers["location"] == "/signup/confirm"
    page = browser.get("/signup/confirm")
    assert "newbie" in page.text
    wrong = browser.post("/signup/confirm", {"code": "00000000"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.text
    done = browser.post("/signup/confirm", {"code": _last_code(world, "newbie@example.com")})
    assert done.headers["location"] == "/signin?notice=signed_up"
    assert "Your account is ready" in browser.get(done.headers["location"]).text
    assert browser.sign_in("newbie", PASSWORD).headers["location"] == "/mfa/setup"


def test_sign_up_reports_every_broken_rule_and_a_taken_name(world: PortalWorld) -> None:
    _open_pool(world)
    world.create_user("alice", permanent=True)
    browser = world.browser()
    browser.get("/signup")
    weak = browser.post(
        "/signup",
        {"username": "bob", "email": "b@example.com", "password": "short", "confirm": "short"},
    )
    assert weak.status_code == 400 and "password policy" in weak.text
    taken = browser.post(
        "/signup",
        {"username": "alice", "email": "a2@example.com", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert taken.status_code == 400 and "That username is taken" in taken.text
    mismatch = browser.post(
        "/signup",
        {"username": "carl", "email": "c@example.com", "password": PASSWORD, "confirm": "x"},
    )
    assert mismatch.status_code == 400 and "do not match" in mismatch.text


def test_the_confirm_page_needs_a_pending_sign_up(world: PortalWorld) -> None:
    _open_pool(world)
    assert world.browser().get("/signup/confirm").status_code == 404


def _signed_in(world: PortalWorld) -> tuple[Browser, str]:
    return enrol(world, "alice", mode="development")


def _new_email(world: PortalWorld, browser: Browser, secret: str, email: str) -> httpx.Response:
    """The account page's form: the new address, the password and a current code."""
    world.next_step()  # each code works once: the set-up's (or the last change's) is spent
    return browser.post(
        "/account/email", {"email": email, "password": PASSWORD, "code": world.code(secret)}
    )


def test_changing_the_email_needs_the_code_and_tells_the_old_address(world: PortalWorld) -> None:
    _open_pool(world)
    browser, secret = _signed_in(world)
    browser.get("/account")
    sent = _new_email(world, browser, secret, "alice@new.example")
    assert sent.status_code == 200 and "alice@new.example" in sent.text
    account = browser.get("/account")
    assert "alice@example.com" in account.text  # the old address stays until the new one is proven
    wrong = browser.post("/account/email/verify", {"code": "00000000"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.text
    done = browser.post("/account/email/verify", {"code": _last_code(world, "alice@new.example")})
    assert done.status_code == 200 and "Your email address has been changed." in done.text
    assert "alice@new.example" in browser.get("/account").text
    assert any("was changed" in m for m in _portal_mail(world, "alice@example.com"))
    verified = browser.get("/auth/verify")
    assert verified.headers["X-Auth-Email"] == "alice@new.example"


def test_an_address_of_another_account_is_refused(world: PortalWorld) -> None:
    """The code goes to the new address (only its owner can finish); the alias stays unique."""
    _open_pool(world)
    world.create_user("bob", email="bob@example.com", permanent=True)
    browser, secret = _signed_in(world)
    browser.get("/account")
    assert _new_email(world, browser, secret, "bob@example.com").status_code == 200
    refused = browser.post("/account/email/verify", {"code": _last_code(world, "bob@example.com")})
    assert refused.status_code == 400 and "belongs to another account" in refused.text
    assert "alice@example.com" in browser.get("/account").text
    bob = world.idp.call("AdminGetUser", UserPoolId=world.pool_id, Username="bob")
    assert {"Name": "email", "Value": "bob@example.com"} in bob["UserAttributes"]
