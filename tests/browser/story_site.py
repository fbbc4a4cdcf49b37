"""The site the base-path story runs against: the portal under ``/_mfa``, a tiny protected app, and
Debian's nginx in front of both running the documented ``MFA_PORTAL_BASE_PATH`` block.

Shared by one test module (both viewports use it, each with its own users), so the servers start
once per module. The portal runs in-process on an ``OffsetClock``: the story moves it a TOTP step
ahead instead of sleeping, and ``oathtool`` is told the same time.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from mfa_portal.cognito_api.secret_hash import secret_hash_parameter
from mfa_portal.pool.passwords import PasswordHasher
from mfa_portal.settings import load_settings
from mfa_portal.wiring.app import serving_app
from mfa_portal.wiring.backend import PortalBackend, open_embedded
from tests.integration.test_nginx_forward_auth import (
    DOC_APP,
    DOC_PORTAL,
    DOCS,
    HERE,
    listening,
    nginx_binary,
    nginx_block,
    stop,
    wait_until,
)
from tests.support.axe import require_axe
from tests.support.chromium import oathtool, require_chromium
from tests.support.clocks import OffsetClock
from tests.support.setup import email_codes_on
from tests.support.tools import require_tool
from tests.support.wire import ServerThread, bound_socket
from tests.support.wire_server import free_port, serve_app_in_thread

BASE = "/_mfa"
DOCS_HEADING = "### The portal under one path prefix"
ADMIN = "admin"
ADMIN_TEMP = "Admin-Temp-123!"
ADMIN_PASSWORD = "Admin-Horse-9!"
TEMP_PASSWORD = "Temp-Pass-123!"
PASSWORD = "Correct-Horse-9!"
RESET_PASSWORD = "Battery-Staple-7!"
#: The protected app's own stylesheet: a portal that took over ``/static`` would serve another.
APP_CSS = (
    "/* the protected app's own stylesheet */\n"
    "body { border-top: 7px solid rgb(10, 80, 40); }\n"
    "a { display: inline-block; padding: .25rem 0; }\n"
)


@dataclass
class Site:
    url: str  # nginx, as the browser sees the site
    backend: PortalBackend
    clock: OffsetClock
    admin_secret: str
    portal_url: str = ""  # the portal itself, not through nginx (the outbox is only served there)

    @property
    def pool_id(self) -> str:
        return self.backend.settings.user_pool_id or ""

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        return self.backend.client.call(operation, **params)

    def totp(self, secret: str) -> str:
        """A code from ``oathtool`` (the independent authenticator) at the portal's time, one TOTP
        step after the last one used, so no code is ever a replay."""
        self.clock.advance(30)
        return oathtool(secret, at=self.clock.now())

    def create_user(self, username: str, *, temporary: bool) -> None:
        self.call(
            "AdminCreateUser",
            UserPoolId=self.pool_id,
            Username=username,
            TemporaryPassword=TEMP_PASSWORD,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": f"{username}@example.com"},
                {"Name": "email_verified", "Value": "true"},
            ],
        )
        if not temporary:
            self.call(
                "AdminSetUserPassword",
                UserPoolId=self.pool_id,
                Username=username,
                Password=PASSWORD,
                Permanent=True,
            )

    def email_mfa_only(self, username: str) -> None:
        self.call(
            "AdminSetUserMFAPreference",
            UserPoolId=self.pool_id,
            Username=username,
            EmailMfaSettings={"Enabled": True, "PreferredMfa": True},
        )


def require_story_tools() -> None:
    require_chromium()
    require_tool("zbarimg")
    require_tool("oathtool")
    require_axe()


def _app_page(request: Request) -> Response:
    """The protected app: who nginx says is signed in, and the URL it was asked for."""
    user = request.headers.get("x-auth-user", "")
    query = request.url.query
    body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Protected app</title><link rel="stylesheet" href="/static/app.css"></head>
<body><main><h1>Protected app</h1>
<p id="who">Signed in as {user}</p><p id="where">{request.url.path}?{query}</p>
<p><a href="{BASE}/signout">Sign out</a></p></main></body></html>"""
    return HTMLResponse(body, headers={"Cache-Control": "no-store"})


def _app_css(_: Request) -> Response:
    return Response(APP_CSS, media_type="text/css")


