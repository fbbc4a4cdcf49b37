"""``/healthz`` and ``/readyz``: what a load balancer or an orchestrator asks a server.

- ``GET /healthz`` (liveness) answers ``200 ok`` from the process alone: it is up and its event
  loop turns. It touches no store, so a database outage never makes an orchestrator restart every
  replica at once, which would fix nothing.
- ``GET /readyz`` (readiness) also asks each store the process needs (a ``SELECT 1``, a Redis
  ``PING``) and answers ``200`` when all answer, ``503`` naming the ones that did not. A replica
  that cannot reach its stores while the others can (one zone cut off from the database, say) is
  then taken out of rotation, where it would otherwise answer 503 to its share of the users.

Neither needs credentials, so neither may cost much: the stores are asked at most once per
``Readiness.ttl`` seconds per process, however many ask, and callers meanwhile share one answer
(an asking request waits for the probes in flight, it never starts others); a probe that fails
logs one WARNING line, and the answer names a store and never says why. Both are raw ASGI in front
of everything, so no session, cookie or template is involved.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from mfa_portal.storage.outage import summary

LIVE_PATH = "/healthz"
READY_PATH = "/readyz"
OK = "ok"
UNREACHABLE = "unreachable"

log = logging.getLogger("mfa_portal.health")


@dataclass(frozen=True)
class Check:
    """One store, by the name an operator knows it by, and a call that raises when it is out of
    reach (bounded by the store's own timeouts)."""

    name: str
    probe: Callable[[], object]


class Readiness:
    """The stores' state, asked at most once per ``ttl`` seconds, and waited for ``deadline``
    seconds at most.

    The checks run side by side, one probe per store at a time: a store that has not answered
    within ``deadline`` counts as unreachable (a load balancer's own check gives up after a few
    seconds, and a silent database takes 15 s to be given up on), and its probe runs on until its
    store's own timeout without another being started beside it.
    """

    def __init__(
        self,
        checks: Sequence[Check],
        *,
        ttl: float = 2.0,
        deadline: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.checks = tuple(checks)
        self.ttl = ttl
        self.deadline = deadline
        self._clock = clock
        self._answer: dict[str, str] | None = None
        self._asked_at = 0.0
        self._in_flight: dict[str, asyncio.Future[bool]] = {}

    async def report(self) -> dict[str, str]:
        """Each store's name with ``ok`` or ``unreachable``."""
        if self._answer is not None and self._clock() - self._asked_at < self.ttl:
            return self._answer
        probes = {check.name: self._probe_of(check) for check in self.checks}
        await asyncio.wait(probes.values(), timeout=self.deadline)  # never cancels a probe
        answer = {
            name: OK if probe.done() and probe.result() else UNREACHABLE
            for name, probe in probes.items()
        }
        self._answer, self._asked_at = answer, self._clock()
        return answer

    def _probe_of(self, check: Check) -> asyncio.Future[bool]:
        """The probe of ``check`` in flight, or a new one."""
        probe = self._in_flight.get(check.name)
        if probe is None:
            probe = asyncio.get_running_loop().run_in_executor(None, _answers, check)
            self._in_flight[check.name] = probe
            probe.add_done_callback(lambda _: self._in_flight.pop(check.name, None))
        return probe


def _answers(check: Check) -> bool:
    try:
        check.probe()
    except Exception as exc:  # whatever the store's client raises: not ready
        log.warning("readiness: %s is unreachable (%s)", check.name, summary(exc))
        return False
    return True


class Health:
    """Raw ASGI: ``GET``/``HEAD`` of ``<base>/healthz`` and ``<base>/readyz``; all else to ``app``."""

    def __init__(self, app: ASGIApp, *, readiness: Readiness, base: str = "") -> None:
        self.app = app
        self.readiness = readiness
        self.live = base + LIVE_PATH
        self.ready = base + READY_PATH

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path")
        if scope["type"] != "http" or path not in (self.live, self.ready):
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            await _answer(scope, send, 405, b"", b"text/plain", [(b"allow", b"GET, HEAD")])
            return
        if path == self.live:
            await _answer(scope, send, 200, b"ok\n", b"text/plain; charset=utf-8")
            return
        checks = await self.readiness.report()
        ready = all(state == OK for state in checks.values())
        body = json.dumps({"status": "ready" if ready else "not ready", "checks": checks})
        await _answer(scope, send, 200 if ready else 503, body.encode(), b"application/json")


async def _answer(
    scope: Scope,
    send: Send,
    status: int,
    body: bytes,
    content_type: bytes,
    extra: Sequence[tuple[bytes, bytes]] = (),
) -> None:
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        (b"x-content-type-options", b"nosniff"),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
