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

from mfa_portal.admin.notice_texts import DEFAULT, NOTICES, notice_text
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
        product: str | None = None,
        support_contact: str = "",
    ) -> None:
        self._mailer = mailer
        self._url = public_url.rstrip("/")
        self._product = product
        self._support = support_contact

    def mfa_reset(self, to: str, username: str, *, language: str | None = None) -> bool:
        """Support removed the authenticator (the only caller: a support reset)."""
        return self._notice(to, "mfa_reset", language, username=username)

    def password_reset(self, to: str, username: str, *, language: str | None = None) -> bool:
        """Support reset the password: say where the separately mailed code goes (the portal's
        "I have a reset code" page), and that the authenticator stays as it was."""
        where = (
            f"{self._url}/password/reset?username={quote(username, safe='')}"
            if self._url
            else notice_text(language, "password_reset.where")
        )
        return self._notice(to, "password_reset", language, username=username, where=where)

    def mfa_changed(
        self, to: str, username: str, change: str, *, language: str | None = None
    ) -> bool:
        """``change``: ``enrolled`` or ``<method> <setting>`` (``totp disabled``), written out in
        the notice's language."""
        key = "change." + change.replace(" ", ".")
        described = notice_text(language, key) if key in NOTICES[DEFAULT] else change
        return self._notice(to, "mfa_changed", language, username=username, change=described)

    def email_changed(self, to: str, username: str, *, language: str | None = None) -> bool:
        """To the *old* address: a takeover that starts by moving the email must not go unseen."""
        return self._notice(to, "email_changed", language, username=username)

    def recovery_code_used(
        self, to: str, username: str, remaining: int, *, language: str | None = None
    ) -> bool:
        return self._notice(
            to,
            "recovery_code_used",
            language,
            count=remaining,
            username=username,
            remaining=remaining,
        )

    def recovery_codes_issued(self, to: str, username: str, *, language: str | None = None) -> bool:
        return self._notice(to, "recovery_codes_issued", language, username=username)

    def enrolment_code(
        self, to: str, username: str, code: str, minutes: int, *, language: str | None = None
    ) -> bool:
        """The one-time code that lets a signed-in session of ``username`` set up an authenticator."""
        return self._notice(
            to, "enrolment_code", language, username=username, code=code, minutes=minutes
        )

    def _notice(self, to: str, kind: str, language: str | None, **values: object) -> bool:
        """Subject and body of ``kind`` from the notice catalog, in ``language`` (else English)."""
        body = notice_text(language, f"{kind}.body", **values)
        return self._send(to, notice_text(language, f"{kind}.subject"), body, language)

    def _send(self, to: str, subject: str, body: str, language: str | None) -> bool:
        # Unset: the name the pages use when unset, in the notice's language.
        product = self._product or notice_text(language, "product")
        support = notice_text(language, "footer.support", contact=self._support)
        footer = (
            "\n\n"
            + notice_text(language, "footer.not_you")
            + (f"\n{support}" if self._support else "")
            + (f"\n{self._url}" if self._url else "")
        )
        try:
            self._mailer.send(Message(to=to, subject=f"{product}: {subject}", body=body + footer))
        except (OSError, smtplib.SMTPException, MailNotConfigured) as exc:
            log.warning("notification to a user could not be sent: %s", type(exc).__name__)
            return False
        return True
