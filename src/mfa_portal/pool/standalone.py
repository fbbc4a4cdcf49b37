"""The embedded pool served alone (``mfa-portal pool serve``): one engine, its keys, its wire app.

The same wire app answers at ``/`` (like ``cognito-idp.<region>.amazonaws.com``) and at ``/cognito``
(like the portal), so an ``endpoint_url`` written for either works against the standalone pool.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount

from mfa_portal.clock import Clock
from mfa_portal.pool.credentials import Credentials
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.passwords import PasswordHasher
from mfa_portal.pool.wire import WireMount, create_wire_app

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 9229
DEFAULT_DATA_DIR = Path(".mfa-portal")
DEFAULT_REGION = "us-east-1"


def endpoint_for(host: str, port: int) -> str:
    """The URL clients use for a server bound to ``host``; wildcard binds mean loopback."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


@dataclass
class StandalonePool:
    app: Starlette
    engine: Engine
    credentials: Credentials
    created_credentials: bool
    endpoint: str

    def jwks_url(self, pool_id: str = "<UserPoolId>") -> str:
        return f"{self.endpoint}/{pool_id}/.well-known/jwks.json"


def serve_both_paths(wire: Starlette) -> Starlette:
    """Answer at ``/cognito`` and at ``/``."""
    return Starlette(routes=[WireMount("/cognito", app=wire), Mount("", app=wire)])


def build_standalone(
    data_dir: Path,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    public_url: str | None = None,
    region: str = DEFAULT_REGION,
    clock: Clock | None = None,
    hasher: PasswordHasher | None = None,
    env: Mapping[str, str] | None = None,
) -> StandalonePool:
    """Open (or create) the pool in ``data_dir`` and build the app that serves it.

    ``public_url`` is the externally visible URL when it differs from the bind address (a proxy, a
    container); token issuers (``iss``) are built from it.
    """
    endpoint = (public_url or endpoint_for(host, port)).rstrip("/")
    credentials, created = Credentials.load_or_create(data_dir, env)
    engine = Engine(data_dir, issuer_base=endpoint, region=region, clock=clock, hasher=hasher)
    app = serve_both_paths(create_wire_app(engine, credentials))
    return StandalonePool(app, engine, credentials, created, endpoint)
