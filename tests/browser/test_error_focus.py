"""Forms that come back with errors put the keyboard focus on their error summary, in Chromium; the
focus ring is visible (3:1 or more against the page); the pages look right at both viewports.

The pages are the portal's real responses (from the HTTP test client) with the real stylesheet and
``error-focus.js`` loaded into Chromium as the browser would; screenshots go to
``test-artifacts/screenshots/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mfa_portal.web.responses import STATIC_DIR
from tests.support.chromium import SCREENSHOTS, launched_chromium, screenshot
from tests.support.portal import PASSWORD, TEMP_PASSWORD, Browser, PortalWorld, isolated_world
from tests.web.test_contrast import contrast, parse_colour

pytestmark = pytest.mark.browser
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_chromium() as launched:
        yield launched


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PortalWorld]:
    yield from isolated_world("engine", tmp_path, monkeypatch)


def _open(browser: Any, html: str, *, scripts: bool = True, viewport: str = "desktop") -> Any:
    """The page as served, its stylesheet and (with scripts) error-focus.js inlined where the
    page links them, since the HTML is loaded without the portal's server behind it."""
    css = (STATIC_DIR / "portal.css").read_text(encoding="utf-8")
    html = html.replace(
        '<link rel="stylesheet" href="/static/portal.css">', f"<style>{css}</style>"
    )
    html = html.replace('<script src="/static/error-focus.js" defer></script>', "")
    if scripts:
        script = (STATIC_DIR / "error-focus.js").read_text(encoding="utf-8")
        html = html.replace("</body>", f"<script>{script}</script></body>")
    context = browser.new_context(java_script_enabled=scripts, viewport=VIEWPORTS[viewport])
    page = context.new_page()
    page.set_content(html, timeout=20_000)
    return page


def _focused(browser: Any, html: str, *, scripts: bool = True, wait: bool = True) -> str:
    """What has the focus once the page settled. Chromium runs ``autofocus`` at a later rendering
    step than the load event, so a busy machine can show the body still focused: poll up to 5 s
    for another element (``wait=False`` reads at once, to see that nothing took the focus)."""
    page = _open(browser, html, scripts=scripts)
    read = "document.activeElement.className || document.activeElement.id"
    for _ in range(100 if wait else 0):
        if page.evaluate("document.activeElement !== document.body"):
            break
        page.wait_for_timeout(50)
    focused = str(page.evaluate(read))
    page.context.close()
    return focused


def _error_pages(world: PortalWorld) -> dict[str, httpx.Response]:
    """One page with errors per kind of form, as the portal answers the POST."""
    pages: dict[str, httpx.Response] = {}
    anonymous = world.browser()
    anonymous.get("/signin")
    pages["signin"] = anonymous.post("/signin", {"username": "", "password": ""})
    anonymous.get("/password/reset")
    pages["reset"] = anonymous.post(
        "/password/reset", {"username": "", "code": "x", "password": "", "confirm": ""}
    )
    world.create_user("tia")
    temporary = world.browser()
    temporary.follow(temporary.sign_in("tia", TEMP_PASSWORD))
    pages["new_password"] = temporary.post(
        "/signin/new-password", {"password": "short", "confirm": "other"}
    )
    world.create_user("sam", permanent=True)
    enrolling = world.browser()
    enrolling.follow(enrolling.sign_in("sam", PASSWORD))
    pages["setup"] = enrolling.post("/mfa/setup", {"code": "12"})
    enrolling.post("/mfa/setup", {"code": world.code(enrolling.secret())})
    enrolling.get("/account")
    pages["change_password"] = enrolling.post(
        "/account/password", {"current": "", "password": "weak", "confirm": "weak"}
    )
    world.next_step()
    coded = world.browser()
    coded.sign_in("sam", PASSWORD)
    pages["code"] = coded.post("/signin/code", {"code": "1"})
    for name, page in pages.items():
        assert page.status_code == 400, name
    world.last_signed_in = enrolling  # type: ignore[attr-defined]
    return pages


def test_the_error_summary_takes_the_focus_on_every_form(browser: Any, world: PortalWorld) -> None:
    for name, page in _error_pages(world).items():
        assert _focused(browser, page.text) == "error-summary", name
        # Without scripts the summary's own autofocus does it.
        assert _focused(browser, page.text, scripts=False) == "error-summary", name
    # Without errors the script leaves the focus alone.
    forgot = world.browser().get("/password/forgot").text
    assert _focused(browser, forgot, wait=False) != "error-summary"


def test_the_summary_links_reach_their_fields(browser: Any, world: PortalWorld) -> None:
    html = _error_pages(world)["new_password"].text
    page = _open(browser, html)
    page.keyboard.press("Tab")  # from the summary to its first link
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#password"
    page.context.close()


def _ring_contrast(page: Any, selector: str) -> float:
    page.focus(selector)
    colours = page.evaluate(
        """(sel) => {
            const el = document.querySelector(sel);
            const style = getComputedStyle(el);
            let node = el.parentElement, bg = 'rgba(0, 0, 0, 0)';
            while (node && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
                bg = getComputedStyle(node).backgroundColor; node = node.parentElement;
            }
            return [style.outlineColor, style.outlineStyle, style.outlineWidth, bg];
        }""",
        selector,
    )
    ring, style, width, background = colours
    assert style == "solid" and float(width.rstrip("px")) >= 2, (selector, style, width)
    if background in ("rgba(0, 0, 0, 0)", "transparent"):
        background = "rgb(255, 255, 255)"
    return contrast(parse_colour(ring), parse_colour(background))


def test_the_focus_ring_is_visible_on_every_kind_of_control(
    browser: Any, world: PortalWorld
) -> None:
    pages = _error_pages(world)
    for viewport in VIEWPORTS:
        page = _open(browser, pages["change_password"].text, viewport=viewport)
        page.keyboard.press("Tab")  # keyboard focus: :focus-visible applies
        for selector in ("#current", "button[type=submit]", "a[href='/mfa/replace']", ".secondary"):
            page.keyboard.press("Tab")
            assert _ring_contrast(page, selector) >= 3.0, selector
        page.focus("#current")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        screenshot(page, SCREENSHOTS / f"focus-ring-{viewport}.png")
        page.context.close()


def test_screens_of_the_new_states(browser: Any, world: PortalWorld) -> None:
    """The error summaries, the account's methods and a session-end reason, at both sizes."""
    pages = _error_pages(world)
    signed_in: Browser = world.last_signed_in  # type: ignore[attr-defined]
    pages["account"] = signed_in.get("/account")
    assert "Your sign-in methods" in pages["account"].text
    pages["ended_reset"] = world.browser().get("/signin?ended=reset")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for viewport in VIEWPORTS:
        for name, response in pages.items():
            page = _open(browser, response.text, viewport=viewport)
            path = SCREENSHOTS / f"errors-{name}-{viewport}.png"
            screenshot(page, path, full_page=True)
            assert path.stat().st_size > 1000
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= VIEWPORTS[viewport]["width"], (name, viewport, width)
            page.context.close()
