"""Portal sessions: a random id in an HttpOnly cookie, the typed state on the server.

The id changes (``rotate``) whenever privilege changes — sign-in, enrolment, re-authentication — so an
id fixed or seen before that moment is worthless afterwards. The middleware loads the state before the
route runs and saves it (and sets the cookie) after.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from collections.abc import Callable

from cryptography.fernet import Fernet, InvalidToken
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from mfa_portal.settings import LOOPBACK_HOSTS, CookieSecure, Settings
from mfa_portal.web.session_store import SessionStore
from mfa_portal.web.state import SessionState

log = logging.getLogger("mfa_portal.web")


SLIDE_EVERY_SECONDS = 60  # re-save an unchanged session at most this often to extend its idle time


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


class SessionCipher:
    """Encrypts session documents at rest: the store holds Cognito tokens, so a copied SQLite file or
    a Redis dump must not hand them out. Every portal instance sharing a store needs the same key."""

    def __init__(self, secret_key: bytes) -> None:
        derived = hashlib.sha256(b"mfa-portal session store\0" + secret_key).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, document: str) -> str:
        return self._fernet.encrypt(document.encode()).decode()

    def open(self, sealed: str) -> str | None:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            return None


class PortalSession:
    """The state of one browser, plus bookkeeping so the middleware knows what to persist."""

    def __init__(self, session_id: str | None, state: SessionState) -> None:
        self.id = session_id
        self.state = state
        self.dirty = False
        self.discarded: list[str] = []

    def ensure_csrf(self) -> str:
        if not self.state.csrf:
            self.state.csrf = secrets.token_urlsafe(32)
            self.dirty = True
        return self.state.csrf

    def changed(self) -> None:
        self.dirty = True

    def rotate(self) -> None:
        """A new id and a new CSRF token for the same state; the old id stops working."""
        if self.id is not None:
            self.discarded.append(self.id)
        self.id = None
        self.state.csrf = secrets.token_urlsafe(32)
        self.dirty = True

    def end(self) -> None:
        """Forget everything about this sign-in, under a new id."""
        self.state.forget_sign_in()
        self.rotate()


def cookie_is_secure(settings: Settings, request: Request) -> bool:
    if settings.cookie_secure is CookieSecure.ALWAYS:
        return True
    if settings.cookie_secure is CookieSecure.NEVER:
        return False
    return not (request.url.scheme == "http" and request.url.hostname in LOOPBACK_HOSTS)


def cookie_name(secure: bool) -> str:
    # The __Host- prefix pins the cookie to this host and path=/ and requires Secure.
    return "__Host-mfa-portal" if secure else "mfa-portal"


class SessionMiddleware(BaseHTTPMiddleware):
    def __init__(
        self,
        app: ASGIApp,
        *,
        settings: Settings,
        store: SessionStore,
        cipher: SessionCipher,
        clock: Callable[[], float],
    ) -> None:
        super().__init__(app)
        self._settings = settings
        self._store = store
        self._cipher = cipher
        self._clock = clock
        self._ttl = settings.session_idle_minutes * 60
        self._max_age = settings.session_max_hours * 3600

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        if path.startswith(("/static/", "/cognito/")) or path == "/cognito":
            return await call_next(request)
        secure = cookie_is_secure(self._settings, request)
        name = cookie_name(secure)
        session = await run_in_threadpool(self._open, request.cookies.get(name))
        request.state.portal_session = session
        response = await call_next(request)
        if session.dirty or session.discarded:
            await run_in_threadpool(self._persist, session)
            response.set_cookie(
                name,
                session.id or "",
                max_age=self._max_age,
                path="/",
                secure=secure,
                httponly=True,
                samesite="lax",
            )
        return response

    def _open(self, session_id: str | None) -> PortalSession:
        if session_id:
            sealed = self._store.load(session_id)
            document = None if sealed is None else self._cipher.open(sealed)
            if document is not None:
                try:
                    state = SessionState.model_validate_json(document)
                except ValidationError:
                    log.warning("discarding an unreadable portal session")
                else:
                    now = self._clock()
                    if state.created + self._max_age > now:
                        session = PortalSession(session_id, state)
                        if now - state.saved >= SLIDE_EVERY_SECONDS:
                            session.dirty = True  # slide the idle timeout
                        return session
                self._store.delete(session_id)
        return PortalSession(None, SessionState(created=self._clock()))

    def _persist(self, session: PortalSession) -> None:
        for old in session.discarded:
            self._store.delete(old)
        session.discarded.clear()
        if session.id is None:
            session.id = new_session_id()
        session.state.saved = self._clock()
        document = self._cipher.seal(session.state.model_dump_json())
        self._store.save(session.id, document, self._ttl)
