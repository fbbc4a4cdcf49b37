"""Session revocation markers: "every portal session of this user from before now is over".

Cognito revokes tokens at once, but the portal only asks Cognito about a session every
``revalidate_seconds``; forward-auth must not keep answering 200 that long after support (console
or CLI) or the user ends every session. So whoever ends sessions through the portal or the support
actions also bumps this user's *generation* in the shared portal store, a portal session remembers
the generation it was signed in under, and every request compares the two: one primary-key lookup,
shared by every process and replica that uses the store, with no clock to agree on.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from mfa_portal.admin.store import PortalStore


class SessionRevocations:
    """The ``session_revocations`` table behind two calls: ``revoke`` and ``generation``."""

    def __init__(self, store: PortalStore, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    def revoke(self, pool_id: str, sub: str) -> int:
        """End every portal session this user holds now; return the new generation."""
        with self._store.transaction() as conn:
            row = conn.execute(
                "INSERT INTO session_revocations (pool_id, user_sub, generation, revoked_at)"
                " VALUES (?, ?, 1, ?) ON CONFLICT (pool_id, user_sub) DO UPDATE SET"
                " generation = session_revocations.generation + 1, revoked_at = excluded.revoked_at"
                " RETURNING generation",
                (pool_id, sub, self._clock()),
            ).fetchone()
        return int(row[0])

    def generation(self, pool_id: str, sub: str) -> int:
        """How many times this user's sessions were revoked (0: never). One indexed lookup."""
        with self._store.autocommit() as conn:
            row = conn.execute(
                "SELECT generation FROM session_revocations WHERE pool_id = ? AND user_sub = ?",
                (pool_id, sub),
            ).fetchone()
        return 0 if row is None else int(row[0])
