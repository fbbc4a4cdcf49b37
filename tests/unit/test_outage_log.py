"""``OutageLog``: while a store is down, the log gets a line a second, not one per refused request."""

from __future__ import annotations

import logging

import psycopg
import pytest
import redis.exceptions
import sqlalchemy.exc

from mfa_portal.storage.outage import OutageLog

LOGGER = "tests.outage_log"


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER]


def test_one_line_per_second_and_the_next_counts_those_in_between(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [100.0]
    outage_log = OutageLog(logging.getLogger(LOGGER), clock=lambda: now[0])
    gone = psycopg.OperationalError("connection failed: Connection refused")
    for request in range(500):  # a busy site during half a second of outage
        now[0] += 0.001
        outage_log.error(gone, "GET /signin answered 503 (request %d)", request)
    now[0] += 0.6
    outage_log.error(gone, "GET /account answered 503 (request %d)", 500)
    now[0] += 0.5
    outage_log.error(gone, "GET /account answered 503 (request %d)", 501)
    assert lines(caplog) == [
        "GET /signin answered 503 (request 0)",
        "GET /account answered 503 (request 500) "
        "(and 499 more refused like it since the last such line)",
    ]


def test_each_kind_of_error_has_its_own_line(caplog: pytest.LogCaptureFixture) -> None:
    """Two stores down at once, or two errors with one name: neither hides the other."""
    outage_log = OutageLog(logging.getLogger(LOGGER), clock=lambda: 5.0)
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
