"""The ASGI app ``mfa-portal serve`` runs: the portal, and the embedded pool's wire front beside it.

The two are composed side by side (``/cognito`` → wire front, everything else → portal), so the
portal's session and header middleware never see a Cognito API call.

The development outbox (``/dev/outbox``) shows every mail the portal sent, sign-in codes and reset
links included, to anyone who can reach it; it is served only when the portal is bound to a loopback
address, and then only to a request straight from loopback with no proxy headers
(``mfa_portal.loopback``), so a local nginx in front of the portal cannot hand it out.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import ASGIApp

from mfa_portal.admin.notify import Outbox
from mfa_portal.health import Check
from mfa_portal.loopback import is_loopback
from mfa_portal.settings import Mode, SessionStoreKind, Settings
from mfa_portal.storage import StartupError
from mfa_portal.web.app import create_app
from mfa_portal.web.forward_auth import PATH as FORWARD_AUTH_PATH
from mfa_portal.web.forward_auth import ForwardAuth
from mfa_portal.web.routes_recovery import EXTENSIONS
from mfa_portal.web.session_store import RedisSessionStore, SessionStore
from mfa_portal.wiring.backend import WIRE_PATH, PortalBackend
from mfa_portal.wiring.support import build_support, portal_store


def outbox_warning(settings: Settings, bind_host: str) -> str | None:
    """The start-up line saying the outbox is off, when development mode is served beyond loopback."""
    if settings.mode is not Mode.DEVELOPMENT or is_loopback(bind_host):
        return None
    return (
        f"warning: /dev/outbox is off because the portal listens on {bind_host}, not loopback "
        "(it would show every sent code to the network); bind 127.0.0.1 or configure SMTP"
    )


def sessions_warning(settings: Settings) -> str | None:
    """The start-up line saying the sessions' Redis does not answer (a typo in the URL, or Redis
    not up yet). The portal starts anyway, as it must when Redis restarts under running replicas:
    ``/readyz`` names the store and sign-ins answer 503 until it answers.

    Raises ``StartupError`` for a URL redis-py cannot use at all (that never gets better)."""
    if settings.store_kind is not SessionStoreKind.REDIS or not settings.redis_url:
        return None
    try:
        store = RedisSessionStore.from_url(settings.redis_url)
    except ValueError as exc:
        raise StartupError(f"MFA_PORTAL_REDIS_URL cannot be used: {exc}") from None
    try:
        store.ping()
    # Any failure to answer: the line names its kind, never the URL's secret.
    except Exception as exc:
        where = _without_password(settings.redis_url)
        return (
            f"warning: the session store does not answer (Redis at {where}: "
            f"{type(exc).__name__}); sign-ins answer 503 until it does: check MFA_PORTAL_REDIS_URL"
        )
    finally:
        store.close()
    return None


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    user = f"{parts.username}:***@" if parts.username else ":***@"
    port = f":{parts.port}" if parts.port else ""
    return parts._replace(netloc=f"{user}{host}{port}").geturl()


def portal_app(
    backend: PortalBackend,
    *,
    store: SessionStore | None = None,
    bind_host: str = "127.0.0.1",
    **overrides: Any,
) -> FastAPI:
    """The portal exactly as ``mfa-portal serve`` ships it: console, recovery codes, enrolment audit.

    ``overrides`` replace settings (tests use them for enforcement, cookie and mode variants).
    ``bind_host`` is the address the server listens on: beyond loopback there is no outbox page.
    """
    settings = backend.settings
    if overrides:
        settings = Settings.model_validate({**settings.model_dump(), **overrides})
    support = build_support(settings, backend.client, settings.user_pool_id or "")
    store_of_portal = portal_store(settings.data_dir, settings.database)
    outbox = None
    if settings.mode is Mode.DEVELOPMENT and is_loopback(bind_host):
        outbox = Outbox(store_of_portal, echo=False)
    readiness = [Check("portal store", store_of_portal.ping)]
    if backend.engine is not None:  # Amazon Cognito is not asked: each probe would be a call
        readiness.append(Check("user pool", backend.engine.db.ping))
    return create_app(
        settings,
        backend.client,
        support=support,
        extensions=EXTENSIONS,
        outbox=outbox,
        verifier=backend.verifier,
        store=store,
        clock=backend.clock,
        readiness=readiness,
    )


def serving_app(backend: PortalBackend, *, bind_host: str = "127.0.0.1") -> ASGIApp:
    """The portal, with the embedded pool's wire front mounted beside it at ``/cognito``
    (``<base path>/cognito`` with ``MFA_PORTAL_BASE_PATH``, so one proxy rule reaches both), and
    forward-auth's fast answer (``/auth/verify``) in front of both."""
    portal = portal_app(backend, bind_host=bind_host)
    if backend.wire_app is None:
        return portal
    from mfa_portal.pool.wire import WireFastLane, WireMount

    base = backend.settings.base_path
    both = Starlette(
        routes=[WireMount(base + WIRE_PATH, app=backend.wire_app), Mount("", app=portal)],
        lifespan=portal.router.lifespan_context,
    )
    # nginx's check on every request and the pool's calls go first, before any routing.
    endpoint = base + WIRE_PATH
    lanes = WireFastLane(both, backend.wire_app, (endpoint, endpoint + "/"))
    return ForwardAuth(lanes, check=portal.state.forward_auth, path=base + FORWARD_AUTH_PATH)
