"""One message and one mailer shape for everything that sends mail: the pool, the portal, support.

Amazon Cognito sends its codes through SES/SNS; here the embedded pool, the portal's notices and the
CLI hand a ``Message`` to a ``Mailer`` (SMTP, the development outbox, or memory in tests).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol


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
