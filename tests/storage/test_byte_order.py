"""Prefix searches answer the same on PostgreSQL as on SQLite, whatever the database's collation.

``ListUsers`` with ``username ^= "…"`` / ``email ^= "…"`` (the console's and ``users list``'s
search) is a range ``prefix <= column < next(prefix)`` over an index, paged by ``(column, id)``. A
database created with ``en_US.UTF-8`` — what ``initdb`` picks on most hosts, and a managed
service's default — compares text by language rules, where ``'Alice' >= 'al'`` and ``'al_c' <
'al1e'``: the range would return users that do not start with the prefix and miss some that do. The
storage layer keeps every text column in byte order (``COLLATE "C"``), as SQLite compares.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from mfa_portal.pool.client import EngineCognitoClient
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.passwords import PasswordHasher
from tests.support.pg_throwaway import PostgresServer
from tests.support.setup import create_pool

# Distinct when lower-cased (the pool's usernames are case-insensitive), mixed case, '_', '-',
# digits: language rules order these differently from byte order, and fold case in comparisons.
NAMES = ["al", "Alb", "al_c", "al-d", "al1e", "aLf", "ALg", "alh", "am", "ak", "a_l", "b", "Z9"]
PREFIXES = ["al", "Al", "AL", "aL", "al_", "al-", "al1", "a", "A", "a_", "Z", "z", "alh", "x"]


def _en_us_database(server: PostgresServer, name: str) -> str:
    server.admin(
        f"CREATE DATABASE {name} LC_COLLATE 'en_US.UTF-8' LC_CTYPE 'en_US.UTF-8' TEMPLATE template0"
    )
    return server.url(name)


@pytest.fixture(params=["sqlite", "postgresql-en_US"])
def idp(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[EngineCognitoClient, str]]:
    url = None
    server: PostgresServer | None = None
    if request.param != "sqlite":
        server = request.getfixturevalue("postgres_server")
        url = _en_us_database(server, f"en_{tmp_path.name[-20:].replace('-', '_').lower()}")
        with psycopg.connect(url) as conn:  # the bug's precondition: not byte order by default
            assert conn.execute("SELECT 'Alice' >= 'al'").fetchone() == (True,)
    engine = Engine(
        tmp_path / "pool", database_url=url, hasher=PasswordHasher(memory_kib=256, time_cost=1)
    )
    client = EngineCognitoClient(engine)
    pool_id, _ = create_pool(client)
    for name in NAMES:
        client.call(
            "AdminCreateUser",
            UserPoolId=pool_id,
            Username=name,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}],
        )
    try:
        yield client, pool_id
    finally:
        engine.db.close_all()
        if server is not None and url is not None:
            server.admin(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


def list_users(client: EngineCognitoClient, pool_id: str, flt: str, limit: int) -> list[Any]:
    """Every page, as a caller pages: ``limit`` users at a time, by pagination token."""
    found: list[Any] = []
    page: dict[str, Any] = {}
    while True:
        answer = client.call("ListUsers", UserPoolId=pool_id, Filter=flt, Limit=limit, **page)
        found += answer["Users"]
        if "PaginationToken" not in answer:
            return found
        page = {"PaginationToken": answer["PaginationToken"]}


@pytest.mark.parametrize("attribute", ["username", "email"])
def test_a_prefix_finds_exactly_the_users_that_start_with_it_in_byte_order(
    idp: tuple[EngineCognitoClient, str], attribute: str
) -> None:
    client, pool_id = idp
    values = NAMES if attribute == "username" else [f"{n}@example.com" for n in NAMES]
    for prefix in PREFIXES:
        expected = sorted(v for v in values if v.startswith(prefix))  # Python: code-point order
        for limit in (60, 2):  # one page, and keyset pages across the range
            users = list_users(client, pool_id, f'{attribute} ^= "{prefix}"', limit)
            if attribute == "username":
                got = [u["Username"] for u in users]
            else:
                got = [
                    next(a["Value"] for a in u["Attributes"] if a["Name"] == "email") for u in users
                ]
            assert got == expected, (prefix, limit)
