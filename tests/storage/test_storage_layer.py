"""The storage layer on both engines: call shape, transactions, migrations, start-up refusals."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from mfa_portal.pool.client import EngineCognitoClient
from mfa_portal.pool.engine import Engine
from mfa_portal.settings import SettingsError, load_settings
from mfa_portal.storage import Database, IntegrityError, StartupError
from mfa_portal.storage.dialect import migration_statements, placeholders
from mfa_portal.storage.postgres import POOL_SIZE
from mfa_portal.web.session_store import SqlSessionStore
from tests.support.pg_throwaway import PostgresServer

# Written the way colleagues write migrations: portable SQL only.
PORTABLE = (
    """
    CREATE TABLE things (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,   -- a comment with 'quotes' and a ? in it
        seen REAL NOT NULL,
        count INTEGER NOT NULL DEFAULT 0,
        flag INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX things_seen ON things (seen);
    CREATE TABLE log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        thing_id INTEGER NOT NULL REFERENCES things(id) ON DELETE CASCADE,
        note TEXT NOT NULL
    );
    CREATE TRIGGER log_no_update BEFORE UPDATE ON log
        BEGIN SELECT RAISE(ABORT, 'log entries are append-only'); END;
    """,
    """
    ALTER TABLE things ADD COLUMN extra TEXT;
    INSERT INTO things (name, seen) VALUES ('seed', 1.5) ON CONFLICT DO NOTHING;
    """,
)


class Keep(Exception):
    pass


class Store(Database):
    commit_on = (Keep,)


@pytest.fixture
def store(tmp_path: Path, any_database: str | None) -> Iterator[Store]:
    db = Store(tmp_path / "x.sqlite3", PORTABLE, url=any_database, schema="mfa_test")
    yield db
    db.close_all()


def test_the_call_shape_is_the_same_on_both_engines(store: Store) -> None:
    with store.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO things (name, seen, flag) VALUES (?, ?, ?) RETURNING id",
            ("a%b", 1_800_000_015.25, True),
        )
        new_id = cur.fetchone()[0]
        conn.execute(
            "INSERT INTO things (name, seen) VALUES (?, ?) ON CONFLICT (name) DO UPDATE "
            "SET count = things.count + 1",
            ("a%b", 2.0),
        )
        conn.executemany("INSERT INTO log (thing_id, note) VALUES (?, ?)", [(new_id, "x")] * 2)
    with store.read() as conn:
        row = conn.execute(
            "SELECT id, name, seen, count, flag, '?' AS mark FROM things WHERE name LIKE 'a%' "
            "AND id = ?",
            (new_id,),
        ).fetchone()
        assert (row["name"], row[1], row["count"], row["flag"], row["mark"]) == (
            "a%b",
            "a%b",
            1,
            1,
            "?",
        )
        assert row["seen"] == 1_800_000_015.25  # a double, not PostgreSQL's 4-byte REAL
        assert dict(row)["id"] == new_id
        assert [r[0] for r in conn.execute("SELECT note FROM log")] == ["x", "x"]
        gone = conn.execute("SELECT name FROM things WHERE id = ?", (-1,)).fetchone()
        assert gone is None
    with store.transaction() as conn:
        assert conn.execute("DELETE FROM things WHERE id = ?", (new_id,)).rowcount == 1


def test_the_commit_on_exception_keeps_the_writes_and_others_roll_back(store: Store) -> None:
    with pytest.raises(Keep), store.transaction() as conn:
        conn.execute("UPDATE things SET count = 7 WHERE name = 'seed'")
        raise Keep
    with pytest.raises(ValueError), store.transaction() as conn:
        conn.execute("UPDATE things SET count = 99 WHERE name = 'seed'")
        raise ValueError
    with store.read() as conn:
        assert conn.execute("SELECT count FROM things WHERE name = 'seed'").fetchone()[0] == 7


def test_a_constraint_and_an_append_only_trigger_raise_the_one_integrity_error(
    store: Store,
) -> None:
    with pytest.raises(IntegrityError), store.transaction() as conn:
        conn.execute("INSERT INTO things (name, seen) VALUES ('seed', 0)")
    with store.transaction() as conn:
        thing = conn.execute("SELECT id FROM things").fetchone()[0]
        conn.execute("INSERT INTO log (thing_id, note) VALUES (?, 'n')", (thing,))
    with pytest.raises(IntegrityError, match="append-only"), store.transaction() as conn:
        conn.execute("UPDATE log SET note = 'changed'")


def test_migrations_run_once_and_a_new_one_alone_later(
    tmp_path: Path, any_database: str | None
) -> None:
    first = Store(tmp_path / "m.sqlite3", PORTABLE[:1], url=any_database, schema="mfa_m")
    assert first.schema_version() == 1
    first.close_all()
    again = Store(tmp_path / "m.sqlite3", PORTABLE, url=any_database, schema="mfa_m")
    try:
        assert again.schema_version() == 2
        with again.read() as conn:
            assert conn.execute("SELECT count(*) FROM things").fetchone()[0] == 1
    finally:
        again.close_all()
    third = Store(tmp_path / "m.sqlite3", PORTABLE, url=any_database, schema="mfa_m")
    try:
        with third.read() as conn:  # not run twice: still one seeded row
            assert conn.execute("SELECT count(*) FROM things").fetchone()[0] == 1
    finally:
        third.close_all()


def test_two_stores_in_one_database_do_not_see_each_other(postgres_url: str) -> None:
    a = Store(Path("/unused"), PORTABLE, url=postgres_url, schema="mfa_a")
    b = Store(Path("/unused"), PORTABLE[:1], url=postgres_url, schema="mfa_b")
    try:
        with a.transaction() as conn:
            conn.execute("INSERT INTO things (name, seen) VALUES ('only-a', 0)")
        with b.read() as conn:
            assert conn.execute("SELECT count(*) FROM things").fetchone()[0] == 0
        assert (a.schema_version(), b.schema_version()) == (2, 1)
    finally:
        a.close_all()
        b.close_all()


def test_placeholders_are_translated_outside_literals_only() -> None:
    sql = "SELECT '?', \"q?\" FROM t WHERE a = ? AND b LIKE 'x%' -- why?\n AND c = ?"
    assert placeholders(sql) == (
        "SELECT '?', \"q?\" FROM t WHERE a = %s AND b LIKE 'x%%' -- why?\n AND c = %s"
    )


def test_sqlite_ddl_becomes_postgresql_ddl() -> None:
    (table,) = migration_statements(
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL, n INTEGER, b BLOB, "
        "u INTEGER PRIMARY KEY REFERENCES x(id)) WITHOUT ROWID"
    )
    assert table == (
        "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
        "at DOUBLE PRECISION, n BIGINT, b BYTEA, u BIGINT PRIMARY KEY REFERENCES x(id))"
    )
    guard = migration_statements(
        "CREATE TRIGGER a_no_delete BEFORE DELETE ON a BEGIN SELECT RAISE(ABORT, 'no'); END"
    )
    assert len(guard) == 3 and "BEFORE TRUNCATE ON a" in guard[2]
    with pytest.raises(ValueError, match="no PostgreSQL translation"):
        migration_statements("CREATE TRIGGER t AFTER INSERT ON a BEGIN DELETE FROM b; END")


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ("password", "password authentication failed"),
        ("port", "Connection refused"),
        ("database", 'database "nope" does not exist'),
    ],
)
def test_an_unusable_database_url_is_one_line_without_the_password(
    postgres_server: PostgresServer, how: str, expected: str
) -> None:
    url = {
        "password": postgres_server.url(password="not-the-password"),
        "port": "postgresql://postgres:not-the-password@127.0.0.1:1/x",
        "database": postgres_server.url("nope").replace(
            postgres_server.password, "not-the-password"
        ),
    }[how]
    if how == "database":
        url = postgres_server.url("nope")
    with pytest.raises(StartupError) as refused:
        Store(Path("/unused"), PORTABLE, url=url, schema="mfa_x")
    message = str(refused.value)
    assert expected in message and "MFA_PORTAL_DATABASE_URL" in message
    assert "\n" not in message
    assert "not-the-password" not in message and postgres_server.password not in message
    assert "postgres:***@" in message


def test_a_replica_with_other_keys_refuses_to_start(tmp_path: Path, postgres_url: str) -> None:
    """The key check values live in the shared database: keys that differ are one line."""
    first = Engine(tmp_path / "replica-a", database_url=postgres_url)
    first.db.close_all()
    with pytest.raises(StartupError, match="seed.key is missing but the pool database"):
        Engine(tmp_path / "replica-c", database_url=postgres_url)
    Engine(tmp_path / "replica-b").db.close_all()  # keys of its own, made for a SQLite file
    with pytest.raises(StartupError) as refused:
        Engine(tmp_path / "replica-b", database_url=postgres_url)
    message = str(refused.value)
    assert "is not the key the data in postgresql://postgres:***@" in message
    assert "(schema mfa_pool)" in message and "\n" not in message
    same = Engine(tmp_path / "replica-a", database_url=postgres_url)  # the same keys: fine
    same.db.close_all()


def test_the_session_store_works_on_both_engines(tmp_path: Path, any_database: str | None) -> None:
    now = [1000.0]
    store = SqlSessionStore(tmp_path / "s.sqlite3", clock=lambda: now[0], url=any_database)
    try:
        store.save("sid", "doc", 60)
        store.save("sid", "doc2", 60)
        assert store.load("sid") == "doc2"
        now[0] += 61
        assert store.load("sid") is None
        store.save("other", "x", 60)
        store.delete("other")
        assert store.load("other") is None
    finally:
        store.close()


def test_a_database_url_that_is_not_postgresql_is_a_settings_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="MFA_PORTAL_DATABASE_URL must be a postgresql://"):
        load_settings(data_dir=tmp_path, database_url="mysql://u:p@h/db")
    with pytest.raises(StartupError, match="must start with postgresql://"):
        Database(tmp_path / "x", PORTABLE, url="sqlite:///x")


def test_the_pool_served_alone_creates_no_portal_tables(
    tmp_path: Path, empty_postgres_url: str
) -> None:
    from mfa_portal.pool.standalone import build_standalone

    pool = build_standalone(tmp_path, database_url=empty_postgres_url)
    try:
        with pool.engine.db.read() as conn:
            schemas = {
                row[0]
                for row in conn.execute(
                    "SELECT DISTINCT table_schema FROM information_schema.tables "
                    "WHERE table_schema LIKE 'mfa%'"
                )
            }
        assert schemas == {"mfa_pool"}
        assert not (tmp_path / "pool.sqlite3").exists()
    finally:
        pool.engine.db.close_all()
        if pool.outbox is not None:
            pool.outbox.close_all()


def test_the_pool_served_alone_beside_a_used_database_mints_no_key_pair(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``pool serve`` on a fresh data directory, pointed at a database that already holds a pool
    (another replica's): a key pair of its own would lock out every caller signing with the
    deployment's, so a pair that is not supplied is one line instead."""
    from mfa_portal.pool.credentials import (
        ENV_ACCESS_KEY_ID,
        ENV_SECRET_ACCESS_KEY,
        CredentialsError,
    )
    from mfa_portal.pool.standalone import build_standalone
    from tests.support.replicas import SharedSecrets
    from tests.support.setup import create_pool

    for name, value in SharedSecrets.create(tmp_path / "secrets").env().items():
        monkeypatch.setenv(name, value)
    first = build_standalone(tmp_path / "a", database_url=postgres_url, env={})
    create_pool(EngineCognitoClient(first.engine))
    first.engine.db.close_all()
    with pytest.raises(CredentialsError) as refused:
        build_standalone(tmp_path / "b", database_url=postgres_url, env={})
    assert "credentials.json is missing but postgresql://postgres:***@" in str(refused.value)
    assert not (tmp_path / "b" / "credentials.json").exists()
    # Given the deployment's pair (the first replica's), it starts.
    made = json.loads((tmp_path / "a" / "credentials.json").read_text())
    pair = {ENV_ACCESS_KEY_ID: made["AccessKeyId"], ENV_SECRET_ACCESS_KEY: made["SecretAccessKey"]}
    second = build_standalone(tmp_path / "b", database_url=postgres_url, env=pair)
    second.engine.db.close_all()
    for pool in (first, second):
        if pool.outbox is not None:
            pool.outbox.close_all()


