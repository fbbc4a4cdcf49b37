"""Portal sessions: a random id in an HttpOnly cookie, the typed state on the server.

The id changes (``rotate``) whenever privilege changes — sign-in, enrolment, re-authentication — so an
id fixed or seen before that moment is worthless afterwards: for a minute it holds only a sealed
"superseded" marker (where the browser went), never a session, so a request that raced the rotation
(a double submit) can follow its sibling instead of ending the sign-in. The middleware loads the
state before the route runs and saves it (and sets the cookie) after.

A visitor who has not signed in (stage ``ANONYMOUS``: a CSRF token, what they typed, why their last
session ended) is kept in the cookie itself, sealed like a stored session (``ANONYMOUS_PREFIX``),
and nothing is written to the store: every GET of the sign-in page used to save a row for an hour,
so anyone could fill the store (Redis memory, the database) at the rate the portal answers. The
store holds only sessions that got past the password step. A sealed cookie is never taken for more
than an anonymous visitor, whatever it says.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import secrets
import time
from collections.abc import Callable

from cryptography.fernet import Fernet, InvalidToken
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp

from mfa_portal.settings import LOOPBACK_HOSTS, CookieSecure, Settings
from mfa_portal.web.base_path import SITE_PATH_HEADER, portal_path
from mfa_portal.web.session_store import SessionStore
from mfa_portal.web.state import ENDED_REASONS, SessionState, Stage

log = logging.getLogger("mfa_portal.web")


SLIDE_EVERY_SECONDS = 60  # re-save an unchanged session at most this often to extend its idle time
#: A rotated-away id is kept this long as a "superseded" marker (never as a session), so a request
#: that raced the rotation (a double submit) can tell "my sibling won" from "this never completed".
SUPERSEDED_SECONDS = 60
SUPERSEDED_KEY = "superseded_to"
#: Why the rotated-away session ended, and the username its visitor had typed, kept in its marker:
#: behind nginx the rotation happens in the ``auth_request`` sub-request, whose new cookie never
#: reaches the browser, so the next request (``/auth/signin``, then ``/signin``) still names the old
#: id and learns both only from here. The marker is sealed like a session and lives a minute.
ENDED_KEY = "ended"
TYPED_KEY = "typed"


#: What ``new_session_id`` makes: 32 random bytes, URL-safe base64 without padding.
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{43}")


#: A cookie value that holds the sealed state of an anonymous visitor instead of a stored id.
ANONYMOUS_PREFIX = "~"
#: The largest sealed anonymous state kept in the cookie; a larger one (a very long return URL) is
#: stored like any session, so the cookie stays well within the 4 KB browsers keep.
ANONYMOUS_COOKIE_MAX = 3000


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

    def seal_for_cookie(self, document: str) -> str:
        """``seal`` without base64's padding, which would make the cookie value quoted."""
        return self.seal(document).rstrip("=")

    def open_from_cookie(self, value: str) -> str | None:
        return self.open(value + "=" * (-len(value) % 4))

    def open(self, sealed: str) -> str | None:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            return None


