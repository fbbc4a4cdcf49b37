"""MFA_PORTAL_PRODUCT_NAME and MFA_PORTAL_SUPPORT_CONTACT: the brand users see on every page, the
contact shown wherever they are told to contact support, and both in the emailed notices."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from mfa_portal.admin.notify import Notifier
from mfa_portal.mail import MemoryMailer
from mfa_portal.settings import SettingsError, load_settings
from mfa_portal.web.strings import CONTACT_KEYS, STRINGS
from mfa_portal.wiring.support import build_support
from tests.support.portal import PASSWORD, PortalWorld

CONTACT = "helpdesk@example.com or +1 555 0100"


@pytest.fixture
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("MFA_PORTAL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_product_name_is_the_brand_and_page_title(world: PortalWorld) -> None:
    page = world.browser(product_name="Acme Sign-in").get("/signin")
    assert page.status_code == 200
    assert '<a class="brand" href="/">Acme Sign-in</a>' in page.text
    assert "<title>Sign in – Acme Sign-in</title>" in page.text
    assert "Sign-in portal" not in page.text
    # The sign-in card carries the name too: a letter mark (hidden from screen readers) and the name.
    assert (
        '<p class="product-mark"><span class="monogram" aria-hidden="true">A</span> '
        "<span>Acme Sign-in</span></p>" in page.text
    )


def test_without_a_product_name_the_default_brand_stays(world: PortalWorld) -> None:
    page = world.browser().get("/signin")
    assert "<title>Sign in – Sign-in portal</title>" in page.text
    assert "Support:" not in page.text


def test_support_contact_follows_contact_your_administrator(world: PortalWorld) -> None:
    world.create_user("alice", permanent=True)
    world.idp.call("AdminDisableUser", UserPoolId=world.pool_id, Username="alice")
    page = world.browser(support_contact=CONTACT).sign_in("alice", PASSWORD)
    assert page.status_code == 400
    text = html.unescape(page.text)
    assert "This account is disabled. Contact your administrator." in text
    assert f"Support: {CONTACT}" in text
    plain = world.browser().sign_in("alice", PASSWORD)
    assert "This account is disabled." in plain.text and "Support:" not in plain.text


def test_support_contact_is_escaped(world: PortalWorld) -> None:
    world.create_user("alice", permanent=True)
    world.idp.call("AdminDisableUser", UserPoolId=world.pool_id, Username="alice")
    page = world.browser(support_contact="<b>desk</b>").sign_in("alice", PASSWORD)
    assert "Support: &lt;b&gt;desk&lt;/b&gt;" in page.text and "<b>desk</b>" not in page.text


def test_every_contact_support_sentence_is_followed_by_the_contact() -> None:
    expected = {
        "signin.disabled",
        "signin.not_confirmed",
        "signin.temp_expired",
        "signin.factor_not_asked",
        "forgot.admin_only",
        "setup.unavailable",
        "setup.proof_no_email",
        "recovery.recover.no_codes",
    }
    assert expected <= CONTACT_KEYS
    assert all(key in STRINGS and not key.startswith("admin.") for key in CONTACT_KEYS)


@pytest.mark.usefixtures("_clean_env")
def test_product_name_is_the_default_issuer_and_an_explicit_issuer_wins() -> None:
    assert load_settings().issuer_name == "mfa-portal"
    assert load_settings(product_name=" Acme Sign-in ").issuer_name == "Acme Sign-in"
    both = load_settings(product_name="Acme: Sign-in", issuer_name="Acme")
    assert both.issuer_name == "Acme" and both.product_name == "Acme: Sign-in"


@pytest.mark.usefixtures("_clean_env")
@pytest.mark.parametrize(
    ("values", "named", "says"),
    [
        ({"product_name": "Acme\nSign-in"}, "MFA_PORTAL_PRODUCT_NAME", "control"),
        ({"product_name": "Acme\u202eSign-in"}, "MFA_PORTAL_PRODUCT_NAME", "control"),
        ({"product_name": "x" * 65}, "MFA_PORTAL_PRODUCT_NAME", "at most 64"),
        ({"product_name": "  "}, "MFA_PORTAL_PRODUCT_NAME", "empty"),
        ({"product_name": "Acme: Sign-in"}, "MFA_PORTAL_PRODUCT_NAME", "MFA_PORTAL_ISSUER_NAME"),
        ({"support_contact": "call\r\nBcc: x@evil"}, "MFA_PORTAL_SUPPORT_CONTACT", "control"),
        ({"support_contact": "x" * 201}, "MFA_PORTAL_SUPPORT_CONTACT", "at most 200"),
    ],
)
def test_wrong_texts_stop_the_start_naming_the_setting(
    values: dict[str, str], named: str, says: str
) -> None:
    with pytest.raises(SettingsError) as exc:
        load_settings(**values)
    assert named in str(exc.value) and says in str(exc.value)


def test_emails_carry_the_product_and_the_support_contact() -> None:
    mailer = MemoryMailer()
    notifier = Notifier(mailer, product="Acme Sign-in", support_contact=CONTACT)
    assert notifier.mfa_changed("bob@example.com", "bob", "totp disabled")
    message = mailer.messages[0]
    assert message.subject == "Acme Sign-in: Your sign-in settings changed"
    assert f"contact support at once.\nSupport: {CONTACT}" in message.body
    default = MemoryMailer()
    assert Notifier(default).mfa_changed("bob@example.com", "bob", "totp disabled")
    assert default.messages[0].subject.startswith("Sign-in portal: ")
    assert "Support:" not in default.messages[0].body


def test_the_wired_notifier_uses_the_settings(world: PortalWorld) -> None:
    settings = world.settings.model_copy(
        update={"product_name": "Acme Sign-in", "support_contact": CONTACT}
    )
    support = build_support(settings, world.idp, world.pool_id)
    assert support.notifier is not None
    mailer = MemoryMailer()
    support.notifier._mailer = mailer  # noqa: SLF001 - read what the wired notifier would send
    support.notifier.recovery_codes_issued("bob@example.com", "bob")
    assert mailer.messages[0].subject.startswith("Acme Sign-in: ")
    assert f"Support: {CONTACT}" in mailer.messages[0].body


def test_recovery_page_names_the_support_contact(world: PortalWorld) -> None:
    page = world.browser(support_contact=CONTACT).get("/recover")
    assert page.status_code == 200
    assert "No recovery codes left? Contact support" in page.text
    assert f"Support: {CONTACT}" in html.unescape(page.text)
