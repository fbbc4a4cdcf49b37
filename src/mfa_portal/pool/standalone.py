"""The embedded pool served alone (``mfa-portal pool serve``): one engine, its keys, its wire app.

The same wire app answers at ``/`` (like ``cognito-idp.<region>.amazonaws.com``) and at ``/cognito``
(like the portal), so an ``endpoint_url`` written for either works against the standalone pool.

Mail goes where ``mfa-portal serve`` sends it: SMTP when a host is configured; otherwise, in
development, into the outbox (``pool.outbox``: printed on the console, listed by ``mfa-portal pool
outbox`` and, when the server is bound to loopback, at ``GET /dev/outbox`` for requests straight from
loopback with no proxy headers); in production without
SMTP, sending fails loudly (CodeDeliveryFailureException) instead of losing the code.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp

from mfa_portal.clock import Clock
from mfa_portal.health import Check, Health, Readiness
from mfa_portal.loopback import direct_from_loopback
from mfa_portal.mail import Mailer, MailSettings, SmtpMailer, UnconfiguredMailer
from mfa_portal.pool.access_key_binding import bound_credentials
from mfa_portal.pool.credentials import Credentials
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.outbox import FILE_NAME as OUTBOX_FILE
from mfa_portal.pool.outbox import OutboxMessage, PoolOutbox
from mfa_portal.pool.passwords import PasswordHasher
from mfa_portal.pool.wire import WireApp, WireFastLane, WireMount, create_wire_app

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 9229
DEFAULT_DATA_DIR = Path(".mfa-portal")
DEFAULT_REGION = "us-east-1"
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
OUTBOX_PATH = "/dev/outbox"
OUTBOX_LIMIT = 200


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
    app: ASGIApp
    engine: Engine
    credentials: Credentials
    created_credentials: bool
    endpoint: str
    outbox: PoolOutbox | None = None  # the development outbox, when mail goes there
    outbox_served: bool = False  # whether GET /dev/outbox answers

    def jwks_url(self, pool_id: str = "<UserPoolId>") -> str:
        return f"{self.endpoint}/{pool_id}/.well-known/jwks.json"


def serve_both_paths(
    wire: WireApp, outbox: PoolOutbox | None = None, readiness: Readiness | None = None
) -> ASGIApp:
    """Answer at ``/cognito`` and at ``/``; with ``outbox``, also ``GET /dev/outbox``; with
    ``readiness``, also ``GET /healthz`` and ``GET /readyz``."""
    routes: list[Route | Mount] = []
    if outbox is not None:
        routes.append(Route(OUTBOX_PATH, _outbox_endpoint(outbox), methods=["GET"]))
    app: ASGIApp = Starlette(routes=[*routes, WireMount("/cognito", app=wire), Mount("", app=wire)])
    if readiness is not None:  # behind the fast lane: a Cognito call never passes through it
        app = Health(app, readiness=readiness)
    return WireFastLane(app, wire, ("/", "/cognito", "/cognito/"))


def _outbox_endpoint(outbox: PoolOutbox) -> Callable[[Request], Awaitable[Response]]:
    async def list_messages(request: Request) -> Response:
        if not direct_from_loopback(request.scope):  # a proxy, even a local one: not here
            return PlainTextResponse("Not Found", status_code=404)
        try:
            limit = max(1, min(OUTBOX_LIMIT, int(request.query_params.get("limit", "20"))))
        except ValueError:
            return JSONResponse({"message": "limit must be a number"}, status_code=400)
        messages = [m.as_json() for m in outbox.messages(limit)]
        return JSONResponse({"Messages": messages}, headers={"Cache-Control": "no-store"})

    return list_messages


def build_mailer(
    data_dir: Path, mail: MailSettings | None, clock: Clock | None = None
) -> tuple[Mailer, PoolOutbox | None]:
    """SMTP when configured; the development outbox without it; refusal in production."""
    if mail is not None and mail.smtp_host:
        return SmtpMailer(mail), None
    if mail is None or mail.mode == "development":
        outbox = PoolOutbox(data_dir, clock=clock)
        return outbox, outbox
    return UnconfiguredMailer(), None


def read_outbox(data_dir: Path, limit: int = 20) -> list[OutboxMessage]:
    """The latest messages of the outbox in ``data_dir`` (newest first), served or not."""
    if not (data_dir / OUTBOX_FILE).exists():
        return []
    outbox = PoolOutbox(data_dir, echo=False)
    try:
        return outbox.messages(limit)
    finally:
        outbox.close_all()


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
    mail: MailSettings | None = None,
    database_url: str | None = None,
    failures_per_address: int = 0,
) -> StandalonePool:
    """Open (or create) the pool in ``data_dir`` and build the app that serves it.

    ``public_url`` is the externally visible URL when it differs from the bind address (a proxy, a
    container); token issuers (``iss``) are built from it. ``mail`` is the ``MFA_PORTAL_SMTP_*``
    part of the settings (None: development without SMTP). The outbox is served over HTTP only
    when the server is bound to loopback: it holds codes in clear. ``failures_per_address``: see
    ``create_wire_app``.
    """
    endpoint = (public_url or endpoint_for(host, port)).rstrip("/")
    mailer, outbox = build_mailer(data_dir, mail, clock)
    engine = Engine(
        data_dir,
        issuer_base=endpoint,
        region=region,
        clock=clock,
        hasher=hasher,
        mailer=mailer,
        database_url=database_url,
    )
    credentials, created = bound_credentials(engine, data_dir, env)
    served = outbox if host in LOOPBACK else None
    wire = create_wire_app(engine, credentials, failures_per_address=failures_per_address)
    app = serve_both_paths(wire, served, Readiness([Check("user pool", engine.db.ping)]))
    return StandalonePool(app, engine, credentials, created, endpoint, outbox, served is not None)
