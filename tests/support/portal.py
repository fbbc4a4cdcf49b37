"""Portal test harness (a pytest plugin): the portal app on each backend, and a small form-filling
browser, for every test that drives the portal through HTTP (tests/web, tests/admin, ...).

``world`` runs every test twice: on the embedded engine in-process (``EngineCognitoClient``) and on
the embedded pool over HTTP through real boto3 (``BotoCognitoClient``, the path Amazon Cognito
takes), bootstrapped through the same Cognito calls ``mfa-portal serve`` makes.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from fastapi import FastAPI

from mfa_portal.clock import FakeClock
from mfa_portal.cognito_api.client import BotoCognitoClient, CognitoClient
from mfa_portal.cognito_api.id_tokens import IdTokenVerifier
from mfa_portal.mail import Mailer, MemoryMailer, Message
from mfa_portal.pool.client import EngineCognitoClient
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.passwords import PasswordHasher
from mfa_portal.settings import Settings, load_settings
from mfa_portal.web.session_store import SessionStore
from mfa_portal.wiring.app import portal_app
from mfa_portal.wiring.backend import PortalBackend, engine_verifier
from mfa_portal.wiring.bootstrap import ensure_default_pool
from tests.support.backends import PASSWORD as PASSWORD  # re-exported for the portal tests
from tests.support.backends import TEMP_PASSWORD as TEMP_PASSWORD
from tests.support.clocks import OffsetClock
from tests.support.setup import app_client_secret, create_user, mfa_settings
from tests.support.signin_forms import CSRF, setup_key, sign_in
from tests.support.wire import MakeWireServer

with warnings.catch_warnings():
    # Starlette 1.x prefers httpx2 for its TestClient; httpx works the same for these tests.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

ADMIN_TEMP = "Admin-Temp-123!"


@dataclass
class PortalWorld:
    """One pool with the portal's default bootstrap, a Cognito client for setup, and a clock."""

    name: str
    idp: CognitoClient
    pool_id: str
    client_id: str
    clock: Any
    settings: Settings
    verifier: IdTokenVerifier | None
    data_dir: Path
    mailer: Mailer | None = None  # where the pool's own mail (codes) goes, for tests to read

    def mails_to(self, recipient: str) -> list[Message]:
        """The pool's messages to ``recipient``, oldest first (reset and email MFA codes)."""
        assert isinstance(self.mailer, MemoryMailer), "this world keeps no pool mail"
        return [m for m in self.mailer.messages if m.to == recipient]

    def app(
        self,
        *,
        client: CognitoClient | None = None,
        store: SessionStore | None = None,
        **overrides: Any,
    ) -> FastAPI:
        """The portal as ``mfa-portal serve`` builds it (``mfa_portal.wiring``) on this world's pool;
        ``client`` wraps the seam (fault injection), ``overrides`` replace settings."""
        backend = PortalBackend(
            settings=self.settings,
            client=client or self.idp,
            verifier=self.verifier,
            clock=self.clock.now,
        )
        return portal_app(backend, store=store, **overrides)

    def browser(self, app: FastAPI | None = None, **overrides: Any) -> Browser:
        return Browser(app or self.app(**overrides))

    def create_user(
        self,
        username: str,
        *,
        email: str | None = None,
        temp: str = TEMP_PASSWORD,
        permanent: bool = False,
        groups: tuple[str, ...] = (),
    ) -> None:
        create_user(
            self.idp,
            self.pool_id,
            username,
            email=email,
            temp=temp,
            permanent=permanent,
            groups=groups,
        )

    def code(self, secret: str) -> str:
        return str(pyotp.TOTP(secret.replace(" ", "")).at(self.clock.now()))

    def next_step(self) -> None:
        """Move to the next 30-second TOTP step, so a fresh code is not a replay."""
        self.clock.advance(30 - self.clock.now() % 30 + 0.5)

    def mfa_settings(self, username: str) -> list[str]:
        return mfa_settings(self.idp, self.pool_id, username)


class Browser:
    """A cookie-keeping HTTP client that fills in the CSRF token like a real form would."""

    def __init__(self, app: FastAPI, *, address: str = "testclient") -> None:
        """``address``: the client address the portal sees (as a proxy's headers would give it)."""
        self.http = TestClient(
            app, base_url="https://testserver", follow_redirects=False, client=(address, 50000)
        )
        self.csrf = ""
        self.last: httpx.Response | None = None

    def _remember(self, response: httpx.Response) -> httpx.Response:
        found = CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        self.last = response
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self._remember(self.http.get(path, **kwargs))

    def post(
        self,
        path: str,
        data: dict[str, str] | None = None,
        *,
        csrf: str | None = None,
        follow: bool = False,
    ) -> httpx.Response:
        form = {"csrf_token": self.csrf if csrf is None else csrf, **(data or {})}
        response = self._remember(self.http.post(path, data=form))
        return self.follow(response) if follow else response

    def follow(self, response: httpx.Response) -> httpx.Response:
        while response.status_code in (302, 303, 307):
            response = self.get(response.headers["location"])
        return response

    def sign_in(self, username: str, password: str, *, next: str = "/") -> httpx.Response:
        """Fill the sign-in form; return the (unfollowed) answer."""
        return sign_in(self, username, password, next=next)

    def secret(self) -> str:
        """The manual-entry key shown on the set-up page (what the QR code carries)."""
        assert self.last is not None
        return setup_key(self.last)


