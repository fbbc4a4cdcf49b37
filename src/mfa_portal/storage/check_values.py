"""Check values of secrets kept outside a database (an HMAC under the secret, never the secret), so a
process holding another secret than the one the data was written with can refuse to start.

``table`` is a store's ``(name, value)`` table (``meta`` of the pool, ``portal_meta`` of the portal
store); the names come from this package's callers, never from input.
"""

from __future__ import annotations

import hmac

from mfa_portal.storage.database import Database


def matches_or_first(db: Database, table: str, name: str, value: str) -> bool:
    """Record ``value`` under ``name`` if nothing is recorded yet; whether the stored one is it."""
    with db.transaction() as conn:
        conn.execute(
            f"INSERT INTO {table} (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            (name, value),
        )
        stored = conn.execute(f"SELECT value FROM {table} WHERE name = ?", (name,)).fetchone()[0]
    return hmac.compare_digest(str(stored), value)


def replace(db: Database, table: str, name: str, value: str) -> bool:
    """Make ``value`` the one recorded under ``name``; False when it already was."""
    with db.transaction() as conn:
        row = conn.execute(f"SELECT value FROM {table} WHERE name = ?", (name,)).fetchone()
        if row is not None and hmac.compare_digest(str(row[0]), value):
            return False
        conn.execute(
            f"INSERT INTO {table} (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value),
        )
    return True
