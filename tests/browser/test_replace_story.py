"""In Chromium: a user starts "Replace your authenticator", sees the new QR code and walks away;
someone else with the password alone gets neither a session nor the set-up page."""

from __future__ import annotations

import httpx

from tests.browser.test_story import portal
from tests.support.backends import PASSWORD, TEMP_PASSWORD
from tests.support.chromium import (
    choose_new_password,
    enrol,
    launched_chromium,
    oathtool,
    sign_in,
    wait_for_next_step,
)

__all__ = ["portal"]  # the served portal fixture of the whole story


def test_an_abandoned_replacement_in_chromium(portal: str) -> None:
    from playwright.sync_api import expect

    with launched_chromium() as browser:
        victim = browser.new_context().new_page()
        sign_in(victim, "dora", TEMP_PASSWORD, at=f"{portal}/signin")
        choose_new_password(victim, PASSWORD)
        secret = enrol(victim, oathtool)

        wait_for_next_step()  # the enrolment code's step is spent
        victim.goto(f"{portal}/account")
        victim.get_by_role("link", name="Replace").first.click()
        victim.get_by_label("Password", exact=True).fill(PASSWORD)
        victim.get_by_label("6-digit code").fill(oathtool(secret))
        victim.get_by_role("button", name="Confirm").click()
        expect(victim.locator("#qr svg")).to_be_visible()  # a new key is pending; they walk away

        attacker = browser.new_context().new_page()
        sign_in(attacker, "dora", PASSWORD, at=f"{portal}/signin")
        expect(
            attacker.get_by_role("heading", name="Enter your authentication code")
        ).to_be_visible()
        attacker.goto(f"{portal}/mfa/setup")
        expect(attacker.locator("#secret")).to_have_count(0)
        cookies = {c["name"]: c["value"] for c in attacker.context.cookies()}
    verify = httpx.get(f"{portal}/auth/verify", cookies=cookies, timeout=10)
    assert verify.status_code == 401
