"""A signed-in, enrolled portal session, obtained the way a person gets one: through the pages.

The first administrator signs in with the initial password, chooses a new one, and enrols an
authenticator; the session cookie that results is what nginx would forward to ``/auth/verify``.
"""

from __future__ import annotations

import re

import httpx
import pyotp

from bench.serving import INITIAL_ADMIN_PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SECRET = re.compile(r'id="secret">([A-Z2-7 ]+)<')
NEW_PASSWORD = "Correct-Horse-9!"


def signed_in_cookie(base: str) -> str:
    """The ``Cookie`` header value of a fully signed-in first admin on the portal at ``base``."""
    with httpx.Client(base_url=base, follow_redirects=True, timeout=60) as client:

        def post(path: str, data: dict[str, str]) -> httpx.Response:
            found = CSRF.search(client.get(path).text)
            if not found:
                raise RuntimeError(f"{path}: no form with a CSRF token")
            return client.post(path, data={"csrf_token": found.group(1), **data})

        post("/signin", {"username": "admin", "password": INITIAL_ADMIN_PASSWORD, "next": "/"})
        page = post("/signin/new-password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        shown = SECRET.search(page.text)
        if not shown:
            raise RuntimeError("the enrolment page showed no set-up key")
        secret = shown.group(1).replace(" ", "")
        post("/mfa/setup", {"code": pyotp.TOTP(secret).now()})
        if client.get("/auth/verify").status_code != 200:
            raise RuntimeError("/auth/verify refused the new session")
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())
