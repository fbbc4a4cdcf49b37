"""SQLite storage for the embedded pool: WAL mode, versioned schema, one transaction per state change.

Every state change runs inside ``Database.transaction()``, which takes SQLite's write lock up front
(``BEGIN IMMEDIATE``) so that read-check-write sequences (consume a TOTP step, spend a session, count a
failure) are serialised by the database: two racing requests cannot both win.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.pool.config_cache import ConfigCache, attach, cache_for, detach
from mfa_portal.pool.schema import MIGRATIONS
from mfa_portal.sqlite import SQLiteFile


class CommitThenRaise(Exception):
    """Raised inside a transaction to keep its writes (e.g. a failure counter) and still fail the call."""

    def __init__(self, error: CognitoError) -> None:
        super().__init__(error.message)
        self.error = error


class Database(SQLiteFile):
    """The pool's database; ``CommitThenRaise`` commits, then surfaces its Cognito error.

    Its connections share one ``ConfigCache`` (pool and client configuration, see ``config_cache``).
    """

    commit_on = (CommitThenRaise,)

    def __init__(self, path: Path) -> None:
        self.config_cache = ConfigCache()
        super().__init__(path, MIGRATIONS)

    def connect(self) -> sqlite3.Connection:
        conn = super().connect()
        if cache_for(conn) is not self.config_cache:  # a connection new to this thread
            attach(conn, self.config_cache)
        return conn

    def close(self) -> None:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            detach(conn)
        super().close()

    def close_all(self) -> None:
        with self._lock:
            for conn in self._connections:
                detach(conn)
        super().close_all()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            with super().transaction() as conn:
                yield conn
        except CommitThenRaise as keep:
            raise keep.error from None

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        try:
            with super().read() as conn:
                yield conn
        except CommitThenRaise as keep:  # e.g. an expired session removed while reading it
            raise keep.error from None
