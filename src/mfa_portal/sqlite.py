"""One SQLite file in WAL mode with a versioned schema: the storage under both the pool and the portal.

The embedded pool's database and the portal's own store are separate files with separate schemas (the
portal must work the same against Amazon Cognito, where there is no pool database), but they share
these mechanics: a connection per thread, ``BEGIN IMMEDIATE`` transactions so read-check-write sequences
are serialised by SQLite, and migrations counted by ``PRAGMA user_version``.

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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


class StartupError(Exception):
    """The data directory cannot be used as it is; the message is one line naming the file and the fix."""


def private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) readable by this user only; an existing one is kept."""
    if path.is_dir():
        return
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise StartupError(
            f"cannot create the directory {path} ({exc.strerror or exc}): create it, or give this "
            "user write access to its parent, or use another data directory"
        ) from None


class SQLiteFile:
    """A database file; subclasses name their migrations and may keep writes on chosen exceptions."""

    # Exceptions that commit the transaction's writes before propagating (e.g. a failure counter).
    commit_on: tuple[type[BaseException], ...] = ()

    def __init__(self, path: Path, migrations: Sequence[str]) -> None:
        self.path = path
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
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction; rolled back on error unless it is in ``commit_on``."""
        conn = self.connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except self.commit_on:
            conn.execute("COMMIT")
            raise
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent read-only snapshot (a deferred transaction)."""
        conn = self.connect()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    def schema_version(self) -> int:
        with self.read() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        """Close the calling thread's connection (a worker thread that ends before the process)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            with self._lock:
                if conn in self._connections:
                    self._connections.remove(conn)
            conn.close()
            self._local.conn = None

    def close_all(self) -> None:
        """Close every connection this object opened, in any thread (at shutdown only)."""
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
        rows = self.connect().execute("PRAGMA quick_check").fetchall()
        if [tuple(row) for row in rows] != [("ok",)]:
            raise sqlite3.DatabaseError(f"quick_check: {rows[0][0]}")

    def _migrate(self, migrations: Sequence[str]) -> None:
        conn = self.connect()
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


def unwritable(path: Path, reason: str) -> str:
    return (
        f"cannot open {path} for writing ({reason}): give this user write access to "
        f"{path.parent} and its files, or use another data directory"
    )


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