class PortalSession:
    """The state of one browser, plus bookkeeping so the middleware knows what to persist."""

    def __init__(
        self,
        session_id: str | None,
        state: SessionState,
        *,
        recheck: Callable[[str], str | None] | None = None,
    ) -> None:
        self.id = session_id
        self.state = state
        self.dirty = False
        self.discarded: list[str] = []
        self.superseded_to: str | None = None  # the cookie named an id rotated away just now
        #: Why the session the cookie named is over, found while opening it ("idle": gone from the
        #: store; "limit": past its maximum age) or by ``end(reason)``.
        self.ended_reason: str | None = None
        # The browser sent a session cookie that names no live session: support or "sign out
        # everywhere" ended it (forward-auth's sub-request cannot replace the cookie), or it timed
        # out. The sign-in page says so instead of appearing bare.
        self.cookie_outlived = False
        self._recheck = recheck

    def superseded_target(self, wait_seconds: float = 0.0, poll: float = 0.02) -> str | None:
        """Where the sibling request that rotated this session away sent the browser, or None.

        Waits up to ``wait_seconds`` for the sibling to finish (it may still be saving).
        """
        if self.id is None or self._recheck is None:
            return None
        deadline = time.monotonic() + wait_seconds
        while True:
            target = self._recheck(self.id)
            if target is not None or time.monotonic() >= deadline:
                return target
            time.sleep(poll)

    def leave_cookie_alone(self) -> None:
        """Persist nothing and set no cookie: the browser keeps whatever cookie it has now."""
        self.dirty = False
        self.discarded.clear()

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
        self.superseded_to = None
        self.state.csrf = secrets.token_urlsafe(32)
        self.dirty = True

    def end(self, reason: str | None = None) -> None:
        """Forget everything about this sign-in, under a new id.

        With a ``reason`` (one of ``ENDED_REASONS``) the new anonymous session remembers why, and
        what the visitor typed as username, so the next sign-in page can say both."""
        typed = self.state.typed_username
        self.state.forget_sign_in()
        if reason is not None and reason in ENDED_REASONS:
            self.ended_reason = reason
            self.state.ended = reason
            self.state.typed_username = typed
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
        if portal_path(request.scope).startswith("/static/"):
            return await call_next(request)
        secure = cookie_is_secure(self._settings, request)
        name = cookie_name(secure)
        session = await run_in_threadpool(self._open, request.cookies.get(name))
        request.state.portal_session = session
        if session.superseded_to is not None and request.method == "POST":
            # A stale form (e.g. the second of a double submit) after its sibling already moved
            # this browser on: follow the sibling, and keep the cookie the sibling set.
            return RedirectResponse(
                session.superseded_to, status_code=303, headers={SITE_PATH_HEADER: "1"}
            )
        response = await call_next(request)
        if session.dirty or session.discarded:
            value = await run_in_threadpool(self._persist, session)
            response.set_cookie(
                name,
                value,
                max_age=self._max_age,
                # "/" even under MFA_PORTAL_BASE_PATH: forward-auth checks the app's requests
                # (/report, ...), which carry only cookies whose path covers them (and the
                # __Host- prefix requires "/").
                path="/",
                secure=secure,
                httponly=True,
                samesite="lax",
            )
        return response

    def _document(self, session_id: str) -> str | None:
        sealed = self._store.load(session_id)
        return None if sealed is None else self._cipher.open(sealed)

    def _superseded_target(self, session_id: str) -> str | None:
        """The redirect a sibling request left under a rotated-away id, or None."""
        return superseded_target_of(self._document(session_id))

    def _open(self, session_id: str | None) -> PortalSession:
        if session_id and session_id.startswith(ANONYMOUS_PREFIX):
            return self._open_anonymous(session_id[len(ANONYMOUS_PREFIX) :])
        if session_id:
            document = self._document(session_id)
            target = superseded_target_of(document)
            if target is not None:
                # Never a session: an anonymous one that remembers where the winner went.
                fresh = self._fresh()
                fresh.superseded_to = target
                fresh.cookie_outlived = True
                reason, typed = superseded_ending_of(document)
                if reason is not None:
                    fresh.ended_reason = fresh.state.ended = reason
                    fresh.state.typed_username = typed
                return fresh
            if document is None:
                fresh = self._fresh()
                fresh.cookie_outlived = True
                if SESSION_ID.fullmatch(session_id):
                    # One of ours that the store let expire: unused past the idle timeout.
                    fresh.ended_reason = "idle"
                return fresh
            state: SessionState | None = None
            try:
                state = SessionState.model_validate_json(document)
            except ValidationError:
                log.warning("discarding an unreadable portal session")
            if state is not None:
                now = self._clock()
                if state.created + self._max_age > now:
                    session = PortalSession(session_id, state, recheck=self._superseded_target)
                    if now - state.saved >= SLIDE_EVERY_SECONDS:
                        session.dirty = True  # slide the idle timeout
                    return session
            self._store.delete(session_id)
            fresh = self._fresh()
            fresh.cookie_outlived = True
            if state is not None and state.stage is not Stage.ANONYMOUS:
                fresh.ended_reason = "limit"
            return fresh
        return self._fresh()

    def _open_anonymous(self, sealed: str) -> PortalSession:
        """The visitor's state from the cookie; anything but a live anonymous state starts afresh."""
        document = self._cipher.open_from_cookie(sealed)
        state: SessionState | None = None
        if document is not None:
            try:
                state = SessionState.model_validate_json(document)
            except ValidationError:
                state = None
        if (
            state is None
            or state.stage is not Stage.ANONYMOUS  # only ever sealed for anonymous visitors
            or state.created + self._max_age <= self._clock()
        ):
            return self._fresh()
        return PortalSession(None, state)

    def _fresh(self) -> PortalSession:
        return PortalSession(None, SessionState(created=self._clock()))

    def _persist(self, session: PortalSession) -> str:
        """Save the session; the cookie's new value (its id, or an anonymous visitor's sealed
        state, which is not stored)."""
        session.state.saved = self._clock()
        cookie = self._anonymous_cookie(session)
        if cookie is None:
            if session.id is None:
                session.id = new_session_id()
            document = self._cipher.seal(session.state.model_dump_json())
            self._store.save(session.id, document, self._ttl)
            cookie = session.id
        # Only now mark the old ids: a sibling that sees the marker finds the new session saved.
        landing = landing_of(session.state, self._settings.base_path)
        content = {SUPERSEDED_KEY: landing}
        if session.state.ended in ENDED_REASONS:
            content[ENDED_KEY] = session.state.ended
            content[TYPED_KEY] = session.state.typed_username
        marker = self._cipher.seal(json.dumps(content))
        for old in session.discarded:
            self._store.save(old, marker, SUPERSEDED_SECONDS)
        session.discarded.clear()
        return cookie

    def _anonymous_cookie(self, session: PortalSession) -> str | None:
        """The cookie value that holds an anonymous visitor's state, or None to store it: a
        visitor past the password step, or one already stored (its id stays its id)."""
        if session.state.stage is not Stage.ANONYMOUS or session.id is not None:
            return None
        sealed = self._cipher.seal_for_cookie(session.state.model_dump_json())
        return ANONYMOUS_PREFIX + sealed if len(sealed) <= ANONYMOUS_COOKIE_MAX else None


