"""What every route needs, bundled once per app: settings, the Cognito seam, sessions, the verifier."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request

from mfa_portal.client import CognitoClient
from mfa_portal.settings import Settings
from mfa_portal.web.id_tokens import IdTokenVerifier
from mfa_portal.web.session_store import SessionStore


@dataclass
class Portal:
    settings: Settings
    client: CognitoClient
    store: SessionStore
    verifier: IdTokenVerifier
    clock: Callable[[], float]

    @property
    def user_pool_id(self) -> str:
        return self.settings.user_pool_id or ""

    @property
    def client_id(self) -> str:
        return self.settings.client_id or ""

    def secret_hash(self, username: str) -> dict[str, str]:
        """``{"SECRET_HASH": ...}`` for an app client with a secret, else nothing (spec §4.2)."""
        if self.settings.client_secret is None:
            return {}
        key = self.settings.client_secret.get_secret_value().encode()
        digest = hmac.new(key, (username + self.client_id).encode(), hashlib.sha256).digest()
        return {"SECRET_HASH": base64.b64encode(digest).decode()}


def get_portal(request: Request) -> Portal:
    portal: Portal = request.app.state.portal
    return portal
