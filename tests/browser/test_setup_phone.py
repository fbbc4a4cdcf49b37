"""The set-up page on the phone itself, in Chromium: the QR code read off the screen (``zbarimg``)
carries the same ``otpauth://`` URI as the "Open in authenticator app" link, and the "Copy key"
button appears only with scripts and puts the key on the clipboard.

The page is the portal's real set-up page; it and ``/static`` are served to Chromium from an
``https://`` origin (a secure context, where the clipboard exists).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from mfa_portal.web.responses import STATIC_DIR
from tests.support.chromium import decode_qr, launched_chromium, screenshot
from tests.support.portal import PASSWORD, isolated_world
from tests.support.tools import require_tool

pytestmark = pytest.mark.browser
ORIGIN = "https://portal.test"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_tool("zbarimg")
    with launched_chromium() as launched:
        yield launched


@pytest.fixture
def setup_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """The set-up page's HTML for a freshly signed-in user, and the key it shows."""
    world = next(isolated_world("engine", tmp_path, monkeypatch))
    world.create_user("alice", permanent=True, email="alice@example.com")
    portal = world.browser(enrolment_proof="none")
    page = portal.follow(portal.sign_in("alice", PASSWORD))
    assert page.status_code == 200
    return page.text, portal.secret()


def _open(browser: Any, html: str, *, scripts: bool) -> tuple[Any, Any]:
    context = browser.new_context(
        java_script_enabled=scripts, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()

    def serve(route: Any) -> None:
        path = route.request.url.removeprefix(ORIGIN)
        if path.startswith("/static/"):
            file = STATIC_DIR / path.removeprefix("/static/")
            kind = "text/javascript" if file.suffix == ".js" else "text/css"
            route.fulfill(body=file.read_text(encoding="utf-8"), content_type=kind)
        else:
            route.fulfill(body=html, content_type="text/html")

    page.route(f"{ORIGIN}/**", serve)
    page.goto(f"{ORIGIN}/mfa/setup")
    return context, page


def test_the_qr_on_screen_and_the_open_link_carry_one_uri(
    browser: Any, setup_page: tuple[str, str], tmp_path: Path
) -> None:
    html, secret = setup_page
    context, page = _open(browser, html, scripts=False)
    image = tmp_path / "qr.png"
    screenshot(page.locator("#qr svg"), image)
    decoded = decode_qr(image)
    link = page.get_by_role("link", name="Open in authenticator app")
    assert link.get_attribute("href") == decoded
    assert f"secret={secret}&" in decoded
    # Without scripts the page still works: no copy button, the key is there to select.
    assert not page.get_by_role("button", name="Copy key").is_visible()
    assert page.locator("#secret").inner_text().replace(" ", "") == secret
    context.close()


def test_copy_key_puts_the_key_on_the_clipboard(browser: Any, setup_page: tuple[str, str]) -> None:
    html, secret = setup_page
    context, page = _open(browser, html, scripts=True)
    button = page.get_by_role("button", name="Copy key")
    button.click()
    # The page writes the clipboard (a promise) before it says so: wait for the words, as a reader
    # would, rather than reading the status at the instant of the click.
    expect(page.locator("#copy-status")).to_have_text(
        "Key copied. Paste it into your authenticator app.", timeout=10_000
    )
    assert page.evaluate("navigator.clipboard.readText()") == secret
    context.close()
