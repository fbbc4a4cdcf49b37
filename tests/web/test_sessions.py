"""Server-side sessions: SQLite and Redis stores, expiry, refresh with the refresh token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import fakeredis
import pytest
import redis
from pydantic import SecretStr

from mfa_portal.web.session_store import RedisSessionStore, SessionStore, SqliteSessionStore
from tests.support.portal import PASSWORD, Browser, PortalWorld, enrol
from tests.support.redis_server import redis_server

JWT = re.compile(r"eyJ[\w-]*\.[\w-]+")


def _store_contract(store: SessionStore) -> None:
    store.save("id-1", '{"a": 1}', 60)
    assert store.load("id-1") == '{"a": 1}'
    store.save("id-1", '{"a": 2}', 60)
    assert store.load("id-1") == '{"a": 2}'
    assert store.load("id-2") is None
    store.delete("id-1")
    assert store.load("id-1") is None


def test_sqlite_store_contract_and_expiry(tmp_path: Path) -> None:
    now = [1000.0]
    store = SqliteSessionStore(tmp_path / "s.sqlite3", clock=lambda: now[0])
    _store_contract(store)
    store.save("id-3", "{}", 60)
    now[0] += 61
    assert store.load("id-3") is None
    raw = (tmp_path / "s.sqlite3").read_bytes()
    assert b"id-3" not in raw, "the store keeps only a digest of the session id"
    store.close()


def test_redis_store_contract() -> None:
    server = fakeredis.FakeServer()
    store = RedisSessionStore(fakeredis.FakeRedis(server=server))
    _store_contract(store)
    store.save("id-4", "{}", 60)
    keys = fakeredis.FakeRedis(server=server).keys("*")
    assert keys and all(b"id-4" not in key for key in keys)
    assert 0 < fakeredis.FakeRedis(server=server).ttl(keys[0]) <= 60


def test_a_redis_session_store_gives_up_on_a_silent_redis_unless_its_url_says_otherwise() -> None:
    """redis-py before 8 gave a client made from a URL no timeouts: a hung Redis held every request."""

    def limits(url: str) -> tuple[object, object, object]:
        store = RedisSessionStore.from_url(url)
        kwargs = store._redis.connection_pool.connection_kwargs
        return (
            kwargs["socket_timeout"],
            kwargs["socket_connect_timeout"],
            kwargs["socket_keepalive"],
        )

    assert limits("redis://redis.internal:6379/0") == (5.0, 5.0, True)
    assert limits("redis://redis.internal:6379/0?socket_timeout=2") == (2.0, 5.0, True)


def _app_on(world: PortalWorld, store: SessionStore) -> Browser:
    return Browser(world.app(store=store))


def test_two_portal_instances_share_redis_sessions(world: PortalWorld) -> None:
    server = fakeredis.FakeServer()
    first = _app_on(world, RedisSessionStore(fakeredis.FakeRedis(server=server)))
    world.create_user("alice", permanent=True)
    first.follow(first.sign_in("alice", PASSWORD))
    first.post("/mfa/setup", {"code": world.code(first.secret())}, follow=True)
    assert first.get("/auth/verify").status_code == 200

    second = _app_on(world, RedisSessionStore(fakeredis.FakeRedis(server=server)))
    for name, value in first.http.cookies.items():
        second.http.cookies.set(name, value, domain="testserver.local")
    answer = second.get("/auth/verify")
    assert answer.status_code == 200 and answer.headers["x-auth-user"] == "alice"
    second.get("/account")
    second.post("/signout")
    assert first.get("/auth/verify").status_code == 401


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A real redis-server on a free port (Debian's), when installed."""
    with redis_server(tmp_path) as url:
        yield url


def test_story_on_a_real_redis_server(engine_world: PortalWorld, redis_url: str) -> None:
    app = engine_world.app(redis_url=redis_url)
    browser = Browser(app)
    engine_world.create_user("alice", permanent=True)
    browser.follow(browser.sign_in("alice", PASSWORD))
    browser.post("/mfa/setup", {"code": engine_world.code(browser.secret())}, follow=True)
    assert browser.get("/").status_code == 200
    assert redis.Redis.from_url(redis_url).keys("mfa-portal:session:*")


def test_access_token_expiry_is_refreshed_with_the_refresh_token(engine_world: PortalWorld) -> None:
    browser, _ = enrol(engine_world, "alice")
    engine_world.clock.advance(3600 + 5)  # the access and ID tokens have expired
    assert browser.get("/auth/verify").status_code == 200
    assert browser.get("/account").status_code == 200


def test_sessions_end_after_their_maximum_age(engine_world: PortalWorld) -> None:
    browser, _ = enrol(engine_world, "alice")
    engine_world.clock.advance(12 * 3600 + 1)
    assert browser.get("/auth/verify").status_code == 401
    assert browser.get("/").headers["location"].startswith("/signin")


