"""What every route needs, bundled once per app: settings, the Cognito seam, sessions, the verifier,
support actions and the extensions the composition root passed in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from starlette.requests import Request

from mfa_portal.admin.notify import Outbox
from mfa_portal.admin.support import Support
from mfa_portal.cognito_api.client import CognitoClient
from mfa_portal.cognito_api.id_tokens import IdTokenVerifier
from mfa_portal.cognito_api.password_auth import PasswordStep
from mfa_portal.cognito_api.secret_hash import secret_hash_parameter
from mfa_portal.settings import AuthFlow, Settings
from mfa_portal.web.extensions import PortalExtensions
from mfa_portal.web.session_store import SessionStore


@dataclass
class Portal:
    settings: Settings
    client: CognitoClient
    store: SessionStore
    verifier: IdTokenVerifier
    clock: Callable[[], float]
    support: Support  # the console's and recovery pages' actions, on this portal's client and pool
    extensions: PortalExtensions
    outbox: Outbox | None = None  # the development outbox, when mail goes there
    pool_description: tuple[float, dict[str, Any]] | None = None  # (read at, DescribeUserPool)

    @cached_property
    def password_step(self) -> PasswordStep:
        """The sign-in's password step for this app client (SRP unless configured otherwise)."""
        secret = self.settings.client_secret
        return PasswordStep(
            self.client,
            pool_id=self.user_pool_id,
            client_id=self.client_id,
            client_secret=secret.get_secret_value() if secret else None,
            srp=self.settings.auth_flow is AuthFlow.SRP,
        )

    @property
    def user_pool_id(self) -> str:
        return self.settings.user_pool_id or ""

    @property
    def client_id(self) -> str:
        return self.settings.client_id or ""

    def secret_hash(self, username: str) -> dict[str, str]:
        """``{"SECRET_HASH": ...}`` for an app client with a secret, else nothing (spec §4.2)."""
        secret = self.settings.client_secret
        return secret_hash_parameter(
            secret.get_secret_value() if secret else None, username, self.client_id
        )


def get_portal(request: Request) -> Portal:
    portal: Portal = request.app.state.portal
    return portal
