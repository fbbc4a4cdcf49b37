"""A store going down and coming back, as an operator sees it: Redis and PostgreSQL restarted under a
running ``mfa-portal serve``.

Before, every page answered a bare 500 or a reset connection, each with a long traceback in the log,
and after PostgreSQL came back each worker failed a few more requests on connections the restart had
closed. Now the outage is a 503 with ``Retry-After`` (a short page in the browser's language; a bare
503 for forward-auth, which nginx turns into a refusal), one log line per request, and the first
requests after the store is back succeed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.support import pg_throwaway
from tests.support.backends import PASSWORD, boto_client
from tests.support.outages import (
    assert_logged_without_tracebacks,
    base_url,
    enrolled_alice,
    portal_on_own_redis,
)
from tests.support.pool_process import PoolProcess, portal_serve
from tests.support.postgres import own_server
from tests.support.signin_forms import sign_in
from tests.support.worker_server import ServerBrowser

pytestmark = pytest.mark.xdist_group("store-outage")
STORES = ("sessions", "portal store", "user pool")  # what /readyz asks, in its order


def readiness(server: PoolProcess) -> tuple[int, dict[str, str]]:
    answer = httpx.get(base_url(server) + "/readyz")
    return answer.status_code, answer.json()["checks"]


def assert_ready_again(server: PoolProcess) -> None:
    """A load balancer's readiness check passes again within its 2-s memory of the last answer."""
    deadline = time.monotonic() + 10
    while readiness(server)[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert readiness(server) == (200, dict.fromkeys(STORES, "ok"))


def assert_unavailable(server: PoolProcess, alice: ServerBrowser, down: set[str]) -> None:
    """What a browser, nginx, a signing-in user and a load balancer get while the store is down."""
    assert readiness(server) == (
        503,
        {name: "unreachable" if name in down else "ok" for name in STORES},
    )
    assert httpx.get(base_url(server) + "/healthz").status_code == 200  # alive: no restart
    verify = alice.http.get("/auth/verify")
    assert (verify.status_code, verify.content) == (503, b"")
    assert verify.headers["retry-after"] == "10"
    page = alice.http.get("/account")  # her session lives in the store
    assert page.status_code == 503
    assert "<h1>Temporarily unavailable</h1>" in page.text
    assert "cannot reach its data right now" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "set-cookie" not in page.headers
    german = alice.http.get("/account", headers={"Accept-Language": "de"})
    assert (german.status_code, german.headers["content-language"]) == (503, "de")
    assert "<h1>Vorübergehend nicht verfügbar</h1>" in german.text
    # The sign-in page needs no store (a visitor's state is in the cookie); signing in does.
    attempt = ServerBrowser(base_url(server))
    assert attempt.get("/signin").status_code == 200
    refused = attempt.post("/signin", {"username": "alice", "password": PASSWORD, "next": "/"})
    assert refused.status_code == 503


def test_redis_down_then_back(tmp_path: Path) -> None:
    with portal_on_own_redis(tmp_path) as (store, server, alice):
        since = len(server.log.read_text().splitlines())
        store.stop()
        assert_unavailable(server, alice, {"sessions"})
        assert_logged_without_tracebacks(server, since)
        logged = len(server.log.read_text().splitlines())
        started = time.monotonic()
        # A burst of page requests that need the store (alice's session is in it).
        assert {alice.http.get("/account").status_code for _ in range(100)} == {503}
        seconds = time.monotonic() - started
        burst_lines = server.log.read_text().splitlines()[logged:]
        refusals = [line for line in burst_lines if "answered 503" in line]
        assert len(refusals) <= seconds + 1, refusals  # a line a second, not one per request
        store.start()  # empty: this Redis keeps nothing, so alice signs in again
        assert_ready_again(server)
        assert alice.http.get("/auth/verify").status_code == 401
        again = sign_in(ServerBrowser(base_url(server)), "alice", PASSWORD)
        assert (again.status_code, again.headers["location"]) == (303, "/signin/code")


@pytest.fixture
def postgres() -> Iterator[tuple[pg_throwaway.PostgresServer, Path]]:
    """A PostgreSQL server of this test's own, which it may stop and start."""
    with own_server() as (server, root):
        yield server, root


def test_postgresql_down_then_back(
    tmp_path: Path, postgres: tuple[pg_throwaway.PostgresServer, Path]
) -> None:
    server_pg, root = postgres
    url = pg_throwaway.new_database(server_pg, "outage")
    env = {"MFA_PORTAL_DATABASE_URL": url, "MFA_PORTAL_ENROLMENT_PROOF": "none"}
    with portal_serve(tmp_path / "d", env, workers=1) as server:
        alice = enrolled_alice(server, tmp_path / "d")
        for _ in range(5):  # several pooled connections, all idle when the server goes
            assert httpx.get(base_url(server) + "/signin").status_code == 200
        since = len(server.log.read_text().splitlines())
        pg_throwaway.stop_server(server_pg, root)
        assert_unavailable(server, alice, set(STORES))
        idp = boto_client(server.endpoint, server.access_key_id, server.secret_access_key)
        with pytest.raises(ClientError) as failed:  # the Cognito API: its own error, retried
            idp.list_user_pools(MaxResults=1)
        assert failed.value.response["Error"]["Code"] == "InternalErrorException"
        assert_logged_without_tracebacks(server, since)
        log = server.log.read_text()
        assert "ListUserPools failed: the database is unreachable (OperationalError: " in log
        pg_throwaway.start_again(server_pg, root)
        assert_ready_again(server)
        # Every pooled connection died with the server; none of them fails a request now.
        answers = [httpx.get(base_url(server) + "/signin").status_code for _ in range(8)]
        assert answers == [200] * 8
        again = sign_in(ServerBrowser(base_url(server)), "alice", PASSWORD)
        assert (again.status_code, again.headers["location"]) == (303, "/signin/code")
