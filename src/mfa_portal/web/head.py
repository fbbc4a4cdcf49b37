"""HEAD answered wherever GET is, and the trailing-slash redirect kept relative.

FastAPI's ``@router.get`` routes, unlike Starlette's, do not answer HEAD (405), which monitors and
link checkers send. A GET never changes what the portal keeps beyond the session's own
bookkeeping, so HEAD runs the GET route and sends its status and headers without the body.

Starlette's ``redirect_slashes`` builds an absolute ``Location`` from the request's ``Host``
header, so ``/account/`` with ``Host: evil.example`` sent the browser to ``http://evil.example``.
The portal turns it off and redirects with a path only (``trailing_slash_redirect``).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mfa_portal.web.base_path import portal_path


class HeadAsGet:
    """Raw ASGI: a HEAD request runs as GET, and only the response's head is sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def head_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # Content-Length still says what a GET would get
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, head_only)


def trailing_slash_redirect(request: Request, router: Router) -> RedirectResponse | None:
    """``/account/`` → ``/account`` (query kept) when a route has that path; else None.

    The ``Location`` is a path: the browser keeps the host it used, whatever ``Host`` said.
    """
    scope = request.scope
    path = portal_path(scope)
    if "route" in scope or path == "/" or not path.endswith("/"):
        return None  # a route answered (its own 404), or there is no slash to drop
    trimmed = path.rstrip("/")
    if not trimmed or trimmed.startswith("//"):
        return None
    candidate = {**scope, "path": scope["path"].rstrip("/")}
    if not any(route.matches(candidate)[0] is not Match.NONE for route in router.routes):
        return None
    query = scope.get("query_string", b"").decode("latin-1")
    return RedirectResponse(trimmed + (f"?{query}" if query else ""), status_code=307)