def test_a_connection_the_server_dropped_is_replaced(
    tmp_path: Path, postgres_server: PostgresServer, postgres_url: str
) -> None:
    """A fail-over or restart kills pooled connections; the next transaction gets a new one."""
    db = Store(tmp_path / "x", PORTABLE, url=postgres_url, schema="mfa_drop")
    try:
        with db.read() as conn:
            conn.execute("SELECT 1")
        name = postgres_url.rsplit("/", 1)[1]
        postgres_server.admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        )
        with db.transaction() as conn:
            conn.execute("UPDATE things SET count = count + 1")
        with db.read() as conn:
            assert conn.execute("SELECT count FROM things").fetchone()[0] == 1
    finally:
        db.close_all()


def test_every_pooled_connection_the_server_dropped_is_replaced_before_a_statement_runs(
    tmp_path: Path, postgres_server: PostgresServer, postgres_url: str
) -> None:
    """After a restart every idle connection in the pool is dead. A transaction's BEGIN replaced its
    own, but each single statement on another (a session read, a sign-in's user lookup) failed: one
    error per pooled connection, per worker, after every fail-over. Now none does."""
    db = Store(tmp_path / "x", PORTABLE, url=postgres_url, schema="mfa_drop_all")
    try:
        held = [db.acquire() for _ in range(4)]  # four connections open, then idle in the pool
        for conn in held:
            conn.execute("SELECT 1")
        for conn in held:
            db.release(conn)
        name = postgres_url.rsplit("/", 1)[1]
        postgres_server.admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        )
        time.sleep(0.2)  # the server's goodbye reaches each socket
        answers = []
        for _ in range(6):  # more than were pooled: each would have met a dead one first
            with db.autocommit() as conn:
                answers.append(conn.execute("SELECT count FROM things").fetchone()[0])
        assert answers == [0] * 6
    finally:
        db.close_all()


