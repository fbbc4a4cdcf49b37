"""One scenario, several backends (STYLE habit 12): the in-process engine, the wire front over HTTP with
real boto3, and moto — an independent Cognito model — where it applies.

Each backend gives a ``CognitoClient`` plus a clock the test can read and move, so TOTP codes are computed
independently (pyotp) for the backend's notion of "now".
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import boto3
import pyotp
import pytest
from botocore.config import Config

from mfa_portal.clock import FakeClock
from mfa_portal.cognito_api.client import BotoCognitoClient, CognitoClient
from mfa_portal.pool.client import EngineCognitoClient
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.passwords import PasswordHasher
from tests.support.clocks import OffsetClock

if TYPE_CHECKING:
    from tests.support.worker_server import ServedProcess

PASSWORD = "Correct-Horse-9!"
TEMP_PASSWORD = "Temp-Pass-123!"


class MovableClock(Protocol):
    def now(self) -> float: ...
    def advance(self, seconds: float) -> None: ...


class _RealClock:
    """moto reads the wall clock itself; moving it means waiting."""

    def now(self) -> float:
        return time.time()

    def advance(self, seconds: float) -> None:
        time.sleep(seconds)


class _WeakSecretTOTP(pyotp.TOTP):
    """moto hands every user the 60-bit secret 'asdfasdfasdf'; pyotp rightly refuses < 112 bits."""

    min_secret_length_bits = 0


@dataclass
class Backend:
    name: str
    client: CognitoClient
    clock: MovableClock
    mailbox: list[Any] = field(default_factory=list)

    def code(self, secret: str, offset_steps: int = 0) -> str:
        """What an authenticator app shows now (or ``offset_steps`` steps away)."""
        totp_class = _WeakSecretTOTP if self.name == "moto" else pyotp.TOTP
        return str(totp_class(secret).at(self.clock.now() + 30 * offset_steps))

    def next_step(self) -> None:
        """Move to the start of the next 30-second TOTP step (a fresh code)."""
        now = self.clock.now()
        self.clock.advance(30 - now % 30 + 0.5)


def user_with_password(idp: Any, pool_id: str, username: str) -> None:
    """``username`` in ``pool_id`` through boto3, confirmed, with the permanent ``PASSWORD``."""
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        TemporaryPassword=TEMP_PASSWORD,
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True
    )


def boto_client(endpoint: str, key: str, secret: str) -> Any:
    return boto3.client(
        "cognito-idp",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def make_engine_backend(tmp_path: Path) -> Iterator[Backend]:
    clock = FakeClock(1_800_000_015.0)
    engine = Engine(
        tmp_path / "engine", clock=clock, hasher=PasswordHasher(memory_kib=1024, time_cost=1)
    )
    yield Backend("engine", EngineCognitoClient(engine), clock)
    engine.db.close_all()


def make_wire_backend(tmp_path: Path) -> Iterator[Backend]:
    from tests.support.wire_server import running_wire_server

    clock = OffsetClock()
    with running_wire_server(tmp_path / "wire", clock=clock) as server:
        client = boto_client(server.endpoint, server.access_key_id, server.secret_access_key)
        yield Backend("wire", BotoCognitoClient(client), clock)


def make_workers_backend(served: ServedProcess) -> Iterator[Backend]:
    """The wire front on two worker processes sharing one database (``mfa-portal pool serve
    --workers 2``), its clock moved through a file every worker reads. One server per module
    (each scenario makes its own pool), so the suite starts few processes."""
    client = boto_client(served.base_url, *served.credentials())
    yield Backend("workers", BotoCognitoClient(client), served.clock)


def make_moto_backend(monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:
    from moto.server import ThreadedMotoServer

    monkeypatch.setenv("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield Backend(
            "moto", BotoCognitoClient(boto_client(f"http://{host}:{port}", "k", "s")), _RealClock()
        )
    finally:
        server.stop()


ALL_BACKENDS = ("engine", "wire", "moto")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``backend`` over the backends a scenario applies to (all by default)."""
    if "backend" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("backends")
    names = list(marker.args) if marker else list(ALL_BACKENDS)
    if "wire" in names:  # whatever runs over the wire also runs on several worker processes
        names.insert(names.index("wire") + 1, "workers")
    differs = metafunc.definition.get_closest_marker("moto_differs")
    params = []
    for name in names:
        marks = []
        if name == "moto" and differs is not None:
            marks.append(pytest.mark.xfail(reason=f"moto differs: {differs.args[0]}", strict=True))
        params.append(pytest.param(name, marks=marks, id=name))
    metafunc.parametrize("backend", params, indirect=True)


@pytest.fixture(scope="module")
def workers_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedProcess]:
    """One two-worker pool server for a module's scenarios."""
    from tests.support.worker_server import served_pool

    with served_pool(tmp_path_factory.mktemp("workers") / "pool", workers=2) as served:
        yield served


@pytest.fixture
def backend(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Backend]:
    """The backend a scenario runs on; see ``pytest_generate_tests``."""
    if request.param == "engine":
        yield from make_engine_backend(tmp_path)
    elif request.param == "wire":
        yield from make_wire_backend(tmp_path)
    elif request.param == "workers":
        yield from make_workers_backend(request.getfixturevalue("workers_pool"))
    else:
        yield from make_moto_backend(monkeypatch)
