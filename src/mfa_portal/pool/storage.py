"""Storage for the embedded pool: ``pool.sqlite3`` in the data directory, or the ``mfa_pool`` schema.

Every state change runs inside ``Database.transaction()``, which serialises read-check-write sequences
(consume a TOTP step, spend a session, count a failure) in the database — SQLite's ``BEGIN IMMEDIATE``
or PostgreSQL's advisory lock (``mfa_portal.storage``) — so two racing requests cannot both win.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.pool.config_cache import Attached, ConfigCache
from mfa_portal.pool.schema import MIGRATIONS
from mfa_portal.storage import Connection
from mfa_portal.storage import Database as Store

FILE_NAME = "pool.sqlite3"
SCHEMA = "mfa_pool"


class CommitThenRaise(Exception):
    """Raised inside a transaction to keep its writes (e.g. a failure counter) and still fail the call."""

    def __init__(self, error: CognitoError) -> None:
        super().__init__(error.message)
        self.error = error


class Database(Store):
    """The pool's database; ``CommitThenRaise`` commits, then surfaces its Cognito error.

    Inside its transactions and reads, pool and client configuration comes from one
    ``ConfigCache`` per database object (see ``config_cache``).
    """

    commit_on = (CommitThenRaise,)

    def __init__(self, path: Path, *, url: str | None = None) -> None:
        self.config_cache = ConfigCache()
        super().__init__(path, MIGRATIONS, url=url, schema=SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        try:
            with super().transaction() as conn, Attached(conn, self.config_cache):
                yield conn
        except CommitThenRaise as keep:
            raise keep.error from None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        try:
            with super().read() as conn, Attached(conn, self.config_cache):
                yield conn
        except CommitThenRaise as keep:  # e.g. an expired session removed while reading it
            raise keep.error from None

    def single_statements(self) -> AbstractContextManager[Connection]:
        """A connection on which each statement is its own snapshot (``Context.single_statements``)."""
        return _SingleStatements(self)


class _SingleStatements:
    """``Database.single_statements``, as a plain class: it wraps every GetUser, where the three
    generator-based context managers it used to nest showed in profiles."""

    __slots__ = ("_db", "_conn", "_attached")

    def __init__(self, db: Database) -> None:
        self._db = db

    def __enter__(self) -> Connection:
        self._conn = conn = self._db.acquire()
        self._attached = Attached(conn, self._db.config_cache)
        self._attached.__enter__()
        return conn

    def __exit__(self, *exc: object) -> None:
        try:
            self._attached.__exit__()
        finally:
            self._db.release(self._conn)
