"""Shared by tests/admin and tests/cli: the portal store, and a pool with users on any backend."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp
import pytest
from argon2 import PasswordHasher, Type

from mfa_portal.admin.audit import AuditLog
from mfa_portal.admin.notify import Notifier, Outbox
from mfa_portal.admin.recovery_codes import RecoveryCodes
from mfa_portal.admin.store import PortalStore
from mfa_portal.admin.support import Actor, Support
from mfa_portal.client import CognitoClient
from tests.support.backends import PASSWORD, Backend

ADMIN = Actor("cli:tester", "test-host")


class _LaxTotp(pyotp.TOTP):
    """moto hands every user the 60-bit secret ``asdfasdfasdf``; pyotp refuses it by default."""

    min_secret_length_bits = 0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[PortalStore]:
    s = PortalStore.in_data_dir(tmp_path / "portal")
    yield s
    s.close()


def cheap_hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)


@dataclass
class World:
    """A pool (OPTIONAL, TOTP on) with an app client, on one backend, plus the support bundle."""

    backend: Backend
    support: Support
    outbox: Outbox
    client_id: str

    @property
    def client(self) -> CognitoClient:
        return self.backend.client

    @property
    def pool_id(self) -> str:
        return self.support.pool_id

    def add_user(self, name: str, email: str | None = None) -> None:
        attrs = [{"Name": "email", "Value": email or f"{name}@example.com"}]
        attrs.append({"Name": "email_verified", "Value": "true"})
        self.client.call(
            "AdminCreateUser",
            UserPoolId=self.pool_id,
            Username=name,
            TemporaryPassword="Temp-Passw0rd!x",
            MessageAction="SUPPRESS",
            UserAttributes=attrs,
        )
        self.client.call(
            "AdminSetUserPassword",
            UserPoolId=self.pool_id,
            Username=name,
            Password=PASSWORD,
            Permanent=True,
        )

    def sign_in(self, name: str, password: str = PASSWORD) -> dict[str, Any]:
        return self.client.call(
            "InitiateAuth",
            AuthFlow="USER_PASSWORD_AUTH",
            ClientId=self.client_id,
            AuthParameters={"USERNAME": name, "PASSWORD": password},
        )

    def enrol_totp(self, name: str) -> str:
        """Sign in, associate and verify an authenticator, turn TOTP on; return the secret."""
        access = self.sign_in(name)["AuthenticationResult"]["AccessToken"]
        secret = str(self.client.call("AssociateSoftwareToken", AccessToken=access)["SecretCode"])
        self.client.call("VerifySoftwareToken", AccessToken=access, UserCode=self.code(secret))
        self.client.call(
            "SetUserMFAPreference",
            AccessToken=access,
            SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
        )
        self.backend.next_step()  # the enrolment code's step is spent
        return secret

    def code(self, secret: str) -> str:
        """What the user's authenticator app shows now."""
        return str(_LaxTotp(secret).at(self.backend.clock.now()))

    def methods(self, name: str) -> list[str]:
        user = self.client.call("AdminGetUser", UserPoolId=self.pool_id, Username=name)
        return list(user.get("UserMFASettingList") or [])


SES_IDENTITY = "arn:aws:ses:us-east-1:123456789012:identity/example.com"


def make_pool(
    client: CognitoClient, mfa: str = "OPTIONAL", email_mfa: bool = False
) -> tuple[str, str]:
    """A pool with TOTP on; ``email_mfa`` adds an own-SES email configuration and email MFA."""
    extra: dict[str, Any] = {}
    if email_mfa:
        extra["EmailConfiguration"] = {
            "EmailSendingAccount": "DEVELOPER",
            "SourceArn": SES_IDENTITY,
        }
    pool_id = client.call("CreateUserPool", PoolName="support-test", **extra)["UserPool"]["Id"]
    mfa_config: dict[str, Any] = {"SoftwareTokenMfaConfiguration": {"Enabled": True}}
    if email_mfa:
        mfa_config["EmailMfaConfiguration"] = {"Subject": "Code", "Message": "Your code is {####}"}
    client.call("SetUserPoolMfaConfig", UserPoolId=pool_id, MfaConfiguration=mfa, **mfa_config)
    app = client.call(
        "CreateUserPoolClient",
        UserPoolId=pool_id,
        ClientName="portal",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )
    return pool_id, str(app["UserPoolClient"]["ClientId"])


@pytest.fixture
def world(backend: Backend, store: PortalStore) -> World:
    pool_id, client_id = make_pool(backend.client)
    outbox = Outbox(store, echo=False)
    support = Support(
        client=backend.client,
        pool_id=pool_id,
        audit=AuditLog(store),
        notifier=Notifier(outbox, public_url="http://portal.test"),
        recovery=RecoveryCodes(store, hasher=cheap_hasher()),
    )
    return World(backend, support, outbox, client_id)
