"""A PostgreSQL peer that goes silent: both ends give up in seconds, not after TCP's 15 minutes.

The lock test runs the server on a far host (a network namespace behind a router) and cuts the link
while a replica on this side holds the store's write lock, as a crashed replica host would. Before,
the server kept that session, and the lock every replica's writes queue on, for hours (the server's
default keepalive is 2 hours); a writer on the server's own host waited for it.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from mfa_portal.storage import Database, outage, postgres
from mfa_portal.storage.pg_timeouts import CLIENT, SERVER, connect_settings
from mfa_portal.storage.postgres import PgConnection, PostgresBackend, lock_key
from tests.support.far_host import postgres_on_far_host


def test_every_connection_carries_both_ends_limits() -> None:
    settings = connect_settings(sa.make_url("postgresql://u:p@db/x"), "mfa_pool")
    assert {k: settings[k] for k in CLIENT} == CLIENT
    assert settings["options"] == (
        "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=3 -c tcp_keepalives_count=3 "
        "-c tcp_user_timeout=15000 -c idle_in_transaction_session_timeout=60000 "
        "-c search_path=mfa_pool"
    )


def test_a_url_keeps_its_own_settings_and_cannot_move_the_store_out_of_its_schema() -> None:
    url = sa.make_url(
        "postgresql://u:p@db/x?keepalives_idle=30&options=-c tcp_user_timeout=30000"
        " -c search_path=elsewhere"
    )
    settings = connect_settings(url, "mfa_pool")
    assert "keepalives_idle" not in settings  # the URL's 30 reaches libpq as it is
    assert settings["keepalives_count"] == 3
    options = settings["options"]
    assert options.index("tcp_user_timeout=15000") < options.index("tcp_user_timeout=30000")
    assert options.endswith("-c search_path=elsewhere -c search_path=mfa_pool")


def _socket_of(conn: PgConnection) -> socket.socket:
    return socket.socket(fileno=socket.dup(conn.raw.fileno()))


def _limits_in_force(conn: PgConnection) -> tuple[dict[str, str], dict[str, int]]:
    server = {
        name: str(conn.execute(f"SHOW {name}").fetchone()[0]) for name in (*SERVER, "search_path")
    }
    with _socket_of(conn) as sock:
        client = {
            "keepalive": sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
            "idle": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
            "interval": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
            "count": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT),
            "unacknowledged_ms": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT),
        }
    return server, client


def _limits_of_a_store_at(url: str, tmp_path: Path) -> tuple[dict[str, str], dict[str, int]]:
    db = Database(tmp_path / "x", (), url=url, schema="mfa_limits")
    try:
        with db.autocommit() as conn:
            return _limits_in_force(conn)  # type: ignore[arg-type]
    finally:
        db.close_all()


def test_the_limits_are_in_force_on_a_stores_connections(tmp_path: Path, postgres_url: str) -> None:
    server, client = _limits_of_a_store_at(postgres_url, tmp_path)
    assert server == {
        "tcp_keepalives_idle": "10",
        "tcp_keepalives_interval": "3",
        "tcp_keepalives_count": "3",
        "tcp_user_timeout": "15000",
        "idle_in_transaction_session_timeout": "1min",
        "search_path": "mfa_limits",
    }
    assert client == {
        "keepalive": 1,
        "idle": 10,
        "interval": 3,
        "count": 3,
        "unacknowledged_ms": 15000,
    }


def test_an_operator_may_set_other_limits_in_the_url(tmp_path: Path, postgres_url: str) -> None:
    url = (
        f"{postgres_url}?keepalives_idle=30&options=-c%20idle_in_transaction_session_timeout%3D5min"
    )
    server, client = _limits_of_a_store_at(url, tmp_path)
    assert server["idle_in_transaction_session_timeout"] == "5min"
    assert server["search_path"] == "mfa_limits"
    assert (client["idle"], client["count"]) == (30, 3)


def _wait_for_the_write_lock(url: str, schema: str) -> float:
    """Seconds a writer on the server's host waited for the store's write lock (at most 45)."""
    started = time.monotonic()
    with psycopg.connect(url, autocommit=True) as writer:
        writer.execute("SET lock_timeout = '45s'")
        writer.execute("BEGIN")
        try:
            writer.execute(f"SELECT pg_advisory_xact_lock({lock_key(schema)})")
        except psycopg.errors.LockNotAvailable:
            pytest.fail("the vanished replica still held the write lock after 45 s")
    return time.monotonic() - started


def test_a_replica_that_vanishes_mid_write_frees_the_write_lock_in_seconds(tmp_path: Path) -> None:
    with postgres_on_far_host() as (far, server):
        replica = Database(tmp_path / "x", (), url=server.url(), schema="mfa_vanish")
        try:
            with pytest.raises(psycopg.OperationalError), replica.transaction() as conn:
                conn.execute("SELECT 1")  # the write lock is held from BEGIN on
                time.sleep(0.3)  # the server's answer is acknowledged: the session sits idle
                far.cut()
                try:
                    waited = _wait_for_the_write_lock(server.local_url(), "mfa_vanish")
                finally:
                    far.heal()  # also when failing: a rollback over a cut link waits for TCP
                # Probes from 10 s of silence on, every 3 s; given up 15 s after the last word.
                assert 8 < waited < 25, waited
                # The replica is back: its transaction is gone with the lock, so it cannot commit.
        finally:
            replica.close_all()


def test_a_transaction_on_a_silent_host_fails_after_one_wait_not_one_per_pooled_connection(
    tmp_path: Path,
) -> None:
    """A BEGIN that failed replaces its connection and tries once more, for a server that closed it
    (a restart). On a silent host the next pooled connection is as dead, and that retry doubled the
    wait: 30 s, not 15."""
    with postgres_on_far_host() as (far, server):
        db = Database(tmp_path / "x", (), url=server.url(), schema="mfa_silent_begin")
        try:
            backend = db._backend
            assert isinstance(backend, PostgresBackend)
            idle = [backend.acquire() for _ in range(3)]  # three connections, then idle in the pool
            for conn in idle:
                conn.execute("SELECT 1")
                backend.release(conn)
            time.sleep(0.3)
            far.cut()
            started = time.monotonic()
            try:
                with pytest.raises(psycopg.OperationalError), db.transaction():
                    pass
                waited = time.monotonic() - started
            finally:
                far.heal()
            assert 10 < waited < 22, waited  # the BEGIN's bytes unacknowledged for 15 s, once
        finally:
            db.close_all()


def test_a_request_waits_for_a_pooled_connection_a_bounded_time_and_then_is_an_outage(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When every pooled connection is busy (a slow or silent server holds them all), the next
    request waited SQLAlchemy's 30 s and then failed with an error no layer knew: a 500 and a
    traceback. Now it waits ``POOL_WAIT_SECONDS`` (10) and is a store outage: a 503."""
    monkeypatch.setattr(postgres, "POOL_WAIT_SECONDS", 0.5)
    db = Database(tmp_path / "x", (), url=postgres_url, schema="mfa_pool_wait")
    backend = db._backend
    assert isinstance(backend, PostgresBackend)
    busy = [backend.acquire() for _ in range(postgres.POOL_SIZE)]
    try:
        started = time.monotonic()
        with pytest.raises(sa.exc.TimeoutError) as waited:
            backend.acquire()
        assert 0.4 < time.monotonic() - started < 5
        assert outage.unreachable(waited.value)
    finally:
        for conn in busy:
            backend.release(conn)
        db.close_all()
