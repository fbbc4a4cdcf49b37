"""Responses every route uses: rendered pages (Jinja2, the strings function ``t``, the per-request
globals) and redirects. It sits below the routes and the guards, so none of them imports another."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from mfa_portal.web.base_path import SITE_PATH_HEADER, SitePath
from mfa_portal.web.sessions import PortalSession
from mfa_portal.web.state import Stage
from mfa_portal.web.strings import CONTACT_KEYS, language, t

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def build_templates(
    product: str | None = None, support_contact: str | None = None, base: str = ""
) -> Jinja2Templates:
    """The page templates; ``product`` replaces the default brand, ``support_contact`` follows every
    sentence that tells the user to contact support (``CONTACT_KEYS``), ``base`` is the portal's path
    prefix that every link to a portal page starts with (``href="{{ base }}/account"``)."""
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.globals["t"] = t
    templates.env.globals["base"] = base
    # Configured: the same name in every language; else the catalog's, in the page's language.
    templates.env.globals["product_name"] = product
    templates.env.globals["support_contact"] = support_contact
    templates.env.globals["contact_keys"] = CONTACT_KEYS
    templates.env.globals["language"] = language  # <html lang>: the catalog the page speaks
    return templates


def _viewer(request: Request) -> dict[str, Any]:
    session = getattr(request.state, "portal_session", None)
    if session is None or session.state.identity is None:
        return {"stage": "anonymous", "username": None, "is_admin": False, "console": False}
    state = session.state
    signed_in = state.stage is Stage.SIGNED_IN
    is_admin = signed_in and state.mfa_answered and "admins" in state.identity.groups
    return {
        "stage": state.stage.value,
        "username": state.identity.username,
        "is_admin": is_admin,
        "console": is_admin,
    }


def csrf_token(request: Request) -> str:
    session: PortalSession = request.state.portal_session
    return session.ensure_csrf()


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    context.setdefault("errors", [])
    context.setdefault("field_errors", {})  # field name -> message keys (_field_errors.html)
    context["viewer"] = _viewer(request)
    context["csrf_token"] = csrf_token(request)
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def see_other(url: str) -> RedirectResponse:
    """A 303 to a portal path (the prefix is added on the way out) or to a ``SitePath`` as it is."""
    headers = {SITE_PATH_HEADER: "1"} if isinstance(url, SitePath) else None
    return RedirectResponse(url, status_code=303, headers=headers)
