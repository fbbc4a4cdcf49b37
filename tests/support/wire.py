"""Wire-test harness: the embedded pool on a real uvicorn server in a thread, driven by real boto3.

Fixtures:
- ``wire_server``: a running pool (own data dir, real clock, cheap argon2) with ``.endpoint``,
  ``.engine``, ``.credentials`` and helpers ``client(...)`` and ``post(...)``.
- ``cognito``: a boto3 ``cognito-idp`` client signed with the pool's keys (retries off).
- ``make_wire_server``: a factory for more servers, e.g. on a fake engine clock or with the wire
  app mounted inside another app (``wrap=..., path="/cognito"``).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import httpx
import pytest
import uvicorn
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials as BotoCredentials
from starlette.types import ASGIApp

from mfa_portal.clock import Clock, SystemClock
from mfa_portal.pool.credentials import Credentials
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.passwords import PasswordHasher
from mfa_portal.pool.wire import WireApp, create_wire_app

REGION = "us-east-1"
TARGET_PREFIX = "AWSCognitoIdentityProviderService."
START_TIMEOUT = 10.0
_BOTOCORE_SESSION: list[Any] = []  # one shared session: its loader caches the service model


def boto3_session() -> boto3.session.Session:
    if not _BOTOCORE_SESSION:
        _BOTOCORE_SESSION.append(botocore.session.get_session())
    return boto3.session.Session(botocore_session=_BOTOCORE_SESSION[0])


class ServerThread:
    """An ASGI app on uvicorn (h11, no lifespan, no websockets) in a daemon thread."""

    def __init__(self, app: ASGIApp, sock: socket.socket) -> None:
        config = uvicorn.Config(
            app,
            http="h11",
            ws="none",
            lifespan="off",
            log_config=None,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=5,
        )
        self.server = uvicorn.Server(config)
        self._sock = sock
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, name="wire-server", daemon=True
        )

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self.server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the wire server thread exited during start-up")
            if time.monotonic() > deadline:
                raise RuntimeError("the wire server did not start in time")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=START_TIMEOUT)
        self._sock.close()
        if self._thread.is_alive():
            raise RuntimeError("the wire server did not stop in time")


def bound_socket() -> socket.socket:
    """A loopback socket on a free port, bound now so nobody else can take the port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@dataclass
class WireServer:
    """A running pool: where it is, its engine, its keys, and clients for it."""

    endpoint: str  # the Cognito endpoint_url (base URL plus any mount path)
    base_url: str  # scheme://host:port
    engine: Engine
    credentials: Credentials
    _clients: list[Any] = field(default_factory=list, repr=False)

    def client(
        self,
        *,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        signed: bool = True,
        endpoint: str | None = None,
        region: str = REGION,
    ) -> Any:
        """A real boto3 ``cognito-idp`` client; the pool's keys unless told otherwise."""
        config = Config(
            retries={"total_max_attempts": 1, "mode": "standard"},
            connect_timeout=5,
            read_timeout=30,
            **({"signature_version": UNSIGNED} if not signed else {}),
        )
        client = boto3_session().client(
            "cognito-idp",
            region_name=region,
            endpoint_url=endpoint or self.endpoint,
            aws_access_key_id=access_key_id or self.credentials.access_key_id,
            aws_secret_access_key=secret_access_key or self.credentials.secret_access_key,
            config=config,
        )
        self._clients.append(client)
        return client

    def post(
        self,
        operation: str | None,
        body: bytes | dict[str, Any] = b"{}",
        *,
        sign: bool = False,
        path: str | None = None,
        headers: dict[str, str] | None = None,
        sign_as: tuple[str, str] | None = None,
        service: str = "cognito-idp",
        region: str = REGION,
    ) -> httpx.Response:
        """A raw JSON 1.1 request (optionally SigV4-signed by botocore), for protocol-level tests.

        ``operation=None`` sends no ``X-Amz-Target``; ``headers`` are added before signing.
        """
        url = self.endpoint if path is None else self.base_url + path
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        send = {"Content-Type": "application/x-amz-json-1.1", **(headers or {})}
        if operation is not None:
            send["X-Amz-Target"] = TARGET_PREFIX + operation
        if sign:
            akid, secret = sign_as or (
                self.credentials.access_key_id,
                self.credentials.secret_access_key,
            )
            request = AWSRequest(method="POST", url=url, data=data, headers=send)
            SigV4Auth(BotoCredentials(akid, secret), service, region).add_auth(request)
            send = dict(request.headers.items())
        with httpx.Client(timeout=30) as http:
            return http.post(url, content=data, headers=send)

    def get(self, path: str) -> httpx.Response:
        with httpx.Client(timeout=30) as http:
            return http.get(self.base_url + path)

    def close_clients(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()


WrapApp = Callable[[WireApp], ASGIApp]
MakeWireServer = Callable[..., WireServer]


@pytest.fixture
def make_wire_server(tmp_path: Path) -> Iterator[MakeWireServer]:
    """Start pools on demand; every one is stopped and closed at teardown.

    ``clock`` is the engine's clock (SigV4 freshness always uses wall time). ``wrap`` embeds the
    wire app in another ASGI app served at ``path`` (e.g. a portal-style mount at ``/cognito``).
    """
    started: list[tuple[ServerThread, WireServer]] = []

    def make(
        *,
        clock: Clock | None = None,
        wrap: WrapApp | None = None,
        path: str = "",
        hasher: PasswordHasher | None = None,
    ) -> WireServer:
        data_dir = tmp_path / f"pool-{len(started)}"
        sock = bound_socket()
        base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        credentials, _ = Credentials.load_or_create(data_dir, env={})
        engine = Engine(
            data_dir,
            issuer_base=base_url + path,
            clock=clock or SystemClock(),
            hasher=hasher or PasswordHasher(memory_kib=1024, time_cost=1),
        )
        wire = create_wire_app(engine, credentials)
        thread = ServerThread(wrap(wire) if wrap else wire, sock)
        thread.start()
        server = WireServer(base_url + path, base_url, engine, credentials)
        started.append((thread, server))
        _wait_until_answering(server)
        return server

    yield make
    for thread, server in reversed(started):
        server.close_clients()
        thread.stop()
        server.engine.db.close_all()


def _wait_until_answering(server: WireServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    with httpx.Client(timeout=2) as http:
        while True:
            try:
                if http.get(server.endpoint + "/").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{server.endpoint} did not answer in time")
            time.sleep(0.02)


@pytest.fixture
def wire_server(make_wire_server: MakeWireServer) -> WireServer:
    """The embedded pool served over HTTP at ``/`` on a free port, with the real clock."""
    return make_wire_server()


@pytest.fixture
def cognito(wire_server: WireServer) -> Any:
    """A real boto3 ``cognito-idp`` client for ``wire_server``, signed with the pool's keys."""
    return wire_server.client()
