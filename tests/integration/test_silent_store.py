"""A store that goes silent under a running ``mfa-portal serve``: no refusal, no reset, no answer.

Stopping a server is the outage a client hears about (``test_store_outage``). A Redis that hangs, or
a database host that vanishes (a crash, a fail-over that moves the address, a network split), says
nothing. Before, each request on PostgreSQL waited for TCP to give up, about 15 minutes, holding its
worker thread while nginx's forward-auth calls piled up behind it; on Redis it waited forever with
redis-py releases before 8. Now such a request answers 503 within limits the portal sets itself,
and once the store answers again, so does the portal, with alice still signed in.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.support import pg_throwaway
from tests.support.far_host import postgres_on_far_host
from tests.support.outages import (
    assert_logged_without_tracebacks,
    base_url,
    enrolled_alice,
    portal_on_own_redis,
)
from tests.support.pool_process import portal_serve
from tests.support.worker_server import ServerBrowser


def timed(browser: ServerBrowser | httpx.Client, path: str) -> tuple[int, float]:
    """The status of ``GET path`` and the seconds it took (the client waits up to a minute)."""
    http = browser.http if isinstance(browser, ServerBrowser) else browser
    started = time.monotonic()
    status = http.get(path, timeout=60).status_code
    return status, time.monotonic() - started


@pytest.mark.xdist_group("silent-redis")
def test_a_redis_that_stops_answering_costs_a_request_5_seconds_not_forever(tmp_path: Path) -> None:
    with portal_on_own_redis(tmp_path) as (store, server, alice):
        since = len(server.log.read_text().splitlines())
        store.pause()
        try:
            with ThreadPoolExecutor(2) as meanwhile:  # forward-auth and a load balancer
                verify = meanwhile.submit(timed, alice, "/auth/verify")
                ready = meanwhile.submit(httpx.get, base_url(server) + "/readyz", timeout=60)
                status, waited = verify.result()
                readiness = ready.result()
        finally:
            store.resume()
        assert status == 503
        assert 4 < waited < 12, waited  # one 5-s wait for Redis's answer
        assert readiness.status_code == 503
        assert readiness.elapsed.total_seconds() < 5  # its own 3-s limit, not Redis's 5 s
        assert readiness.json()["checks"]["sessions"] == "unreachable"
        assert_logged_without_tracebacks(server, since)
        assert "TimeoutError" in server.log.read_text()
        assert timed(alice, "/auth/verify")[0] == 200  # her session was never lost


@pytest.mark.xdist_group("silent-postgresql")
def test_a_database_host_that_vanishes_costs_a_request_seconds_and_then_nothing(
    tmp_path: Path,
) -> None:
    with postgres_on_far_host() as (far, database):
        url = pg_throwaway.new_database(database, "silent")
        env = {"MFA_PORTAL_DATABASE_URL": url, "MFA_PORTAL_ENROLMENT_PROOF": "none"}
        with (
            portal_serve(tmp_path / "d", env, workers=1) as server,
            httpx.Client(base_url=base_url(server)) as visitor,
        ):
            alice = enrolled_alice(server, tmp_path / "d")
            since = len(server.log.read_text().splitlines())
            far.cut()
            cut_at = time.monotonic()
            with ThreadPoolExecutor(3) as meanwhile:  # forward-auth, a page, a load balancer
                verify = meanwhile.submit(timed, alice, "/auth/verify")
                page = meanwhile.submit(timed, alice, "/account")  # a page the store serves
                ready = meanwhile.submit(httpx.get, base_url(server) + "/readyz", timeout=60)
                answers = [verify.result(), page.result()]
                readiness = ready.result()
            assert readiness.status_code == 503  # in the 3 s a readiness check waits at most
            assert readiness.elapsed.total_seconds() < 6, readiness.elapsed
            assert set(readiness.json()["checks"].values()) == {"unreachable"}
            assert [status for status, _ in answers] == [503, 503]
            for _, waited in answers:  # the unacknowledged statement is given up after 15 s
                assert waited < 25, answers
            # Every idle pooled connection too is given up by then, at both ends.
            time.sleep(max(0.0, cut_at + 25 - time.monotonic()))
            far.heal()
            assert [timed(visitor, "/signin")[0] for _ in range(8)] == [200] * 8
            assert [timed(alice, "/account")[0] for _ in range(8)] == [200] * 8
            assert timed(alice, "/auth/verify")[0] == 200
            assert_logged_without_tracebacks(server, since)
