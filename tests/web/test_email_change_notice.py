"""The sentence after an email change is true for the pool at hand.

The pool the portal creates keeps the old address until the new one is proven
(``AttributesRequireVerificationBeforeUpdate``); a pool without that setting (an existing one,
Amazon Cognito configured so) switches at once and leaves the new address unverified. Before, the
page said "until then your current address stays" in both cases."""

from __future__ import annotations

from html import unescape

from mfa_portal.web.strings import CATALOGS
from tests.support.portal import PortalWorld
from tests.web.test_signup_and_email import _new_email, _open_pool, _signed_in

NEW = "alice@new.example"


def sentence(key: str, language: str = "en") -> str:
    return CATALOGS[language][key].format(email=NEW)


def email_of(world: PortalWorld) -> str:
    user = world.idp.call("AdminGetUser", UserPoolId=world.pool_id, Username="alice")
    return str(next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "email"))


def test_the_portals_own_pool_keeps_the_address_until_it_is_proven(world: PortalWorld) -> None:
    pool = world.idp.call("DescribeUserPool", UserPoolId=world.pool_id)["UserPool"]
    assert pool["UserAttributeUpdateSettings"]["AttributesRequireVerificationBeforeUpdate"] == [
        "email"
    ]
    browser, secret = _signed_in(world)
    browser.get("/account")
    page = unescape(_new_email(world, browser, secret, NEW).text)
    assert sentence("account.email.sent") in page
    assert email_of(world) == "alice@example.com"  # what the sentence promised
    resent = unescape(browser.post("/account/email/resend").text)
    assert sentence("account.email.sent") in resent


def test_a_pool_that_switches_at_once_is_described_as_such(world: PortalWorld) -> None:
    _open_pool(world, verify_before_update=False)
    browser, secret = _signed_in(world)
    browser.get("/account")
    page = unescape(_new_email(world, browser, secret, NEW).text)
    assert sentence("account.email.sent_in_force") in page
    assert "until then your current address stays" not in page
    assert email_of(world) == NEW  # what the sentence said
    resent = unescape(browser.post("/account/email/resend").text)
    assert sentence("account.email.sent_in_force") in resent


def test_german_says_the_same(world: PortalWorld) -> None:
    _open_pool(world, verify_before_update=False)
    browser, secret = _signed_in(world)
    browser.http.headers["Accept-Language"] = "de"
    browser.get("/account")
    page = unescape(_new_email(world, browser, secret, NEW).text)
    assert sentence("account.email.sent_in_force", "de") in page
