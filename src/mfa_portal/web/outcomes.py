"""Where a sign-in step goes next: apply Cognito's outcome, or end the flow with a reason.

Shared by the sign-in, set-up and account routes, so no route module imports another.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.cognito_api.id_tokens import TokenInvalid
from mfa_portal.web.flow import FactorNotAsked, Outcome, UnsupportedChallenge, apply_outcome
from mfa_portal.web.messages import log
from mfa_portal.web.pool_info import self_signup_allowed
from mfa_portal.web.portal import get_portal
from mfa_portal.web.responses import render, see_other
from mfa_portal.web.sessions import PortalSession


def signin_page(
    request: Request, *, error: str | None = None, status: int = 200, **ctx: Any
) -> Response:
    errors = [error] if error else []
    ctx.setdefault("signup_open", self_signup_allowed(get_portal(request)))
    return render(request, "signin.html", status_code=status, errors=errors, **ctx)


def restart(request: Request, ps: PortalSession, error: str) -> Response:
    """The Cognito flow is over (expired session, lockout): back to the password step, with the
    username the visitor typed (their own input, shown whether or not such a user exists) and the
    page they were going to, so the next step is one password away."""
    username, next_path = ps.state.typed_username, ps.state.next_path
    ps.end()
    ps.state.next_path = next_path
    return signin_page(request, error=error, status=400, username=username, next=next_path)


def refuse_unasked_factor(request: Request, ps: PortalSession) -> Response:
    """The password was accepted without the registered authenticator: no session at all."""
    log.warning("sign-in refused: the pool did not ask for a registered authenticator")
    return restart(request, ps, "signin.factor_not_asked")


def advance(request: Request, ps: PortalSession, outcome: Outcome) -> Response:
    """Apply a Cognito outcome and redirect; shared error handling for the unexpected cases."""
    portal = get_portal(request)
    try:
        return see_other(apply_outcome(portal, ps, outcome))
    except UnsupportedChallenge:
        return restart(request, ps, "signin.unavailable")
    except FactorNotAsked:
        return refuse_unasked_factor(request, ps)
    except CognitoError as exc:
        log.warning("reading the user's factors after sign-in failed: %s", exc.code)
        return restart(request, ps, "signin.unavailable")
    except TokenInvalid as exc:
        log.error("ID token from the pool failed verification: %s", exc)
        return restart(request, ps, "signin.unavailable")
