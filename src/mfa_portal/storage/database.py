"""``Database``: one versioned store on SQLite (a file) or PostgreSQL (a schema), same transactions.

The embedded pool, the portal store and the portal sessions each are one ``Database``. Without a
database URL it is a SQLite file in the data directory (the default, unchanged); with a
``postgresql://`` URL it is a schema of that database (``mfa_pool``, ``mfa_portal``, …), so the pool
and the portal store stay separately usable — the portal in front of Amazon Cognito has no pool tables.

``transaction()`` serialises every read-check-write sequence on both engines (``BEGIN IMMEDIATE`` on
SQLite, a transaction-scoped advisory lock on PostgreSQL; see ``postgres``), and keeps its writes when
the exception is one of ``commit_on`` (a failure counter must count even though the call fails).
``read()`` is a consistent snapshot. The PostgreSQL side is imported only when a URL asks for it, so
the embedded default loads neither SQLAlchemy nor psycopg.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mfa_portal.storage.sqlite_file import SqliteBackend
from mfa_portal.storage.types import Connection

if TYPE_CHECKING:
    from mfa_portal.storage.postgres import PostgresBackend


def is_postgres_url(url: str) -> bool:
    scheme = url.split(":", 1)[0].lower()
    return scheme.split("+", 1)[0] in ("postgresql", "postgres")


class Database:
    """A store; subclasses name their migrations and may keep writes on chosen exceptions."""

    # Exceptions that commit the transaction's writes before propagating (e.g. a failure counter).
    commit_on: tuple[type[BaseException], ...] = ()

    def __init__(
        self,
        path: Path,
        migrations: Sequence[str],
        *,
        url: str | None = None,
        schema: str = "",
    ) -> None:
        self._file: Path | None = None
        backend: SqliteBackend | PostgresBackend
        if url:
            if not is_postgres_url(url):
                from mfa_portal.storage.errors import StartupError

                raise StartupError(
                    "the database URL must start with postgresql:// (the SQLite default needs no "
                    "URL: leave MFA_PORTAL_DATABASE_URL unset to use the data directory)"
                )
            from mfa_portal.storage.postgres import PostgresBackend

            backend = PostgresBackend(url, schema or "mfa", migrations)
        else:
            backend = SqliteBackend(path, migrations)
            self._file = path
        self._backend = backend
        self.where = backend.where
        self.engine_name = "postgresql" if url else "sqlite"

    @property
    def path(self) -> Path:
        """The SQLite file (only the SQLite engine has one)."""
        if self._file is None:
            raise TypeError(f"{self.where} is not a file")
        return self._file

    def connect(self) -> Connection:
        """The calling thread's own connection, each statement its own transaction, kept until
        ``close()`` (tools and tests; request code uses ``transaction``, ``read``, ``autocommit``)."""
        return self._backend.connect()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One serialised write transaction; rolled back on error unless it is in ``commit_on``."""
        backend = self._backend
        conn: Any = backend.acquire()
        try:
            backend.begin_write(conn)
            try:
                yield conn
            except self.commit_on:
                backend.commit(conn)
                raise
            except BaseException:
                backend.rollback(conn)
                raise
            else:
                backend.commit(conn)
        finally:
            backend.release(conn)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A consistent read-only snapshot."""
        backend = self._backend
        conn: Any = backend.acquire()
        try:
            backend.begin_read(conn)
            try:
                yield conn
            finally:
                backend.commit(conn)
        finally:
            backend.release(conn)

    @contextmanager
    def autocommit(self) -> Iterator[Connection]:
        """A connection whose every statement is its own transaction (single-statement stores)."""
        conn = self.acquire()
        try:
            yield conn
        finally:
            self.release(conn)

    def ping(self) -> None:
        """One round trip to the store (``/readyz``); raises when it cannot be reached."""
        with self.autocommit() as conn:
            conn.execute("SELECT 1").fetchone()

    def acquire(self) -> Connection:
        """``autocommit``'s connection without the context manager, for a class that wraps a hot
        path; every ``acquire`` needs its ``release``."""
        conn: Connection = self._backend.acquire()
        return conn

    def release(self, conn: Connection) -> None:
        backend_conn: Any = conn  # the backend's own connection type, which ``acquire`` gave out
        self._backend.release(backend_conn)

    def schema_version(self) -> int:
        return self._backend.schema_version()

    def close(self) -> None:
        """Close the calling thread's connection (a worker thread that ends before the process)."""
        self._backend.close()

    def close_all(self) -> None:
        """Close every connection this object opened, in any thread (at shutdown only)."""
        self._backend.close_all()
