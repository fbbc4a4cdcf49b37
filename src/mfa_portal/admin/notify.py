"""Email notifications of factor changes (OWASP MFA cheat sheet: notify on every change).

Mail goes out over SMTP when a host is configured (plain, STARTTLS or implicit TLS, optional auth).
With no SMTP host in development mode, messages land in the development outbox (the portal store,
shown at ``/dev/outbox``) and are printed on the console, so a local run needs no mail server. In
production mode without SMTP, sending fails loudly and callers report "notification not sent".

The SMTP mailer itself lives in ``mfa_portal.mail`` (``pool serve`` sends with it too); it is
re-exported here. One mailer carries both the pool's codes and the portal's notifications.
"""

from __future__ import annotations

import logging
import smtplib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from mfa_portal.admin.store import PortalStore
from mfa_portal.mail import (
    Mailer,
    MailNotConfigured,
    MailSettings,
    Message,
    Security,
    SmtpMailer,
    UnconfiguredMailer,
)

log = logging.getLogger("mfa_portal.admin.notify")

__all__ = [
    "MailNotConfigured",
    "MailSettings",
    "Outbox",
    "OutboxMessage",
    "Security",
    "SmtpMailer",
    "UnconfiguredMailer",
    "Notifier",
    "build_mailer",
]


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


def build_mailer(settings: MailSettings, store: PortalStore) -> Mailer:
    if settings.smtp_host:
        return SmtpMailer(settings)
    if settings.mode == "development":
        return Outbox(store)
    return UnconfiguredMailer()


class Notifier:
    """Writes the user-facing notices; a failed send is logged and reported, never raised."""

    def __init__(
        self,
        mailer: Mailer,
        public_url: str = "",
        product: str = "MFA portal",
        support_contact: str = "",
    ) -> None:
        self._mailer = mailer
        self._url = public_url.rstrip("/")
        self._product = product
        self._support = support_contact

    def mfa_reset(self, to: str, username: str, *, by: str) -> bool:
        body = (
            f"The authenticator app registered for {username} was removed {by}, and every "
            "signed-in session was ended.\n\nAt your next sign-in you will be asked to set up a "
            "new authenticator."
        )
        return self._send(to, "Your authenticator was reset", body)

    def password_reset(self, to: str, username: str) -> bool:
        """Support reset the password: say where the separately mailed code goes (the portal's
        "I have a reset code" page), and that the authenticator stays as it was."""
        where = (
            f"{self._url}/password/reset?username={quote(username, safe='')}"
            if self._url
            else 'the sign-in portal\'s "I have a reset code" page'
        )
        body = (
            f"Support reset the password of {username} and signed out every session. A separate "
            f"message contains your reset code.\n\nTo choose a new password, enter the code at "
            f"{where}\n\nYour authenticator stays as it is: you will still be asked for a code "
            "at your next sign-in."
        )
        return self._send(to, "Your password was reset", body)

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

    def enrolment_code(self, to: str, username: str, code: str, minutes: int) -> bool:
        """The one-time code that lets a signed-in session of ``username`` set up an authenticator."""
        body = (
            f"Someone signed in as {username} and asked to set up an authenticator app.\n\n"
            f"Your set-up code: {code}\n\nIt works once, for {minutes} minutes. If you did not "
            "ask for it, do not share it: your password may be known to someone else."
        )
        return self._send(to, "Your authenticator set-up code", body)

    def _send(self, to: str, subject: str, body: str) -> bool:
        footer = (
            "\n\nIf this was not you, contact support at once."
            + (f"\nSupport: {self._support}" if self._support else "")
            + (f"\n{self._url}" if self._url else "")
        )
        try:
            self._mailer.send(
                Message(to=to, subject=f"{self._product}: {subject}", body=body + footer)
            )
        except (OSError, smtplib.SMTPException, MailNotConfigured) as exc:
            log.warning("notification to a user could not be sent: %s", type(exc).__name__)
            return False
        return True
