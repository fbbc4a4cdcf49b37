"""Assemble the portal: sessions, security headers, guards' error pages, routers, static files.

With the embedded backend the pool's wire front is mounted at ``/cognito`` in the same process, so
boto3, the AWS CLI and the SDKs can reach the very pool the portal uses.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp

from mfa_portal.client import CognitoClient
from mfa_portal.settings import SessionStoreKind, Settings
from mfa_portal.web import routes_account, routes_enrol, routes_signin
from mfa_portal.web.deps import CsrfFailed, Forbidden, RedirectTo, render
from mfa_portal.web.headers import SecurityHeadersMiddleware
from mfa_portal.web.id_tokens import HttpJwks, IdTokenVerifier, cognito_issuer
from mfa_portal.web.portal import Portal
from mfa_portal.web.session_store import RedisSessionStore, SessionStore, SqliteSessionStore
from mfa_portal.web.sessions import SessionCipher, SessionMiddleware
from mfa_portal.web.strings import STRINGS, t
from mfa_portal.web.templating import STATIC_DIR, build_templates

log = logging.getLogger("mfa_portal.web")

#: Routers owned by the support console; included when their modules exist.
OPTIONAL_ROUTERS = ("mfa_portal.web.routes_admin", "mfa_portal.web.routes_recovery")


def build_store(settings: Settings) -> SessionStore:
    if settings.store_kind is SessionStoreKind.REDIS:
        assert settings.redis_url is not None
        return RedisSessionStore.from_url(settings.redis_url)
    return SqliteSessionStore(settings.data_dir / "portal-sessions.sqlite3")


def http_verifier(settings: Settings, clock: Callable[[], float]) -> IdTokenVerifier:
    """Verify against the pool's published JWKS (Amazon Cognito or a compatible endpoint)."""
    issuer = cognito_issuer(settings.region, settings.user_pool_id or "", settings.endpoint_url)
    return IdTokenVerifier(
        HttpJwks(f"{issuer}/.well-known/jwks.json"),
        issuer=issuer,
        client_id=settings.client_id or "",
        clock=clock,
    )


def create_app(
    settings: Settings,
    client: CognitoClient,
    *,
    verifier: IdTokenVerifier | None = None,
    store: SessionStore | None = None,
    clock: Callable[[], float] = time.time,
    wire_app: ASGIApp | None = None,
) -> FastAPI:
    """The portal for one pool; ``settings.user_pool_id`` and ``client_id`` must be set."""
    session_store = store or build_store(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        session_store.close()

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.portal = Portal(
        settings=settings,
        client=client,
        store=session_store,
        verifier=verifier or http_verifier(settings, clock),
        clock=clock,
    )
    app.state.templates = build_templates()
    app.state.console = False  # the support console's router is installed
    app.add_middleware(
        SessionMiddleware,
        settings=settings,
        store=session_store,
        cipher=SessionCipher(settings.secret_key_bytes()),
        clock=clock,
    )
    app.add_middleware(SecurityHeadersMiddleware)
    _add_error_pages(app)
    app.include_router(routes_signin.router)
    app.include_router(routes_enrol.router)
    app.include_router(routes_account.router)
    for name in OPTIONAL_ROUTERS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            log.info("%s is not installed; its pages are off", name)
            continue
        app.include_router(module.router)
        app.state.console = app.state.console or name.endswith("routes_admin")
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    if wire_app is not None:
        from mfa_portal.pool.wire import WireMount

        app.router.routes.append(WireMount("/cognito", app=wire_app, name="cognito"))
    return app


def _add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(RedirectTo)
    async def redirect(_: Request, exc: RedirectTo) -> Response:
        return RedirectResponse(exc.url, status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, _: Forbidden) -> Response:
        return render(request, "error.html", 403, title="forbidden.title", body="forbidden.body")

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, _: CsrfFailed) -> Response:
        return render(request, "error.html", 403, title="csrf.title", body="csrf.body")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return render(request, "error.html", 404, title="notfound.title", body="notfound.body")
        if exc.status_code == 400:
            # Only our own catalog keys are shown: never text that may echo the request.
            detail = exc.detail if exc.detail in STRINGS else "badrequest.unreadable"
            return render(
                request,
                "error.html",
                400,
                title="badrequest.title",
                body="badrequest.body",
                detail=t(str(detail)),
            )
        return render(
            request, "error.html", exc.status_code, title="error.title", body="error.body"
        )