def _world_engine(tmp_path: Path, database_url: str | None = None) -> Iterator[PortalWorld]:
    clock = FakeClock(1_800_000_015.0)
    engine = Engine(
        tmp_path / "pool",
        clock=clock,
        hasher=PasswordHasher(memory_kib=1024, time_cost=1),
        database_url=database_url,
    )
    idp = EngineCognitoClient(engine)
    boot = ensure_default_pool(idp, tmp_path / "portal", admin_password=ADMIN_TEMP)
    settings = load_settings(
        backend="embedded",  # as `mfa-portal serve` runs it (a pool id alone would mean Cognito)
        data_dir=tmp_path / "portal",
        user_pool_id=boot.ids.user_pool_id,
        client_id=boot.ids.client_id,
        client_secret=app_client_secret(idp, boot.ids.user_pool_id, boot.ids.client_id),
        cookie_secure="auto",
        enrolment_proof="none",  # the proof has its own tests (test_enrolment_proof.py)
        database_url=database_url,
    )
    verifier = engine_verifier(engine, pool_id=boot.ids.user_pool_id, client_id=boot.ids.client_id)
    yield PortalWorld(
        "engine",
        idp,
        boot.ids.user_pool_id,
        boot.ids.client_id,
        clock,
        settings,
        verifier,
        tmp_path / "portal",
        engine.mailer,
    )
    engine.db.close()
    if database_url:
        engine.db.close_all()


def _world_wire(
    tmp_path: Path, make_wire_server: MakeWireServer, database_url: str | None = None
) -> Iterator[PortalWorld]:
    clock = OffsetClock()
    server = make_wire_server(clock=clock)
    idp = BotoCognitoClient(server.client())
    boot = ensure_default_pool(idp, tmp_path / "portal", admin_password=ADMIN_TEMP)
    settings = load_settings(
        backend="cognito",
        endpoint_url=server.endpoint,
        data_dir=tmp_path / "portal",
        user_pool_id=boot.ids.user_pool_id,
        client_id=boot.ids.client_id,
        client_secret=app_client_secret(idp, boot.ids.user_pool_id, boot.ids.client_id),
        enrolment_proof="none",  # the proof has its own tests (test_enrolment_proof.py)
        database_url=database_url,
    )
    yield PortalWorld(
        "wire",
        idp,
        boot.ids.user_pool_id,
        boot.ids.client_id,
        clock,
        settings,
        None,
        tmp_path / "portal",
        server.engine.mailer,
    )


def isolated_world(
    backend: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_wire_server: MakeWireServer | None = None,
    database_url: str | None = None,
) -> Iterator[PortalWorld]:
    """A portal world on ``backend`` ("engine" or "wire") that no outside setting can reach:
    every ``MFA_PORTAL_*`` variable is removed and the working directory has no ``.env``.
    ``database_url`` puts the pool and the portal store in PostgreSQL instead of the data dir."""
    for name in list(os.environ):
        if name.startswith("MFA_PORTAL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    if backend == "engine":
        yield from _world_engine(tmp_path, database_url)
    else:
        assert make_wire_server is not None, "the wire backend needs make_wire_server"
        yield from _world_wire(tmp_path, make_wire_server, database_url)


@pytest.fixture(params=["engine", "wire"])
def world(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_wire_server: MakeWireServer,
    database_url: str | None,
) -> Iterator[PortalWorld]:
    yield from isolated_world(request.param, tmp_path, monkeypatch, make_wire_server, database_url)


@pytest.fixture
def engine_world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str | None
) -> Iterator[PortalWorld]:
    """The in-process backend only, for checks that do not depend on the transport."""
    yield from isolated_world("engine", tmp_path, monkeypatch, database_url=database_url)


EnrolledUser = Callable[..., tuple["Browser", str]]


def enrol(
    world: PortalWorld, username: str, *, groups: tuple[str, ...] = (), **overrides: Any
) -> tuple[Browser, str]:
    """Create ``username``, sign in, enrol through the portal; return the browser and TOTP secret."""
    world.create_user(username, permanent=True, groups=groups)
    browser = world.browser(**overrides)
    browser.follow(browser.sign_in(username, PASSWORD))
    secret = browser.secret()
    page = browser.post("/mfa/setup", {"code": world.code(secret)}, follow=True)
    assert page.status_code == 200, page.text
    return browser, secret


@pytest.fixture
def enrolled(world: PortalWorld) -> EnrolledUser:
    """Make users who signed in, enrolled through the portal and are fully signed in."""

    def make(
        username: str = "alice", *, groups: tuple[str, ...] = (), **overrides: Any
    ) -> tuple[Browser, str]:
        return enrol(world, username, groups=groups, **overrides)

    return make


@pytest.fixture
def enrolled_engine(engine_world: PortalWorld) -> Browser:
    """A fully signed-in browser of ``alice`` on the in-process backend."""
    return enrol(engine_world, "alice")[0]
