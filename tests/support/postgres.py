"""A real PostgreSQL server for the tests: ``initdb`` + ``pg_ctl`` on a temporary directory and port.

One server per test session (per xdist worker; started by ``tests.support.pg_throwaway``), torn down
at the end; every test that asks for ``postgres_url`` gets a fresh database copied from a migrated
template (``CREATE DATABASE … TEMPLATE`` with ``FILE_COPY``: milliseconds, not a migration run). Connections over TCP need the password
(``scram-sha-256``), so a wrong password fails as it would in production. Running as root, the
server runs as the unprivileged ``postgres`` (or ``nobody``) user in a directory it owns, because
PostgreSQL refuses to run as root. A missing PostgreSQL skips locally and fails in CI (``CI=true``).

``MFA_PORTAL_TEST_DATABASE=postgresql`` runs the engine and portal test worlds (``engine``,
``engine_world``, ``world``) on PostgreSQL instead of SQLite files (``database_url`` fixture).
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support import pg_throwaway
from tests.support.pg_throwaway import PostgresServer
from tests.support.tools import require_tool

TEMPLATE = "mfa_template"  # every store migrated
EMPTY = "mfa_empty"
_names = itertools.count(1)


def prepared_server(root: Path) -> PostgresServer:
    """A started server with an empty database and a migrated template to copy for each test."""
    try:
        pg_throwaway.bin_dir()
    except pg_throwaway.PostgresMissing:
        require_tool("initdb")  # skips locally, fails in CI
    server = pg_throwaway.start_server(root)
    server.admin(f"CREATE DATABASE {EMPTY}")
    server.admin(f"CREATE DATABASE {TEMPLATE}")
    _migrate(server.url(TEMPLATE))
    return server


@contextmanager
def own_server(
    host: str = "127.0.0.1", prefix: Sequence[str] = ()
) -> Iterator[tuple[PostgresServer, Path]]:
    """A server of one test's own, which it may stop (``pg_throwaway.stop_server``) and start again
    in its directory; on ``host``, run with ``prefix`` (another network namespace). Removed after."""
    root = Path(tempfile.mkdtemp(prefix="mfa-pg-"))
    try:
        try:
            server = pg_throwaway.start_server(root, host=host, prefix=prefix)
        except pg_throwaway.PostgresMissing:
            require_tool("pg_ctl")  # fails in CI, skips elsewhere
            raise
        try:
            yield server, root
        finally:
            pg_throwaway.stop_server(server, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _migrate(url: str) -> None:
    """Every store's schema, once, in the template: a test's database starts migrated."""
    from mfa_portal.admin.store import PortalStore
    from mfa_portal.pool.storage import Database
    from mfa_portal.web.session_store import SqlSessionStore

    nowhere = Path("/nonexistent")
    Database(nowhere, url=url).close_all()
    PortalStore(nowhere, url=url).close_all()
    SqlSessionStore(nowhere, url=url).close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    root = Path(tempfile.mkdtemp(prefix="mfa-pg-"))
    try:
        try:
            server = prepared_server(root)
        except subprocess.CalledProcessError as exc:
            log = root / "log"
            detail = (exc.stderr or b"").decode(errors="replace") + (
                log.read_text(errors="replace") if log.exists() else ""
            )
            pytest.fail(f"PostgreSQL did not start ({exc.cmd[-1]}): {detail[-2000:]}")
        try:
            yield server
        finally:
            pg_throwaway.stop_server(server, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def fresh_database(server: PostgresServer, template: str = TEMPLATE) -> str:
    name = f"t{os.getpid()}_{next(_names)}"
    server.admin(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
    return name


def _database(server: PostgresServer, template: str) -> Iterator[str]:
    name = fresh_database(server, template)
    yield server.url(name)
    server.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh database on the session's server, with every store's schema already migrated."""
    yield from _database(postgres_server, TEMPLATE)


@pytest.fixture
def empty_postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh database with nothing in it (migrations, copies into an empty target)."""
    yield from _database(postgres_server, EMPTY)


def testing_on_postgres() -> bool:
    return os.environ.get("MFA_PORTAL_TEST_DATABASE", "sqlite").lower() in ("postgresql", "pg")


@pytest.fixture
def database_url(request: pytest.FixtureRequest) -> str | None:
    """None (SQLite files) unless ``MFA_PORTAL_TEST_DATABASE=postgresql`` asks for PostgreSQL."""
    if not testing_on_postgres():
        return None
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def any_database(request: pytest.FixtureRequest) -> str | None:
    """Both engines: None (a SQLite file) and a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("postgres_url")
    return url


def stored_text(db: Any, data_dir: Path | None = None) -> str:
    """Everything a store holds, as text: what an attacker with a copy of the storage would read.

    SQLite: every file of the data directory after a WAL checkpoint (free pages included), and the
    SQL dump. PostgreSQL: every row of every table of the store's schema.
    """
    if db.engine_name == "sqlite":
        db.connect().execute("PRAGMA wal_checkpoint(FULL)")
        root = data_dir or db.path.parent
        files = [p.read_bytes().decode("latin-1") for p in sorted(root.rglob("*")) if p.is_file()]
        return "\n".join([*files, *db.connect().iterdump()])
    with db.read() as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        ]
        return "\n".join(
            repr(tuple(row)) for table in tables for row in conn.execute(f"SELECT * FROM {table}")
        )
