"""Write users straight into a pool's SQLite file: a million through the API would take hours.

The rows are what AdminCreateUser + AdminSetUserPassword(Permanent) leave behind: status CONFIRMED,
enabled, ``email`` and ``email_verified`` attributes, an argon2id password hash. Every user shares one
hash (hashing a million passwords would take hours too; nothing measured here verifies it). Usernames
are ``user0000000``…, emails ``user0000000@example.com``…, so a prefix of the middle user's email
minus its last digit matches exactly ten users at any size.

This is the bench's own seeder until the shared ``bench.seed_users`` helper lands; ``bench.datasets``
calls it in one place, so switching is one line.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from mfa_portal.pool.passwords import PasswordHasher

BATCH = 50_000


def username(i: int) -> str:
    return f"user{i:07d}"


def email(i: int) -> str:
    return f"{username(i)}@example.com"


def _rows(
    pool_id: str, start: int, stop: int, password_hash: str, now: float
) -> Iterator[tuple[object, ...]]:
    for i in range(start, stop):
        name = username(i)
        attrs = json.dumps({"email": email(i), "email_verified": "true"})
        yield (pool_id, name, name, str(uuid.uuid4()), "CONFIRMED", attrs, password_hash, now, now)


def seed_users_direct(db_path: Path, pool_id: str, count: int, password: str) -> None:
    """Insert ``count`` users into ``pool_id`` in ``db_path`` (the server must be stopped)."""
    password_hash = PasswordHasher().hash(password)
    now = time.time()
    conn = sqlite3.connect(db_path)
    try:
        # This connection only: random `sub` keys land all over their unique index, so a large page
        # cache keeps a million inserts from re-reading it; a crash mid-way just means seeding again.
        conn.execute("PRAGMA cache_size = -262144")  # 256 MiB
        conn.execute("PRAGMA synchronous = OFF")
        # Pool schema 8 keeps the email beside the attributes (an indexed column for ListUsers).
        conn.execute("UPDATE users SET email = email WHERE 0")  # fails early on an older schema
        for start in range(0, count, BATCH):
            with conn:  # one transaction per batch keeps the WAL small
                conn.executemany(
                    "INSERT INTO users (pool_id, username, username_key, sub, status, enabled, "
                    "attributes, password_hash, created, modified) "
                    "VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
                    _rows(pool_id, start, min(count, start + BATCH), password_hash, now),
                )
                conn.execute(  # the batch's email column, from the attributes just written
                    "UPDATE users SET email = json_extract(attributes, '$.email') "
                    "WHERE pool_id = ? AND email IS NULL",
                    (pool_id,),
                )
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # no ANALYZE: the server never runs it
    finally:
        conn.close()
