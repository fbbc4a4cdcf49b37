"""A form that comes back with errors puts the keyboard focus on its error summary, in Chromium.

The page is the portal's real reset-code page with field errors; the script is the one ``/static``
serves (``error-focus.js``), loaded into the page as the browser would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mfa_portal.web.responses import STATIC_DIR
from tests.browser.test_story import CHROMIUM, CHROMIUM_ARGS
from tests.support.portal import isolated_world
from tests.support.tools import require_tool

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_tool("chromium", Path(CHROMIUM))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


def _focused(browser: Any, html: str) -> str:
    page = browser.new_page()
    page.set_content(html)
    page.add_script_tag(content=(STATIC_DIR / "error-focus.js").read_text(encoding="utf-8"))
    focused = str(page.evaluate("document.activeElement.className || document.activeElement.id"))
    page.close()
    return focused


def test_the_error_summary_takes_the_focus(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = next(isolated_world("engine", tmp_path, monkeypatch))
    portal = world.browser()
    portal.get("/password/reset")
    page = portal.post(
        "/password/reset", {"username": "", "code": "x", "password": "", "confirm": ""}
    )
    assert page.status_code == 400
    assert _focused(browser, page.text) == "error-summary"
    # Without errors the script leaves the focus alone.
    assert _focused(browser, portal.get("/password/forgot").text) != "error-summary"
