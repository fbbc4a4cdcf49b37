"""A double submit of the code form must not sign out the sign-in that worked."""

from __future__ import annotations

import re
import threading
from typing import Any

import fakeredis
import httpx
import pytest
from fastapi import FastAPI

from mfa_portal.cognito_api.client import CognitoClient
from mfa_portal.cognito_api.errors import NotAuthorizedException
from mfa_portal.web import routes_signin
from mfa_portal.web.session_store import RedisSessionStore
from tests.support.portal import PASSWORD, Browser, EnrolledUser, PortalWorld, enrol

COOKIE = "__Host-mfa-portal"
SET_COOKIE = re.compile(COOKIE + r"=([^;]*)")


class MeetAtCognito:
    """Holds the first two code answers until both have reached Cognito: a real double submit."""

    def __init__(self, inner: CognitoClient) -> None:
        self.inner = inner
        self.barrier = threading.Barrier(2, timeout=20)
        self.held = 0
        self.lock = threading.Lock()

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        if operation == "RespondToAuthChallenge" and params["ChallengeName"] != "PASSWORD_VERIFIER":
            with self.lock:
                self.held += 1
                hold = self.held <= 2
            if hold:
                self.barrier.wait()
        return self.inner.call(operation, **params)

    def supports(self, operation: str) -> bool:
        return self.inner.supports(operation)


def _app(world: PortalWorld, client: CognitoClient) -> FastAPI:
    return world.app(client=client)


def _at_code_page(world: PortalWorld, app: FastAPI) -> Browser:
    browser = Browser(app)
    assert browser.sign_in("alice", PASSWORD).headers["location"] == "/signin/code"
    browser.get("/signin/code")
    return browser


def _twin(app: FastAPI, browser: Browser) -> Browser:
    """A second tab of the same browser: same cookie, same form."""
    twin = Browser(app)
    twin.http.cookies.set(COOKIE, browser.http.cookies[COOKIE], domain="testserver.local")
    twin.csrf = browser.csrf
    return twin


def _jar_after(app: FastAPI, start: str, responses: list[httpx.Response]) -> Browser:
    """A browser that applied the responses' Set-Cookie headers in this order."""
    jar = Browser(app)
    value = start
    for response in responses:
        found = SET_COOKIE.search(response.headers.get("set-cookie", ""))
        if found:
            value = found.group(1)
    jar.http.cookies.set(COOKIE, value, domain="testserver.local")
    return jar


def test_concurrent_double_submit_keeps_the_winner_signed_in(
    world: PortalWorld, enrolled: EnrolledUser
) -> None:
    _, secret = enrolled("alice")
    world.next_step()
    app = _app(world, MeetAtCognito(world.idp))
    first = _at_code_page(world, app)
    second = _twin(app, first)
    old = first.http.cookies[COOKIE]
    code = world.code(secret)
    answers: dict[str, httpx.Response] = {}

    def submit(name: str, browser: Browser) -> None:
        answers[name] = browser.http.post(
            "/signin/code", data={"csrf_token": browser.csrf, "code": code}
        )

    threads = [
        threading.Thread(target=submit, args=(n, b)) for n, b in (("a", first), ("b", second))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert set(answers) == {"a", "b"}
    both = list(answers.values())
    # Both go home; exactly one sets the new cookie, the other leaves it alone.
    assert all(r.status_code == 303 and r.headers["location"] == "/" for r in both), [
        (r.status_code, r.headers.get("location")) for r in both
    ]
    assert sum("set-cookie" in r.headers for r in both) == 1
    # Whatever order the browser sees the answers in, it ends up at home, signed in.
    for order in (both, both[::-1]):
        jar = _jar_after(app, old, order)
        home = jar.get("/")
        assert home.status_code == 200 and "You are signed in as alice." in home.text
    # The rotated-away id itself grants nothing.
    stale = _jar_after(app, old, [])
    assert stale.get("/").headers["location"].startswith("/signin")


def test_late_second_submit_follows_the_first(world: PortalWorld, enrolled: EnrolledUser) -> None:
    _, secret = enrolled("alice")
    world.next_step()
    app = _app(world, world.idp)
    first = _at_code_page(world, app)
    second = _twin(app, first)
    code = world.code(secret)
    won = first.post("/signin/code", {"code": code})
    assert won.status_code == 303 and "set-cookie" in won.headers
    late = second.post("/signin/code", {"code": code})
    assert late.status_code == 303 and late.headers["location"] == "/"
    assert "set-cookie" not in late.headers
    assert first.get("/").status_code == 200


class SpentSession:
    """Cognito says the challenge session is spent, with no sibling request anywhere."""

    def __init__(self, inner: CognitoClient) -> None:
        self.inner = inner
        self.spend = False

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        if operation == "RespondToAuthChallenge" and self.spend:
            raise NotAuthorizedException("Invalid session for the user.")
        return self.inner.call(operation, **params)

    def supports(self, operation: str) -> bool:
        return self.inner.supports(operation)


def test_spent_session_without_a_winner_still_restarts(
    world: PortalWorld, enrolled: EnrolledUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(routes_signin, "SIBLING_WAIT_SECONDS", 0.1)
    _, secret = enrolled("alice")
    world.next_step()
    client = SpentSession(world.idp)
    app = _app(world, client)
    browser = _at_code_page(world, app)
    client.spend = True
    page = browser.post("/signin/code", {"code": world.code(secret)})
    assert page.status_code == 400
    assert "This sign-in cannot continue. Please sign in again." in page.text
    assert "set-cookie" in page.headers
    assert browser.get("/").headers["location"].startswith("/signin")


def test_superseded_marker_works_on_a_shared_redis_store(engine_world: PortalWorld) -> None:
    """Several portal instances share Redis: the marker lives in the store, not in memory."""
    _, secret = enrol(engine_world, "alice")
    engine_world.next_step()
    store = RedisSessionStore(fakeredis.FakeRedis(server=fakeredis.FakeServer()))
    one, two = (engine_world.app(store=store) for _ in range(2))
    browser = _at_code_page(engine_world, one)
    twin = _twin(two, browser)
    code = engine_world.code(secret)
    assert "set-cookie" in browser.post("/signin/code", {"code": code}).headers
    late = twin.post("/signin/code", {"code": code})
    assert (late.status_code, late.headers["location"]) == (303, "/")
    assert "set-cookie" not in late.headers
    home = _jar_after(two, browser.http.cookies[COOKIE], []).get("/")
    assert home.status_code == 200 and "You are signed in as alice." in home.text
