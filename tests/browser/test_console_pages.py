"""The console's user page and audit view in headless Chromium at a laptop's and a phone's size.

A real ``serve`` app with the embedded pool: an admin and a user enrol through the pages (the user
names her phone), the user then fails to sign in a few ways, support acts on her, and the trail is
long enough to page. Each state is saved to ``test-artifacts/screenshots/console-*.png`` and
checked with axe-core (WCAG 2.1 A and AA): no violation. Layout checks: the reset is the first
action, the audit filters fit one row at 1280 px, nothing scrolls sideways on the phone, and the
error summary takes the focus.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyotp
import pytest

from mfa_portal.admin import actions
from mfa_portal.admin.support import Actor
from mfa_portal.wiring.support import build_support
from tests.support.axe import axe_violations, require_axe
from tests.support.backends import PASSWORD
from tests.support.chromium import (
    SCREENSHOTS,
    enrol,
    launched_chromium,
    require_chromium,
    screenshot,
    sign_in,
)
from tests.support.served_portal import portal_with_root
from tests.support.setup import create_user

pytestmark = pytest.mark.browser

SIZES = {"laptop": (1280, 800), "phone": (390, 844)}


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """``serve`` on a free port with an admin ``root`` and a user ``dora``, neither enrolled yet."""
    require_chromium()
    require_axe()
    tmp = tmp_path_factory.mktemp("console")
    with portal_with_root(tmp / "data") as (base, backend, idp, pool):
        create_user(idp, pool, "dora", email="dora@example.com")
        yield {"base": base, "support": build_support(backend.settings, idp, pool)}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with launched_chromium() as browser:
        yield browser


def _sign_in(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    sign_in(page, username, password, at=f"{base}/signin")


def _enrol(page: Any, base: str, username: str, device: str = "") -> str:
    _sign_in(page, base, username)
    page.wait_for_url(f"{base}/mfa/setup")
    return enrol(page, lambda secret: pyotp.TOTP(secret).now(), device=device)


def _check(page: Any, name: str, width: int) -> None:
    """Screenshot, axe, and no sideways scrolling."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screenshot(page, SCREENSHOTS / f"console-{name}.png", full_page=False)
    screenshot(page, SCREENSHOTS / f"console-{name}-full.png", full_page=True)
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.fixture(scope="module")
def admin_context(console: dict[str, Any], chromium: Any) -> Iterator[Any]:
    """A signed-in admin's browser context, after dora's story has filled the trail."""
    base, support = console["base"], console["support"]
    dora = chromium.new_context(bypass_csp=True)
    page = dora.new_page()
    secret = _enrol(page, base, "dora", device="Pixel 8")
    dora.clear_cookies()
    _sign_in(page, base, "dora", "Wrong-Password-1!")  # a wrong password
    _sign_in(page, base, "dora", "Wrong-Password-2!")  # the same kind again: counted only
    _sign_in(page, base, "dora")
    page.get_by_label("6-digit code").fill(
        "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    )
    page.get_by_role("button", name="Continue").click()
    _sign_in(page, base, "ghost", "Nothing-1!")  # a name nobody has
    dora.close()
    root = Actor("cli:operator", "10.0.0.8")
    actions.set_attributes(support, root, "dora", {"name": "Dora Lee"}, "ticket 4411: new name")
    for number in range(55):  # enough to page: 50 per page
        actions.sign_out(support, root, "dora", f"ticket {5000 + number}: signed out on request")
    context = chromium.new_context(bypass_csp=True)
    _enrol(context.new_page(), base, "root")
    yield context
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_user_page_leads_with_the_reset(
    console: dict[str, Any], admin_context: Any, size: str
) -> None:
    width, height = SIZES[size]
    page = admin_context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{console['base']}/admin/users/dora")
    first_button = page.locator("main form button").first
    assert first_button.inner_text() == "Reset authenticator"
    assert first_button.bounding_box()["y"] < height  # on the first screen
    assert page.locator("#device").inner_text() == "Pixel 8"
    assert page.locator("#recent li").count() == 10
    assert page.get_by_role("link", name="All audit entries for dora").is_visible()
    _check(page, f"user-{size}", width)
    # destructive actions are folded, red and below everything else
    delete = page.locator("details#delete")
    assert delete.get_attribute("open") is None
    delete.locator("summary").click()
    red = delete.get_by_role("button", name="Delete user").evaluate(
        "b => getComputedStyle(b).backgroundColor"
    )
    assert red == "rgb(180, 35, 24)"

    # an empty submit of the reset: both problems named, the summary takes the focus
    page.get_by_role("button", name="Reset authenticator").click()
    summary = page.locator(".error-summary")
    assert "Reset the authenticator: give a reason for this action." in summary.inner_text()
    assert "Reset the authenticator: tick the box to confirm." in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    reason = page.locator("#reset-mfa-reason")
    assert reason.get_attribute("aria-invalid") == "true"
    assert reason.get_attribute("aria-describedby") == "reset-mfa-reason-error"
    _check(page, f"user-errors-{size}", width)
    page.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_audit_view_is_compact_and_pages(
    console: dict[str, Any], admin_context: Any, size: str
) -> None:
    width, height = SIZES[size]
    page = admin_context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{console['base']}/admin/audit")
    status = page.locator("#paging-status").inner_text()
    assert status.startswith("Entries 1–50 of ")
    if size == "laptop":
        boxes = page.locator("form.filters > .filter-row > *").evaluate_all(
            "els => els.map(e => [e.getBoundingClientRect().top, e.getBoundingClientRect().bottom])"
        )
        assert max(t for t, _ in boxes) < min(b for _, b in boxes), f"the filters wrap: {boxes}"
        assert page.locator("#audit tbody tr").first.bounding_box()["y"] < height
    else:  # each entry a card of labelled lines as wide as the screen allows
        cell = page.locator("#audit tbody tr td.col-target").first.bounding_box()
        assert cell["width"] > width * 0.75
    _check(page, f"audit-{size}", width)
    page.get_by_role("link", name="Older entries").click()
    assert page.locator("#paging-status").inner_text().startswith("Entries 51–")
    page.goto(f"{console['base']}/admin/audit?kind=sign-in")
    rows = page.locator("#audit tbody tr")
    actions_shown = {rows.nth(i).locator(".col-action").inner_text() for i in range(rows.count())}
    assert actions_shown == {
        "sign-in.wrong-password",
        "sign-in.wrong-code",
        "sign-in.no-such-user",
    } or actions_shown == {"sign-in.wrong-password", "sign-in.wrong-code"}
    _check(page, f"audit-sign-in-{size}", width)
    page.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_other_console_pages_share_the_look(
    console: dict[str, Any], admin_context: Any, size: str
) -> None:
    width, height = SIZES[size]
    page = admin_context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{console['base']}/admin")
    assert page.locator(".admin-nav [aria-current=page]").inner_text() == "Users"
    _check(page, f"search-{size}", width)
    # Every cell of the user list is on screen, whole: the list never scrolls sideways (on a
    # phone each user is a card of labelled lines), so no status is cut to "FORCE_CHAN".
    users = page.locator("#users")
    assert users.evaluate("t => getComputedStyle(t).overflowX") == "visible"
    cells = page.locator("#users td").all()
    assert cells
    for cell in cells:
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        assert cell.evaluate("c => c.scrollWidth <= c.clientWidth + 1"), cell.inner_text()
    page.goto(f"{console['base']}/admin/users/new")
    _check(page, f"create-{size}", width)
    page.close()
