"""Pool and app-client configuration, parsed once per process and kept until the database says otherwise.

Almost every call reads its pool's and its client's configuration: JSON documents that change a few
times in a pool's life. Parsing them per call is waste, but a plain per-process cache would be wrong
as soon as several worker processes (or, later, several machines) share one database: a change made
through one worker must be seen by every worker on its next request.

So every change to a pool or client also writes a new *configuration stamp* (one row of ``meta``)
in the same transaction, and a cached copy is used only while the stamp it was read under is still
the current one: one primary-key read of a single row, inside the caller's own snapshot, so the
configuration and the stamp it is checked against always come from the same moment. The stamp is a
fresh random value, never a counter: a change whose transaction rolls back after caching its
uncommitted configuration cannot have its stamp reused by a later change, so no stale copy can ever
look current.

Cached documents are shared between calls and must be treated as read-only: a handler that changes
a pool or client builds new dictionaries (as ``UpdateUserPool`` and ``SetUserPoolMfaConfig`` do) and
saves them with ``pools.save_pool``/``save_client``, which write the new stamp.

Connections opt in through ``Attached`` (the pool's ``Database`` does, for the length of each of its
transactions and reads); any other connection reads without the cache, which is always correct.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from mfa_portal.storage import Connection

STAMP_NAME = "config_stamp"  # the ``meta`` row every pool or client change rewrites
NO_STAMP = ""  # a database on which no configuration was ever changed
MAX_ENTRIES = 4096  # beyond this, more pools and clients are read without the cache

T = TypeVar("T")


def bump(conn: Connection) -> None:
    """Record that pool or client configuration changed (call inside the changing transaction)."""
    conn.execute(
        "INSERT INTO meta (name, value) VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        (STAMP_NAME, secrets.token_hex(16)),
    )


# The stamp as a column of another query, to read it in the same snapshot as that query's rows.
STAMP_COLUMN = f"(SELECT value FROM meta WHERE name = '{STAMP_NAME}') AS config_stamp"


def current_stamp(conn: Connection) -> str:
    row = conn.execute("SELECT value FROM meta WHERE name = ?", (STAMP_NAME,)).fetchone()
    return stamp_of(None if row is None else row[0])


def stamp_of(value: object) -> str:
    """The stamp from its column (NULL: no configuration was ever changed)."""
    return NO_STAMP if value is None else str(value)


class ConfigCache:
    """Parsed rows by (table, id), valid for one stamp.

    Thread-safe without a lock (a worker runs handlers in threads): each set of entries is bound to
    the stamp it was read under for good, and a new stamp brings a new set, swapped in as one
    assignment, so no entry can ever be found under a stamp it was not read under.
    """

    def __init__(self) -> None:
        self._current: tuple[str | None, dict[tuple[str, str], Any]] = (None, {})

    def get(
        self,
        conn: Connection,
        table: str,
        key: str,
        load: Callable[[], T | None],
        stamp: str | None = None,
    ) -> T | None:
        """The cached value for ``(table, key)`` under the current stamp, or ``load()`` (cached;
        ``None``, a missing row, is not). ``stamp``: the current stamp, when the caller read it in
        its own query (``STAMP_COLUMN``) on ``conn`` in the same snapshot."""
        if stamp is None:
            stamp = current_stamp(conn)
        cached_stamp, entries = self._current
        if cached_stamp == stamp:
            found = entries.get((table, key))
            if found is not None:
                return found  # type: ignore[no-any-return]
        else:
            entries = {}
            self._current = (stamp, entries)
        value = load()
        if value is not None and len(entries) < MAX_ENTRIES:
            entries[(table, key)] = value
        return value

    def clear(self) -> None:
        self._current = (None, {})


# Connections inside a pool ``Database``'s transaction or read, with that database's cache. The
# connection object is kept alongside its id, so the id cannot be reused by another connection while
# it is registered.
_ATTACHED: dict[int, tuple[Connection, ConfigCache]] = {}


class Attached:
    """Lets ``load_pool``/``load_client`` on ``conn`` use ``cache`` for a ``with`` block. A plain
    class, not a generator: it wraps every call's transaction."""

    __slots__ = ("_conn", "_cache", "_previous")

    def __init__(self, conn: Connection, cache: ConfigCache) -> None:
        self._conn, self._cache = conn, cache
        self._previous: tuple[Connection, ConfigCache] | None = None

    def __enter__(self) -> None:
        key = id(self._conn)
        self._previous = _ATTACHED.get(key)
        _ATTACHED[key] = (self._conn, self._cache)

    def __exit__(self, *exc: object) -> None:
        key = id(self._conn)
        if self._previous is None:
            _ATTACHED.pop(key, None)
        else:
            _ATTACHED[key] = self._previous


def cache_for(conn: Connection) -> ConfigCache | None:
    entry = _ATTACHED.get(id(conn))
    if entry is None or entry[0] is not conn:
        return None
    return entry[1]
