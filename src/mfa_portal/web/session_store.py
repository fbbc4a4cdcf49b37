"""Server-side storage for portal sessions: SQLite in the data dir by default (PostgreSQL with a
database URL), Redis when shared.

Stores only ever see a digest of the session id (so a leaked store does not leak live cookies) and an
opaque JSON document; expiry is enforced by the store so an abandoned session cannot be revived.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any, Protocol

from mfa_portal.storage import Database


def key_for(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class SessionStore(Protocol):
    def load(self, session_id: str) -> str | None:
        """The stored document, or None when unknown or expired."""
        ...

    def save(self, session_id: str, document: str, ttl_seconds: int) -> None: ...

    def delete(self, session_id: str) -> None: ...

    def ping(self) -> None:
        """One round trip to the store (``/readyz``); raises when it cannot be reached."""
        ...

    def close(self) -> None: ...


#: The sessions table: its own file (``portal-sessions.sqlite3``) or schema (``mfa_portal_sessions``).
MIGRATIONS = (
    "CREATE TABLE IF NOT EXISTS portal_sessions ("
    " key TEXT PRIMARY KEY, document TEXT NOT NULL, expires_at REAL NOT NULL)",
)
SCHEMA = "mfa_portal_sessions"
FILE_NAME = "portal-sessions.sqlite3"


class SqlSessionStore:
    """One small table: a SQLite file in the data dir (WAL mode), or a PostgreSQL schema.

    Each statement is its own transaction: a load, a save (an upsert) and a delete are single
    statements, so they need no lock around them, on either engine.
    """

    def __init__(self, path: Path, clock: Any = time.time, *, url: str | None = None) -> None:
        self._db = Database(path, MIGRATIONS, url=url, schema=SCHEMA)
        self._clock = clock
        self._saves = 0

    @property
    def local(self) -> bool:
        """A SQLite file: a read takes microseconds and may run on the event loop."""
        return self._db.engine_name == "sqlite"

    def load(self, session_id: str) -> str | None:
        with self._db.autocommit() as conn:
            row = conn.execute(
                "SELECT document FROM portal_sessions WHERE key = ? AND expires_at > ?",
                (key_for(session_id), self._clock()),
            ).fetchone()
        return None if row is None else str(row[0])

    def save(self, session_id: str, document: str, ttl_seconds: int) -> None:
        now = self._clock()
        with self._db.autocommit() as conn:
            conn.execute(
                "INSERT INTO portal_sessions (key, document, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT(key) DO UPDATE SET document = excluded.document,"
                " expires_at = excluded.expires_at",
                (key_for(session_id), document, now + ttl_seconds),
            )
            self._saves += 1
            if self._saves % 500 == 0:  # sweep now and then instead of a background task
                conn.execute("DELETE FROM portal_sessions WHERE expires_at <= ?", (now,))

    def delete(self, session_id: str) -> None:
        with self._db.autocommit() as conn:
            conn.execute("DELETE FROM portal_sessions WHERE key = ?", (key_for(session_id),))

    def ping(self) -> None:
        self._db.ping()

    def close(self) -> None:
        self._db.close_all()


#: The name the embedded default has always had.
SqliteSessionStore = SqlSessionStore


class RedisSessionStore:
    """Sessions shared by several portal instances behind a load balancer."""

    PREFIX = "mfa-portal:session:"
    #: Seconds to connect, and to wait for each answer. redis-py 8 gives these to a client made from
    #: a URL; earlier releases, which the project accepts (``redis>=5``), give it none, and a Redis
    #: that hung or vanished (a crash, a fail-over, a network split) held every request,
    #: ``/auth/verify`` included, and its thread, for good. Said here, it holds with any of them:
    #: such a request answers 503 after this long. The URL's ``?socket_timeout=`` wins.
    TIMEOUT_SECONDS = 5.0

    def __init__(self, redis_client: Any) -> None:
        self._redis = redis_client

    @classmethod
    def from_url(cls, url: str) -> RedisSessionStore:
        import redis

        return cls(
            redis.Redis.from_url(
                url,
                socket_connect_timeout=cls.TIMEOUT_SECONDS,
                socket_timeout=cls.TIMEOUT_SECONDS,
                socket_keepalive=True,
            )
        )

    def load(self, session_id: str) -> str | None:
        value = self._redis.get(self.PREFIX + key_for(session_id))
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    def save(self, session_id: str, document: str, ttl_seconds: int) -> None:
        self._redis.set(self.PREFIX + key_for(session_id), document, ex=ttl_seconds)

    def delete(self, session_id: str) -> None:
        self._redis.delete(self.PREFIX + key_for(session_id))

    def ping(self) -> None:
        self._redis.ping()

    def close(self) -> None:
        self._redis.close()
