"""Run the pool's wire front in a real uvicorn server on a free loopback port, in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn

from mfa_portal.pool.clock import Clock
from mfa_portal.pool.credentials import Credentials
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.passwords import PasswordHasher


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
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_app_in_thread(app: object, port: int) -> Iterator[None]:
    """Start ``app`` on 127.0.0.1:``port`` and stop it cleanly afterwards."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("wire server did not start")
        time.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def running_wire_server(
    data_dir: Path, *, clock: Clock | None = None
) -> Iterator[RunningWireServer]:
    """The embedded pool served over HTTP exactly as ``mfa-portal pool serve`` serves it."""
    from mfa_portal.pool.wire import create_wire_app

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    engine = Engine(
        data_dir,
        issuer_base=endpoint,
        clock=clock,
        hasher=PasswordHasher(memory_kib=1024, time_cost=1),
    )
    credentials, _ = Credentials.load_or_create(data_dir, env={})
    with serve_app_in_thread(create_wire_app(engine, credentials), port):
        httpx.get(endpoint + "/", timeout=5)
        yield RunningWireServer(endpoint, engine, credentials)
    engine.db.close()
