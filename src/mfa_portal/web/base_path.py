"""The portal under one path prefix (``MFA_PORTAL_BASE_PATH``, e.g. ``/_mfa``) beside the app it protects.

Two kinds of path travel through the portal, and they must never be confused:

- **portal paths** (``/signin``, ``/mfa/setup``, ``/static/portal.css``): the portal's own pages, written
  without the prefix everywhere in the code. Templates print them after ``{{ base }}``; redirects to them
  get the prefix from ``BasePathMiddleware`` on their way out (what nginx's ``proxy_redirect`` does for
  a proxied app), so a route never needs to know where the portal is mounted.
- **site paths** (``SitePath``): a path as the browser sees it on the whole site, such as the
  destination the user asked for (``/report?a=1&b=2``, an app page, or ``/_mfa/account``). They
  are redirected to as they are. ``see_other`` marks a ``SitePath`` redirect with ``SITE_PATH_HEADER``,
  which the middleware removes before the response leaves.

With no prefix (the default) the two are the same; the middleware then only removes the marker.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Set (by ``see_other``) on a redirect whose ``Location`` is already a site path; never sent out.
SITE_PATH_HEADER = "x-mfa-portal-site-path"
#: The scope key ``BasePathMiddleware`` records the prefix under. ``root_path`` is no substitute:
#: inside ``/static`` it is ``<prefix>/static``, and error handlers see that scope.
SCOPE_KEY = "mfa_portal.base_path"


class SitePath(str):
    """A path on the whole site (not relative to the portal's prefix); redirected to unchanged."""

    __slots__ = ()


def portal_path(scope: Scope) -> str:
    """The request's path inside the portal (without the prefix the portal is mounted under)."""
    path: str = scope.get("path", "")
    root: str = scope.get(SCOPE_KEY, "")
    if root and path.startswith(root):
        return path[len(root) :] or "/"
    return path


def site_path(connection: HTTPConnection, path: str) -> SitePath:
    """A portal path as the browser sees it, e.g. ``/mfa/setup`` → ``/_mfa/mfa/setup``."""
    return SitePath(connection.scope.get(SCOPE_KEY, "") + path)


def prefixed(base: str, location: str) -> str:
    """``location`` under ``base`` when it is a local absolute path (``//host`` is not local)."""
    if location.startswith("/") and not location.startswith("//"):
        return base + location
    return location


class BasePathMiddleware:
    """Puts the portal's prefix in front of every redirect to a portal path."""

    def __init__(self, app: ASGIApp, *, base: str) -> None:
        self.app = app
        self.base = base

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope[SCOPE_KEY] = self.base

        async def send_prefixed(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                location = headers.get("location")
                if SITE_PATH_HEADER in headers:
                    del headers[SITE_PATH_HEADER]
                elif location is not None:
                    headers["location"] = prefixed(self.base, location)
            await send(message)

        await self.app(scope, receive, send_prefixed)
