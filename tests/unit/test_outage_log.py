"""``OutageLog``: while a store is down, the log gets a line a second, not one per refused request."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import psycopg
import pytest
import redis.exceptions
import sqlalchemy.exc

from mfa_portal.storage.outage import OutageLog

LOGGER = "tests.outage_log"


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER]


class Later:
    """The timer, run by hand: what ``OutageLog`` asked to run when, and a way to run it."""

    def __init__(self) -> None:
        self.waiting: list[tuple[float, Callable[[], None]]] = []

    def __call__(self, seconds: float, call: Callable[[], None]) -> None:
        self.waiting.append((seconds, call))

    def run(self) -> list[float]:
        waits = [seconds for seconds, _ in self.waiting]
        calls, self.waiting = self.waiting, []
        for _, call in calls:
            call()
        return waits


def test_one_line_at_once_then_one_a_second_counting_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [100.0]
    later = Later()
    outage_log = OutageLog(logging.getLogger(LOGGER), clock=lambda: now[0], later=later)
    gone = psycopg.OperationalError("connection failed: Connection refused")
    for request in range(500):  # a busy site during half a second of outage
        outage_log.error(gone, "GET /signin answered 503 (request %d)", request)
        now[0] += 0.001
    assert lines(caplog) == ["GET /signin answered 503 (request 0)"]
    now[0] = 101.0
    assert later.run() == [pytest.approx(0.999)]  # asked once, for the end of the second
    outage_log.error(gone, "GET /account answered 503 (request %d)", 500)  # the next second
    now[0] = 102.0
    later.run()
    assert lines(caplog) == [
        "GET /signin answered 503 (request 0)",
        "GET /signin answered 503 (request 499) "
        "(and 498 more refused like it since the last such line)",
        "GET /account answered 503 (request 500)",
    ]
    now[0] = 110.0  # the store is back; a later outage starts with a line at once again
    outage_log.error(gone, "GET /signin answered 503 (request %d)", 501)
    assert lines(caplog)[-1] == "GET /signin answered 503 (request 501)"
    assert later.waiting == []


def test_the_held_lines_are_written_by_a_timer_thread_of_their_own(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The last second of an outage has no next refusal to carry its count."""
    outage_log = OutageLog(logging.getLogger(LOGGER), interval=0.2)
    gone = redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379.")
    for request in range(3):
        outage_log.error(gone, "refused %d", request)
    assert lines(caplog) == ["refused 0"]
    deadline = time.monotonic() + 5
    while len(lines(caplog)) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert lines(caplog) == [
        "refused 0",
        "refused 2 (and 1 more refused like it since the last such line)",
    ]


def test_each_kind_of_error_has_its_own_line(caplog: pytest.LogCaptureFixture) -> None:
    """Two stores down at once, or two errors with one name: neither hides the other."""
    later = Later()
    outage_log = OutageLog(logging.getLogger(LOGGER), clock=lambda: 5.0, later=later)
    for error in (
        redis.exceptions.TimeoutError("Timeout reading from socket"),
        sqlalchemy.exc.TimeoutError("QueuePool limit of size 20 overflow 0 reached"),
        psycopg.OperationalError("gone"),
        psycopg.OperationalError("gone again"),
    ):
        outage_log.error(error, "refused (%s)", error)
    assert lines(caplog) == [
        "refused (Timeout reading from socket)",
        "refused (QueuePool limit of size 20 overflow 0 reached)",
        "refused (gone)",
    ]
    later.run()
    assert lines(caplog)[-1] == "refused (gone again)"
