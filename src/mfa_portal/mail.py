"""One message and one mailer shape for everything that sends mail: the pool, the portal, support.

Amazon Cognito sends its codes through SES/SNS; here the embedded pool, the portal's notices and the
CLI hand a ``Message`` to a ``Mailer`` (SMTP, a development outbox, or memory in tests). The SMTP
mailer lives here, on the ground floor, because both ``mfa-portal serve`` and ``mfa-portal pool
serve`` send with it.
"""

from __future__ import annotations

import smtplib
import ssl
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal, Protocol

Security = Literal["none", "starttls", "tls"]


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    def send(self, message: Message) -> None:
        """Deliver ``message`` or raise."""
        ...


class MemoryMailer:
    """Keeps the last messages (tests and the standalone pool read them)."""

    def __init__(self, echo: bool = False, keep: int = 200) -> None:
        self.messages: list[Message] = []
        self._echo = echo
        self._keep = keep
        self._lock = threading.Lock()

    def send(self, message: Message) -> None:
        with self._lock:
            self.messages.append(message)
            del self.messages[: -self._keep]
        if self._echo:  # development only: the console is the inbox of a local pool
            print(
                f"[mfa-portal pool] mail to {message.to}: {message.subject}\n{message.body}\n",
                flush=True,
            )

    def last_to(self, to: str) -> Message | None:
        with self._lock:
            for message in reversed(self.messages):
                if message.to == to:
                    return message
        return None


class MailNotConfigured(RuntimeError):
    """Production mode without an SMTP host: there is nowhere to send mail."""


@dataclass(frozen=True)
class MailSettings:
    """The mail part of the settings (``MFA_PORTAL_SMTP_*`` and the mode)."""

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


class UnconfiguredMailer:
    """Production without SMTP: refuse, so the failure shows instead of silently dropping mail."""

    def send(self, message: Message) -> None:
        raise MailNotConfigured("no SMTP server is configured (set MFA_PORTAL_SMTP_HOST)")
