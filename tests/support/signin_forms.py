"""The portal's sign-in and set-up forms over HTTP, as a browser without scripts fills them in.

One set of steps for every HTTP client that keeps cookies and fills in the CSRF token (the portal
tests' ``Browser``, a replica ``Visitor``, a visitor through nginx): what the page looks like and
where each answer sends the browser stays with the test that asserts it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

import httpx

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
#: The manual-entry key on the set-up page (what the QR code carries), in groups of four.
SECRET = re.compile(r'<code class="secret" id="secret">([A-Z2-7 ]+)</code>')
ALERT = re.compile(r'role="alert">(.*?)</div>', re.S)


class Forms(Protocol):
    """A cookie-keeping client whose ``post`` adds the CSRF token of the last page it got."""

    def get(self, path: str) -> httpx.Response: ...

    def post(self, path: str, data: dict[str, str]) -> httpx.Response: ...


def setup_key(page: httpx.Response) -> str:
    """The key the set-up page shows, without its spaces."""
    found = SECRET.search(page.text)
    assert found, "no secret on this page"
    return found.group(1).replace(" ", "")


def sign_in(forms: Forms, username: str, password: str, *, next: str = "/") -> httpx.Response:
    """Open the sign-in form and send it; the answer, not followed."""
    forms.get(f"/signin?next={next}")
    return forms.post("/signin", {"username": username, "password": password, "next": next})


def turn_on_totp(forms: Forms, code: Callable[[str], str]) -> tuple[str, httpx.Response]:
    """Open the set-up page, type ``code(key)``; the key and the answer, not followed."""
    secret = setup_key(forms.get("/mfa/setup"))
    return secret, forms.post("/mfa/setup", {"code": code(secret)})


def sign_in_and_enrol(
    forms: Forms, username: str, password: str, code: Callable[[str], str]
) -> tuple[str, httpx.Response]:
    """A user without MFA: the password step must lead to set-up, then TOTP is turned on.

    Returns the key and the set-up form's answer (not followed)."""
    answer = sign_in(forms, username, password)
    assert answer.status_code == 303, ALERT.findall(answer.text)
    assert answer.headers["location"] == "/mfa/setup"
    return turn_on_totp(forms, code)
