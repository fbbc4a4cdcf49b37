"""How often a user may ask for a new emailed (or texted) sign-in code: a count in the shared store.

Cognito has no "resend" for an MFA code: a new one comes only from starting the sign-in again, and
the portal never keeps the password, so "Send a new code" sends the user back to the password step.
Each resend therefore costs the password; this limit keeps a user (or someone with the password)
from flooding the mailbox: at most ``max_resends`` per ``window_seconds`` for one username, counted
in the portal store so every worker process and replica agrees, and decided in one transaction so
two racing requests cannot both take the last one. (The 30 seconds between codes are checked
against the challenge's own start, kept in the server-side session.)

The counters live in the ``recover_limits`` table beside ``/recover``'s (same shape: a key, a window
start and a count), under keys starting ``resend:``, with the same 15-minute window, so that
table's sweep of ended windows clears them too.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from mfa_portal.admin.store import PortalStore

MAX_RESENDS = 5
WINDOW_SECONDS = 900.0
_MAX_KEY = 160


class ResendLimit:
    def __init__(
        self,
        store: PortalStore,
        clock: Callable[[], float] = time.time,
        max_resends: int = MAX_RESENDS,
        window_seconds: float = WINDOW_SECONDS,
    ) -> None:
        self._store = store
        self._clock = clock
        self.max_resends = max_resends
        self.window_seconds = window_seconds

    def admit(self, pool_id: str, username: str) -> float:
        """Count one resend for ``username``; 0.0 when allowed, else seconds until it will be."""
        now = self._clock()
        key = f"resend:{pool_id}:{username.casefold()}"[:_MAX_KEY]
        with self._store.transaction() as conn:
            conn.execute(
                "DELETE FROM recover_limits WHERE key = ? AND window_start <= ?",
                (key, now - self.window_seconds),
            )
            conn.execute(
                "INSERT INTO recover_limits (key, window_start) VALUES (?, ?)"
                " ON CONFLICT (key) DO NOTHING",
                (key, now),
            )
            row = conn.execute(
                "SELECT attempts, window_start FROM recover_limits WHERE key = ?", (key,)
            ).fetchone()
            if row["attempts"] >= self.max_resends:
                return max(float(row["window_start"]) + self.window_seconds - now, 1.0)
            conn.execute("UPDATE recover_limits SET attempts = attempts + 1 WHERE key = ?", (key,))
        return 0.0
