"""The recovery rig for the recovery-ops unit tests: users with chosen channels, recovery calls."""

from __future__ import annotations

import re
from typing import Any

from mfa_portal.cognito_api.secret_hash import compute_secret_hash
from mfa_portal.mail import MemoryMailer
from mfa_portal.pool.engine import Engine
from tests.support.pool_rig import PASSWORD, PoolRig, recovery_setting

NEW_PASSWORD = "N3w-passw0rd!"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
LIMIT = "Attempt limit exceeded, please try after some time."
HOUR = 3600.0


class RecoveryRig(PoolRig):
    """A pool and client made through the API, users with chosen channels, and recovery calls."""

    def __init__(
        self,
        engine: Engine,
        *,
        recovery: list[str] | None = None,
        prevent: bool = False,
        secret: bool = False,
        pool_extra: dict[str, Any] | None = None,
    ) -> None:
        pool: dict[str, Any] = {"PoolName": "p", **(pool_extra or {})}
        if recovery is not None:
            pool["AccountRecoverySetting"] = recovery_setting(recovery)
        super().__init__(engine, pool)
        self.add_client(
            ClientName="c",
            GenerateSecret=secret,
            ExplicitAuthFlows=FLOWS,
            PreventUserExistenceErrors="ENABLED" if prevent else "LEGACY",
        )

    @property
    def mailer(self) -> MemoryMailer:
        assert isinstance(self.engine.mailer, MemoryMailer)
        return self.engine.mailer

    def user(
        self,
        name: str,
        *,
        email: str | None = None,
        email_verified: bool = True,
        phone: str | None = None,
        permanent: bool = True,
    ) -> None:
        attrs = []
        if email is not None:
            attrs += [{"Name": "email", "Value": email}]
            attrs += [{"Name": "email_verified", "Value": str(email_verified).lower()}]
        if phone is not None:
            attrs += [
                {"Name": "phone_number", "Value": phone},
                {"Name": "phone_number_verified", "Value": "true"},
            ]
        self.create_user(name, attrs, permanent=permanent)

    def set_mfa(self, doc: dict[str, Any]) -> None:
        self.store_mfa(doc)

    def _client_params(self, name: str) -> dict[str, Any]:
        params: dict[str, Any] = {"ClientId": self.client_id, "Username": name}
        if self.secret is not None:
            params["SecretHash"] = compute_secret_hash(self.secret, name, self.client_id)
        return params

    def forgot(self, name: str, **extra: Any) -> dict[str, Any]:
        return self.engine.call("ForgotPassword", {**self._client_params(name), **extra})

    def confirm(
        self, name: str, code: str, password: str = NEW_PASSWORD, **extra: Any
    ) -> dict[str, Any]:
        params = {**self._client_params(name), "ConfirmationCode": code, "Password": password}
        return self.engine.call("ConfirmForgotPassword", {**params, **extra})

    def login(self, name: str, password: str = PASSWORD) -> dict[str, Any]:
        auth = {"USERNAME": name, "PASSWORD": password}
        if self.secret is not None:
            auth["SECRET_HASH"] = compute_secret_hash(self.secret, name, self.client_id)
        return self.engine.call(
            "InitiateAuth",
            {"ClientId": self.client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": auth},
        )

    def code_sent_to(self, address: str) -> str:
        message = self.mailer.last_to(address)
        assert message is not None, f"no mail to {address}"
        found = re.search(r"\b(\d{6})\b", message.body)
        assert found is not None, message.body
        return found.group(1)

    def status(self, name: str) -> str:
        return str(self.admin("AdminGetUser", Username=name)["UserStatus"])


def wrong(code: str) -> str:
    """A six-digit code that is not ``code``."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


def reset_rows(engine: Engine) -> int:
    with engine.db.read() as conn:
        return int(conn.execute("SELECT COUNT(*) FROM reset_codes").fetchone()[0])