def test_a_live_connection_is_kept_whatever_its_descriptor_number(
    tmp_path: Path, postgres_url: str
) -> None:
    """The check for a dropped connection must never drop a live one: a busy worker's sockets can
    sit above descriptor 1023, where ``select.select`` refuses to look (it raised, and every
    checkout replaced its connection with a new one)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(soft, 2048), hard), hard))
    filler = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    db = Store(tmp_path / "x", PORTABLE, url=postgres_url, schema="mfa_high_fd")
    try:
        servers = []
        for _ in range(3):
            with db.autocommit() as conn:
                servers.append(conn.execute("SELECT pg_backend_pid()").fetchone()[0])
                assert conn.raw.fileno() > 1023  # type: ignore[attr-defined]
        assert len(set(servers)) == 1  # one connection, kept in the pool and taken again
    finally:
        db.close_all()
        for fd in filler:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_burst_reuses_the_connections_the_last_burst_opened_up_to_the_bound(
    tmp_path: Path, postgres_server: PostgresServer, postgres_url: str
) -> None:
    """Connections a burst opens stay open for the next one, so requests above the usual load do not
    each wait for a new server process (they did: connections beyond five were closed on return, and
    16 concurrent /auth/verify requests opened 150-330 new ones in 5 s). The bound still holds."""
    db = Store(tmp_path / "x", PORTABLE, url=postgres_url, schema="mfa_burst")
    database = postgres_url.rsplit("/", 1)[1]

    def server_processes() -> set[int]:
        with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
            rows = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s "
                "AND application_name = 'mfa-portal'",
                (database,),
            ).fetchall()
        return {int(row[0]) for row in rows}

    def hold_together(readers: int, extra: int = 0) -> int:
        """``readers`` threads each hold a connection at once while ``extra`` more want one; the
        server processes counted meanwhile."""
        holding = threading.Barrier(readers + 1)  # the readers and this thread
        done = threading.Event()

        def read() -> None:
            with db.read() as conn:
                conn.execute("SELECT 1")
                if not done.is_set():
                    with contextlib.suppress(threading.BrokenBarrierError):
                        holding.wait(timeout=10)
                done.wait(timeout=10)

        threads = [threading.Thread(target=read) for _ in range(readers + extra)]
        for thread in threads:
            thread.start()
        holding.wait(timeout=10)
        time.sleep(0.2)  # time for an extra reader to get a connection, were there one for it
        counted = len(server_processes())
        done.set()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads)
        return counted

    try:
        assert hold_together(12) == 12
        first = server_processes()
        assert len(first) == 12  # kept after the burst
        hold_together(12)
        assert server_processes() == first  # the same server processes: none closed, none new
        assert hold_together(POOL_SIZE, extra=5) == POOL_SIZE  # the extra ones wait their turn
    finally:
        db.close_all()