def test_admin_global_sign_out_ends_the_portal_session(engine_world: PortalWorld) -> None:
    browser, _ = enrol(engine_world, "alice")
    engine_world.idp.call(
        "AdminUserGlobalSignOut", UserPoolId=engine_world.pool_id, Username="alice"
    )
    engine_world.clock.advance(61)
    assert browser.get("/auth/verify").status_code == 401


def test_disabled_user_loses_the_session(engine_world: PortalWorld) -> None:
    browser, _ = enrol(engine_world, "alice")
    engine_world.idp.call("AdminDisableUser", UserPoolId=engine_world.pool_id, Username="alice")
    engine_world.clock.advance(61)
    assert browser.get("/").headers["location"].startswith("/signin")


def test_garbage_cookie_is_a_new_anonymous_session(engine_world: PortalWorld) -> None:
    browser = engine_world.browser()
    browser.http.cookies.set("__Host-mfa-portal", "not-a-session", domain="testserver.local")
    assert browser.get("/").headers["location"] == "/signin?next=/"


def test_stored_sessions_are_encrypted(engine_world: PortalWorld) -> None:
    store = SqliteSessionStore(engine_world.data_dir / "sealed.sqlite3")
    browser = _app_on(engine_world, store)
    engine_world.create_user("alice", permanent=True)
    browser.follow(browser.sign_in("alice", PASSWORD))
    secret = browser.secret()
    browser.post("/mfa/setup", {"code": engine_world.code(secret)}, follow=True)
    session_id = browser.http.cookies.get("__Host-mfa-portal")
    assert session_id
    sealed = store.load(session_id)
    assert sealed is not None
    # No JWT (base64 JSON segments joined by dots; the sealed text is one base64 run, in which
    # "eyJ" alone turns up by chance about once in 700 tests) and no plain session fields.
    assert not JWT.search(sealed) and "alice" not in sealed and "signed_in" not in sealed
    # A portal with another secret key cannot read it: the visitor is simply anonymous.
    other = engine_world.app(store=store, secret_key=SecretStr("another-key"))
    stranger = Browser(other)
    stranger.http.cookies.set("__Host-mfa-portal", session_id, domain="testserver.local")
    assert stranger.get("/auth/verify").status_code == 401
    assert browser.get("/auth/verify").status_code == 200


class CountingStore:
    """A session store that counts what is written to it."""

    def __init__(self, inner: SessionStore) -> None:
        self.inner, self.saved = inner, 0

    def load(self, session_id: str) -> str | None:
        return self.inner.load(session_id)

    def save(self, session_id: str, document: str, ttl_seconds: int) -> None:
        self.saved += 1
        self.inner.save(session_id, document, ttl_seconds)

    def delete(self, session_id: str) -> None:
        self.inner.delete(session_id)

    def ping(self) -> None:
        self.inner.ping()

    def close(self) -> None:
        self.inner.close()


def test_visitors_who_never_signed_in_write_nothing_to_the_store(engine_world: PortalWorld) -> None:
    """Each GET of the sign-in page used to store a session for an hour, so anyone could fill the
    store at the rate the portal answers; an anonymous visitor now lives in the sealed cookie."""
    store = CountingStore(SqliteSessionStore(engine_world.data_dir / "counted.sqlite3"))
    engine_world.create_user("alice", permanent=True)
    app = engine_world.app(store=store)
    for _ in range(50):
        flood = Browser(app)  # a new visitor each time, as a flood would be
        assert flood.get("/signin").status_code == 200
        assert flood.get("/auth/verify").status_code == 401
    assert store.saved == 0

    visitor = Browser(app)
    visitor.get("/signin")
    cookie = visitor.http.cookies.get("__Host-mfa-portal")
    assert cookie is not None and cookie.startswith("~") and len(cookie) < 3100
    assert "csrf" not in cookie and visitor.csrf not in cookie  # sealed, not readable
    wrong = visitor.post("/signin", {"username": "alice", "password": "Wrong-Pass-1!"})
    assert wrong.status_code == 400 and 'value="alice"' in wrong.text  # state kept in the cookie
    assert store.saved == 0
    answer = visitor.sign_in("alice", PASSWORD)  # the form's own CSRF token still works
    assert answer.headers["location"] == "/mfa/setup"
    assert store.saved == 1  # past the password step: stored, under a random id
    stored = visitor.http.cookies.get("__Host-mfa-portal")
    assert stored is not None and not stored.startswith("~") and store.load(stored) is not None

    # The sealed form is trusted for nothing but an anonymous visitor, and only with this key.
    forged = Browser(app)
    forged.http.cookies.set("__Host-mfa-portal", "~" + "A" * 200, domain="testserver.local")
    assert (
        forged.get("/signin").status_code == 200 and forged.get("/auth/verify").status_code == 401
    )
    other_key = Browser(engine_world.app(store=store, secret_key=SecretStr("another-key")))
    other_key.http.cookies.set("__Host-mfa-portal", cookie, domain="testserver.local")
    page = other_key.post("/signin", {"username": "alice", "password": PASSWORD}, csrf=visitor.csrf)
    assert page.status_code == 403  # that CSRF token belonged to a state this portal cannot open
