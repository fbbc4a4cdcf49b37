"""Build the support capabilities from the portal's settings, for the CLI and the console alike."""

from __future__ import annotations

import getpass
import socket
from pathlib import Path
from typing import TYPE_CHECKING

from mfa_portal.admin.audit import AuditLog
from mfa_portal.admin.enrolment_codes import EnrolmentCodes
from mfa_portal.admin.notify import MailSettings, Notifier, build_mailer
from mfa_portal.admin.recovery_codes import RecoveryCodes
from mfa_portal.admin.recovery_limit import RecoveryLimit
from mfa_portal.admin.resend_limit import ResendLimit
from mfa_portal.admin.revocations import SessionRevocations
from mfa_portal.admin.secret_check import bind_session_secret, record_session_secret
from mfa_portal.admin.signin_audit import SignInAudit
from mfa_portal.admin.signin_limit import SignInLimit
from mfa_portal.admin.store import PortalStore
from mfa_portal.admin.support import Actor, Support
from mfa_portal.cognito_api.client import CognitoClient
from mfa_portal.mail import Mailer

if TYPE_CHECKING:
    from mfa_portal.settings import Settings


def mail_settings(settings: Settings) -> MailSettings:
    """The mail part of the portal settings."""
    return MailSettings(
        smtp_host=settings.smtp_host or "",
        smtp_port=settings.smtp_port,
        smtp_security=settings.smtp_security.value,
        smtp_username=settings.smtp_username or "",
        smtp_password=settings.smtp_password.get_secret_value() if settings.smtp_password else "",
        smtp_from=settings.smtp_from or "mfa-portal@localhost",
        mode=settings.mode.value,
        public_url=settings.public_url or "",
    )


_STORES: dict[Path | str, PortalStore] = {}


def portal_store(data_dir: Path, url: str | None = None) -> PortalStore:
    """One store object per data directory (or database URL) in a process."""
    key: Path | str = url or data_dir.resolve()
    if key not in _STORES:
        _STORES[key] = PortalStore.in_data_dir(data_dir.resolve(), url)
    return _STORES[key]


def portal_mailer(settings: Settings) -> Mailer:
    """SMTP, or the development outbox: also what the embedded pool should send its codes with."""
    return build_mailer(mail_settings(settings), portal_store(settings.data_dir, settings.database))


def bind_secret(settings: Settings) -> None:
    """Refuse to start with another session secret than the deployment's (see ``secret_check``)."""
    store = portal_store(settings.data_dir, settings.database)
    bind_session_secret(store, settings.secret_key_bytes(), source=settings.secret_key_source())


def accept_secret(settings: Settings) -> tuple[bool, str]:
    """Make the configured session secret the deployment's; (changed, where it is recorded)."""
    store = portal_store(settings.data_dir, settings.database)
    return record_session_secret(store, settings.secret_key_bytes()), store.where


def build_support(settings: Settings, client: CognitoClient, pool_id: str) -> Support:
    store = portal_store(settings.data_dir, settings.database)
    audit = AuditLog(store)
    return Support(
        client=client,
        pool_id=pool_id,
        audit=audit,
        notifier=Notifier(
            portal_mailer(settings),
            public_url=settings.portal_url,  # reset links point under the base path
            product=settings.product_name,
            support_contact=settings.support_contact or "",
        ),
        recovery=RecoveryCodes(store),
        revocations=SessionRevocations(store),
        recovery_limit=RecoveryLimit(store),
        resend_limit=ResendLimit(store),
        enrolment_codes=EnrolmentCodes(
            store, lifetime_seconds=settings.enrolment_code_minutes * 60
        ),
        enrolment_proof=settings.enrolment_proof.value,
        signin_audit=SignInAudit(store, audit),
        signin_limit=SignInLimit(store, max_failures=settings.signin_failures_per_address),
    )


def cli_actor() -> Actor:
    """The operator at this terminal: ``cli:<os user>`` from ``<hostname>``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Actor(f"cli:{user}", socket.gethostname())
