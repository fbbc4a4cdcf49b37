"""HEAD is answered wherever GET is, and the trailing-slash redirect never names a host.

A forged ``Host`` header used to come back in the absolute ``Location`` of the redirect that drops
a trailing slash (``/account/`` → ``http://evil.example/account``)."""

from __future__ import annotations

import pytest

from tests.support.portal import Browser, PortalWorld, enrol

EVIL = {"Host": "evil.example"}


@pytest.mark.parametrize("path", ["/signin", "/password/forgot", "/recover", "/healthz", "/"])
def test_head_answers_as_get_without_a_body(engine_world: PortalWorld, path: str) -> None:
    browser = engine_world.browser()
    got, head = browser.get(path), browser.http.head(path)
    assert head.status_code == got.status_code != 405
    assert head.content == b""
    assert head.headers.get("content-type") == got.headers.get("content-type")
    if "location" in got.headers:
        assert head.headers["location"] == got.headers["location"]


def test_head_of_signed_in_pages_and_forward_auth(engine_world: PortalWorld) -> None:
    browser, _ = enrol(engine_world, "alice")
    for path in ("/account", "/auth/verify"):
        head = browser.http.head(path)
        assert head.status_code == 200, path
        assert head.content == b""
    assert browser.http.head("/auth/verify").headers["x-auth-user"] == "alice"
    assert Browser(browser.http.app).http.head("/auth/verify").status_code == 401  # type: ignore[arg-type]


def test_head_of_a_post_only_path_is_still_refused(engine_world: PortalWorld) -> None:
    answer = engine_world.browser().http.head("/signout/resend")  # POST only: no GET to run
    assert answer.status_code in (404, 405) and answer.content == b""
    assert engine_world.browser().http.head("/signup/resend").status_code == 405


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/account/", "/account"),
        ("/signin/", "/signin"),
        ("/signin/?next=/report", "/signin?next=/report"),
        ("/admin/audit//", "/admin/audit"),
    ],
)
def test_trailing_slash_redirect_is_relative(
    engine_world: PortalWorld, path: str, location: str
) -> None:
    answer = engine_world.browser().http.get(path, headers=EVIL)
    assert answer.status_code == 307
    assert answer.headers["location"] == location


@pytest.mark.parametrize("path", ["/nothing/", "/account/x/", "/static/"])
def test_an_unknown_path_with_a_slash_is_a_404_page(engine_world: PortalWorld, path: str) -> None:
    answer = engine_world.browser().http.get(path, headers=EVIL)
    assert answer.status_code == 404
    assert "evil.example" not in answer.headers.get("location", "")


def test_under_a_base_path_the_redirects_keep_the_prefix(engine_world: PortalWorld) -> None:
    browser = engine_world.browser(base_path="/_mfa")
    moved = browser.http.get("/_mfa/account/", headers=EVIL)
    assert (moved.status_code, moved.headers["location"]) == (307, "/_mfa/account")
    home = browser.http.get("/_mfa", headers=EVIL)
    assert (home.status_code, home.headers["location"]) == (307, "/_mfa/")
    assert browser.http.head("/_mfa/signin").status_code == 200
