"""Replicas started together on an empty PostgreSQL database create one deployment, not several.

The first start of a deployment creates what must exist once: the schemas, the default pool and its
app client, the check values of the pool's keys and the first administrator. Replicas have data
directories of their own, so the data directory's start lock cannot see them; the database's
start-up lock (an advisory lock) makes the others wait and then find what the first created. Real
``mfa-portal serve`` processes on a database that holds no pool yet. So that they do not merely
start one after another by chance, the test holds the pool table locked until every replica is
waiting at the database, then lets them all go at once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest

from mfa_portal.wiring.bootstrap import load_ids
from tests.support.pg_throwaway import PostgresServer
from tests.support.postgres import fresh_database
from tests.support.redis_server import redis_server
from tests.support.replicas import START_TIMEOUT, Deployment, SharedSecrets

pytestmark = pytest.mark.xdist_group("replicas")

REPLICAS = 4
CREATED = "Created the default pool and its first administrator:"


@pytest.fixture
def empty_deployment(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("first-start")
    database = fresh_database(postgres_server)  # the schemas, and nothing in them
    try:
        with redis_server(root) as redis_url:
            secrets = SharedSecrets.create(root / "secrets")
            deployment = Deployment(root, postgres_server.url(database), redis_url, secrets)
            try:
                yield deployment
            finally:
                deployment.stop()
    finally:
        postgres_server.admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def waiting(watch: psycopg.Connection[tuple[Any, ...]]) -> int:
    """Sessions of this database waiting for a lock (the table's, or the start-up lock)."""
    row = watch.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock'"
    ).fetchone()
    return int(row[0]) if row else 0


def test_replicas_started_at_once_on_an_empty_database_create_one_pool_and_one_admin(
    empty_deployment: Deployment,
) -> None:
    url = empty_deployment.database_url
    with psycopg.connect(url) as gate, psycopg.connect(url, autocommit=True) as watch:
        gate.execute("LOCK TABLE mfa_pool.pools IN ACCESS EXCLUSIVE MODE")
        launched = [empty_deployment.launch(f"r{i}") for i in range(REPLICAS)]
        deadline = time.monotonic() + START_TIMEOUT
        while waiting(watch) < REPLICAS:  # each replica is held at the database
            assert all(r.proc.poll() is None for r in launched), [r.output() for r in launched]
            assert time.monotonic() < deadline, "the replicas did not reach the database"
            time.sleep(0.1)
    # The gate's transaction ended: every replica goes on from the same instant.
    for replica in launched:
        empty_deployment.wait(replica)

    with psycopg.connect(empty_deployment.database_url) as conn:
        pools = conn.execute("SELECT id, name FROM mfa_pool.pools").fetchall()
        admins = conn.execute(
            "SELECT count(*) FROM mfa_pool.users WHERE username = 'admin'"
        ).fetchone()
        clients = conn.execute("SELECT count(*) FROM mfa_pool.clients").fetchone()
    assert [name for _, name in pools] == ["mfa-portal"]
    assert admins == (1,) and clients == (1,)

    banners = [r.output() for r in launched]
    assert sum(CREATED in text for text in banners) == 1, banners
    assert len({load_ids(r.data_dir) for r in launched}) == 1  # every one serves that pool
    pool_id = pools[0][0]
    keys = {httpx.get(f"{r.url}/cognito/{pool_id}/.well-known/jwks.json").text for r in launched}
    assert len(keys) == 1  # every replica signs with, and publishes, the same keys
