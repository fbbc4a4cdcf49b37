"""The language a request is served in, from the browser's ``Accept-Language``.

A pure ASGI middleware (not ``BaseHTTPMiddleware``) so the context variable it sets is the one the
route, its exception handlers and the templates read. Responses say which language they are in and
that they vary by the header, so a shared cache never hands a German page to an English browser.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mfa_portal.web.strings import negotiate, reset_language, use_language


class LanguageMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        code = negotiate(Headers(scope=scope).get("accept-language"))

        async def send_labelled(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.add_vary_header("Accept-Language")
                headers.setdefault("Content-Language", code)
            await send(message)

        token = use_language(code)
        try:
            await self.app(scope, receive, send_labelled)
        finally:
            reset_language(token)
