"""What routes (ours and the support console's) use to know who is there and what they may do.

``require_signed_in`` is the enrolment guard: a restricted session (password ok, no MFA, policy
``required``) is sent to the set-up page from every route that uses it; an anonymous visitor is sent
to sign in. ``require_admin`` also needs a second factor proven in this sign-in and membership of
``admins`` as Cognito has it now (asked on every request, not taken from the ID token alone).
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request

from mfa_portal.admin.admins import ADMIN_GROUP
from mfa_portal.cognito_api.client import CognitoClient
from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.web.base_path import SitePath
from mfa_portal.web.ended import with_reason
from mfa_portal.web.flow import ensure_live
from mfa_portal.web.portal import Portal, get_portal
from mfa_portal.web.sessions import PortalSession
from mfa_portal.web.state import Stage

GROUPS_PAGE = 60  # AdminListGroupsForUser's largest Limit

log = logging.getLogger("mfa_portal.web")


class RedirectTo(Exception):
    """Raised by a guard; the app turns it into a 303 redirect."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class Forbidden(Exception):
    """Raised by ``require_admin``; the app renders the 403 page."""


class CsrfFailed(Exception):
    """A form arrived without the CSRF token of this session."""


@dataclass(frozen=True)
class SignedInUser:
    username: str
    sub: str
    email: str | None
    email_verified: bool
    groups: tuple[str, ...]
    mfa_satisfied: bool
    access_token: str = field(repr=False)
    client: CognitoClient = field(repr=False, compare=False)

    @property
    def is_admin(self) -> bool:
        return ADMIN_GROUP in self.groups and self.mfa_satisfied

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        """Run a Cognito operation as this user, e.g. ``user.call("GetUser")``."""
        return self.client.call(operation, AccessToken=self.access_token, **params)


def portal_session(request: Request) -> PortalSession:
    session: PortalSession = request.state.portal_session
    return session


def _live_session(request: Request) -> PortalSession:
    """The session, re-checked with Cognito at most once per request."""
    ps = portal_session(request)
    if not getattr(request.state, "session_checked", False):
        request.state.session_checked = True
        if ps.state.stage is not Stage.ANONYMOUS:
            ensure_live(get_portal(request), ps)
    return ps


def current_user(request: Request) -> SignedInUser | None:
    """The fully signed-in user, or None (anonymous, mid sign-in or restricted to enrolment)."""
    ps = _live_session(request)
    state = ps.state
    if state.stage is not Stage.SIGNED_IN or state.tokens is None or state.identity is None:
        return None
    return SignedInUser(
        username=state.identity.username,
        sub=state.identity.sub,
        email=state.identity.email,
        email_verified=state.identity.email_verified,
        groups=tuple(state.identity.groups),
        mfa_satisfied=state.mfa_answered,
        access_token=state.tokens.access_token,
        client=get_portal(request).client,
    )


def client_address(request: Request) -> str | None:
    """The visitor's address (behind a proxy: as the trusted proxy headers say, via uvicorn)."""
    return request.client.host if request.client else None


def sign_in_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/signin?next=" + quote(target, safe="/")


def require_signed_in(request: Request) -> SignedInUser:
    user = current_user(request)
    if user is not None:
        return user
    stage = portal_session(request).state.stage
    if stage is Stage.MUST_ENROL:
        raise RedirectTo("/mfa/setup")
    raise RedirectTo(with_reason(sign_in_url(request), portal_session(request)))


def require_admin(request: Request) -> SignedInUser:
    """An admin by the session's ID token *and* by Cognito right now.

    The token's ``cognito:groups`` may be up to ``revalidate_seconds`` old; a privileged page must
    not be, so every one asks ``AdminListGroupsForUser`` (one call, only on admin pages). When
    Cognito says no, the session's identity is refreshed at once, so forward-auth stops sending
    ``X-Auth-Groups: admins`` too.
    """
    user = require_signed_in(request)
    if not user.is_admin:
        raise Forbidden()
    portal = get_portal(request)
    if not _member_now(portal, user.username, ADMIN_GROUP):
        log.info("admin page refused: no longer a member of %s", ADMIN_GROUP)
        ensure_live(portal, portal_session(request), recheck_now=True)
        raise Forbidden()
    return user


def _member_now(portal: Portal, username: str, group: str) -> bool:
    """Is ``username`` in ``group`` according to Cognito now? Fails closed on an error."""
    params: dict[str, Any] = {
        "UserPoolId": portal.user_pool_id,
        "Username": username,
        "Limit": GROUPS_PAGE,
    }
    while True:
        try:
            page = portal.client.call("AdminListGroupsForUser", **params)
        except CognitoError as exc:
            log.warning("could not check group membership with Cognito: %s", exc.code)
            return False
        if any(g.get("GroupName") == group for g in page.get("Groups") or []):
            return True
        if not page.get("NextToken"):
            return False
        params["NextToken"] = page["NextToken"]


async def verify_csrf(request: Request) -> None:
    """Dependency for every POST route: the form's ``csrf_token`` must match the session's."""
    form = await request.form()
    sent = form.get("csrf_token")
    expected = portal_session(request).state.csrf
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise CsrfFailed()


def safe_next(value: str | None) -> SitePath:
    """Only local paths: no scheme, no host, no ``//`` or ``/\\`` tricks.

    The destination is a path on the whole site, as the browser sent it (``/report?a=1``, or
    ``/_mfa/account`` under a base path), so it is redirected to as it is, never under the prefix.
    """
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return SitePath("/")
    if any(ch in value for ch in ("\\", "\r", "\n", "\t")) or ":" in value.split("?", 1)[0]:
        return SitePath("/")
    return SitePath(value)


#: Route parameter types: ``def page(user: SignedIn)`` / ``def console(user: Admin)``.
SignedIn = Annotated[SignedInUser, Depends(require_signed_in)]
Admin = Annotated[SignedInUser, Depends(require_admin)]
#: Route-level dependency for every form POST: ``dependencies=[CSRF]``.
CSRF = Depends(verify_csrf)
