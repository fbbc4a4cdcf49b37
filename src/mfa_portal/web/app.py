"""Assemble the portal: sessions, security headers, guards' error pages, routers, static files.

Everything the portal uses from outside (the Cognito client, support actions, the outbox, its
extensions) arrives as arguments; the composition root (``mfa_portal.wiring``) decides what they are
and mounts the embedded pool's wire front beside this app, never inside it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from mfa_portal.admin.notify import Outbox
from mfa_portal.admin.support import Support
from mfa_portal.cognito_api.client import CognitoClient
from mfa_portal.cognito_api.id_tokens import HttpJwks, IdTokenVerifier, cognito_issuer
from mfa_portal.health import Check, Health, Readiness
from mfa_portal.settings import SessionStoreKind, Settings
from mfa_portal.web import (
    routes_account,
    routes_admin,
    routes_email,
    routes_enrol,
    routes_password,
    routes_recovery,
    routes_signin,
    routes_signup,
)
from mfa_portal.web.base_path import BasePathMiddleware, portal_path
from mfa_portal.web.deps import CsrfFailed, Forbidden, RedirectTo
from mfa_portal.web.extensions import PortalExtensions
from mfa_portal.web.forward_auth import PATH as FORWARD_AUTH_PATH
from mfa_portal.web.forward_auth import ForwardAuth, ForwardAuthCheck
from mfa_portal.web.head import HeadAsGet, trailing_slash_redirect
from mfa_portal.web.headers import SecurityHeadersMiddleware
from mfa_portal.web.language import LanguageMiddleware
from mfa_portal.web.portal import Portal
from mfa_portal.web.responses import STATIC_DIR, build_templates, render
from mfa_portal.web.session_store import FILE_NAME as SESSIONS_FILE
from mfa_portal.web.session_store import RedisSessionStore, SessionStore, SqliteSessionStore
from mfa_portal.web.sessions import SessionCipher, SessionMiddleware
from mfa_portal.web.store_outage import StoreOutage
from mfa_portal.web.strings import STRINGS, t

log = logging.getLogger("mfa_portal.web")


def build_store(settings: Settings) -> SessionStore:
    if settings.store_kind is SessionStoreKind.REDIS:
        assert settings.redis_url is not None
        return RedisSessionStore.from_url(settings.redis_url)
    return SqliteSessionStore(settings.data_dir / SESSIONS_FILE, url=settings.database)


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
    support: Support,
    extensions: PortalExtensions,
    outbox: Outbox | None = None,
    verifier: IdTokenVerifier | None = None,
    store: SessionStore | None = None,
    clock: Callable[[], float] = time.time,
    readiness: Sequence[Check] = (),
) -> FastAPI:
    """The portal for one pool; ``settings.user_pool_id`` and ``client_id`` must be set.
    ``readiness`` names the stores besides the sessions that ``/readyz`` asks."""
    session_store = store or build_store(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        session_store.close()

    base = settings.base_path
    app = FastAPI(
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=None if base else lifespan,
        redirect_slashes=False,  # Starlette's echoes the Host header: see web/head.py
    )
    app.state.portal = Portal(
        settings=settings,
        client=client,
        store=session_store,
        verifier=verifier or http_verifier(settings, clock),
        clock=clock,
        support=support,
        extensions=extensions,
        outbox=outbox,
    )
    app.state.templates = build_templates(settings.product_name, settings.support_contact, base)
    cipher = SessionCipher(settings.secret_key_bytes())
    app.add_middleware(
        SessionMiddleware, settings=settings, store=session_store, cipher=cipher, clock=clock
    )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(LanguageMiddleware)  # error pages speak the language too
    app.add_middleware(BasePathMiddleware, base=base)  # sees every redirect
    app.state.forward_auth = ForwardAuthCheck(
        settings=settings,
        store=session_store,
        cipher=cipher,
        clock=clock,
        revocations=support.revocations,
    )
    app.add_middleware(  # around the pages: an unreachable store's error becomes a 503
        StoreOutage,
        forward_auth_path=base + FORWARD_AUTH_PATH,
        product_name=settings.product_name,
    )
    checks = [Check("sessions", session_store.ping), *readiness]
    app.add_middleware(Health, readiness=Readiness(checks), base=base)  # before any store is used
    # Outermost: nginx's every-request check skips all of the above when it can (its answers
    # are never redirects, so the base path's rewriting has nothing to do for them).
    app.add_middleware(ForwardAuth, check=app.state.forward_auth, path=base + FORWARD_AUTH_PATH)
    app.add_middleware(HeadAsGet)  # outside forward-auth too: its HEAD is answered as its GET
    _add_error_pages(app)
    app.include_router(routes_signin.router)
    app.include_router(routes_enrol.router)
    app.include_router(routes_account.router)
    app.include_router(routes_email.router)
    app.include_router(routes_admin.router)
    app.include_router(routes_recovery.router)
    app.include_router(routes_password.router)
    app.include_router(routes_signup.router)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    return under_base_path(app, base, lifespan) if base else app


def under_base_path(
    portal: FastAPI, base: str, lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]]
) -> FastAPI:
    """The portal mounted at ``base`` and nothing else: every other path is a plain 404, left to
    the application the portal protects (``MFA_PORTAL_BASE_PATH``)."""
    outer = FastAPI(
        docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan, redirect_slashes=False
    )
    outer.state.portal = portal.state.portal
    outer.state.templates = portal.state.templates
    outer.state.forward_auth = portal.state.forward_auth
    outer.mount(base, portal)

    @outer.exception_handler(StarletteHTTPException)
    async def not_here(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path == base:  # the portal's home is <base>/; a path keeps the host
            return RedirectResponse(base + "/", status_code=307)
        return PlainTextResponse(t("notfound.title"), status_code=exc.status_code)

    return outer


def _add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(RedirectTo)
    async def redirect(_: Request, exc: RedirectTo) -> Response:
        return RedirectResponse(exc.url, status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, _: Forbidden) -> Response:
        return render(request, "error.html", 403, title="forbidden.title", body="forbidden.body")

    @app.exception_handler(RequestValidationError)
    async def unreadable(request: Request, _: RequestValidationError) -> Response:
        # FastAPI's own answer is JSON that quotes the input: pages answer with a page, and say
        # only that the form could not be read (a file in a text field, a field sent twice ...).
        return _bad_request(request, "badrequest.unreadable")

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, _: CsrfFailed) -> Response:
        return render(request, "error.html", 403, title="csrf.title", body="csrf.body")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if portal_path(request.scope).startswith("/static/"):
            # Static files pass the session middleware by, so there is no page to render: a plain
            # answer with the real status (a missing file is a 404, not a server error).
            title = "notfound.title" if exc.status_code == 404 else "error.title"
            return PlainTextResponse(t(title), status_code=exc.status_code)
        if exc.status_code == 404:
            moved = trailing_slash_redirect(request, app.router)
            if moved is not None:
                return moved
            return render(request, "error.html", 404, title="notfound.title", body="notfound.body")
        if exc.status_code == 400:
            # Only our own catalog keys are shown: never text that may echo the request.
            detail = exc.detail if exc.detail in STRINGS else "badrequest.unreadable"
            return _bad_request(request, str(detail))
        return render(
            request, "error.html", exc.status_code, title="error.title", body="error.body"
        )


def _bad_request(request: Request, detail: str) -> Response:
    """The 400 page with one of our own catalog sentences, never text from the request."""
    return render(
        request,
        "error.html",
        400,
        title="badrequest.title",
        body="badrequest.body",
        detail=t(detail),
    )
