"""Email notifications of factor changes (OWASP MFA cheat sheet: notify on every change).

Mail goes out over SMTP when a host is configured (plain, STARTTLS or implicit TLS, optional auth).
With no SMTP host in development mode, messages land in the development outbox (the portal store,
shown at ``/dev/outbox``) and are printed on the console, so a local run needs no mail server. In
production mode without SMTP, sending fails loudly and callers report "notification not sent".

The mailers take ``mfa_portal.mail.Message``, so one mailer carries both the pool's codes and the
portal's notifications.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal

from mfa_portal.admin.store import PortalStore
from mfa_portal.mail import Mailer, Message

log = logging.getLogger("mfa_portal.admin.notify")

Security = Literal["none", "starttls", "tls"]


class MailNotConfigured(RuntimeError):
    """Production mode without an SMTP host: there is nowhere to send mail."""


@dataclass(frozen=True)
class MailSettings:
    """The portal settings this module needs (mirrors ``mfa_portal.settings``)."""

    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: Security = "starttls"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_from: str = "mfa-portal@localhost"
    mode: Literal["development", "production"] = "development"
    public_url: str = "http://127.0.0.1:8000"
    timeout: float = 10.0


class SmtpMailer:
    """One SMTP connection per message: simple, and correct across threads and restarts."""

    def __init__(self, settings: MailSettings, ssl_context: ssl.SSLContext | None = None) -> None:
        self._s = settings
        self._ssl = ssl_context or ssl.create_default_context()

    def send(self, message: Message) -> None:
        mail = EmailMessage()
        mail["From"] = self._s.smtp_from
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail.set_content(message.body)
        s = self._s
        smtp: smtplib.SMTP
        if s.smtp_security == "tls":
            smtp = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.timeout, context=self._ssl)
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.timeout)
        with smtp:
            if s.smtp_security == "starttls":
                smtp.starttls(context=self._ssl)
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password)
            smtp.send_message(mail)


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    at: float
    recipient: str
    subject: str
    body: str


class Outbox:
    """The development outbox: messages kept in the portal store and echoed to the console."""

    def __init__(
        self, store: PortalStore, echo: bool = True, clock: Callable[[], float] = time.time
    ) -> None:
        self._store = store
        self._echo = echo
        self._clock = clock

    def send(self, message: Message) -> None:
        with self._store.transaction() as conn:
            conn.execute(
                "INSERT INTO outbox (at, recipient, subject, body) VALUES (?, ?, ?, ?)",
                (self._clock(), message.to, message.subject, message.body),
            )
        if self._echo:  # development only: the console (stderr, apart from --json) is the inbox
            print(
                f"[mfa-portal outbox] to {message.to}: {message.subject}\n{message.body}\n",
                file=sys.stderr,
                flush=True,
            )

    def messages(self, limit: int = 100) -> list[OutboxMessage]:
        """Newest first."""
        with self._store.read() as conn:
            rows = conn.execute(
                "SELECT * FROM outbox ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [
            OutboxMessage(r["id"], r["at"], r["recipient"], r["subject"], r["body"]) for r in rows
        ]


class UnconfiguredMailer:
    """Production without SMTP: refuse, so the failure shows instead of silently dropping mail."""

    def send(self, message: Message) -> None:
        raise MailNotConfigured("no SMTP server is configured (set MFA_PORTAL_SMTP_HOST)")


def build_mailer(settings: MailSettings, store: PortalStore) -> Mailer:
    if settings.smtp_host:
        return SmtpMailer(settings)
    if settings.mode == "development":
        return Outbox(store)
    return UnconfiguredMailer()


class Notifier:
    """Writes the user-facing notices; a failed send is logged and reported, never raised."""

    def __init__(self, mailer: Mailer, public_url: str = "", product: str = "MFA portal") -> None:
        self._mailer = mailer
        self._url = public_url.rstrip("/")
        self._product = product

    def mfa_reset(self, to: str, username: str, *, by: str) -> bool:
        body = (
            f"The authenticator app registered for {username} was removed {by}, and every "
            "signed-in session was ended.\n\nAt your next sign-in you will be asked to set up a "
            "new authenticator."
        )
        return self._send(to, "Your authenticator was reset", body)

    def mfa_changed(self, to: str, username: str, change: str) -> bool:
        body = f"The multi-factor settings of {username} were changed: {change}."
        return self._send(to, "Your sign-in settings changed", body)

    def email_changed(self, to: str, username: str) -> bool:
        """To the *old* address: a takeover that starts by moving the email must not go unseen."""
        body = (
            f"The email address of {username} was changed; messages now go to the new address, "
            "and this one no longer receives them."
        )
        return self._send(to, "Your email address was changed", body)

    def recovery_code_used(self, to: str, username: str, remaining: int) -> bool:
        body = (
            f"A recovery code of {username} was used to remove the registered authenticator. "
            f"{remaining} unused recovery codes remain."
        )
        return self._send(to, "A recovery code was used", body)

    def recovery_codes_issued(self, to: str, username: str) -> bool:
        body = (
            f"A new set of recovery codes was created for {username}; "
            "the previous codes no longer work."
        )
        return self._send(to, "New recovery codes", body)

    def _send(self, to: str, subject: str, body: str) -> bool:
        footer = "\n\nIf this was not you, contact support at once." + (
            f"\n{self._url}" if self._url else ""
        )
        try:
            self._mailer.send(
                Message(to=to, subject=f"{self._product}: {subject}", body=body + footer)
            )
        except (OSError, smtplib.SMTPException, MailNotConfigured) as exc:
            log.warning("notification to a user could not be sent: %s", type(exc).__name__)
            return False
        return True
