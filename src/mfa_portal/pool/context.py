"""What a handler gets for one call: the engine's parts, the time of the call and the caller."""

from __future__ import annotations

from contextlib import AbstractContextManager
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

    def tx(self) -> AbstractContextManager[Connection]:
        """One IMMEDIATE transaction: the unit of every state change."""
        return self.engine.db.transaction()

    def read(self) -> AbstractContextManager[Connection]:
        """One consistent read-only snapshot."""
        return self.engine.db.read()

    def single_statements(self) -> AbstractContextManager[Connection]:
        """Reads without a shared snapshot, each statement its own: for a call whose consistency
        fits in one statement (GetUser reads its user and token family in one join), this saves
        the BEGIN and COMMIT round trips."""
        return self.engine.db.single_statements()

    def random_bytes(self, n: int) -> bytes:
        return self.engine.rng.token_bytes(n)
