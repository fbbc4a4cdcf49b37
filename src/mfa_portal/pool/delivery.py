"""How the embedded pool delivers one-time codes (email MFA codes, temporary passwords).

Amazon Cognito sends these through SES/SNS. The embedded pool hands each message to a ``Mailer``;
the portal plugs in its own (SMTP, or the development outbox). On its own the pool keeps messages in
memory and, in development, shows them on its console — a local pool must let its user read the code.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from mfa_portal.pool import errors

log = logging.getLogger("mfa_portal.pool.delivery")


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    def send(self, message: Message) -> None:
        """Deliver ``message`` or raise; the caller turns a failure into CodeDeliveryFailureException."""
        ...


def send_all(mailer: Mailer, messages: Iterable[Message], *, failure: str) -> None:
    """Send each message; any failure becomes CodeDeliveryFailureException(``failure``).

    Callers send only after their transaction has committed. The cause is logged by type alone: its
    text could quote the message, and so a code or a temporary password.
    """
    for message in messages:
        try:
            mailer.send(message)
        except Exception as exc:
            log.warning("mail delivery failed: %s", type(exc).__name__)
            raise errors.CodeDeliveryFailureException(failure) from None


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
