"""The story a new user and a support person live, in Chromium, at a desktop and a phone size.

Through Debian's nginx running the documented ``MFA_PORTAL_BASE_PATH=/_mfa`` block, in front of the
portal and a tiny protected app that serves its own ``/static/app.css``:

- a visit to ``/report?a=1&b=2`` asks for sign-in; the first enrolment (temporary password, new
  password, set-up with the QR code read by ``zbarimg`` and the code computed by ``oathtool``) ends
  on ``/report?a=1&b=2``; the set-up page's ``otpauth://`` link carries the QR code's secret;
- the app's ``/static/app.css`` is the app's, the portal's lives under ``/_mfa/static``;
- "Forgot your password?" → the reset code from the development outbox → a new password → the
  authenticator is still asked for;
- support resets the authenticator from the console, whose user page leads with that action; the
  user's open tab then says the session has ended;
- the email-code page asks for as many digits as the emailed code has.

On every page state axe-core (WCAG 2.0/2.1 A and AA) must find nothing, the page must not be wider
than the screen, and a full-page screenshot is written to ``test-artifacts/`` (``desktop-01-…``).
Selectors are roles, labels and texts, so a redesigned page still runs the same story.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.story_site import (
    ADMIN,
    ADMIN_PASSWORD,
    APP_CSS,
    BASE,
    PASSWORD,
    RESET_PASSWORD,
    TEMP_PASSWORD,
    Site,
    running_site,
)
from tests.support.axe import axe_violations
from tests.support.chromium import decode_qr, launched_chromium, screenshot, sign_in
from tests.support.tools import REPO

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "test-artifacts"
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
#: Controls smaller than 24 x 24 CSS px (WCAG 2.2's 2.5.8 minimum), but for links inside a sentence,
#: which 2.5.8 exempts, and hidden fields only password managers use: on a phone these are the ones a
#: thumb misses.
TINY_TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')]
  .filter(e => {
    if (e.closest('[aria-hidden="true"]') && e.tabIndex < 0) return false;  // not for people: a password manager's username field
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || (r.width >= 24 && r.height >= 24)) return false;
    if (e.tagName !== 'A' || getComputedStyle(e).display !== 'inline') return true;
    const block = e.closest('p, li, dd, td');
    return !block || block.textContent.trim() === e.textContent.trim();
  })
  .map(e => `${e.tagName.toLowerCase()} "${(e.textContent || e.name || '').trim().slice(0, 30)}"`
    + ` ${Math.round(e.getBoundingClientRect().width)}x${Math.round(e.getBoundingClientRect().height)}`)
"""
DESTINATION = "/report?a=1&b=2"


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with running_site() as running:
        yield running


@pytest.fixture(scope="module")
def chromium(site: Site) -> Iterator[Any]:
    with launched_chromium() as browser:
        yield browser


class Story:
    """One viewport's tabs, and the check every page state gets."""

    def __init__(self, chromium: Any, site: Site, viewport: str) -> None:
        self.site = site
        self.viewport = viewport
        self.width, height = VIEWPORTS[viewport]
        self._chromium = chromium
        self._size = {"width": self.width, "height": height}
        self.step = 0
        self.failures: list[str] = []

    def tab(self) -> Any:
        """A new browser (own cookies). ``bypass_csp`` lets the test inject axe-core into pages
        whose CSP allows only the portal's own scripts."""
        context = self._chromium.new_context(viewport=self._size, bypass_csp=True)
        context.set_default_timeout(15_000)
        return context.new_page()

    def check(self, page: Any, name: str) -> None:
        """Screenshot, then axe-core and the page width; problems are collected, not raised, so
        one run lists every page's violations."""
        self.step += 1
        state = f"{self.viewport}-{self.step:02d}-{name}"
        started = time.monotonic()
        page.wait_for_load_state("load")
        screenshot(page, ARTIFACTS / f"{state}.png", full_page=True)
        shot = time.monotonic() - started
        for v in axe_violations(page):
            self.failures.append(
                f"{state} ({page.url}): {v['id']} [{v['impact']}] {v['help']} at "
                + "; ".join(v["targets"])
            )
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > self.width:
            self.failures.append(f"{state}: the page is {wide}px wide on a {self.width}px screen")
        if self.width < 500:
            for target in page.evaluate(TINY_TARGETS):
                self.failures.append(f"{state}: tap target under 24x24 px: {target}")
        print(f"{state}: checked in {time.monotonic() - started:.2f}s (shot {shot:.2f})")

    def url(self, path: str) -> str:
        return self.site.url + path


