"""The standalone pool's development outbox: mail kept where a developer can read it.

``mfa-portal pool serve`` without an SMTP server would otherwise drop email-MFA codes, reset codes
and invitations into a memory buffer nobody can read. Instead each message is printed on the console
and kept in ``outbox.sqlite3`` in the data directory (its own file: it holds codes in clear, so it is
a development tool and never part of the pool's database), where ``GET /dev/outbox`` and
``mfa-portal pool outbox`` read it. Only the latest ``KEEP`` messages are kept.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from mfa_portal.clock import Clock, SystemClock
from mfa_portal.mail import Message
from mfa_portal.sqlite import SQLiteFile

FILE_NAME = "outbox.sqlite3"
KEEP = 200
_MIGRATIONS = [
    """
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL
)
"""
]


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    at: float
    to: str
    subject: str
    body: str

    def as_json(self) -> dict[str, object]:
        return {
            "Id": self.id,
            "At": self.at,
            "To": self.to,
            "Subject": self.subject,
            "Body": self.body,
        }


class PoolOutbox:
    """A ``Mailer`` that keeps each message in the outbox file and (optionally) prints it."""

    def __init__(self, data_dir: Path, *, echo: bool = True, clock: Clock | None = None) -> None:
        self._db = SQLiteFile(data_dir / FILE_NAME, _MIGRATIONS)
        self._echo = echo
        self._clock: Clock = clock or SystemClock()

    def send(self, message: Message) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO outbox (at, recipient, subject, body) VALUES (?, ?, ?, ?)",
                (self._clock.now(), message.to, message.subject, message.body),
            )
            conn.execute("DELETE FROM outbox WHERE id <= (SELECT MAX(id) FROM outbox) - ?", (KEEP,))
        if self._echo:  # the console is the inbox of a local pool
            print(
                f"[mfa-portal pool] mail to {message.to}: {message.subject}\n{message.body}\n",
                file=sys.stderr,
                flush=True,
            )

    def messages(self, limit: int = 20) -> list[OutboxMessage]:
        """The latest ``limit`` messages, newest first."""
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT * FROM outbox ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [
            OutboxMessage(r["id"], r["at"], r["recipient"], r["subject"], r["body"]) for r in rows
        ]

    def close_all(self) -> None:
        self._db.close_all()
