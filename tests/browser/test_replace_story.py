"""In Chromium: a user starts "Replace your authenticator", sees the new QR code and walks away;
someone else with the password alone gets neither a session nor the set-up page."""

from __future__ import annotations

import httpx

from tests.browser.test_story import (
    CHROMIUM,
    CHROMIUM_ARGS,
    NEW_PASSWORD,
    TEMP_PASSWORD,
    _oathtool,
    _wait_for_next_step,
    portal,
)

__all__ = ["portal"]  # the served portal fixture of the whole story


def test_an_abandoned_replacement_in_chromium(portal: str) -> None:
    from playwright.sync_api import Page, expect, sync_playwright

    def sign_in(page: Page, password: str) -> None:
        page.goto(f"{portal}/signin")
        page.get_by_label("Username or email address").fill("dora")
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        victim = browser.new_context().new_page()
        sign_in(victim, TEMP_PASSWORD)
        victim.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        victim.get_by_label("Confirm new password").fill(NEW_PASSWORD)
        victim.get_by_role("button", name="Set password").click()
        secret = victim.locator("#secret").inner_text().replace(" ", "")
        victim.get_by_label("6-digit code").fill(_oathtool(secret))
        victim.get_by_role("button", name="Verify and turn on").click()
        expect(victim).not_to_have_url(f"{portal}/mfa/setup")

        _wait_for_next_step()  # the enrolment code's step is spent
        victim.goto(f"{portal}/account")
        victim.get_by_role("link", name="Replace").first.click()
        victim.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
        victim.get_by_label("6-digit code").fill(_oathtool(secret))
        victim.get_by_role("button", name="Confirm").click()
        expect(victim.locator("#qr svg")).to_be_visible()  # a new key is pending; they walk away

        attacker = browser.new_context().new_page()
        sign_in(attacker, NEW_PASSWORD)
        expect(
            attacker.get_by_role("heading", name="Enter your authentication code")
        ).to_be_visible()
        attacker.goto(f"{portal}/mfa/setup")
        expect(attacker.locator("#secret")).to_have_count(0)
        cookies = {c["name"]: c["value"] for c in attacker.context.cookies()}
        browser.close()
    verify = httpx.get(f"{portal}/auth/verify", cookies=cookies, timeout=10)
    assert verify.status_code == 401
