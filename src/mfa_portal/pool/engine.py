"""The embedded user pool engine: validates a Cognito request, authorises it, runs its handler.

``Engine.call`` is the single entry point for both the wire front (after SigV4) and in-process
callers, so validation and authorisation rules cannot differ between the two paths.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mfa_portal.clock import Clock, Random, SystemClock, SystemRandom
from mfa_portal.cognito_api import errors, messages
from mfa_portal.cognito_api.service_model import service_model
from mfa_portal.mail import Mailer, MemoryMailer
from mfa_portal.pool.context import Context
from mfa_portal.pool.key_binding import bind_keys
from mfa_portal.pool.operations import all_handlers
from mfa_portal.pool.passwords import PasswordHasher
from mfa_portal.pool.registry import is_public
from mfa_portal.pool.storage import FILE_NAME, Database
from mfa_portal.pool.validate import validate_input


class Engine:
    """A Cognito-compatible user pool service over one data directory."""

    def __init__(
        self,
        data_dir: Path,
        *,
        issuer_base: str = "http://127.0.0.1:9229",
        region: str = "us-east-1",
        clock: Clock | None = None,
        rng: Random | None = None,
        hasher: PasswordHasher | None = None,
        mailer: Mailer | None = None,
        database_url: str | None = None,
    ) -> None:
        self.handlers = all_handlers()
        self.data_dir = data_dir
        self.issuer_base = issuer_base.rstrip("/")
        self.region = region
        self.clock: Clock = clock or SystemClock()
        self.rng: Random = rng or SystemRandom()
        self.db = Database(data_dir / FILE_NAME, url=database_url)
        try:
            keys = bind_keys(self.db, data_dir)  # refuses a missing or different key
        except BaseException:
            self.db.close_all()
            raise
        self.seal, self.signer = keys.seal, keys.signer
        self.was_empty = keys.was_empty
        self.hasher = hasher or PasswordHasher()
        self.mailer: Mailer = mailer or MemoryMailer()

    def supports(self, operation: str) -> bool:
        return operation in self.handlers

    def issuer(self, pool_id: str) -> str:
        return f"{self.issuer_base}/{pool_id}"

    def call(
        self,
        operation: str,
        params: dict[str, Any],
        *,
        iam_principal: str | None = None,
        source_ip: str = "127.0.0.1",
    ) -> dict[str, Any]:
        """Run one operation; raise a ``CognitoError`` subclass on any failure."""
        if operation not in service_model().operation_names:
            raise errors.error("UnknownOperationException", messages.unknown_operation(operation))
        handler = self.handlers.get(operation)
        if handler is None:
            raise errors.error(
                "UnsupportedOperationException",
                messages.not_supported(operation),
            )
        if not is_public(operation) and iam_principal is None:
            raise errors.error(
                "MissingAuthenticationTokenException",
                messages.signature_required(operation),
            )
        validate_input(operation, params)
        ctx = Context(self, self.clock.now(), iam_principal, source_ip, _user_ip(params))
        return handler(ctx, params)


def _user_ip(params: dict[str, Any]) -> str | None:
    """``UserContextData.IpAddress`` (public calls) or ``ContextData.IpAddress`` (admin calls)."""
    for member in ("UserContextData", "ContextData"):
        data = params.get(member)
        if isinstance(data, dict) and isinstance(data.get("IpAddress"), str) and data["IpAddress"]:
            return str(data["IpAddress"])[:64]
    return None