def _secret_of(uri: str) -> str:
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp", uri
    return parse_qs(parts.query)["secret"][0]


def _latest_mail_code(story: Story, outbox: Any, recipient: str, digits: int) -> str:
    """The newest code of ``digits`` digits mailed to ``recipient``, read off the outbox page
    (straight from the portal: through nginx it is not served)."""
    outbox.goto(story.site.portal_url + f"{BASE}/dev/outbox")
    mails = outbox.get_by_role("article").filter(has_text=recipient)
    assert mails.count() > 0, f"no mail to {recipient} in the outbox"
    text = mails.first.inner_text()  # newest first
    found = re.findall(rf"(?<!\d)(\d{{{digits}}})(?!\d)", text)
    assert found, f"no {digits}-digit code in: {text}"
    return str(found[-1])


def _code_field(page: Any) -> Any:
    return page.get_by_role("textbox", name=re.compile(r"\bcode\b", re.I))


def _submit(page: Any, name: str) -> None:
    page.get_by_role("main").get_by_role("button", name=re.compile(name, re.I)).first.click()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_story_under_a_base_path(chromium: Any, site: Site, viewport: str) -> None:
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    t0 = time.monotonic()
    story = Story(chromium, site, viewport)
    user, emailer = f"dora-{viewport}", f"emil-{viewport}"
    site.create_user(user, temporary=True)
    site.create_user(emailer, temporary=False)
    site.email_mfa_only(emailer)
    page = story.tab()

    # 1. The app's URL asks for sign-in; the first enrolment ends back on it, query string and all.
    page.goto(story.url(DESTINATION))
    expect(page).to_have_url(re.compile(re.escape(story.url(f"{BASE}/signin?next="))))
    assert page.locator(f'link[rel="stylesheet"][href="{BASE}/static/portal.css"]').count() == 1
    story.check(page, "signin")
    sign_in(page, user, TEMP_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("new password", re.I))
    story.check(page, "new-password")
    page.get_by_label(re.compile(r"^new password", re.I)).fill(PASSWORD)
    page.get_by_label(re.compile(r"^confirm", re.I)).fill(PASSWORD)
    _submit(page, "password")

    expect(page).to_have_url(story.url(f"{BASE}/mfa/setup"))
    story.check(page, "setup")
    qr_file = ARTIFACTS / f"{viewport}-qr.png"
    screenshot(page.locator("svg").first, qr_file)
    from_qr = _secret_of(decode_qr(qr_file))
    link = page.locator('a[href^="otpauth://"]')
    expect(link).to_have_count(1)
    assert _secret_of(link.get_attribute("href")) == from_qr  # "Open in authenticator app"
    _code_field(page).fill(site.totp(from_qr))
    _submit(page, "verify|turn on")

    expect(page.locator(f'a[href="{DESTINATION}"]')).to_have_count(1)
    story.check(page, "setup-done")
    page.locator(f'a[href="{DESTINATION}"]').click()
    expect(page).to_have_url(story.url(DESTINATION))
    expect(page.get_by_text(f"Signed in as {user}")).to_be_visible()
    story.check(page, "app-report")

    # 2. The app keeps its own /static; the portal's stylesheet is under the prefix.
    border = page.evaluate("getComputedStyle(document.body).borderTopWidth")
    assert border == "7px", "the app's page is not styled by the app's own /static/app.css"
    assert page.request.get(story.url("/static/app.css")).text() == APP_CSS
    portal_css = page.request.get(story.url(f"{BASE}/static/portal.css"))
    assert portal_css.ok and portal_css.text() != APP_CSS

    # 3. Sign out (the link an app shows), then forgot password → code from the outbox → TOTP.
    page.get_by_role("link", name="Sign out").click()
    expect(page).to_have_url(story.url(f"{BASE}/signout"))
    story.check(page, "signout")
    _submit(page, "^sign out$")
    expect(page.get_by_text(re.compile("signed out", re.I)).first).to_be_visible()
    story.check(page, "signed-out")
    page.get_by_role("link", name=re.compile("forgot your password", re.I)).click()
    story.check(page, "forgot")
    page.get_by_label(re.compile("username", re.I)).fill(user)
    _submit(page, "reset code")
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("reset code", re.I))
    story.check(page, "reset-code")
    outbox = story.tab()
    code = _latest_mail_code(story, outbox, f"{user}@example.com", 6)
    story.check(outbox, "outbox")
    page.get_by_label(re.compile("reset code", re.I)).fill(code)
    page.get_by_label(re.compile(r"^new password", re.I)).fill(RESET_PASSWORD)
    page.get_by_label(re.compile(r"^confirm", re.I)).fill(RESET_PASSWORD)
    _submit(page, "reset password")
    expect(page).to_have_url(re.compile(re.escape(story.url(f"{BASE}/signin"))))
    expect(page.get_by_text(re.compile("password has been changed", re.I))).to_be_visible()
    story.check(page, "password-changed")
    sign_in(page, user, RESET_PASSWORD)
    expect(page).to_have_url(story.url(f"{BASE}/signin/code"))  # the authenticator is still asked
    expect(page.get_by_role("main")).to_contain_text(re.compile("authenticator", re.I))
    story.check(page, "totp-code")
    _code_field(page).fill(site.totp(from_qr))
    _submit(page, "continue|verify|sign in")
    expect(page.get_by_text(f"Signed in as {user}")).to_be_visible()
    story.check(page, "app-home")

    # 4. Support resets the authenticator in the console; the user's open tab says why it ended.
    desk = story.tab()
    desk.goto(story.url(f"{BASE}/admin"))
    expect(desk).to_have_url(re.compile(re.escape(story.url(f"{BASE}/signin?next={BASE}/admin"))))
    story.check(desk, "admin-signin")
    sign_in(desk, ADMIN, ADMIN_PASSWORD)
    story.check(desk, "admin-code")
    _code_field(desk).fill(site.totp(site.admin_secret))
    _submit(desk, "continue|verify|sign in")
    expect(desk).to_have_url(story.url(f"{BASE}/admin"))  # a portal page as destination
    story.check(desk, "console")  # lists the users (a handful here): the user is one click away
    desk.get_by_role("main").get_by_role("link", name=user, exact=True).click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text(user)
    story.check(desk, "console-user")
    first_action = desk.get_by_role("main").get_by_role("button").first
    expect(first_action).to_have_text(re.compile(r"reset.*authenticator", re.I))
    main = desk.get_by_role("main")  # the first action's fields come first too
    main.get_by_label(re.compile("reason", re.I)).first.fill("lost phone, ticket 42")
    confirm = main.get_by_role("checkbox")
    if confirm.count():
        confirm.first.check()
    first_action.click()
    expect(desk.get_by_role("main")).to_contain_text(re.compile("authenticator", re.I))
    story.check(desk, "console-reset-done")

    page.reload()
    expect(page).to_have_url(re.compile(re.escape(story.url(f"{BASE}/signin"))))
    expect(
        page.get_by_text(re.compile("because your authenticator was reset", re.I))
    ).to_be_visible()
    story.check(page, "session-ended")

    # 5. The email-code page asks for as many digits as the emailed code has.
    mail = story.tab()
    mail.goto(story.url(DESTINATION))
    sign_in(mail, emailer, PASSWORD)
    expect(mail).to_have_url(story.url(f"{BASE}/signin/code"))
    story.check(mail, "email-code")
    emailed = _latest_mail_code(story, outbox, f"{emailer}@example.com", 8)
    field = _code_field(mail)
    label = field.evaluate("e => e.labels[0].textContent")
    assert str(len(emailed)) in label and "6" not in label, label
    assert int(field.get_attribute("maxlength")) >= len(emailed)
    field.fill(emailed)
    assert field.input_value() == emailed  # nothing cut off
    _submit(mail, "continue|verify|sign in")
    expect(mail).to_have_url(story.url(DESTINATION))
    expect(mail.get_by_text(f"Signed in as {emailer}")).to_be_visible()
    story.check(mail, "app-after-email-code")

    print(f"story: {time.monotonic() - t0:.1f}s")
    assert not story.failures, "accessibility or layout problems:\n" + "\n".join(story.failures)


def test_the_checker_reports_violations_by_rule_and_target(chromium: Any, site: Site) -> None:
    """The story's zero is a real zero: the same check names what it finds."""
    story = Story(chromium, site, "phone")
    page = story.tab()
    page.set_content(
        '<html><body><main><img src="x.png"><div style="width:2000px">wide</div></main></body></html>'
    )
    story.check(page, "checker-self-test")
    assert any(": image-alt [critical]" in f and "at img" in f for f in story.failures)
    assert any("2000" in f or "wide on a 390px screen" in f for f in story.failures)
    (ARTIFACTS / "phone-01-checker-self-test.png").unlink()
