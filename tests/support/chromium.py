"""Debian's Chromium through Playwright, and what the person in front of it does the same way in
every browser story: read the QR code off the screen (``zbarimg``), compute a code on their own
authenticator (``oathtool``), sign in, choose a new password, turn on the authenticator.

Selectors are the labels and button names a person reads (``mfa_portal.web.strings``).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.tools import REPO, require_tool

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"


def require_chromium() -> None:
    require_tool("chromium", Path(CHROMIUM))


@contextmanager
def launched_chromium() -> Iterator[Any]:
    """A headless Chromium (a Playwright ``Browser``); missing Chromium skips (fails in CI)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(target: Any, path: Path, **options: Any) -> None:
    """``target.screenshot`` (a page or a locator) to ``path``. Headless Chromium sometimes answers a
    capture with "Unable to capture screenshot" when the machine is busy (a compositor frame was not
    ready); that is the browser's hiccup, not the page's, so the capture is tried up to three times."""
    from playwright.sync_api import Error

    for attempt in range(3):
        try:
            target.screenshot(path=str(path), **options)
            return
        except Error as exc:
            if "Unable to capture screenshot" not in str(exc) or attempt == 2:
                raise
            time.sleep(0.5)


def decode_qr(image: Path) -> str:
    """What a phone's camera reads off a screenshot of a QR code."""
    out = subprocess.run(
        ["zbarimg", "--raw", "-q", str(image)],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    )
    return out.stdout.strip()


def oathtool(secret: str, at: float | None = None) -> str:
    """The code an independent authenticator shows for ``secret`` now (or at ``at``)."""
    when = [] if at is None else [f"--now=@{int(at)}"]
    out = subprocess.run(
        ["oathtool", "--totp", "-b", *when, secret],
        check=True,
        capture_output=True,
        text=True,
        timeout=10,
    )
    return out.stdout.strip()


def wait_for_next_step() -> None:
    """Sleep into the next 30-second TOTP step (a portal on the real clock: the code is spent)."""
    time.sleep(30 - time.time() % 30 + 1)


def sign_in(page: Any, username: str, password: str, *, at: str | None = None) -> None:
    """Fill in and send the sign-in form (first opening ``at``, a sign-in page's URL)."""
    if at is not None:
        page.goto(at)
    page.get_by_label("Username or email address").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def choose_new_password(page: Any, password: str) -> None:
    """The page after a temporary password: the new one, twice."""
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("Confirm new password").fill(password)
    page.get_by_role("button", name="Set password").click()


def enrol(page: Any, code: Callable[[str], str], *, device: str = "") -> str:
    """On the set-up page: take the key shown, type ``code(key)``, turn it on; the key."""
    secret = str(page.locator("#secret").inner_text()).replace(" ", "")
    page.get_by_label("6-digit code").fill(code(secret))
    if device:
        page.get_by_label("Device name (optional)").fill(device)
    page.get_by_role("button", name="Verify and turn on").click()
    page.wait_for_url(lambda url: "/mfa/setup" not in url)
    return secret
