"""SQLite under the storage layer: one file in WAL mode, a connection per thread, ``BEGIN IMMEDIATE``.

This is the embedded default and the hot path, so it stays the standard library's ``sqlite3`` with no
wrapper between a call site and the connection: a thread keeps its connection for its lifetime and a
transaction costs exactly the ``BEGIN IMMEDIATE`` / ``COMMIT`` pair it cost before PostgreSQL existed.
``BEGIN IMMEDIATE`` takes the file's write lock up front, which serialises every read-check-write
sequence (the replay guard, single-use sessions, failure counters) across threads and processes.

Opening a file is also where a damaged or unusable one is caught: ``PRAGMA quick_check`` runs once per
open, and every failure becomes a ``StartupError`` whose one-line message names the file and says what
to do, instead of a traceback. The data directory is created 0700 and the database file 0600 (SQLite
gives its ``-wal`` and ``-shm`` files the database file's mode), because they hold password hashes,
sealed seeds and the audit trail.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from mfa_portal.storage.errors import StartupError, private_dir, unwritable


class SqliteBackend:
    """One database file; ``Database`` drives it through acquire/begin/commit/release."""

    def __init__(self, path: Path, migrations: Sequence[str]) -> None:
        self.path = path
        self.where = str(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        try:
            self._create_private()
            self._check_integrity()
        except OSError as exc:
            self.close_all()
            raise StartupError(unwritable(path, exc.strerror or str(exc))) from None
        except sqlite3.DatabaseError as exc:
            self.close_all()
            raise StartupError(_unusable(path, exc)) from None
        try:
            self._migrate(migrations)
        except sqlite3.OperationalError as exc:
            self.close_all()
            if _no_write_access(exc):  # a read-only file or directory; a broken script is a bug
                raise StartupError(unwritable(path, str(exc))) from None
            raise

    def acquire(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=30, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            _enter_wal(conn)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def connect(self) -> sqlite3.Connection:
        return self.acquire()

    @staticmethod
    def begin_write(conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")

    @staticmethod
    def begin_read(conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN")

    @staticmethod
    def commit(conn: sqlite3.Connection) -> None:
        conn.execute("COMMIT")

    @staticmethod
    def rollback(conn: sqlite3.Connection) -> None:
        conn.execute("ROLLBACK")

    @staticmethod
    def release(conn: sqlite3.Connection) -> None:
        """Nothing: the thread keeps its connection."""

    def schema_version(self) -> int:
        return int(self.acquire().execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            with self._lock:
                if conn in self._connections:
                    self._connections.remove(conn)
            conn.close()
            self._local.conn = None

    def close_all(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    def _create_private(self) -> None:
        """The file with mode 0600 before SQLite opens it; its -wal and -shm files inherit the mode."""
        private_dir(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        for suffix in ("", "-wal", "-shm"):
            sibling = self.path.with_name(self.path.name + suffix)
            if sibling.exists() and sibling.stat().st_mode & 0o077:
                sibling.chmod(0o600)  # a file created by an older version, or under a loose umask

    def _check_integrity(self) -> None:
        """``PRAGMA quick_check`` (O(size), no index cross-check): a damaged file stops the start."""
        rows = self.acquire().execute("PRAGMA quick_check").fetchall()
        if [tuple(row) for row in rows] != [("ok",)]:
            raise sqlite3.DatabaseError(f"quick_check: {rows[0][0]}")

    def _migrate(self, migrations: Sequence[str]) -> None:
        conn = self.acquire()
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = int(conn.execute("PRAGMA user_version").fetchone()[0])
            for version, script in enumerate(migrations, start=1):
                if version > current:
                    for statement in statements(script):
                        conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _enter_wal(conn: sqlite3.Connection, patience: float = 30.0) -> None:
    """WAL mode, waiting out another process that is creating or converting the same file: SQLite
    answers that switch with "database is locked" at once, without its busy handler, and a fresh
    data directory opened by two processes together must not read as a damaged file."""
    deadline = time.monotonic() + patience
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


def statements(script: str) -> Iterator[str]:
    """Split a script into complete statements (``sqlite3.complete_statement`` handles triggers)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                yield buffer.strip()
            buffer = ""
    if buffer.strip():
        yield buffer.strip()


def _no_write_access(exc: sqlite3.DatabaseError) -> bool:
    reason = str(exc)
    return isinstance(exc, sqlite3.OperationalError) and any(
        words in reason for words in ("unable to open", "readonly", "read-only")
    )


def _unusable(path: Path, exc: sqlite3.DatabaseError) -> str:
    reason = " ".join(str(exc).split())
    if len(reason) > 120:  # quick_check lists every damaged cell; the first ones say enough
        reason = reason[:117] + "..."
    if _no_write_access(exc):
        return unwritable(path, reason)
    return (
        f"{path} is damaged ({reason}): stop every process using it, then restore it from a "
        "backup, or move it (with its -wal and -shm files) aside to start with an empty one"
    )
