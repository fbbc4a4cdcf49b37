"""While a store the portal needs is unreachable: a 503 that says so, not a dropped connection.

Sessions live in Redis or the database, and the embedded pool lives in the database. When one of them
is down (a restart, a fail-over, a network cut), every page and every forward-auth check fails. That
used to surface as a bare 500, or as a reset connection (when the error came while the session was
being saved), with a traceback of a hundred lines in the log for every request.

Now such an error, reaching the top of a request that has not started its answer, becomes:

- a 503 with ``Retry-After``;
- for pages, a short page in the browser's language, built without templates or the session (either
  may depend on what is down);
- an ERROR line naming the error, without a traceback (at most one a second, counting the
  requests refused in between).

Forward-auth gets a bare 503: nginx refuses the protected request then (fail closed), as it does for
any answer but 2xx, 401 and 403. Nothing is written, so nothing is half done. The stores' clients
reconnect by themselves once the store is back.
"""

from __future__ import annotations

import html
import logging

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mfa_portal.cognito_api.client import PoolUnreachable
from mfa_portal.storage.outage import OutageLog, summary, unreachable
from mfa_portal.web.strings import negotiate, reset_language, t, use_language

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10


_HEADERS = ((b"retry-after", str(RETRY_AFTER_SECONDS).encode()), (b"cache-control", b"no-store"))


def out_of_reach(exc: BaseException) -> bool:
    """A store (the database, Redis) or the user pool (Amazon Cognito, a pool endpoint) could not
    be reached."""
    return unreachable(exc) or isinstance(exc, PoolUnreachable)


def logged(outage_log: OutageLog, scope: Scope, exc: BaseException) -> None:
    """The log line of a request refused because a store is unreachable (at most one a second per
    ``outage_log``, the next one counting those refused in between)."""
    outage_log.error(
        exc,
        "%s %s answered 503: a store or the user pool is unreachable (%s)",
        scope["method"],
        scope["path"],
        summary(exc),
    )


async def answer_bare(send: Send) -> None:
    """The 503 for forward-auth: nginx reads only the status."""
    await send({"type": "http.response.start", "status": 503, "headers": list(_HEADERS)})
    await send({"type": "http.response.body", "body": b""})


class StoreOutage:
    """Raw ASGI, around the portal's pages: an unreachable store's error becomes a 503 page
    (``forward_auth_path``, should a check reach it, a bare 503). ``ForwardAuth``'s fast answer,
    outside it, refuses on its own (``logged``, ``answer_bare``), so nginx's check on every request
    passes through one layer less."""

    def __init__(self, app: ASGIApp, *, forward_auth_path: str, product_name: str | None) -> None:
        self.app = app
        self.forward_auth_path = forward_auth_path
        self.product_name = product_name  # None: the catalog's, in the page's language
        self.outage_log = OutageLog(log)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if started or not out_of_reach(exc):
                raise
            logged(self.outage_log, scope, exc)
            if scope["path"] == self.forward_auth_path:
                await answer_bare(send)
            else:
                await self._answer_page(scope, send)

    async def _answer_page(self, scope: Scope, send: Send) -> None:
        code = negotiate(Headers(scope=scope).get("accept-language"))
        body = self._page(code).encode()
        headers = [
            *_HEADERS,
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"content-language", code.encode()),
            (b"vary", b"Accept-Language"),
            (b"x-content-type-options", b"nosniff"),
            (b"content-security-policy", b"default-src 'none'; style-src 'unsafe-inline'"),
        ]
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _page(self, code: str) -> str:
        token = use_language(code)
        try:
            title, body = t("outage.title"), t("outage.body")
            name = html.escape(self.product_name or t("app.name"))
        finally:
            reset_language(token)
        return (
            f'<!doctype html><html lang="{code}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)} – {name}</title>"
            "<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;"
            "padding:0 1rem;line-height:1.5;color:#1b1b1b}h1{font-size:1.5rem}</style></head>"
            f"<body><p>{name}</p><h1>{html.escape(title)}</h1><p>{html.escape(body)}</p>"
            "</body></html>"
        )
