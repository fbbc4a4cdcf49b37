"""Server-side storage for portal sessions: SQLite in the data dir by default, Redis when shared.

Stores only ever see a digest of the session id (so a leaked store does not leak live cookies) and an
opaque JSON document; expiry is enforced by the store so an abandoned session cannot be revived.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Protocol


def key_for(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class SessionStore(Protocol):
    def load(self, session_id: str) -> str | None:
        """The stored document, or None when unknown or expired."""
        ...

    def save(self, session_id: str, document: str, ttl_seconds: int) -> None: ...

    def delete(self, session_id: str) -> None: ...

    def close(self) -> None: ...


class SqliteSessionStore:
    """One small table in ``<data_dir>/portal-sessions.sqlite3`` (WAL mode)."""

    def __init__(self, path: Path, clock: Any = time.time) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS portal_sessions ("
            " key TEXT PRIMARY KEY, document TEXT NOT NULL, expires_at REAL NOT NULL)"
        )
        self._saves = 0
        # Reads have their own connection: forward-auth reads on the event loop and must never
        # wait for a write (WAL readers see the last commit without taking the write lock).
        self._read_lock = threading.Lock()
        self._reader = sqlite3.connect(path, check_same_thread=False, isolation_level=None)

    def load(self, session_id: str) -> str | None:
        with self._read_lock:
            row = self._reader.execute(
                "SELECT document FROM portal_sessions WHERE key = ? AND expires_at > ?",
                (key_for(session_id), self._clock()),
            ).fetchone()
        return None if row is None else str(row[0])

    def save(self, session_id: str, document: str, ttl_seconds: int) -> None:
        now = self._clock()
        with self._lock:
            self._conn.execute(
                "INSERT INTO portal_sessions (key, document, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT(key) DO UPDATE SET document = excluded.document,"
                " expires_at = excluded.expires_at",
                (key_for(session_id), document, now + ttl_seconds),
            )
            self._saves += 1
            if self._saves % 500 == 0:  # sweep now and then instead of a background task
                self._conn.execute("DELETE FROM portal_sessions WHERE expires_at <= ?", (now,))

    def delete(self, session_id: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM portal_sessions WHERE key = ?", (key_for(session_id),))

    def close(self) -> None:
        with self._read_lock:
            self._reader.close()
        with self._lock:
            self._conn.close()


class RedisSessionStore:
    """Sessions shared by several portal instances behind a load balancer."""

    PREFIX = "mfa-portal:session:"

    def __init__(self, redis_client: Any) -> None:
        self._redis = redis_client

    @classmethod
    def from_url(cls, url: str) -> RedisSessionStore:
        import redis

        return cls(redis.Redis.from_url(url))

    def load(self, session_id: str) -> str | None:
        value = self._redis.get(self.PREFIX + key_for(session_id))
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    def save(self, session_id: str, document: str, ttl_seconds: int) -> None:
        self._redis.set(self.PREFIX + key_for(session_id), document, ex=ttl_seconds)

    def delete(self, session_id: str) -> None:
        self._redis.delete(self.PREFIX + key_for(session_id))

    def close(self) -> None:
        self._redis.close()
