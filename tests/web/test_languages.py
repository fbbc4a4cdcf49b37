"""The portal speaks the browser's language (``Accept-Language``): German or English, per key."""

from __future__ import annotations

import string

import pytest

from mfa_portal.web.strings import STRINGS, negotiate, reset_language, t, use_language
from mfa_portal.web.strings_de import STRINGS_DE
from tests.support.portal import Browser, PortalWorld


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


def test_a_sentence_without_a_german_version_falls_back_to_english(world: PortalWorld) -> None:
    assert "forgot.title" not in STRINGS_DE
    page = browser_in(world, "de").get("/password/forgot")
    assert '<html lang="de">' in page.text and "Anmeldeportal" in page.text
    assert "Reset your password" in page.text


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


def test_every_german_key_exists_in_english_with_the_same_placeholders() -> None:
    """No orphan keys (a renamed English key would leave a dead German one) and no placeholder a
    German sentence would fail to fill."""
    assert set(STRINGS_DE) <= set(STRINGS), set(STRINGS_DE) - set(STRINGS)

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for key, german in STRINGS_DE.items():
        assert fields(german) == fields(STRINGS[key]), key
        assert german != STRINGS[key], key  # translated, not copied


def test_t_uses_the_language_of_the_context() -> None:
    token = use_language("de")
    try:
        assert t("signin.submit") == "Anmelden"
        assert t("forgot.title") == "Reset your password"
    finally:
        reset_language(token)
    token = use_language("tlh")  # no such catalog: English
    try:
        assert t("signin.submit") == "Sign in"
    finally:
        reset_language(token)


#: Keys that came with the account's methods, the session-end reasons, "Send me a new code" and
#: the per-field errors: each has German from the start, so these pages are not half-translated.
NEW_KEYS = (
    "signin.username_missing",
    "signin.password_missing",
    "signin.ended.",
    "signin.resend",
    "code.resend",
    "signup.username_missing",
    "signup.email_missing",
    "account.mfa.on_any",
    "account.mfa.methods",
    "account.mfa.preferred_badge",
    "account.mfa.device",
    "account.mfa.enrolled_on",
    "account.mfa.sent_to",
    "account.mfa.choose",
    "account.mfa.preference_saved",
    "account.password.current_missing",
)


def test_the_new_sentences_all_have_german() -> None:
    new = [key for key in STRINGS if key.startswith(NEW_KEYS)]
    assert len(new) >= 25
    assert [key for key in new if key not in STRINGS_DE] == []
