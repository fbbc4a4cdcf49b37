"""/auth/verify answered in front of the portal: same answers, no write per request, every check kept.

nginx asks ``/auth/verify`` on every request to a protected application. These tests pin what that
costs the session store (nothing but a read, except one slide a minute) and that the short path
keeps what the portal's route guaranteed: the idle timeout, revocation at once, the documented
headers, 401 for anything that is not a fully signed-in session.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.requests import Request
from starlette.responses import Response

from mfa_portal.settings import load_settings
from mfa_portal.web.session_store import SqliteSessionStore
from mfa_portal.web.sessions import SessionMiddleware
from mfa_portal.wiring.app import serving_app
from mfa_portal.wiring.backend import open_backend
from tests.support.portal import PASSWORD, Browser, PortalWorld, enrol


class CountingStore(SqliteSessionStore):
    """The SQLite store on the world's clock, counting writes."""

    def __init__(self, path: Path, clock: object) -> None:
        super().__init__(path, clock=clock)
        self.writes = 0

    def save(self, session_id: str, document: str, ttl_seconds: int) -> None:
        self.writes += 1
        super().save(session_id, document, ttl_seconds)

    def delete(self, session_id: str) -> None:
        self.writes += 1
        super().delete(session_id)


def counting_store(world: PortalWorld) -> CountingStore:
    return CountingStore(world.data_dir / "counted-sessions.sqlite3", world.clock.now)


def test_a_signed_in_check_reads_and_never_writes_within_a_minute(
    engine_world: PortalWorld,
) -> None:
    store = counting_store(engine_world)
    browser, _ = enrol(engine_world, "alice", store=store)
    before = store.writes
    for _ in range(25):
        engine_world.clock.advance(2)
        answer = browser.get("/auth/verify")
        assert answer.status_code == 200
        assert answer.headers["x-auth-user"] == "alice"
        assert "set-cookie" not in answer.headers
    assert store.writes == before

    engine_world.clock.advance(11)  # a minute since the last save: re-check and slide, once
    assert browser.get("/auth/verify").status_code == 200
    slid = store.writes
    assert slid == before + 1
    for _ in range(5):
        assert browser.get("/auth/verify").status_code == 200
    assert store.writes == slid


