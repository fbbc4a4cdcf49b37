"""The portal speaks the browser's language (``Accept-Language``): German or English, per key."""

from __future__ import annotations

import re
import string

import pytest

from mfa_portal.admin.notify import Outbox
from mfa_portal.web.strings import STRINGS, negotiate, reset_language, t, use_language
from mfa_portal.web.strings_de import STRINGS_DE
from mfa_portal.wiring.support import portal_store
from tests.support.portal import PASSWORD, Browser, PortalWorld


def browser_in(world: PortalWorld, accept_language: str) -> Browser:
    browser = world.browser()
    browser.http.headers["Accept-Language"] = accept_language
    return browser


def test_a_german_browser_gets_the_german_sign_in_page(world: PortalWorld) -> None:
    page = browser_in(world, "de-DE,de;q=0.9,en;q=0.8").get("/signin")
    assert page.status_code == 200
    assert '<html lang="de">' in page.text
    assert "<h1>Anmelden</h1>" in page.text
    assert '<label for="username">Benutzername oder E-Mail-Adresse</label>' in page.text
    assert '<label for="password">Passwort</label>' in page.text
    assert "Passwort vergessen?" in page.text and "Username" not in page.text
    assert page.headers["content-language"] == "de"
    assert "Accept-Language" in page.headers["vary"]


def test_german_error_messages_come_from_the_route_too(world: PortalWorld) -> None:
    """Sentences the route picks (not the template) follow the request's language as well."""
    world.create_user("alice", permanent=True)
    browser = browser_in(world, "de")
    page = browser.sign_in("alice", "Not-The-Password-1!")
    assert page.status_code == 400
    assert "Es gibt ein Problem" in page.text
    assert "Benutzername oder Passwort ist falsch." in page.text
    missing = browser.get("/no-such-page")
    assert missing.status_code == 404 and "Seite nicht gefunden" in missing.text


@pytest.mark.parametrize("header", ["fr-FR, ja;q=0.5", "", "de;q=0", "*", "xx-;;q=oops,de;q=abc"])
def test_an_unknown_or_refused_language_gets_english(world: PortalWorld, header: str) -> None:
    page = browser_in(world, header).get("/signin")
    assert '<html lang="en">' in page.text
    assert '<label for="username">Username or email address</label>' in page.text
    assert page.headers["content-language"] == "en"


def test_a_german_request_does_not_leave_german_behind(world: PortalWorld) -> None:
    app = world.app()
    german, english = Browser(app), Browser(app)
    german.http.headers["Accept-Language"] = "de"
    assert "Anmelden" in german.get("/signin").text
    assert "Username or email address" in english.get("/signin").text
    assert t("signin.title") == "Sign in"  # outside a request: English


def test_german_reaches_the_newer_pages_too(world: PortalWorld) -> None:
    page = browser_in(world, "de").get("/password/forgot")
    assert '<html lang="de">' in page.text and "Anmeldeportal" in page.text
    assert "<h1>Passwort zurücksetzen</h1>" in page.text
    assert "Reset your password" not in page.text and "Send me a reset code" not in page.text


def test_a_sentence_without_a_german_version_falls_back_to_english(
    world: PortalWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A gap (a key added in a hurry) shows the English sentence, never a bare key."""
    monkeypatch.delitem(STRINGS_DE, "forgot.title")
    page = browser_in(world, "de").get("/password/forgot")
    assert '<html lang="de">' in page.text and "Reset your password" in page.text
    assert "Rücksetzcode senden" in page.text  # the rest of the page stays German


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        ("de", "de"),
        ("de-AT", "de"),
        ("DE-de", "de"),
        ("en;q=0.5, de;q=0.9", "de"),
        ("en, de", "en"),
        ("de, en", "de"),
        ("fr, de;q=0.1", "de"),
        ("de;q=0", "en"),
        ("de;q=2", "en"),
        (None, "en"),
        ("," * 2000 + "de", "en"),  # only the first 512 characters are read
    ],
)
def test_negotiation(header: str | None, chosen: str) -> None:
    assert negotiate(header) == chosen


#: Keys whose German is the English text, because the word or sign is the same in German.
SAME_IN_GERMAN = frozenset(
    {
        "support.contact",  # "Support: {contact}"
        "newpw.policy.separator",  # ", "
        "account.mfa.status",  # "Status"
        "admin.search.status",
        "admin.col.status",
        "admin.user.status",
        "admin.col.mfa",  # "MFA"
        "admin.user.attr_name",  # "Name"
        "admin.unknown_short",  # "?"
        "admin.list_separator",  # ", "
        "admin.form.problem",  # "{form}: {problem}"
    }
)


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_english_key_has_german() -> None:
    """The catalog cannot drift: a sentence added in English only fails here, so no German page
    shows an English sentence (``t`` would fall back to it)."""
    assert sorted(set(STRINGS) - set(STRINGS_DE)) == []


def test_every_german_key_exists_in_english_with_the_same_placeholders() -> None:
    """No orphan keys (a renamed English key would leave a dead German one) and no placeholder a
    German sentence would fail to fill or leave out."""
    assert sorted(set(STRINGS_DE) - set(STRINGS)) == []
    differ = [key for key, german in STRINGS_DE.items() if fields(german) != fields(STRINGS[key])]
    assert differ == []


def test_german_sentences_are_translated_not_copied() -> None:
    copied = {key for key, german in STRINGS_DE.items() if german == STRINGS.get(key)}
    assert copied == SAME_IN_GERMAN


def test_german_markup_sentences_keep_the_english_markup() -> None:
    tags = re.compile(r"</?[a-z]+>")
    for key in [k for k in STRINGS if any(p.endswith("_html") for p in k.split("."))]:
        assert sorted(tags.findall(STRINGS_DE[key])) == sorted(tags.findall(STRINGS[key])), key


def test_german_plurals_are_chosen_by_count() -> None:
    token = use_language("de")
    try:
        assert t("admin.search.count", count=1) == "1 Benutzer"
        one = t("recovery.codes.remaining_html", count=1)
        other = t("recovery.codes.remaining_html", count=3)
    finally:
        reset_language(token)
    assert one == "Sie haben <strong>1</strong> unbenutzten Wiederherstellungscode."
    assert other == "Sie haben <strong>3</strong> unbenutzte Wiederherstellungscodes."


def test_t_uses_the_language_of_the_context() -> None:
    token = use_language("de")
    try:
        assert t("signin.submit") == "Anmelden"
        assert t("forgot.title") == "Passwort zurücksetzen"
    finally:
        reset_language(token)
    token = use_language("tlh")  # no such catalog: English
    try:
        assert t("signin.submit") == "Sign in"
    finally:
        reset_language(token)


def test_a_german_browser_gets_its_set_up_code_mail_in_german(world: PortalWorld) -> None:
    """A notice the user causes from a page is written in that page's language."""
    world.create_user("alice", permanent=True)
    browser = world.browser(enrolment_proof="email", mode="development")
    browser.http.headers["Accept-Language"] = "de-DE,de;q=0.9"
    page = browser.follow(browser.sign_in("alice", PASSWORD))
    assert "Einrichtungscode per E-Mail senden" in page.text
    sent = browser.post("/mfa/setup/send-code", follow=True)
    assert "Wir haben einen Einrichtungscode" in sent.text
    outbox = Outbox(portal_store(world.data_dir, world.settings.database), echo=False)
    [mail] = outbox.messages()
    assert mail.subject == "Anmeldeportal: Ihr Einrichtungscode für die Authenticator-App"
    assert "Ihr Einrichtungscode: " in mail.body and "Your set-up code" not in mail.body
