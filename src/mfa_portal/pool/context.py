"""What a handler gets for one call: the engine's parts, the time of the call and the caller."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mfa_portal.storage import Connection

if TYPE_CHECKING:
    from mfa_portal.pool.engine import Engine


@dataclass(frozen=True)
class Context:
    engine: Engine
    now: float  # read once per call from the injected clock
    iam_principal: str | None  # the access key id (or "in-process") for IAM-signed calls
    source_ip: str = "127.0.0.1"  # who sent the call (for the portal's calls: the portal)
    user_ip: str | None = None  # the end user's address the caller vouched for (UserContextData)

    def addresses(self) -> dict[str, str]:
        """For security events: the user's address when the caller gave one, and the sender's
        beside it when they differ (a claim is the caller's word, so both are kept)."""
        if self.user_ip and self.user_ip != self.source_ip:
            return {"ip": self.user_ip, "via": self.source_ip}
        return {"ip": self.source_ip}

    @contextmanager
    def tx(self) -> Iterator[Connection]:
        """One IMMEDIATE transaction: the unit of every state change."""
        with self.engine.db.transaction() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.db.read() as conn:
            yield conn

    def random_bytes(self, n: int) -> bytes:
        return self.engine.rng.token_bytes(n)
