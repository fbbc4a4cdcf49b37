"""The rate limit of the lost-phone reset (``/recover``), per username and per client address.

Each attempt costs the server an argon2 verification (the password step), and anyone may try, so
attempts are counted in the shared portal store (several portal processes agree) in fixed windows:
at most ``max_attempts`` per window for one username and for one address. The count and the
decision are one ``BEGIN IMMEDIATE`` transaction, so racing requests cannot both take the last one.

Failed password steps are not audited one by one (each would be a row of attacker-chosen text):
they are summed per address into one *burst*, audited once — when the address reaches the limit,
or, for a burst that never did, after its window has ended (by the next ``/recover`` request).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from mfa_portal.admin.store import PortalStore
from mfa_portal.storage import Connection

MAX_ATTEMPTS = 5
WINDOW_SECONDS = 900.0
_MAX_KEY = 160  # characters of a username kept as a key; Cognito allows 128


@dataclass(frozen=True)
class Burst:
    """Failed password steps from one address inside one window; ``limited`` once refused."""

    source: str
    failures: int
    first: float
    last: float
    limited_until: float | None = None


@dataclass(frozen=True)
class Admission:
    allowed: bool
    retry_after: float  # seconds until the window that refused this attempt ends (0 if allowed)
    ended: list[Burst]  # bursts whose window ended and were not summarised yet


def _keys(source: str, username: str) -> tuple[str, str]:
    return f"ip:{source}", f"user:{username.casefold()[:_MAX_KEY]}"


class RecoveryLimit:
    """Counters in the portal store's ``recover_limits`` table."""

    def __init__(
        self,
        store: PortalStore,
        clock: Callable[[], float] = time.time,
        max_attempts: int = MAX_ATTEMPTS,
        window_seconds: float = WINDOW_SECONDS,
    ) -> None:
        self._store = store
        self._clock = clock
        self.max_attempts = max_attempts
        self.window_seconds = window_seconds

    def admit(self, source: str, username: str) -> Admission:
        """Count one attempt for the address and the username, unless either is at the limit."""
        now = self._clock()
        keys = _keys(source, username)
        with self._store.transaction() as conn:
            ended = self._close_ended(conn, now)
            for key in keys:
                conn.execute(
                    "INSERT INTO recover_limits (key, window_start) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    (key, now),
                )
            rows = conn.execute(
                "SELECT attempts, window_start FROM recover_limits WHERE key IN (?, ?)", keys
            ).fetchall()
            full = [row for row in rows if row["attempts"] >= self.max_attempts]
            if full:
                ends = max(row["window_start"] for row in full) + self.window_seconds
                return Admission(False, max(ends - now, 1.0), ended)
            conn.execute(
                "UPDATE recover_limits SET attempts = attempts + 1 WHERE key IN (?, ?)", keys
            )
        return Admission(True, 0.0, ended)

    def failed(self, source: str) -> Burst | None:
        """Count a failed password step; the burst to audit when this one reached the limit."""
        now = self._clock()
        key = _keys(source, "")[0]
        with self._store.transaction() as conn:
            conn.execute(
                "UPDATE recover_limits SET failures = failures + 1, "
                "first_failure = COALESCE(first_failure, ?), last_failure = ? WHERE key = ?",
                (now, now, key),
            )
            row = conn.execute("SELECT * FROM recover_limits WHERE key = ?", (key,)).fetchone()
            if row is None or row["summarised"] or row["failures"] < self.max_attempts:
                return None
            conn.execute("UPDATE recover_limits SET summarised = 1 WHERE key = ?", (key,))
        until = row["window_start"] + self.window_seconds
        return Burst(source, row["failures"], row["first_failure"], now, until)

    def _close_ended(self, conn: Connection, now: float) -> list[Burst]:
        """Forget windows that have ended; return their bursts that were never audited."""
        start = now - self.window_seconds
        rows = conn.execute(
            "SELECT * FROM recover_limits WHERE window_start <= ? AND key LIKE 'ip:%' "
            "AND failures > 0 AND summarised = 0",
            (start,),
        ).fetchall()
        conn.execute("DELETE FROM recover_limits WHERE window_start <= ?", (start,))
        return [
            Burst(row["key"][3:], row["failures"], row["first_failure"], row["last_failure"])
            for row in rows
        ]
