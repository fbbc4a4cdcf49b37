"""Seed a pool with many users by writing rows directly, and time ListUsers/AdminGetUser at that size.

``seed_users(data_dir_or_db, count)`` inserts ``count`` users (``executemany``, 50,000 rows per
transaction) into the first pool of a pool database (``<data_dir>/pool.sqlite3`` or the file
itself). A million users through the API would take hours, so the rows are written the way the
engine writes them: what AdminCreateUser and a permanent AdminSetUserPassword leave (CONFIRMED, a
random ``sub``, ``email`` and ``email_verified`` attributes, the ``email`` column of pool schema 8 in
the same INSERT, an argon2id hash), and AdminDisableUser on every tenth user. Every user shares one
hash (a million hashes would take hours too); it is the hash of ``password``, so any user can sign
in. Usernames are ``user0000001`` …, emails ``user0000001@example.com`` …, so the middle user's email
less its last digit is a prefix that matches exactly ten users at any size from 20 up.

``python -m bench.seed_users COUNT [RUNS]`` creates a pool in a temporary data directory, seeds it and
prints the p50/p99 of ``ListUsers`` (first page, ``username ^=``, ``email ^=``, ``email =``, a status
filter) and ``AdminGetUser`` in-process, one caller. ``bench.datasets`` seeds the bench's pools
with it.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mfa_portal.pool.passwords import PasswordHasher

BATCH = 50_000
PASSWORD = "Bench-Pass-123!"


def _database(data_dir_or_db: Path | str) -> Path:
    path = Path(data_dir_or_db)
    return path / "pool.sqlite3" if path.is_dir() else path


def username_of(n: int) -> str:
    return f"user{n:07d}"


def email_of(n: int) -> str:
    return f"{username_of(n)}@example.com"


def _rows(
    pool_id: str, start: int, count: int, password_hash: str, now: float, with_email: bool
) -> Iterator[tuple[Any, ...]]:
    for n in range(start, start + count):
        name, email = username_of(n), email_of(n)
        attributes = json.dumps({"email": email, "email_verified": "true"})
        enabled = 0 if n % 10 == 9 else 1
        sub = str(uuid.uuid4())
        row = (pool_id, name, name, sub, "CONFIRMED", enabled, attributes, password_hash, now, now)
        yield (*row, email) if with_email else row


def seed_users(
    data_dir_or_db: Path | str, count: int, pool_id: str | None = None, password: str = PASSWORD
) -> str:
    """Add ``count`` users to ``pool_id`` (default: the first pool); returns the pool id.

    The database must exist with its schema and the pool (a server or an ``Engine`` creates them),
    and no server may be writing to it. Usernames continue after the users already there.
    """
    password_hash = PasswordHasher().hash(password)
    conn = sqlite3.connect(_database(data_dir_or_db), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        # This connection only: random ``sub`` keys land all over their unique index, so a large page
        # cache keeps a million inserts from re-reading it; a crash mid-way just means seeding again.
        conn.execute("PRAGMA cache_size=-262144")  # 256 MiB
        conn.execute("PRAGMA synchronous=OFF")
        if pool_id is None:
            row = conn.execute("SELECT id FROM pools ORDER BY created LIMIT 1").fetchone()
            if row is None:
                raise ValueError("no pool in this database: create one first")
            pool_id = str(row[0])
        start = int(conn.execute("SELECT count(*) FROM users").fetchone()[0]) + 1
        # A schema before pool migration 8 has no email column (to compare with older trees).
        with_email = any(row[1] == "email" for row in conn.execute("PRAGMA table_info(users)"))
        columns = "pool_id, username, username_key, sub, status, enabled, attributes, "
        columns += "password_hash, created, modified" + (", email" if with_email else "")
        marks = ", ".join("?" * len(columns.split(",")))
        now = time.time()
        done = 0
        while done < count:
            size = min(BATCH, count - done)
            conn.execute("BEGIN IMMEDIATE")  # one transaction per batch keeps the WAL small
            conn.executemany(
                f"INSERT INTO users ({columns}) VALUES ({marks})",
                _rows(pool_id, start + done, size, password_hash, now, with_email),
            )
            conn.execute("COMMIT")
            done += size
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # no ANALYZE: the server never runs it
        return pool_id
    finally:
        conn.close()


def _timed(call: Callable[[], object], runs: int) -> tuple[float, float]:
    """p50 and p99 in milliseconds."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def main(count: int, runs: int = 50) -> None:
    from mfa_portal.pool.engine import Engine

    with tempfile.TemporaryDirectory(prefix="mfa-portal-seed-") as tmp:
        engine = Engine(Path(tmp))
        principal = "bench"
        created = engine.call("CreateUserPool", {"PoolName": "seeded"}, iam_principal=principal)
        pool_id = str(created["UserPool"]["Id"])
        began = time.perf_counter()
        seed_users(tmp, count, pool_id)
        print(f"seeded {count:,} users in {time.perf_counter() - began:.1f} s")

        def list_users(**extra: Any) -> Callable[[], object]:
            params = {"UserPoolId": pool_id, **extra}
            return lambda: engine.call("ListUsers", params, iam_principal=principal)

        middle = count // 2
        token = engine.call("ListUsers", {"UserPoolId": pool_id}, iam_principal=principal)
        cases: dict[str, Callable[[], object]] = {
            "ListUsers first page": list_users(),
            "ListUsers next page": list_users(PaginationToken=token["PaginationToken"]),
            'ListUsers username ^= "user00012"': list_users(Filter='username ^= "user00012"'),
            'ListUsers username ^= "user0"': list_users(Filter='username ^= "user0"'),
            'ListUsers email ^= "user00012"': list_users(Filter='email ^= "user00012"'),
            "ListUsers email =": list_users(Filter=f'email = "{email_of(middle)}"'),
            'ListUsers status = "Disabled"': list_users(Filter='status = "Disabled"'),
            'ListUsers cognito:user_status = "CONFIRMED"': list_users(
                Filter='cognito:user_status = "CONFIRMED"'
            ),
            "AdminGetUser": lambda: engine.call(
                "AdminGetUser",
                {"UserPoolId": pool_id, "Username": username_of(middle)},
                iam_principal=principal,
            ),
        }
        for name, call in cases.items():
            call()  # warm
            p50, p99 = _timed(call, runs)
            print(f"{name:48} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms")
        engine.db.close_all()


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 50,
    )
