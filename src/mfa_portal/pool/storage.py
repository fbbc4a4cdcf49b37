"""SQLite storage for the embedded pool: WAL mode, versioned schema, one transaction per state change.

Every state change runs inside ``Database.transaction()``, which takes SQLite's write lock up front
(``BEGIN IMMEDIATE``) so that read-check-write sequences (consume a TOTP step, spend a session, count a
failure) are serialised by the database: two racing requests cannot both win.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mfa_portal.pool.errors import CognitoError
from mfa_portal.pool.schema import MIGRATIONS


class CommitThenRaise(Exception):
    """Raised inside a transaction to keep its writes (e.g. a failure counter) and still fail the call."""

    def __init__(self, error: CognitoError) -> None:
        super().__init__(error.message)
        self.error = error


class Database:
    """One SQLite file; a connection per thread; schema migrated on open."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._migrate()

    def connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=30, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block as one IMMEDIATE transaction; roll back on error unless ``CommitThenRaise``."""
        conn = self.connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except CommitThenRaise as keep:
            conn.execute("COMMIT")
            raise keep.error from None
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent read-only snapshot (deferred transaction)."""
        conn = self.connect()
        conn.execute("BEGIN")
        try:
            yield conn
        except CommitThenRaise as keep:  # e.g. an expired session removed while reading it
            raise keep.error from None
        finally:
            conn.execute("COMMIT")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def schema_version(self) -> int:
        with self.read() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        conn = self.connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = int(conn.execute("PRAGMA user_version").fetchone()[0])
            for version, script in enumerate(MIGRATIONS, start=1):
                if version > current:
                    for statement in script.split(";\n"):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
