"""A throwaway PostgreSQL server outside pytest: for the bench and for trying replicas by hand.

The test fixture's ``start_server`` already does the work (``initdb`` + ``pg_ctl`` on a temporary
directory and a free port, password authentication over TCP, run as an unprivileged user when root);
this wraps it as a context manager that yields a ``postgresql://`` URL of an empty database and
removes everything afterwards, and as a command that prints the URL and keeps the server up until
it is interrupted (SIGINT or SIGTERM)::

    python -m tests.support.pg_throwaway        # prints postgresql://postgres:…@127.0.0.1:PORT/mfa

The database is empty: the first ``mfa-portal serve`` (or ``mfa-portal db migrate``) creates the
schemas.
"""

from __future__ import annotations

import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.postgres import PostgresServer, start_server, stop_server

DATABASE = "mfa"


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
