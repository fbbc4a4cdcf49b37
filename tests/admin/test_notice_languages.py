"""Email notices speak the user's language: the page's when the user acted, the ``locale``
attribute when support did; English for anything else."""

from __future__ import annotations

import string

import pytest

from mfa_portal.admin.actions import reset_mfa
from mfa_portal.admin.notice_texts import NOTICES, notice_language
from mfa_portal.admin.notify import Notifier
from mfa_portal.mail import MemoryMailer
from tests.support.support_desk import ADMIN, SupportDesk


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_notice_has_german_with_the_same_placeholders() -> None:
    english, german = NOTICES["en"], NOTICES["de"]
    assert sorted(set(english) ^ set(german)) == []
    assert [k for k in english if _fields(english[k]) != _fields(german[k])] == []
    assert [k for k in english if english[k] == german[k]] == ["footer.support"]


@pytest.mark.parametrize(
    ("tag", "chosen"), [("de", "de"), ("de-AT", "de"), ("de_DE", "de"), ("fr", "en"), (None, "en")]
)
def test_the_notice_language_comes_from_the_tag(tag: str | None, chosen: str) -> None:
    assert notice_language(tag) == chosen


def test_a_german_notice_is_german_from_subject_to_footer() -> None:
    mailer = MemoryMailer()
    notifier = Notifier(mailer, support_contact="hilfe@example.com")
    assert notifier.mfa_changed("bob@example.com", "bob", "totp disabled", language="de-DE")
    [message] = mailer.messages
    assert message.subject == "Anmeldeportal: Ihre Anmeldeeinstellungen wurden geändert"
    assert "von bob wurden geändert: Die Authenticator-App wurde deaktiviert." in message.body
    assert message.body.endswith(
        "wenden Sie sich sofort an den Support.\nSupport: hilfe@example.com"
    )


def test_an_unknown_language_and_the_english_notice() -> None:
    mailer = MemoryMailer()
    assert Notifier(mailer).recovery_code_used("bob@example.com", "bob", 1, language="fr")
    [message] = mailer.messages
    assert message.subject == "Sign-in portal: A recovery code was used"
    assert "1 unused recovery code remains." in message.body


def test_german_plurals_in_a_notice() -> None:
    mailer = MemoryMailer()
    notifier = Notifier(mailer, product="Acme")
    notifier.recovery_code_used("bob@example.com", "bob", 1, language="de")
    notifier.recovery_code_used("bob@example.com", "bob", 4, language="de")
    one, other = (m.body for m in mailer.messages)
    assert "Es bleibt 1 unbenutzter Wiederherstellungscode." in one
    assert "Es bleiben 4 unbenutzte Wiederherstellungscodes." in other
    assert mailer.messages[0].subject == "Acme: Ein Wiederherstellungscode wurde verwendet"


@pytest.mark.backends("engine")
def test_a_support_reset_mails_in_the_users_locale(desk: SupportDesk) -> None:
    for name, locale in (("bob", "de-DE"), ("carol", "")):
        desk.add_user(name, email=f"{name}@example.com")
        if locale:
            desk.client.call(
                "AdminUpdateUserAttributes",
                UserPoolId=desk.pool_id,
                Username=name,
                UserAttributes=[{"Name": "locale", "Value": locale}],
            )
        desk.enrol_totp(name)
        reset_mfa(desk.support, ADMIN, name, "lost phone")
    subjects = {m.recipient: m.subject for m in desk.outbox.messages()}
    assert subjects["bob@example.com"].endswith("Ihre Authenticator-App wurde zurückgesetzt")
    assert subjects["carol@example.com"].endswith("Your authenticator was reset")
