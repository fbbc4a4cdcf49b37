"""``/healthz`` and ``/readyz``: what they answer, and that nobody can make them expensive."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import MutableMapping
from typing import Any

import pytest

from mfa_portal.health import Check, Health, Readiness


class Probe:
    """A store check that counts its calls and fails or blocks on demand."""

    def __init__(self, error: Exception | None = None) -> None:
        self.calls = 0
        self.error = error
        self.release = threading.Event()
        self.release.set()

    def __call__(self) -> None:
        self.calls += 1
        self.release.wait(10)
        if self.error is not None:
            raise self.error


async def request(
    app: Health, path: str, method: str = "GET"
) -> tuple[int, dict[bytes, bytes], bytes]:
    sent: list[MutableMapping[str, Any]] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": method, "path": path, "headers": []}
    await app(scope, receive, send)
    start, body = sent
    return start["status"], dict(start["headers"]), body["body"]


class Passed:
    """The app behind: records what reached it."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.paths.append(scope["path"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def health(*checks: Check, base: str = "", ttl: float = 2.0) -> tuple[Health, Passed]:
    inner = Passed()
    return Health(inner, readiness=Readiness(checks, ttl=ttl), base=base), inner


def test_liveness_answers_from_the_process_alone() -> None:
    broken = Probe(ConnectionError("refused"))
    app, inner = health(Check("sessions", broken))
    status, headers, body = asyncio.run(request(app, "/healthz"))
    assert (status, body) == (200, b"ok\n")
    assert headers[b"cache-control"] == b"no-store"
    assert broken.calls == 0 and inner.paths == []


def test_readiness_names_each_store_and_is_503_when_one_is_unreachable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pool = Probe()
    sessions = Probe(ConnectionError("Error 111 connecting to 10.0.0.7:6379. Connection refused."))
    app, _ = health(Check("sessions", sessions), Check("user pool", pool))
    with caplog.at_level(logging.WARNING, logger="mfa_portal.health"):
        status, headers, body = asyncio.run(request(app, "/readyz"))
    assert status == 503
    assert headers[b"content-type"] == b"application/json"
    assert json.loads(body) == {
        "status": "not ready",
        "checks": {"sessions": "unreachable", "user pool": "ok"},
    }
    assert b"10.0.0.7" not in body  # the why goes to the log, not to whoever asks
    assert [r.getMessage() for r in caplog.records] == [
        "readiness: sessions is unreachable (ConnectionError: Error 111 connecting to "
        "10.0.0.7:6379. Connection refused.)"
    ]


def test_ready_when_every_store_answers() -> None:
    app, _ = health(Check("sessions", Probe()), Check("portal store", Probe()))
    status, _, body = asyncio.run(request(app, "/readyz"))
    assert status == 200
    assert json.loads(body) == {
        "status": "ready",
        "checks": {"sessions": "ok", "portal store": "ok"},
    }


def test_a_flood_of_readiness_requests_asks_the_stores_once_per_interval() -> None:
    probe = Probe()
    now = [100.0]
    readiness = Readiness([Check("sessions", probe)], ttl=2.0, clock=lambda: now[0])
    app = Health(Passed(), readiness=readiness)

    async def flood() -> list[int]:
        answers = await asyncio.gather(*(request(app, "/readyz") for _ in range(200)))
        return [status for status, _, _ in answers]

    assert asyncio.run(flood()) == [200] * 200
    assert probe.calls == 1
    now[0] += 1.9
    asyncio.run(flood())
    assert probe.calls == 1
    now[0] += 0.2
    asyncio.run(flood())
    assert probe.calls == 2


def test_requests_during_a_slow_probe_wait_for_it_instead_of_starting_their_own() -> None:
    probe = Probe(ConnectionError("timed out"))
    probe.release.clear()  # a slow store: the probe waits
    app, _ = health(Check("user pool", probe))

    async def meanwhile() -> list[int]:
        waiting = [asyncio.ensure_future(request(app, "/readyz")) for _ in range(20)]
        await asyncio.sleep(0.2)
        assert not any(task.done() for task in waiting)
        probe.release.set()
        return [status for status, _, _ in await asyncio.gather(*waiting)]

    assert asyncio.run(meanwhile()) == [503] * 20
    assert probe.calls == 1


def test_a_store_that_does_not_answer_in_time_is_not_ready_and_is_not_asked_twice_at_once() -> None:
    """A silent database takes 15 s to be given up on; a load balancer's check gives up sooner.
    So the answer comes after the deadline, and the probe still running is not started again."""
    silent, fine = Probe(), Probe()
    silent.release.clear()
    readiness = Readiness(
        [Check("user pool", silent), Check("sessions", fine)], ttl=0.0, deadline=0.3
    )
    app = Health(Passed(), readiness=readiness)

    async def twice() -> list[tuple[int, dict[str, Any], float]]:
        answers = []
        for _ in range(2):
            started = time.monotonic()
            status, _, body = await request(app, "/readyz")
            answers.append((status, json.loads(body)["checks"], time.monotonic() - started))
        silent.release.set()
        await asyncio.sleep(0.1)  # the probe ends
        status, _, body = await request(app, "/readyz")
        answers.append((status, json.loads(body)["checks"], 0.0))
        return answers

    first, second, after = asyncio.run(twice())
    for status, checks, waited in (first, second):
        assert (status, checks) == (503, {"user pool": "unreachable", "sessions": "ok"})
        assert 0.25 < waited < 2
    assert silent.calls == 2  # one probe across both answers, and one more after it ended
    assert fine.calls == 3
    assert after[:2] == (200, {"user pool": "ok", "sessions": "ok"})


def test_head_has_no_body_other_methods_are_refused_other_paths_pass() -> None:
    app, inner = health(Check("sessions", Probe()))
    status, headers, body = asyncio.run(request(app, "/readyz", "HEAD"))
    assert (status, body) == (200, b"")
    assert int(headers[b"content-length"]) > 0  # what a GET would carry
    status, headers, _ = asyncio.run(request(app, "/healthz", "POST"))
    assert (status, headers[b"allow"]) == (405, b"GET, HEAD")
    assert asyncio.run(request(app, "/healthz/x"))[0] == 204
    assert asyncio.run(request(app, "/signin"))[0] == 204
    assert inner.paths == ["/healthz/x", "/signin"]


def test_under_a_base_path_only_the_prefixed_paths_answer() -> None:
    app, inner = health(Check("sessions", Probe()), base="/_mfa")
    assert asyncio.run(request(app, "/_mfa/healthz"))[0] == 200
    assert asyncio.run(request(app, "/_mfa/readyz"))[0] == 200
    assert asyncio.run(request(app, "/healthz"))[0] == 204
    assert inner.paths == ["/healthz"]
