"""Context-manager forms of the wire harness (``tests/support/wire.py``) for code outside fixtures."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from starlette.types import ASGIApp

from mfa_portal.clock import Clock, SystemClock
from mfa_portal.pool.credentials import Credentials
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.passwords import PasswordHasher
from mfa_portal.pool.wire import create_wire_app
from tests.support.wire import ServerThread, bound_socket


@dataclass
class RunningWireServer:
    endpoint: str
    engine: Engine
    credentials: Credentials

    @property
    def access_key_id(self) -> str:
        return self.credentials.access_key_id

    @property
    def secret_access_key(self) -> str:
        return self.credentials.secret_access_key


def free_port() -> int:
    """A free loopback port (prefer ``serve_app_in_thread`` with ``port=None`` to avoid races)."""
    with bound_socket() as sock:
        return int(sock.getsockname()[1])


@contextmanager
def serve_app_in_thread(app: ASGIApp, port: int | None = None) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 (``port`` or a free one) until the block ends; yields the base URL."""
    sock = bound_socket() if port is None else _bind(port)
    thread = ServerThread(app, sock)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        thread.stop()


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


@contextmanager
def running_wire_server(
    data_dir: Path, *, clock: Clock | None = None
) -> Iterator[RunningWireServer]:
    """The embedded pool served over HTTP exactly as ``mfa-portal pool serve`` serves it."""
    sock = bound_socket()
    endpoint = f"http://127.0.0.1:{sock.getsockname()[1]}"
    engine = Engine(
        data_dir,
        issuer_base=endpoint,
        clock=clock or SystemClock(),
        hasher=PasswordHasher(memory_kib=1024, time_cost=1),
    )
    credentials, _ = Credentials.load_or_create(data_dir, env={})
    thread = ServerThread(create_wire_app(engine, credentials), sock)
    thread.start()
    try:
        yield RunningWireServer(endpoint, engine, credentials)
    finally:
        thread.stop()
        engine.db.close_all()
