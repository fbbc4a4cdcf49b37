"""The ASGI app ``mfa-portal serve`` runs: the portal, and the embedded pool's wire front beside it.

The two are composed side by side (``/cognito`` → wire front, everything else → portal), so the
portal's session and header middleware never see a Cognito API call.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import ASGIApp

from mfa_portal.admin.notify import Outbox
from mfa_portal.settings import Mode, Settings
from mfa_portal.web.app import create_app
from mfa_portal.web.routes_recovery import EXTENSIONS
from mfa_portal.web.session_store import SessionStore
from mfa_portal.wiring.backend import WIRE_PATH, PortalBackend
from mfa_portal.wiring.support import build_support, portal_store


def portal_app(
    backend: PortalBackend, *, store: SessionStore | None = None, **overrides: Any
) -> FastAPI:
    """The portal exactly as ``mfa-portal serve`` ships it: console, recovery codes, enrolment audit.

    ``overrides`` replace settings (tests use them for enforcement, cookie and mode variants).
    """
    settings = backend.settings
    if overrides:
        settings = Settings.model_validate({**settings.model_dump(), **overrides})
    support = build_support(settings, backend.client, settings.user_pool_id or "")
    outbox = None
    if settings.mode is Mode.DEVELOPMENT:
        outbox = Outbox(portal_store(settings.data_dir), echo=False)
    return create_app(
        settings,
        backend.client,
        support=support,
        extensions=EXTENSIONS,
        outbox=outbox,
        verifier=backend.verifier,
        store=store,
        clock=backend.clock,
    )


def serving_app(backend: PortalBackend) -> ASGIApp:
    """The portal, with the embedded pool's wire front mounted beside it at ``/cognito``."""
    portal = portal_app(backend)
    if backend.wire_app is None:
        return portal
    from mfa_portal.pool.wire import WireMount

    return Starlette(
        routes=[WireMount(WIRE_PATH, app=backend.wire_app), Mount("", app=portal)],
        lifespan=portal.router.lifespan_context,
    )
