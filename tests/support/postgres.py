"""A real PostgreSQL server for the tests: ``initdb`` + ``pg_ctl`` on a temporary directory and port.

One server per test session (per xdist worker), torn down at the end; every test that asks for
``postgres_url`` gets a fresh database copied from an empty template (``CREATE DATABASE … TEMPLATE``
with ``FILE_COPY``: milliseconds, not a migration run). Connections over TCP need the password
(``scram-sha-256``), so a wrong password fails as it would in production. Running as root, the
server runs as the unprivileged ``postgres`` (or ``nobody``) user in a directory it owns, because
PostgreSQL refuses to run as root. A missing PostgreSQL skips locally and fails in CI (``CI=true``).

``MFA_PORTAL_TEST_DATABASE=postgresql`` runs the engine and portal test worlds (``engine``,
``engine_world``, ``world``) on PostgreSQL instead of SQLite files (``database_url`` fixture).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.tools import require_tool

TEMPLATE = "mfa_template"  # every store migrated
EMPTY = "mfa_empty"
_names = itertools.count(1)


@dataclass(frozen=True)
class PostgresServer:
    port: int
    password: str
    data: Path

    def url(self, database: str = "postgres", *, password: str | None = None) -> str:
        secret = self.password if password is None else password
        return f"postgresql://postgres:{secret}@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql.encode())


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    initdb = require_tool("initdb", *(Path(p) for p in found))
    return Path(initdb).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(root: Path) -> list[str]:
    """The command prefix that runs a PostgreSQL binary as an unprivileged user (when root)."""
    if os.geteuid() != 0:
        return []
    for name in ("postgres", "nobody"):
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            continue
        for path in [root, *root.rglob("*")]:
            os.chown(path, user.pw_uid, user.pw_gid)
        return [
            "setpriv",
            f"--reuid={user.pw_uid}",
            f"--regid={user.pw_gid}",
            "--clear-groups",
            "--",
        ]
    pytest.fail("running as root and no unprivileged user (postgres, nobody) to run PostgreSQL")


def start_server(root: Path) -> PostgresServer:
    bin_dir = _bin_dir()
    password = secrets.token_urlsafe(16)
    (root / "pw").write_text(password)
    (root / "sock").mkdir()
    prefix = _as_server_user(root)
    env = {**os.environ, "LC_ALL": "C"}
    subprocess.run(
        [
            *prefix,
            str(bin_dir / "initdb"),
            "-D",
            str(root / "data"),
            "-U",
            "postgres",
            f"--pwfile={root / 'pw'}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--no-instructions",
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    port = _free_port()
    options = (
        f"-p {port} -k {root / 'sock'} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
    )
    subprocess.run(
        [
            *prefix,
            str(bin_dir / "pg_ctl"),
            "-D",
            str(root / "data"),
            "-o",
            options,
            "-l",
            str(root / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    server = PostgresServer(port, password, root / "data")
    server.admin(f"CREATE DATABASE {EMPTY}")
    server.admin(f"CREATE DATABASE {TEMPLATE}")
    _migrate(server.url(TEMPLATE))
    return server


def _migrate(url: str) -> None:
    """Every store's schema, once, in the template: a test's database starts migrated."""
    from mfa_portal.admin.store import PortalStore
    from mfa_portal.pool.storage import Database
    from mfa_portal.web.session_store import SqlSessionStore

    nowhere = Path("/nonexistent")
    Database(nowhere, url=url).close_all()
    PortalStore(nowhere, url=url).close_all()
    SqlSessionStore(nowhere, url=url).close()


def stop_server(server: PostgresServer, root: Path) -> None:
    prefix = _as_server_user(root) if os.geteuid() == 0 else []
    subprocess.run(
        [*prefix, str(_bin_dir() / "pg_ctl"), "-D", str(server.data), "-m", "immediate", "stop"],
        capture_output=True,
    )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    root = Path(tempfile.mkdtemp(prefix="mfa-pg-"))
    try:
        try:
            server = start_server(root)
        except subprocess.CalledProcessError as exc:
            log = root / "log"
            detail = (exc.stderr or b"").decode(errors="replace") + (
                log.read_text(errors="replace") if log.exists() else ""
            )
            pytest.fail(f"PostgreSQL did not start ({exc.cmd[-1]}): {detail[-2000:]}")
        try:
            yield server
        finally:
            stop_server(server, root)
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
