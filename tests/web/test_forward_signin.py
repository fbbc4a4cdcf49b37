"""``/auth/signin``: nginx's refused visitors reach ``/signin`` with their whole original URI.

nginx passes ``$request_uri`` raw in ``X-Original-URI``; the portal URL-encodes it into ``next``,
so no query parameter is lost and no other site can be the destination.
"""

from __future__ import annotations

import html
import re

import pytest

from tests.support.portal import PASSWORD, Browser, EnrolledUser, PortalWorld

NEXT_FIELD = re.compile(r'name="next" value="([^"]*)"')
HEADER = "X-Original-URI"


def next_field(browser: Browser, location: str) -> str:
    """The ``next`` the sign-in page at ``location`` would submit, as the browser would send it."""
    page = browser.get(location)
    assert page.status_code == 200
    found = NEXT_FIELD.findall(page.text)
    assert len(found) == 1
    return html.unescape(found[0])


def test_without_the_header_the_visitor_goes_to_plain_sign_in(engine_world: PortalWorld) -> None:
    answer = engine_world.browser().get("/auth/signin")
    assert (answer.status_code, answer.headers["location"]) == (302, "/signin")
    assert answer.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "original",
    [
        "//evil.example/x",
        "https://evil",
        "https://evil.example/report?a=1",
        "/\\evil.example",
        "/https://evil.example",
        "report?a=1",
        "/x\tSet-Cookie: a=b",
        "",
    ],
)
def test_an_unsafe_original_uri_is_dropped(engine_world: PortalWorld, original: str) -> None:
    browser = engine_world.browser()
    answer = browser.get("/auth/signin", headers={HEADER: original})
    assert (answer.status_code, answer.headers["location"]) == (302, "/signin")
    assert next_field(browser, answer.headers["location"]) == "/"


def test_the_whole_query_string_is_kept(engine_world: PortalWorld) -> None:
    browser = engine_world.browser()
    answer = browser.get("/auth/signin", headers={HEADER: "/report?a=1&b=2"})
    assert answer.status_code == 302
    assert answer.headers["location"] == "/signin?next=/report%3Fa%3D1%26b%3D2"
    assert next_field(browser, answer.headers["location"]) == "/report?a=1&b=2"


@pytest.mark.parametrize(
    ("original", "location"),
    [
        ("/report?q=a#top", "/signin?next=/report%3Fq%3Da%23top"),
        ("/search?q=%23tag&x=a+b", "/signin?next=/search%3Fq%3D%2523tag%26x%3Da%2Bb"),
    ],
)
def test_fragment_and_percent_characters_survive(
    engine_world: PortalWorld, original: str, location: str
) -> None:
    browser = engine_world.browser()
    answer = browser.get("/auth/signin", headers={HEADER: original})
    assert answer.headers["location"] == location
    assert next_field(browser, location) == original


def test_raw_utf8_bytes_in_the_path_are_encoded_as_utf8(engine_world: PortalWorld) -> None:
    browser = engine_world.browser()
    answer = browser.get("/auth/signin", headers={HEADER: "/café?x=1".encode()})
    assert answer.headers["location"] == "/signin?next=/caf%C3%A9%3Fx%3D1"
    assert next_field(browser, answer.headers["location"]) == "/café?x=1"


def test_head_requests_are_answered_too(engine_world: PortalWorld) -> None:
    answer = engine_world.browser().http.head("/auth/signin", headers={HEADER: "/a?b=1&c=2"})
    assert (answer.status_code, answer.headers["location"]) == (
        302,
        "/signin?next=/a%3Fb%3D1%26c%3D2",
    )


def test_sign_in_returns_to_the_full_original_uri(world: PortalWorld) -> None:
    """Anonymous → /auth/signin → /signin → password → the original URI, query string intact."""
    world.create_user("alice", permanent=True)
    browser = world.browser()
    sent = browser.get("/auth/signin", headers={HEADER: "/report?a=1&b=2"})
    nxt = next_field(browser, sent.headers["location"])
    restricted = browser.post("/signin", {"username": "alice", "password": PASSWORD, "next": nxt})
    assert restricted.headers["location"] == "/mfa/setup"
    browser.get("/mfa/setup")
    offer = browser.post("/mfa/setup", {"code": world.code(browser.secret())}, follow=True)
    assert offer.status_code == 200 and "recovery codes" in offer.text.lower()
    assert 'href="/report?a=1&amp;b=2"' in offer.text  # "Continue" goes where the user was going


def test_a_signed_in_visitor_is_sent_straight_back(enrolled: EnrolledUser) -> None:
    browser, _ = enrolled()
    sent = browser.get("/auth/signin", headers={HEADER: "/report?a=1&b=2"})
    back = browser.get(sent.headers["location"])
    assert (back.status_code, back.headers["location"]) == (303, "/report?a=1&b=2")
