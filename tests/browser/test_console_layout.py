"""The stylesheet on the support console's kind of page, measured in headless Chromium.

The console has search fields, drop-downs and wide tables (the audit trail has eight columns). They
must look like the portal's other controls and never push the page wider than the screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mfa_portal.web.responses import STATIC_DIR
from tests.support.chromium import launched_chromium

pytestmark = pytest.mark.browser

DETAIL = (
    "authenticator removed and all sessions signed out; the notification email could not be sent"
)
ROW = (
    "".join(
        f"<td>{v}</td>"
        for v in ("2026-11-28T18:10:35Z", "cli:root", "carol", "reset-mfa", "success", "x", DETAIL)
    )
    + "<td>127.0.0.1</td>"
)
PAGE = f"""<!doctype html><html><head><meta name="viewport" content="width=device-width"></head>
<body><header class="top"><a class="brand" href="/">Portal</a></header><main>
<h1>Audit trail</h1>
<form method="get"><div class="field"><label for="q">Username or email starts with</label>
<input id="q" type="search"></div>
<div class="field"><label for="s">Status</label><select id="s"><option>Any</option></select></div>
<button type="submit">Search</button></form>
<table id="audit"><caption>1 entry</caption><thead><tr>{"<th>Column</th>" * 8}</tr></thead>
<tbody>{("<tr>" + ROW + "</tr>") * 3}</tbody></table>
<pre>{DETAIL} {DETAIL}</pre></main></body></html>"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_chromium() as launched:
        yield launched


def _page(browser: Any, width: int) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.set_content(PAGE)
    page.add_style_tag(content=(STATIC_DIR / "portal.css").read_text(encoding="utf-8"))
    return page


def test_console_controls_look_like_the_other_fields(browser: Any) -> None:
    page = _page(browser, 1100)
    select = page.locator("#s").bounding_box()
    search = page.locator("#q").bounding_box()
    assert select["height"] >= 36 and select["width"] >= 180  # not the browser's tiny default
    assert search["height"] >= 36 and search["width"] >= 400
    page.close()


@pytest.mark.parametrize("width", [1100, 375])
def test_wide_tables_and_mail_bodies_never_widen_the_page(browser: Any, width: int) -> None:
    page = _page(browser, width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    table = page.locator("#audit").bounding_box()
    assert table["x"] + table["width"] <= width
    page.close()
