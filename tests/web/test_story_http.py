"""The whole portal story over HTTP, on both backends and on a multi-worker ``serve``: temporary
password → new password → forced enrolment → home → sign out → TOTP sign-in → a replayed code is
refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.portal import PASSWORD, TEMP_PASSWORD, PortalWorld, isolated_world
from tests.support.wire import MakeWireServer
from tests.support.worker_server import served_portal_world


@pytest.fixture(params=["engine", "wire", "workers"])
def world(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_wire_server: MakeWireServer,
) -> Iterator[PortalWorld]:
    """As everywhere, plus ``workers``: ``serve`` on two processes, every page over real HTTP."""
    if request.param == "workers":
        yield from served_portal_world(tmp_path, monkeypatch)
    else:
        yield from isolated_world(request.param, tmp_path, monkeypatch, make_wire_server)


def test_admin_created_user_is_forced_through_enrolment(world: PortalWorld) -> None:
    world.create_user("carol")
    browser = world.browser()

    answer = browser.sign_in("carol", TEMP_PASSWORD)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin/new-password"
    page = browser.follow(answer)
    assert "Choose a new password" in page.text

    answer = browser.post("/signin/new-password", {"password": PASSWORD, "confirm": PASSWORD})
    assert answer.headers["location"] == "/mfa/setup"
    page = browser.follow(answer)
    assert "Set up your authenticator" in page.text
    assert "<svg" in page.text
    secret = browser.secret()

    # The restricted session reaches nothing else.
    for path in ("/", "/account"):
        refused = browser.get(path)
        assert refused.status_code == 303 and refused.headers["location"] == "/mfa/setup"
    assert browser.get("/auth/verify").status_code == 401

    answer = browser.post("/mfa/setup", {"code": world.code(secret), "device_name": "phone"})
    assert answer.headers["location"] == "/account/recovery-codes?offer=1"
    assert world.mfa_settings("carol") == ["SOFTWARE_TOKEN_MFA"]
    home = browser.get("/")
    assert home.status_code == 200 and "signed in as carol" in home.text
    verified = browser.get("/auth/verify")
    assert verified.status_code == 200
    assert verified.headers["X-Auth-User"] == "carol"
    assert verified.headers["X-Auth-Email"] == "carol@example.com"

    browser.post("/signout", follow=True)
    assert browser.get("/").status_code == 303

    world.next_step()
    answer = browser.sign_in("carol", PASSWORD)
    assert answer.headers["location"] == "/signin/code"
    browser.get("/signin/code")
    code = world.code(secret)
    answer = browser.post("/signin/code", {"code": code})
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert browser.get("/").status_code == 200

    # Someone replays the same code in another browser: refused.
    other = world.browser()
    other.follow(other.sign_in("carol", PASSWORD))
    refused = other.post("/signin/code", {"code": code})
    assert refused.status_code == 400
    assert "That code is not right" in refused.text
