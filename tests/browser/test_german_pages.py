"""The pages in German (``Accept-Language: de``) at a laptop's and a phone's size, in headless Chromium.

German words are long ("Wiederherstellungscodes", "Authenticator-App zurücksetzen"): every page a
user or support reads must still fit its screen, with no word or button running past its box. Each
state is saved to ``test-artifacts/screenshots/de-*.png`` and checked with axe-core (WCAG 2.1 A/AA),
for ``<html lang="de">`` and for elements wider than the screen or than their own box.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest

from mfa_portal.cognito_api.client import CognitoError
from mfa_portal.pool.passwords import PasswordHasher
from mfa_portal.settings import load_settings
from mfa_portal.wiring.app import serving_app
from mfa_portal.wiring.backend import open_embedded
from tests.browser.test_console_pages import AXE, SIZES, _axe
from tests.browser.test_story import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS
from tests.support.backends import PASSWORD
from tests.support.setup import create_user
from tests.support.tools import require_tool
from tests.support.wire import ServerThread, bound_socket

pytestmark = pytest.mark.browser

#: Elements that run past the screen, or whose content runs past their own box (a word wider than
#: its button or cell), except boxes meant to scroll and what is not on screen at all (the "skip"
#: link until focused, clipped headers kept for screen readers).
OVERFLOWS = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = el => {
    for (let a = el; a; a = a.parentElement) {
      if (getComputedStyle(a).clipPath !== "none") return true;
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
def site() -> Iterator[str]:
    """``serve`` with the embedded pool: admin ``root``, ``erik`` (enrols in the story) and
    ``neu`` (left at the set-up page)."""
    require_tool("chromium", Path(CHROMIUM))
    require_tool("axe-core", AXE)
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("MFA_PORTAL_")}
    with tempfile.TemporaryDirectory() as tmp:
        sock = bound_socket()
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        settings = load_settings(data_dir=Path(tmp) / "data", enrolment_proof="none")
        backend = open_embedded(
            settings, base_url=base, hasher=PasswordHasher(memory_kib=1024, time_cost=1)
        )
        idp, pool = backend.client, backend.settings.user_pool_id or ""
        try:
            idp.call("CreateGroup", UserPoolId=pool, GroupName="admins")
        except CognitoError:
            pass  # the first start made it
        create_user(idp, pool, "root", groups=("admins",))
        for name in ("erik", "neu"):
            create_user(idp, pool, name, email=f"{name}@example.com")
        server = ServerThread(serving_app(backend), sock)
        server.start()
        try:
            yield base
        finally:
            server.stop()
            backend.close()
            os.environ.update(saved)


@pytest.fixture(scope="module")
def german(site: str) -> Iterator[dict[str, Any]]:
    """German browser contexts (``locale`` sets ``Accept-Language: de-DE``): ``erik`` and ``root``
    each enrolled and signed in, and the browser for fresh ones."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        contexts: dict[str, Any] = {"browser": browser}
        for name, device in (("erik", "Diensthandy von Erik"), ("root", "")):
            context = browser.new_context(locale="de-DE", bypass_csp=True)
            page = context.new_page()
            _enrol(page, site, name, device)
            page.close()
            contexts[name] = context
        yield contexts
        browser.close()


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


def _check(page: Any, name: str, width: int) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"de-{name}.png"), full_page=True)
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.evaluate(OVERFLOWS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert _axe(page) == []


@pytest.mark.parametrize("size", SIZES)
def test_the_users_pages_fit_in_german(site: str, german: dict[str, Any], size: str) -> None:
    width, height = SIZES[size]
    fresh = german["browser"].new_context(
        locale="de-DE", bypass_csp=True, viewport={"width": width, "height": height}
    )
    page = fresh.new_page()
    page.goto(f"{site}/signin")
    assert page.locator("h1").inner_text() == "Anmelden"
    _check(page, f"signin-{size}", width)
    page.get_by_role("button", name="Anmelden").click()
    assert "Es gibt ein Problem" in page.locator(".error-summary").inner_text()
    _check(page, f"signin-errors-{size}", width)
    _sign_in(page, site, "neu")
    page.wait_for_url(f"{site}/mfa/setup")
    assert page.locator("h1").inner_text() == "Authenticator-App einrichten"
    _check(page, f"setup-{size}", width)
    page.get_by_role("button", name="Bestätigen und aktivieren").click()
    _check(page, f"setup-errors-{size}", width)
    fresh.close()

    page = german["erik"].new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{site}/account")
    assert "Diensthandy von Erik" in page.locator("main").inner_text()
    _check(page, f"account-{size}", width)
    page.goto(f"{site}/account/recovery-codes")
    _check(page, f"recovery-codes-{size}", width)
    page.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_console_fits_in_german(site: str, german: dict[str, Any], size: str) -> None:
    width, height = SIZES[size]
    page = german["root"].new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{site}/admin/users/erik")
    assert page.locator("main form button").first.inner_text() == "Authenticator-App zurücksetzen"
    for details in page.locator("main details").all():
        details.locator("summary").click()  # every folded action open: the longest page
    _check(page, f"console-user-{size}", width)
    page.get_by_role("button", name="Authenticator-App zurücksetzen").click()
    summary = page.locator(".error-summary").inner_text()
    assert "Authenticator-App zurücksetzen: Geben Sie einen Grund für diese Aktion an." in summary
    _check(page, f"console-user-errors-{size}", width)
    page.goto(f"{site}/admin/audit")
    assert page.locator("#paging-status").inner_text().startswith("Einträge 1–")
    _check(page, f"console-audit-{size}", width)
    page.close()
