"""The support desk for tests/admin and tests/cli (a pytest plugin): the portal store, and a pool
with users on any backend behind the support actions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher, Type

from mfa_portal.admin.audit import AuditLog
from mfa_portal.admin.notify import Notifier, Outbox
from mfa_portal.admin.recovery_codes import RecoveryCodes
from mfa_portal.admin.recovery_limit import RecoveryLimit
from mfa_portal.admin.revocations import SessionRevocations
from mfa_portal.admin.signin_audit import SignInAudit
from mfa_portal.admin.store import PortalStore
from mfa_portal.admin.support import Actor, Support
from mfa_portal.cognito_api.client import CognitoClient
from tests.support.backends import PASSWORD, Backend
from tests.support.setup import PoolSetup, create_pool

ADMIN = Actor("cli:tester", "test-host")


@pytest.fixture
def store(tmp_path: Path, database_url: str | None) -> Iterator[PortalStore]:
    s = PortalStore.in_data_dir(tmp_path / "portal", database_url)
    yield s
    s.close()
    if database_url:
        s.close_all()


def cheap_hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)


@dataclass
class SupportDesk:
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

    @property
    def pool(self) -> PoolSetup:
        return PoolSetup(self.backend, self.pool_id, self.client_id)

    def add_user(self, name: str, email: str | None = None) -> None:
        self.pool.create_user(name, email=email)

    def sign_in(self, name: str, password: str = PASSWORD) -> dict[str, Any]:
        return self.pool.sign_in(name, password)

    def enrol_totp(self, name: str) -> str:
        """Sign in, associate and verify an authenticator, turn TOTP on; return the secret."""
        secret = self.pool.enrol_totp(name)
        self.backend.next_step()  # the enrolment code's step is spent
        return secret

    def code(self, secret: str) -> str:
        """What the user's authenticator app shows now."""
        return self.backend.code(secret)

    def methods(self, name: str) -> list[str]:
        return self.pool.mfa_settings(name)


@pytest.fixture
def desk(backend: Backend, store: PortalStore) -> SupportDesk:
    pool_id, client_id = create_pool(backend.client, name="support-test")
    outbox = Outbox(store, echo=False)
    audit = AuditLog(store)
    support = Support(
        client=backend.client,
        pool_id=pool_id,
        audit=audit,
        notifier=Notifier(outbox, public_url="http://portal.test"),
        recovery=RecoveryCodes(store, hasher=cheap_hasher()),
        revocations=SessionRevocations(store),
        recovery_limit=RecoveryLimit(store),
        signin_audit=SignInAudit(store, audit),
    )
    return SupportDesk(backend, support, outbox, client_id)
