"""``GET /auth/verify`` answered in front of the portal app, for the common case, in microseconds.

nginx asks this on every request to a protected application, so it must cost little more than the
HTTP exchange itself. This raw ASGI layer answers a request whose session needs no work with one
store read (a primary-key lookup; no write), a cached decryption keyed by the exact sealed document
(the same ciphertext can only ever open to the same state), and the revocation marker (one
primary-key lookup, so "sign out everywhere" and support actions still reach every session at
once). Its answers are byte for byte those of the portal's own route (``routes_account``), which
still serves every case this layer does not decide:

- the session is due for its Cognito re-check or token refresh (``revalidate_seconds``, expiry);
- its idle time should slide (at most once a minute: ``SLIDE_EVERY_SECONDS``), its maximum age has
  passed, its generation is behind the revocation marker, or it cannot be read;
- it is mid sign-in (a challenge that may expire), or the request is not a plain GET.

So every write (the slide, a refresh, ending a revoked or expired session) still happens in the
portal, exactly as before, and at most once a minute per session. An anonymous request (no cookie,
an unknown or foreign cookie, a superseded id) gets its 401 here without touching anything else.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError
from starlette.requests import Request, cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from mfa_portal.admin.revocations import SessionRevocations
from mfa_portal.settings import CookieSecure, Settings
from mfa_portal.storage.outage import OutageLog
from mfa_portal.thread_pools import ProcessThreadPool
from mfa_portal.web import store_outage
from mfa_portal.web.headers import COMMON, CSP
from mfa_portal.web.identity_headers import identity_headers
from mfa_portal.web.session_store import SessionStore, SqliteSessionStore
from mfa_portal.web.sessions import (
    ANONYMOUS_PREFIX,
    SLIDE_EVERY_SECONDS,
    SessionCipher,
    cookie_is_secure,
    cookie_name,
    superseded_target_of,
)
from mfa_portal.web.state import SessionState, Stage
from mfa_portal.web.strings import negotiate

log = logging.getLogger("mfa_portal.web")

PATH = "/auth/verify"
# Decisions on a network store (PostgreSQL, Redis) wait on it in threads of their own, reached with
# asyncio's run_in_executor: Starlette's run_in_threadpool (anyio's to_thread) costs about twice
# the CPU per hop, and on PostgreSQL that was 7-8 % of forward-auth's throughput (paired rounds).
DECISION_THREADS = ProcessThreadPool(40, "mfa-portal-verify")
OPENED_CACHE_SIZE = 1024  # decrypted session documents kept, keyed by their exact ciphertext
_SMALL_CACHE = 256  # cookie names per (scheme, host), languages per Accept-Language

#: A decision this layer leaves to the portal's route (which may write the session).
PORTAL = None
Answer = tuple[int, tuple[tuple[bytes, bytes], ...]]  # status, X-Auth-* headers
_ANONYMOUS: Answer = (401, ())
_SEEN = "mfa_portal.forward_auth"  # scope key: an outer ForwardAuth already looked


@dataclass(frozen=True)
class _Superseded:
    """A rotated-away id: never a session (the portal answers it 401 too, and writes nothing)."""


_SUPERSEDED = _Superseded()
Opened = SessionState | _Superseded | None  # None: unreadable, the portal discards it


class ForwardAuth:
    """Raw ASGI: ``GET /auth/verify`` decided by ``check``, everything else (and what ``check``
    leaves to the portal) passed to ``app``.

    The portal app has one as its outermost middleware; ``mfa-portal serve`` puts another, with
    the same ``check``, in front of everything (before the ``/cognito`` routing), and the inner one
    then steps aside for a request the outer one already looked at.
    """

    def __init__(self, app: ASGIApp, *, check: ForwardAuthCheck, path: str = PATH) -> None:
        self.app = app
        self.check = check
        self.path = path  # with MFA_PORTAL_BASE_PATH: <base path>/auth/verify
        self.outage_log = OutageLog(store_outage.log)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != self.path
            or scope["method"] != "GET"
            or _SEEN in scope
        ):
            await self.app(scope, receive, send)
            return
        scope[_SEEN] = True
        check = self.check
        cookie, language = b"", b""
        for name, value in scope["headers"]:
            if name == b"cookie" and not cookie:
                cookie = value
            elif name == b"accept-language" and not language:
                language = value
        session_id = cookie_parser(cookie.decode("latin-1")).get(check.cookie_name(scope), "")
        try:
            if not session_id or session_id.startswith(ANONYMOUS_PREFIX):
                answer: Answer | None = _ANONYMOUS  # no cookie, or a visitor who never signed in
            elif check.inline:
                answer = check.decide(session_id)
            else:
                loop = asyncio.get_running_loop()
                answer = await loop.run_in_executor(
                    DECISION_THREADS.get(), check.decide, session_id
                )
        except Exception as exc:
            if not store_outage.out_of_reach(exc):
                raise
            store_outage.logged(self.outage_log, scope, exc)  # a store is down: fail closed
            await store_outage.answer_bare(send)
            return
        if answer is PORTAL:
            await self.app(scope, receive, send)
            return
        status, extra = answer
        headers = [*extra, *check.common_headers(scope, language)]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


class ForwardAuthCheck:
    """The decision and its caches, shared by every ``ForwardAuth`` in front of one portal."""

    def __init__(
        self,
        *,
        settings: Settings,
        store: SessionStore,
        cipher: SessionCipher,
        clock: Callable[[], float],
        revocations: SessionRevocations | None,
    ) -> None:
        self._settings = settings
        self._store = store
        self._cipher = cipher
        self._clock = clock
        self._revocations = revocations
        self._pool_id = settings.user_pool_id or ""
        self._max_age = settings.session_max_hours * 3600
        self._revalidate = settings.revalidate_seconds
        # A local SQLite read costs less than a hop to a worker thread; a network store does not.
        self.inline = isinstance(store, SqliteSessionStore) and store.local  # not over a network
        self._opened: OrderedDict[str, SessionState | _Superseded] = OrderedDict()
        self._lock = threading.Lock()  # decisions run in worker threads for a network store
        self._names: dict[tuple[object, ...], str] = {}
        self._languages: dict[bytes, str] = {}

    def decide(self, session_id: str) -> Answer | None:
        """401, 200 with the X-Auth-* headers, or ``PORTAL`` when the portal's route must answer."""
        sealed = self._store.load(session_id)
        if sealed is None:
            return _ANONYMOUS  # unknown, expired or idle past its timeout: nothing to clean up
        state = self._open(sealed)
        if state is None:
            return PORTAL  # unreadable: the portal logs it and deletes it
        if isinstance(state, _Superseded):
            return _ANONYMOUS
        now = self._clock()
        if state.created + self._max_age <= now or now - state.saved >= SLIDE_EVERY_SECONDS:
            return PORTAL  # ends it, or slides its idle timeout (one write a minute at most)
        if state.stage is Stage.ANONYMOUS:
            return _ANONYMOUS
        tokens, identity = state.tokens, state.identity
        if state.stage is not Stage.SIGNED_IN or tokens is None or identity is None:
            return PORTAL
        if self._generation(identity.sub) != state.revocation_generation:
            return PORTAL  # revoked: the portal ends the session
        if now - state.last_checked >= self._revalidate or now >= tokens.expires_at - 60:
            return PORTAL  # due for Cognito's word (refresh or GetUser)
        if not state.mfa_answered:
            return _ANONYMOUS
        return 200, identity_headers(
            username=identity.username,
            sub=identity.sub,
            email=(identity.email or "") if identity.email_verified else "",
            groups=identity.groups,
        )

    def _generation(self, sub: str) -> int:
        revocations = self._revocations
        return 0 if revocations is None else revocations.generation(self._pool_id, sub)

    def _open(self, sealed: str) -> Opened:
        """The session document behind ``sealed``; decrypted and parsed once per ciphertext."""
        with self._lock:
            opened = self._opened.get(sealed)
            if opened is not None:
                self._opened.move_to_end(sealed)
                return opened
        document = self._cipher.open(sealed)
        if document is None:
            return None  # never cached: a forgery must cost its sender, not fill our memory
        if superseded_target_of(document) is not None:
            opened = _SUPERSEDED
        else:
            try:
                opened = SessionState.model_validate_json(document)
            except (ValidationError, json.JSONDecodeError):
                return None
        with self._lock:
            self._opened[sealed] = opened
            if len(self._opened) > OPENED_CACHE_SIZE:
                self._opened.popitem(last=False)
        return opened

    def cookie_name(self, scope: Scope) -> str:
        """The session cookie's name for this request (``__Host-`` over HTTPS), as the portal's."""
        if self._settings.cookie_secure is not CookieSecure.AUTO:
            return cookie_name(self._settings.cookie_secure is CookieSecure.ALWAYS)
        host = next((v for k, v in scope["headers"] if k == b"host"), None)
        server = scope.get("server")
        key = (scope.get("scheme"), host, None if server is None else tuple(server))
        name = self._names.get(key)
        if name is None:
            name = cookie_name(cookie_is_secure(self._settings, Request(scope)))
            if len(self._names) >= _SMALL_CACHE:
                self._names.clear()
            self._names[key] = name
        return name

    def common_headers(self, scope: Scope, accept_language: bytes) -> list[tuple[bytes, bytes]]:
        """What the portal's header and language middleware add to every answer."""
        code = self._languages.get(accept_language)
        if code is None:
            code = negotiate(accept_language.decode("latin-1") or None)
            if len(self._languages) >= _SMALL_CACHE:
                self._languages.clear()
            self._languages[accept_language] = code
        headers = list(_FIXED)
        if scope.get("scheme") == "https":
            headers.append((b"strict-transport-security", b"max-age=31536000"))
        headers += [(b"vary", b"Accept-Language"), (b"content-language", code.encode())]
        return headers


_FIXED: tuple[tuple[bytes, bytes], ...] = (
    (b"content-length", b"0"),
    (b"cache-control", b"no-store"),
    *((name.lower().encode(), value.encode()) for name, value in COMMON.items()),
    (b"content-security-policy", CSP.encode()),
)
