"""A throwaway PostgreSQL server, with no pytest in it: for the test fixtures, the bench and for trying
replicas by hand.

``start_server`` runs ``initdb`` + ``pg_ctl`` on a temporary directory and a free port, with password
authentication over TCP, as an unprivileged user when root (PostgreSQL refuses to run as root). The
server trades durability for speed (``SETTINGS``: no fsync, no synchronous commit, no full-page
writes): a crash of the machine may lose or corrupt its data, which nothing here keeps.
``throwaway_server`` wraps it as a context manager that removes everything afterwards, and the
command prints the URL of an empty database and keeps the server up until it is interrupted (SIGINT
or SIGTERM)::

    python -m tests.support.pg_throwaway        # prints postgresql://postgres:…@127.0.0.1:PORT/mfa

The database is empty: the first ``mfa-portal serve`` (or ``mfa-portal db migrate``) creates the
schemas.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DATABASE = "mfa"
SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",
}


class PostgresMissing(RuntimeError):
    """PostgreSQL's server binaries (initdb, pg_ctl) are not installed."""


@dataclass(frozen=True)
class PostgresServer:
    port: int
    password: str
    data: Path
    host: str = "127.0.0.1"
    #: runs the server elsewhere, such as ``ip netns exec <name>`` (see ``tests.support.far_host``)
    prefix: tuple[str, ...] = ()

    def url(self, database: str = "postgres", *, password: str | None = None) -> str:
        secret = self.password if password is None else password
        return f"postgresql://postgres:{secret}@{self.host}:{self.port}/{database}"

    def local_url(self, database: str = "postgres") -> str:
        """Through the server's Unix socket, with no password: reachable when its host is not."""
        return (
            f"postgresql://postgres@/{database}?host={self.data.parent / 'sock'}&port={self.port}"
        )

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql.encode())


def bin_dir() -> Path:
    """Where initdb and pg_ctl are: Debian keeps them off PATH, in /usr/lib/postgresql/<v>/bin."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    initdb = found[0] if found else shutil.which("initdb")
    if initdb is None:
        raise PostgresMissing("PostgreSQL is not installed (no initdb; make test installs it)")
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
    raise RuntimeError(
        "running as root and no unprivileged user (postgres, nobody) to run PostgreSQL"
    )


def start_server(
    root: Path, *, host: str = "127.0.0.1", prefix: Sequence[str] = ()
) -> PostgresServer:
    """A running server with its data, password file, socket and log in ``root``, listening on
    ``host``; ``prefix`` runs it elsewhere (another network namespace), where it also takes password
    logins from any address (only ``host`` listens)."""
    binaries = bin_dir()
    password = secrets.token_urlsafe(16)
    (root / "pw").write_text(password)
    (root / "sock").mkdir()
    as_user = _as_server_user(root)
    env = {**os.environ, "LC_ALL": "C"}
    subprocess.run(
        [
            *as_user,
            str(binaries / "initdb"),
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
    if host != "127.0.0.1":
        with (root / "data" / "pg_hba.conf").open("a") as hba:
            hba.write("host all all 0.0.0.0/0 scram-sha-256\n")
    server = PostgresServer(_free_port(), password, root / "data", host, tuple(prefix))
    start_again(server, root)
    return server


def start_again(server: PostgresServer, root: Path) -> None:
    """Start ``server`` (made by ``start_server`` in ``root``, then stopped) on its port again."""
    options = f"-p {server.port} -k {root / 'sock'} -c listen_addresses={server.host} "
    options += " ".join(f"-c {name}={value}" for name, value in SETTINGS.items())
    subprocess.run(
        [
            *server.prefix,
            *_as_server_user(root),
            str(bin_dir() / "pg_ctl"),
            "-D",
            str(server.data),
            "-o",
            options,
            "-l",
            str(root / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "LC_ALL": "C"},
    )


def stop_server(server: PostgresServer, root: Path) -> None:
    prefix = _as_server_user(root) if os.geteuid() == 0 else []
    subprocess.run(
        [*prefix, str(bin_dir() / "pg_ctl"), "-D", str(server.data), "-m", "immediate", "stop"],
        capture_output=True,
    )


@contextmanager
def throwaway_server() -> Iterator[PostgresServer]:
    """A running PostgreSQL server in a temporary directory, removed with everything in it after."""
    root = Path(tempfile.mkdtemp(prefix="mfa-pg-"))
    try:
        server = start_server(root)
        try:
            yield server
        finally:
            stop_server(server, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def new_database(server: PostgresServer, name: str) -> str:
    """Create an empty database ``name`` (letters, digits, ``_``) and return its URL: one per server
    under test, so two source trees measured side by side never share state."""
    if not name.replace("_", "").isalnum() or not name[0].isalpha():
        raise ValueError(f"not a database name: {name!r}")
    server.admin(f"CREATE DATABASE {name}")
    return server.url(name)


@contextmanager
def throwaway_postgres(database: str = DATABASE) -> Iterator[str]:
    """A running PostgreSQL server with one empty database; yields its URL, removes it all after."""
    with throwaway_server() as server:
        yield new_database(server, database)


def main() -> None:
    """Print the URL, serve until SIGINT or SIGTERM, then remove the server."""
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())

    with throwaway_postgres() as url:
        print(url, flush=True)
        done.wait()


if __name__ == "__main__":
    main()
