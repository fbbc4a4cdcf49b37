"""GetUser, signed-in ``/auth/verify`` and password sign-in with the servers' state in PostgreSQL.

The bench starts a throwaway PostgreSQL server (``tests.support.pg_throwaway``: ``initdb`` and
``pg_ctl`` on a temporary directory and a free loopback port, the same launcher the test suite
uses) with one empty database per server under test, and runs ``mfa-portal serve`` and ``pool
serve`` with ``--database-url``; each migrates its database on first start, as in production. The
workloads are the ones the SQLite servers ran earlier in the same run, with the same settings, so
the report can put the two side by side. Without PostgreSQL's binaries ``PostgresMissing`` says so.
"""

from __future__ import annotations

import psycopg

from bench import cognito_requests as calls
from bench import serving
from bench.results import OnPostgres
from bench.workloads_wrk import Options, our_pool, replay, verify_signed_in
from tests.support import pg_throwaway
from tests.support.pg_throwaway import PostgresMissing

__all__ = ["PostgresMissing", "on_postgres", "server_facts"]


def server_facts(url: str) -> tuple[str, dict[str, str]]:
    """The server's version and the durability settings it runs with, as it reports them."""
    names = ["fsync", "full_page_writes", "synchronous_commit"]
    with psycopg.connect(url) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        rows = conn.execute(
            "SELECT name, setting FROM pg_settings WHERE name = ANY(%s) ORDER BY name", (names,)
        ).fetchall()
    shown = str(version[0]).split(" ")[0] if version else "unknown"
    return f"PostgreSQL {shown}", {str(name): str(setting) for name, setting in rows}


def on_postgres(o: Options) -> OnPostgres:
    """The three workloads on a throwaway PostgreSQL server, one server under test at a time."""
    with pg_throwaway.throwaway_server() as pg:
        version, settings = server_facts(pg.url())
        portal_db = pg_throwaway.new_database(pg, "bench_portal")
        pool_db = pg_throwaway.new_database(pg, "bench_pool")
        with serving.portal_serve(
            o.work / "pg-portal", o.workers, o.work, database_url=portal_db
        ) as portal:
            signed_in = verify_signed_in(portal, o)
        with our_pool(o, o.work / "pg-pool", database_url=pool_db) as (server, _):
            prepared = calls.prepare(server)
            get_user = replay(calls.get_user(prepared), o)
            initiate_auth = replay(calls.initiate_auth(prepared), o)
    return OnPostgres(signed_in, get_user, initiate_auth, version, settings)