APP = Starlette(
    routes=[
        Route("/static/app.css", _app_css),
        Route("/", _app_page),
        Route("/report", _app_page),
    ]
)


def _enrol_admin(backend: PortalBackend, clock: OffsetClock) -> str:
    """The first admin with a permanent password and an authenticator, through the Cognito API."""
    client, pool_id = backend.client, backend.settings.user_pool_id
    client.call(
        "AdminSetUserPassword",
        UserPoolId=pool_id,
        Username=ADMIN,
        Password=ADMIN_PASSWORD,
        Permanent=True,
    )
    tokens = client.call(
        "AdminInitiateAuth",
        UserPoolId=pool_id,
        ClientId=backend.settings.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": ADMIN,
            "PASSWORD": ADMIN_PASSWORD,
            **secret_hash_parameter(  # the portal's client is confidential
                key.get_secret_value() if (key := backend.settings.client_secret) else None,
                ADMIN,
                str(backend.settings.client_id),
            ),
        },
    )["AuthenticationResult"]
    access = tokens["AccessToken"]
    secret = str(client.call("AssociateSoftwareToken", AccessToken=access)["SecretCode"])
    code = pyotp.TOTP(secret).at(clock.now())
    client.call("VerifySoftwareToken", AccessToken=access, UserCode=code)
    client.call(
        "SetUserMFAPreference",
        AccessToken=access,
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    return secret


def _nginx_config(root: Path, *, port: int, portal: str, app: str) -> str:
    """The test template around the documented base-path block, its upstreams replaced."""
    block = nginx_block(DOCS, DOCS_HEADING)
    assert DOC_PORTAL in block and DOC_APP in block, "the documented upstreams moved"
    block = block.replace(DOC_PORTAL, portal).replace(DOC_APP, app)
    template = (HERE / "nginx.conf.template").read_text(encoding="utf-8")
    template = "\n".join(
        line for line in template.splitlines() if "@HTTPS_PORT@" not in line and "ssl_" not in line
    )
    return (
        template.replace("@TMP@", str(root))
        .replace("@HTTP_PORT@", str(port))
        .replace("@LOCATIONS@", block)
    )


@contextmanager
def _nginx(root: Path, *, portal: str, app: str) -> Iterator[str]:
    port = free_port()
    (root / "nginx.conf").write_text(
        _nginx_config(root, port=port, portal=portal, app=app), encoding="utf-8"
    )
    log = root / "nginx.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                nginx_binary(),
                "-p",
                str(root),
                "-c",
                str(root / "nginx.conf"),
                "-e",
                "stderr",
                "-g",
                f"daemon off; pid {root}/nginx.pid; error_log stderr;",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(lambda: listening(port), proc, log, "nginx")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


@contextmanager
def running_site() -> Iterator[Site]:
    """Portal (``MFA_PORTAL_BASE_PATH=/_mfa``, development mode: the outbox page), app and nginx."""
    require_story_tools()
    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mfa-story-")))
        patch = stack.enter_context(pytest.MonkeyPatch.context())
        for name in list(os.environ):
            if name.startswith("MFA_PORTAL_"):
                patch.delenv(name)
        patch.chdir(root)
        sock = bound_socket()
        portal_address = f"127.0.0.1:{sock.getsockname()[1]}"
        app_url = stack.enter_context(serve_app_in_thread(APP))
        app_address = app_url.removeprefix("http://").rstrip("/")
        # nginx first: its address is the site's public URL (email links, token issuer).
        nginx_root = root / "nginx"
        nginx_root.mkdir()
        url = stack.enter_context(_nginx(nginx_root, portal=portal_address, app=app_address))
        settings = load_settings(
            data_dir=root / "data",
            initial_admin_password=ADMIN_TEMP,
            base_path=BASE,
            mode="development",
            public_url=url,
        )
        clock = OffsetClock()
        backend = open_embedded(
            settings,
            base_url=url,
            clock=clock,
            hasher=PasswordHasher(memory_kib=1024, time_cost=1),
        )
        stack.callback(backend.close)
        email_codes_on(backend.client, backend.settings.user_pool_id or "")
        admin_secret = _enrol_admin(backend, clock)
        server = ServerThread(serving_app(backend), sock)
        server.start()
        stack.callback(server.stop)
        yield Site(
            url=url,
            backend=backend,
            clock=clock,
            admin_secret=admin_secret,
            portal_url=f"http://{portal_address}",
        )
