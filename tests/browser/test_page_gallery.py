"""Every page a user reads, in English and in German, at a laptop's and a phone's size, in headless
Chromium; and the support console in German (the English console has ``test_console_pages``).

German words are long ("Wiederherstellungscodes", "Authenticator-App zurücksetzen"): every page
must still fit its screen, with no word or button running past its box. Each state is saved to
``test-artifacts/screenshots/<language>-*.png`` and checked with axe-core (WCAG 2.1 A/AA), for
``<html lang>`` and for elements wider than the screen or than their own box.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyotp
import pytest

from mfa_portal.cognito_api.client import CognitoClient
from tests.browser.test_console_pages import SIZES
from tests.support.axe import axe_violations, require_axe
from tests.support.backends import PASSWORD, TEMP_PASSWORD
from tests.support.chromium import SCREENSHOTS, launched_chromium, require_chromium, screenshot
from tests.support.served_portal import portal_with_root
from tests.support.setup import create_user

pytestmark = pytest.mark.browser

LOCALES = {"en": "en-US", "de": "de-DE"}


@dataclass
class Site:
    url: str
    idp: CognitoClient
    pool_id: str


#: Elements that run past the screen, or whose content runs past their own box (a word wider than
#: its button or cell), except what sits in a box meant to scroll sideways and what is not on
#: screen at all (the "skip" link until focused, clipped headers kept for screen readers).
OVERFLOWS = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = el => {  // clipped away, or inside a box that scrolls sideways (phone tables)
    for (let a = el; a; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.clipPath !== "none") return true;
      if (a !== el && ["auto", "scroll"].includes(style.overflowX)) return true;
    }
    return false;
  };
  const found = [];
  for (const el of document.querySelectorAll("body *")) {
    const style = getComputedStyle(el);
    if (style.display === "none" || el.closest(".skip, svg") || clipped(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
      + " " + (el.innerText || "").slice(0, 40);
    if (box.right > width + 1 || box.left < -1) found.push("off screen: " + name);
    else if (style.overflowX === "visible" && el.clientWidth > 0
             && el.scrollWidth > el.clientWidth + 1) found.push("past its box: " + name);
  }
  return found;
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """``serve`` with the embedded pool: admin ``root``, ``erik`` (enrols in the story) and
    ``neu`` (left at the set-up page)."""
    require_chromium()
    require_axe()
    tmp = tmp_path_factory.mktemp("gallery")
    with portal_with_root(tmp / "data") as (base, _backend, idp, pool):
        for name in ("erik", "neu"):
            create_user(idp, pool, name, email=f"{name}@example.com")
        yield Site(base, idp, pool)


@pytest.fixture(scope="module")
def german(site: Site) -> Iterator[dict[str, Any]]:
    """German browser contexts (``locale`` sets ``Accept-Language: de-DE``): ``erik`` and ``root``
    each enrolled and signed in, and the browser for fresh ones."""
    with launched_chromium() as browser:
        contexts: dict[str, Any] = {"browser": browser}
        for name, device in (("erik", "Diensthandy von Erik"), ("root", "")):
            context = browser.new_context(locale="de-DE", bypass_csp=True)
            page = context.new_page()
            _enrol(page, site.url, name, device)
            page.close()
            contexts[name] = context
        yield contexts


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/signin")
    page.get_by_label("Benutzername oder E-Mail-Adresse").fill(username)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def _enrol(page: Any, base: str, username: str, device: str = "") -> None:
    _sign_in(page, base, username)
    page.wait_for_url(f"{base}/mfa/setup")
    secret = str(page.locator("#secret").inner_text()).replace(" ", "")
    page.get_by_label("6-stelliger Code").fill(pyotp.TOTP(secret).now())
    if device:
        page.get_by_label("Gerätename (optional)").fill(device)
    page.get_by_role("button", name="Bestätigen und aktivieren").click()
    page.wait_for_url(lambda url: "/mfa/setup" not in url)


def _problems(page: Any, name: str, width: int, language: str = "de") -> list[str]:
    """Screenshot ``<language>-<name>.png``; what is wrong with the page, if anything."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screenshot(page, SCREENSHOTS / f"{language}-{name}.png", full_page=True)
    found = [f"{name}: {problem}" for problem in page.evaluate(OVERFLOWS)]
    if page.locator("html").get_attribute("lang") != language:
        found.append(f"{name}: <html lang> is not {language}")
    if page.evaluate("document.documentElement.scrollWidth") > width:
        found.append(f"{name}: wider than the {width}px screen")
    found.extend(f"{name}: axe {violation}" for violation in axe_violations(page))
    return found


def _check(page: Any, name: str, width: int) -> None:
    assert _problems(page, name, width) == []


