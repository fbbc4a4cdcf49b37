"""Seed a pool with many users by writing rows directly, and time ListUsers/AdminGetUser at that size.

``seed_users(data_dir_or_db, count)`` inserts ``count`` users (``executemany``, 50,000 rows per
transaction) into the first pool of a pool database (``<data_dir>/pool.sqlite3`` or the file itself),
the way the engine would store them: ``user0000001`` … with ``<first name>.<n>@example.org`` emails,
CONFIRMED, every tenth one disabled, no password. It skips the engine (a million argon2 hashes would
take hours), so the users cannot sign in; they exist for listing and lookups.

``python -m bench.seed_users COUNT [RUNS]`` creates a pool in a temporary data directory, seeds it and
prints the p50/p99 of ``ListUsers`` (first page, ``username ^=``, ``email ^=``, ``email =``, a status
filter) and ``AdminGetUser`` in-process, one caller.
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

FIRST_NAMES = (
    "alice bob carol dave erin frank grace heidi ivan judy mallory niaj olivia peggy rupert sybil "
    "trent victor walter xena yusuf zoe"
).split()
BATCH = 50_000


def _database(data_dir_or_db: Path | str) -> Path:
    path = Path(data_dir_or_db)
    return path / "pool.sqlite3" if path.is_dir() else path


def username_of(n: int) -> str:
    return f"user{n:07d}"


def email_of(n: int) -> str:
    return f"{FIRST_NAMES[n % len(FIRST_NAMES)]}.{n:07d}@example.org"


def _rows(
    pool_id: str, start: int, count: int, now: float, with_email: bool
) -> Iterator[tuple[Any, ...]]:
    for n in range(start, start + count):
        name, email = username_of(n), email_of(n)
        attributes = json.dumps({"email": email, "email_verified": "true"})
        enabled = 0 if n % 10 == 9 else 1
        sub = str(uuid.UUID(int=n | (1 << 120)))
        row = (pool_id, name, name, sub, "CONFIRMED", enabled, attributes, now, now)
        yield (*row, email) if with_email else row


def seed_users(data_dir_or_db: Path | str, count: int, pool_id: str | None = None) -> str:
    """Add ``count`` users to ``pool_id`` (default: the first pool); returns the pool id.

    The database must exist with its schema (open an ``Engine`` on the directory once, and create
    the pool through it). Usernames continue after the users already seeded.
    """
    conn = sqlite3.connect(_database(data_dir_or_db), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        if pool_id is None:
            row = conn.execute("SELECT id FROM pools ORDER BY created LIMIT 1").fetchone()
            if row is None:
                raise ValueError("no pool in this database: create one first")
            pool_id = str(row[0])
        start = int(conn.execute("SELECT count(*) FROM users").fetchone()[0]) + 1
        # A schema before pool migration 8 has no email column (to compare with older trees).
        with_email = any(row[1] == "email" for row in conn.execute("PRAGMA table_info(users)"))
        columns = (
            "pool_id, username, username_key, sub, status, enabled, attributes, created, modified"
        )
        columns += ", email" if with_email else ""
        marks = ", ".join("?" * len(columns.split(",")))
        now = time.time()
        done = 0
        while done < count:
            size = min(BATCH, count - done)
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                f"INSERT INTO users ({columns}) VALUES ({marks})",
                _rows(pool_id, start + done, size, now, with_email),
            )
            conn.execute("COMMIT")
            done += size
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
            'ListUsers email ^= "grace."': list_users(Filter='email ^= "grace."'),
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