def test_a_signed_in_check_skips_the_portals_session_machinery(
    engine_world: PortalWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    passed: list[str] = []
    real = SessionMiddleware.dispatch

    async def counted(self: SessionMiddleware, request: Request, call_next: Any) -> Response:
        passed.append(request.url.path)
        return await real(self, request, call_next)

    monkeypatch.setattr(SessionMiddleware, "dispatch", counted)  # before the app is built
    browser, _ = enrol(engine_world, "alice")
    assert "/mfa/setup" in passed  # the counter sees the portal's pages
    passed.clear()
    assert browser.get("/auth/verify").status_code == 200
    portal = browser.http.app
    assert isinstance(portal, FastAPI)
    assert Browser(portal).get("/auth/verify").status_code == 401
    assert passed == []
    engine_world.clock.advance(61)  # due for the Cognito re-check: the portal's route does it
    assert browser.get("/auth/verify").status_code == 200
    assert passed == ["/auth/verify"]


def test_the_idle_timeout_holds_with_once_a_minute_bookkeeping(engine_world: PortalWorld) -> None:
    store = counting_store(engine_world)
    browser, _ = enrol(engine_world, "alice", store=store, session_idle_minutes=5)
    for _ in range(16):  # 8 minutes of use, a check every 30 s: the idle time keeps sliding
        engine_world.clock.advance(30)
        assert browser.get("/auth/verify").status_code == 200
    engine_world.clock.advance(4 * 60 + 50)  # idle, but not yet for 5 minutes since the last save
    assert browser.get("/auth/verify").status_code == 200
    engine_world.clock.advance(5 * 60 + 1)  # idle past the timeout
    assert browser.get("/auth/verify").status_code == 401
    assert browser.get("/").headers["location"].startswith("/signin")


def test_anonymous_answers(engine_world: PortalWorld) -> None:
    store = counting_store(engine_world)
    app = engine_world.app(store=store)
    stranger = Browser(app)
    for cookie in (None, "not-a-session", "x" * 5000):
        if cookie is not None:
            stranger.http.cookies.set("__Host-mfa-portal", cookie, domain="testserver.local")
        answer = stranger.get("/auth/verify")
        assert answer.status_code == 401
        assert answer.headers["cache-control"] == "no-store"
        assert not any(name.startswith("x-auth-") for name in answer.headers)
        assert "set-cookie" not in answer.headers
    assert store.writes == 0


def test_a_session_mid_sign_in_is_refused(engine_world: PortalWorld) -> None:
    engine_world.create_user("bob", permanent=True)
    browser = engine_world.browser()
    browser.follow(browser.sign_in("bob", PASSWORD))  # password done, authenticator not yet
    assert browser.get("/auth/verify").status_code == 401


def test_sign_out_everywhere_refuses_a_session_checked_a_moment_ago(
    engine_world: PortalWorld,
) -> None:
    first, secret = enrol(engine_world, "alice")
    engine_world.next_step()
    portal = first.http.app
    assert isinstance(portal, FastAPI)
    second = engine_world.browser(app=portal)
    second.sign_in("alice", PASSWORD)
    second.post("/signin/code", {"code": engine_world.code(secret)})
    assert second.get("/auth/verify").status_code == 200  # its document is now cached

    first.get("/account")
    first.post("/account/signout-everywhere", follow=True)
    assert second.get("/auth/verify").status_code == 401  # no clock moved: the marker did it
    assert first.get("/auth/verify").status_code == 401


def test_signing_out_refuses_the_cookie_at_once(engine_world: PortalWorld) -> None:
    browser, _ = enrol(engine_world, "alice")
    old = dict(browser.http.cookies.items())
    assert browser.get("/auth/verify").status_code == 200
    browser.get("/account")
    browser.post("/signout")
    portal = browser.http.app
    assert isinstance(portal, FastAPI)
    replay = Browser(portal)
    for name, value in old.items():
        replay.http.cookies.set(name, value, domain="testserver.local")
    assert replay.get("/auth/verify").status_code == 401


def test_headers_follow_the_documented_contract(engine_world: PortalWorld) -> None:
    engine_world.idp.call("CreateGroup", UserPoolId=engine_world.pool_id, GroupName="staff")
    browser, _ = enrol(engine_world, "carol", groups=("staff",))
    answer = browser.get("/auth/verify", headers={"Accept-Language": "de"})
    assert answer.status_code == 200
    assert answer.headers["x-auth-user"] == "carol"
    assert answer.headers["x-auth-groups"] == "staff"
    assert answer.headers["x-auth-email"] == "carol@example.com"  # verified by the set-up
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["content-language"] == "de"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.text == ""


def test_serve_answers_forward_auth_beside_the_cognito_endpoint(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    backend = open_backend(settings, base_url="http://127.0.0.1:8000")
    try:
        with TestClient(serving_app(backend), base_url="http://127.0.0.1:8000") as client:
            assert client.get("/auth/verify").status_code == 401
            assert client.head("/auth/verify").status_code == 401  # HEAD is answered as GET
            assert client.get("/cognito/").json()["protocol"] == "awsJson1_1"
            assert client.get("/signin").status_code == 200
    finally:
        backend.close()


class SeenStore(CountingStore):
    """The SQLite store, noting the thread of every read; ``local=False`` presents it as a store
    over a network (as PostgreSQL and Redis are)."""

    def __init__(self, path: Path, clock: object, *, local: bool) -> None:
        super().__init__(path, clock)
        self._local = local
        self.loaded_on: list[str] = []  # "loop", or the name of the thread that read

    @property
    def local(self) -> bool:
        return self._local

    def load(self, session_id: str) -> str | None:
        try:
            asyncio.get_running_loop()  # this thread is running the event loop
            self.loaded_on.append("loop")
        except RuntimeError:
            self.loaded_on.append(threading.current_thread().name)
        return super().load(session_id)


@pytest.mark.parametrize(("local", "thread"), [(True, "loop"), (False, "mfa-portal-verify_")])
def test_a_network_stores_check_waits_on_a_decision_thread_a_local_one_on_the_loop(
    engine_world: PortalWorld, local: bool, thread: str
) -> None:
    """A local SQLite read is cheaper than any hop; a network store's round trip must not stop
    the event loop, and waits on forward-auth's own threads, not Starlette's pool (twice the
    CPU per hop)."""
    store = SeenStore(engine_world.data_dir / "seen.sqlite3", engine_world.clock.now, local=local)
    browser, _ = enrol(engine_world, "alice", store=store)
    store.loaded_on.clear()
    answer = browser.get("/auth/verify")
    assert answer.status_code == 200 and answer.headers["x-auth-user"] == "alice"
    assert store.loaded_on and all(name.startswith(thread) for name in store.loaded_on)