def landing_of(state: SessionState, base: str = "") -> str:
    """The page a browser holding this state belongs on (what a superseded request redirects to),
    as a site path: the destination as given, or a portal page under the portal's prefix ``base``."""
    if state.stage is Stage.SIGNED_IN:
        return state.next_path
    if state.stage is Stage.MUST_ENROL:
        return base + "/mfa/setup"
    return base + "/"


def superseded_target_of(document: str | None) -> str | None:
    """The target stored in a superseded marker, or None for a session document or nothing."""
    if document is None or SUPERSEDED_KEY not in document:
        return None
    try:
        data = json.loads(document)
    except ValueError:
        return None
    target = data.get(SUPERSEDED_KEY) if isinstance(data, dict) else None
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def superseded_ending_of(document: str | None) -> tuple[str | None, str]:
    """The reason (one of ``ENDED_REASONS``, else None) a superseded marker records, and the
    username typed in the session that ended ("" when none)."""
    try:
        data = json.loads(document or "")
    except ValueError:
        return None, ""
    if not isinstance(data, dict):
        return None, ""
    reason, typed = data.get(ENDED_KEY), data.get(TYPED_KEY)
    if not isinstance(reason, str) or reason not in ENDED_REASONS:
        return None, ""
    return reason, typed if isinstance(typed, str) else ""
