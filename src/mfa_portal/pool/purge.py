"""Expired rows leave a batch at a time, on writes that happen anyway, never all at once.

A sign-in that had to delete every auth session or token family that expired since the last one
would take as long as there are dead rows (after a burst of abandoned sign-ins: minutes, holding the
write lock). Each write instead removes at most ``BATCH`` of the oldest dead rows, found through the
table's expiry index; rows are created one per write, so the dead ones never pile up for long.
"""

from __future__ import annotations

from mfa_portal.storage import Connection

BATCH = 100
#: The tables swept this way and their keys (names are never taken from input).
_KEYS = {"auth_sessions": "id_hash", "token_families": "origin_jti", "srp_spent": "id_hash"}


def purge_expired(conn: Connection, table: str, key: str, before: float) -> int:
    """Delete up to ``BATCH`` rows of ``table`` that expired before ``before``; return how many."""
    if _KEYS.get(table) != key:
        raise ValueError(f"{table}.{key} is not a purged table")
    return conn.execute(
        f"DELETE FROM {table} WHERE {key} IN "
        f"(SELECT {key} FROM {table} WHERE expires_at < ? ORDER BY expires_at LIMIT ?)",
        (before, BATCH),
    ).rowcount
