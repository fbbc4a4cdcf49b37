"""SQLite storage: WAL, foreign keys, versioned migrations, and the one-transaction-per-change rule."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mfa_portal.cognito_api import errors
from mfa_portal.pool import storage
from mfa_portal.pool.schema import MIGRATIONS
from mfa_portal.pool.storage import CommitThenRaise, Database
from mfa_portal.storage import Connection
from tests.support.cognito_errors import raises_cognito

POOL_ROW = "INSERT INTO pools (id, name, settings, mfa, created, modified) VALUES (?, 'p', '{}', '{}', 0, 0)"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "data" / "pool.sqlite3")
    yield database
    database.close()


def pool_ids(db: Database) -> list[str]:
    with db.read() as conn:
        return [r[0] for r in conn.execute("SELECT id FROM pools ORDER BY id")]


def test_wal_mode_and_foreign_keys_are_on(db: Database) -> None:
    conn = db.connect()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_missing_parent_directory_is_created(tmp_path: Path) -> None:
    database = Database(tmp_path / "a" / "b" / "pool.sqlite3")
    assert (tmp_path / "a" / "b" / "pool.sqlite3").exists()
    database.close()


def test_schema_version_counts_the_migrations(db: Database) -> None:
    assert db.schema_version() == len(MIGRATIONS)
    assert db.connect().execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    tables = {
        r[0] for r in db.connect().execute("SELECT name FROM sqlite_master WHERE type='table'")
    }
    assert {
        "pools",
        "clients",
        "users",
        "software_tokens",
        "auth_sessions",
        "token_families",
        "groups",
        "group_members",
    } <= tables


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError), db.transaction() as conn:
        conn.execute(
            "INSERT INTO clients (id, pool_id, name, settings, created, modified) "
            "VALUES ('c', 'no-such-pool', 'c', '{}', 0, 0)"
        )


def test_deleting_a_pool_cascades(db: Database) -> None:
    with db.transaction() as conn:
        conn.execute(POOL_ROW, ("p1",))
        conn.execute(
            "INSERT INTO users (pool_id, username, username_key, sub, status, created, modified) "
            "VALUES ('p1', 'u', 'u', 's-1', 'CONFIRMED', 0, 0)"
        )
    with db.transaction() as conn:
        conn.execute("DELETE FROM pools WHERE id = 'p1'")
    with db.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0


def test_reopening_keeps_data_and_does_not_rerun_migrations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = "CREATE TABLE IF NOT EXISTS runs (n INTEGER);\nINSERT INTO runs VALUES (1)"
    monkeypatch.setattr(storage, "MIGRATIONS", [*MIGRATIONS, extra])
    path = tmp_path / "pool.sqlite3"
    first = Database(path)
    with first.transaction() as conn:
        conn.execute(POOL_ROW, ("kept",))
    first.close()
    second = Database(path)
    assert pool_ids(second) == ["kept"]
    assert second.schema_version() == len(MIGRATIONS) + 1
    with second.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1  # ran once, not twice
    second.close()


def test_a_new_migration_runs_on_an_existing_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "pool.sqlite3"
    Database(path).close()
    monkeypatch.setattr(storage, "MIGRATIONS", [*MIGRATIONS, "CREATE TABLE later (x INTEGER)"])
    upgraded = Database(path)
    assert upgraded.schema_version() == len(MIGRATIONS) + 1
    upgraded.connect().execute("SELECT x FROM later")
    upgraded.close()


def test_a_failing_migration_rolls_back_entirely(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "pool.sqlite3"
    Database(path).close()
    broken = "CREATE TABLE half (x INTEGER);\nINSERT INTO no_such_table VALUES (1)"
    monkeypatch.setattr(storage, "MIGRATIONS", [*MIGRATIONS, broken])
    with pytest.raises(sqlite3.OperationalError):
        Database(path)
    check = sqlite3.connect(path)
    try:
        assert check.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert (
            check.execute("SELECT name FROM sqlite_master WHERE name = 'half'").fetchone() is None
        )
    finally:
        check.close()


def test_a_failing_first_migration_leaves_an_empty_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage, "MIGRATIONS", [MIGRATIONS[0] + ";\nTHIS IS NOT SQL"])
    path = tmp_path / "pool.sqlite3"
    with pytest.raises(sqlite3.OperationalError):
        Database(path)
    check = sqlite3.connect(path)
    try:
        assert check.execute("PRAGMA user_version").fetchone()[0] == 0
        assert check.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0
    finally:
        check.close()


def test_transaction_commits(db: Database) -> None:
    with db.transaction() as conn:
        conn.execute(POOL_ROW, ("p1",))
    assert pool_ids(db) == ["p1"]


def test_transaction_rolls_back_on_error(db: Database) -> None:
    with raises_cognito("NotAuthorizedException"), db.transaction() as conn:
        conn.execute(POOL_ROW, ("p1",))
        raise errors.NotAuthorizedException("no")
    assert pool_ids(db) == []


def test_transaction_rolls_back_on_base_exception(db: Database) -> None:
    with pytest.raises(KeyboardInterrupt), db.transaction() as conn:
        conn.execute(POOL_ROW, ("p1",))
        raise KeyboardInterrupt
    assert pool_ids(db) == []
    with db.transaction() as conn:  # the connection is usable again (no transaction left open)
        conn.execute(POOL_ROW, ("p2",))
    assert pool_ids(db) == ["p2"]


def test_commit_then_raise_keeps_the_writes_and_raises_the_inner_error(db: Database) -> None:
    wrong = "Invalid code or auth state for the user."
    with raises_cognito("CodeMismatchException", wrong) as caught, db.transaction() as conn:
        conn.execute(POOL_ROW, ("counted",))
        raise CommitThenRaise(errors.CodeMismatchException(wrong))
    assert caught.error.__cause__ is None and caught.error.__suppress_context__
    assert pool_ids(db) == ["counted"]


def test_commit_then_raise_in_a_read_raises_the_inner_error(db: Database) -> None:
    with raises_cognito("NotAuthorizedException"), db.read():
        raise CommitThenRaise(errors.NotAuthorizedException("gone"))


def test_read_sees_committed_data_and_ends_its_transaction(db: Database) -> None:
    with db.transaction() as conn:
        conn.execute(POOL_ROW, ("p1",))
    with db.read() as conn:
        assert isinstance(conn, sqlite3.Connection) and conn.in_transaction
    mine = db.connect()
    assert isinstance(mine, sqlite3.Connection) and not mine.in_transaction


def test_one_connection_per_thread(db: Database) -> None:
    mine = db.connect()
    assert db.connect() is mine
    theirs: list[Connection] = []

    def other() -> None:
        theirs.append(db.connect())
        db.close()

    worker = threading.Thread(target=other)
    worker.start()
    worker.join()
    assert theirs and theirs[0] is not mine


def test_close_then_connect_opens_a_fresh_connection(db: Database) -> None:
    first = db.connect()
    db.close()
    db.close()  # idempotent
    second = db.connect()
    assert second is not first
    second.execute("SELECT 1")


def test_immediate_transactions_serialise_writers(db: Database) -> None:
    """A second writer waits for the first to commit: read-check-write cannot interleave."""
    order: list[str] = []
    started = threading.Event()

    def second_writer() -> None:
        started.set()
        with db.transaction() as conn:
            order.append("second begins")
            count = conn.execute("SELECT COUNT(*) FROM pools").fetchone()[0]
            conn.execute(POOL_ROW, (f"p{count + 1}",))
        db.close()

    with db.transaction() as conn:
        order.append("first begins")
        conn.execute(POOL_ROW, ("p1",))
        worker = threading.Thread(target=second_writer)
        worker.start()
        started.wait()
        time.sleep(0.2)
        order.append("first commits")
    worker.join()
    assert order == ["first begins", "first commits", "second begins"]
    assert pool_ids(db) == ["p1", "p2"]
