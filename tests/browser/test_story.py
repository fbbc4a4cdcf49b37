"""The whole story in headless Chromium against a real portal server, as a person would live it.

An admin-created user signs in with the temporary password, sets a new one, is forced to the set-up
page; the test reads the QR code off the screen as a phone would (``zbarimg``), computes the code
independently (``oathtool``), reaches the home page, signs out, signs in again with a TOTP code, and
is refused with a replayed code. Every page is saved to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.backends import PASSWORD, TEMP_PASSWORD
from tests.support.chromium import (
    SCREENSHOTS,
    choose_new_password,
    decode_qr,
    enrol,
    launched_chromium,
    oathtool,
    require_chromium,
    screenshot,
    sign_in,
    wait_for_next_step,
)
from tests.support.served_portal import portal_in_thread
from tests.support.setup import create_user
from tests.support.tools import require_tool

pytestmark = pytest.mark.browser

NEW_PASSWORD = PASSWORD


def _require_tools() -> None:
    require_chromium()
    require_tool("zbarimg")
    require_tool("oathtool")


@pytest.fixture
def portal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``mfa-portal serve`` on a free port with ``dora``, invited with a temporary password."""
    _require_tools()
    for name in list(os.environ):
        if name.startswith("MFA_PORTAL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    with portal_in_thread(
        tmp_path / "data",
        initial_admin_password="Admin-Temp-123!",
        enrolment_proof="none",  # production mode has no mailbox here; the proof has HTTP tests
    ) as (base, backend):
        create_user(backend.client, backend.settings.user_pool_id or "", "dora", permanent=False)
        yield base


def test_the_whole_story_in_chromium(portal: str) -> None:
    from playwright.sync_api import expect

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with launched_chromium() as browser:
        page = browser.new_page(viewport={"width": 420, "height": 900})

        def shot(name: str) -> None:
            screenshot(page, SCREENSHOTS / f"{name}.png", full_page=True)

        def sign_in_as_dora(password: str) -> None:
            sign_in(page, "dora", password, at=f"{portal}/signin")

        page.goto(f"{portal}/")
        expect(page).to_have_url(f"{portal}/signin?next=/")
        shot("01-sign-in")
        sign_in_as_dora(TEMP_PASSWORD)

        expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
        shot("02-new-password")
        choose_new_password(page, NEW_PASSWORD)

        expect(page.get_by_role("heading", name="Set up your authenticator")).to_be_visible()
        shot("03-set-up-authenticator")
        page.goto(f"{portal}/account")  # the restricted session reaches nothing else
        expect(page).to_have_url(f"{portal}/mfa/setup")
        qr_file = SCREENSHOTS / "03b-qr-code.png"
        screenshot(page.locator("#qr svg"), qr_file)
        uri = decode_qr(qr_file)
        parts = urlsplit(uri)
        assert parts.scheme == "otpauth" and parts.netloc == "totp"
        assert parts.path == "/mfa-portal:dora@example.com"
        query = parse_qs(parts.query)
        assert query["issuer"] == ["mfa-portal"]
        secret = query["secret"][0]
        shown = enrol(page, oathtool, device="Test phone")
        assert shown == secret  # the key written out is the QR code's
        shot("04-after-enrolment")

        page.goto(f"{portal}/")
        expect(page.locator("#signed-in-as")).to_have_text("You are signed in as dora.")
        shot("05-home")
        page.goto(f"{portal}/account")
        expect(page.locator("#mfa-status")).to_have_text("On")
        shot("06-account")
        page.get_by_role("button", name="Sign out", exact=True).first.click()
        expect(page.get_by_text("You have been signed out.")).to_be_visible()
        shot("07-signed-out")

        wait_for_next_step()  # the enrolment code's step is spent
        sign_in_as_dora(NEW_PASSWORD)
        expect(page.get_by_role("heading", name="Enter your authentication code")).to_be_visible()
        shot("08-code")
        code = oathtool(secret)
        page.get_by_label("6-digit code").fill(code)
        page.get_by_role("button", name="Continue").click()
        expect(page.locator("#signed-in-as")).to_have_text("You are signed in as dora.")
        shot("09-home-after-totp")
        page.get_by_role("button", name="Sign out").first.click()

        sign_in_as_dora(NEW_PASSWORD)
        page.get_by_label("6-digit code").fill(code)  # the same code again: a replay
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("alert")).to_contain_text("That code is not right")
        shot("10-replayed-code-refused")
        page.goto(f"{portal}/")
        expect(page).to_have_url(f"{portal}/signin?next=/")