@pytest.mark.parametrize("size", SIZES)
def test_the_users_pages_fit_in_german(site: Site, german: dict[str, Any], size: str) -> None:
    width, height = SIZES[size]
    fresh = german["browser"].new_context(
        locale="de-DE", bypass_csp=True, viewport={"width": width, "height": height}
    )
    page = fresh.new_page()
    page.goto(f"{site.url}/signin")
    assert page.locator("h1").inner_text() == "Anmelden"
    _check(page, f"signin-{size}", width)
    page.get_by_role("button", name="Anmelden").click()
    assert "Es gibt ein Problem" in page.locator(".error-summary").inner_text()
    _check(page, f"signin-errors-{size}", width)
    _sign_in(page, site.url, "neu")
    page.wait_for_url(f"{site.url}/mfa/setup")
    assert page.locator("h1").inner_text() == "Authenticator-App einrichten"
    _check(page, f"setup-{size}", width)
    page.get_by_role("button", name="Bestätigen und aktivieren").click()
    _check(page, f"setup-errors-{size}", width)
    fresh.close()

    page = german["erik"].new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{site.url}/account")
    assert "Diensthandy von Erik" in page.locator("main").inner_text()
    _check(page, f"account-{size}", width)
    page.goto(f"{site.url}/account/recovery-codes")
    _check(page, f"recovery-codes-{size}", width)
    page.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_console_fits_in_german(site: Site, german: dict[str, Any], size: str) -> None:
    width, height = SIZES[size]
    page = german["root"].new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{site.url}/admin/users/erik")
    assert page.locator("main form button").first.inner_text() == "Authenticator-App zurücksetzen"
    for details in page.locator("main details").all():
        details.locator("summary").click()  # every folded action open: the longest page
    _check(page, f"console-user-{size}", width)
    page.get_by_role("button", name="Authenticator-App zurücksetzen").click()
    summary = page.locator(".error-summary").inner_text()
    assert "Authenticator-App zurücksetzen: Geben Sie einen Grund für diese Aktion an." in summary
    _check(page, f"console-user-errors-{size}", width)
    page.goto(f"{site.url}/admin/audit")
    assert page.locator("#paging-status").inner_text().startswith("Einträge 1–")
    _check(page, f"console-audit-{size}", width)
    page.goto(f"{site.url}/admin")
    assert page.locator(".admin-nav [aria-current=page]").inner_text() == "Benutzer"
    _check(page, f"console-search-{size}", width)
    page.goto(f"{site.url}/admin/users/new")
    _check(page, f"console-create-{size}", width)
    page.close()


def _fill_sign_in(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    """Sign in by the fields' ids, the same in every language."""
    page.goto(f"{base}/signin")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("main button[type=submit]").first.click()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", LOCALES)
def test_every_users_page_fits_in_both_languages(
    site: Site, german: dict[str, Any], language: str, size: str
) -> None:
    """A new user (one per run) walks every page a user can reach: signed out, setting up, signed
    in, and recovering with a code. Problems are collected, so one run lists them all."""
    width, height = SIZES[size]
    user = f"gallery-{language}-{size}"
    create_user(site.idp, site.pool_id, user, email=f"{user}@example.com")
    browser = german["browser"]
    options = {"locale": LOCALES[language], "bypass_csp": True}
    viewport = {"width": width, "height": height}
    found: list[str] = []

    def visit(page: Any, name: str, path: str | None = None) -> None:
        if path is not None:
            page.goto(f"{site.url}{path}")
        found.extend(_problems(page, f"page-{name}-{size}", width, language))

    anonymous = browser.new_context(viewport=viewport, **options).new_page()
    for name, path in (
        ("signin", "/signin"),
        ("signin-ended", "/signin?ended=reset"),
        ("forgot", "/password/forgot"),
        ("reset", "/password/reset"),
        ("recover", "/recover"),
        ("not-found", "/no-such-page"),
    ):
        visit(anonymous, name, path)

    context = browser.new_context(viewport=viewport, **options)
    page = context.new_page()
    _fill_sign_in(page, site.url, user)
    page.wait_for_url(f"{site.url}/mfa/setup")
    visit(page, "setup")
    secret = str(page.locator("#secret").inner_text()).replace(" ", "")
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("main button[type=submit]").last.click()
    page.wait_for_url(lambda url: "/mfa/setup" not in url)
    visit(page, "recovery-offer")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_selector("#codes")
    visit(page, "recovery-new-codes")
    codes = page.locator("#codes code").all_inner_texts()
    for name, path in (
        ("home", "/"),
        ("account", "/account"),
        ("recovery-codes", "/account/recovery-codes"),
        ("replace", "/mfa/replace"),
        ("forbidden", "/admin"),
        ("signout", "/signout"),
    ):
        visit(page, name, path)

    second = browser.new_context(viewport=viewport, **options).new_page()
    _fill_sign_in(second, site.url, user)
    second.wait_for_url(f"{site.url}/signin/code")
    visit(second, "code")
    second.locator("main button[type=submit]").first.click()  # empty: the error state
    visit(second, "code-errors")

    newcomer = f"{user}-new"  # a temporary password: the page that asks for a new one
    create_user(site.idp, site.pool_id, newcomer, email=f"{newcomer}@example.com", permanent=False)
    _fill_sign_in(anonymous, site.url, newcomer, TEMP_PASSWORD)
    anonymous.wait_for_url(f"{site.url}/signin/new-password")
    visit(anonymous, "new-password")
    anonymous.locator("main button[type=submit]").first.click()  # empty: the error state
    visit(anonymous, "new-password-errors")
    anonymous.context.clear_cookies()

    anonymous.goto(f"{site.url}/recover")
    anonymous.locator("#username").fill(user)
    anonymous.locator("#password").fill(PASSWORD)
    anonymous.locator("#code").fill(codes[0])
    anonymous.locator("main button[type=submit]").first.click()
    visit(anonymous, "recovery-done")
    context.close()
    assert found == [], "\n".join(found)


def test_the_checker_finds_a_word_past_its_box_and_a_page_too_wide(german: dict[str, Any]) -> None:
    """The galleries' empty lists are real: the same check names what it finds."""
    page = german["browser"].new_page(viewport={"width": 390, "height": 844})
    page.set_content(
        '<html lang="en"><body><main><button style="width:60px;white-space:nowrap">'
        "Wiederherstellungscodes</button><div style='width:900px'>wide</div></main></body></html>"
    )
    found = _problems(page, "checker-self-test", 390, "de")
    (SCREENSHOTS / "de-checker-self-test.png").unlink()
    page.close()
    assert any("past its box: button" in f for f in found), found
    assert any("off screen: div" in f for f in found), found
    assert "checker-self-test: <html lang> is not de" in found
    assert "checker-self-test: wider than the 390px screen" in found
