"""How the embedded pool delivers one-time codes (email MFA codes, temporary passwords).

Amazon Cognito sends these through SES/SNS. The embedded pool hands each message to a ``Mailer``;
the portal plugs in its own (SMTP, or the development outbox). On its own the pool keeps messages in
memory and, in development, shows them on its console — a local pool must let its user read the code.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Protocol

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
