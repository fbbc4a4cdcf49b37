"""A form field the portal cannot read (a file where text belongs, a list where one value belongs)
gets the portal's 400 page, in the page's language, never FastAPI's JSON that quotes the input."""

from __future__ import annotations

import httpx
import pytest
from markupsafe import escape

from mfa_portal.web.strings import CATALOGS
from tests.support.portal import PASSWORD, Browser, PortalWorld, enrol

SECRET = b"s3cret-file-content"


def assert_error_page(answer: httpx.Response, language: str = "en") -> None:
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert not answer.text.lstrip().startswith("{")  # not FastAPI's {"detail": [...]}
    assert SECRET.decode() not in answer.text
    assert str(escape(CATALOGS[language]["badrequest.unreadable"])) in answer.text


def upload(browser: Browser, path: str, fields: dict[str, str], file_field: str) -> httpx.Response:
    form = {"csrf_token": browser.csrf, **fields}
    files = {file_field: ("x.txt", SECRET, "text/plain")}
    answer: httpx.Response = browser.http.post(path, data=form, files=files)
    return answer


def test_a_file_in_the_sign_in_password_field(engine_world: PortalWorld) -> None:
    engine_world.create_user("alice", permanent=True)
    browser = engine_world.browser()
    browser.get("/signin")
    assert_error_page(upload(browser, "/signin", {"username": "alice"}, "password"))


def test_a_file_in_the_account_forms(engine_world: PortalWorld) -> None:
    browser, _ = enrol(engine_world, "alice")
    browser.get("/account")
    answer = upload(browser, "/account/password", {"current": PASSWORD, "confirm": "x"}, "password")
    assert_error_page(answer)
    browser.get("/account")
    assert_error_page(upload(browser, "/account/mfa-preference", {}, "method"))


def test_the_page_speaks_the_visitors_language(engine_world: PortalWorld) -> None:
    browser = engine_world.browser()
    browser.get("/signin")
    form = {"csrf_token": browser.csrf, "username": "alice"}
    files = {"password": ("x.txt", SECRET, "text/plain")}
    answer = browser.http.post("/signin", data=form, files=files, headers={"Accept-Language": "de"})
    assert_error_page(answer, "de")


@pytest.mark.parametrize("path", ["/password/forgot", "/recover"])
def test_other_anonymous_forms(engine_world: PortalWorld, path: str) -> None:
    browser = engine_world.browser()
    browser.get(path)
    assert_error_page(upload(browser, path, {}, "username"))
