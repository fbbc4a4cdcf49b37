"""Failed password steps counted per client address, in fixed windows, in a shared database.

Each password step costs the server real work (an argon2 verification of about 20 ms of a core, or
SRP's exponentiations on both sides), and anyone who reaches a sign-in may post one. A pool's lockout
stops the guessing of one account; it does not stop one address from trying one password on many
accounts (password spraying), nor a flood of made-up names, each of which costs a hash too. So the
sign-in page and the pool's public endpoint count, per client address, the password steps that
failed. Once an address has ``max_failures`` of them in a window, its further password steps are
refused until the window ends, without being checked. A step that succeeds costs nothing, so many
people behind one office address sign in freely.

The counts live in the caller's database (a table of the shape the portal store's ``signin_limits``
and the pool's ``address_limits`` have), so every process and replica on it agrees. A step in
progress holds a reservation: checking the count and reserving are one transaction, so racing
requests cannot between them exceed the limit. Settling the step releases its reservation and
counts a failure. A reservation whose step never settled (a process killed meanwhile) ends with its
window.

An IPv6 address counts as its /64 network: one host is usually given a whole /64, so counting each
address alone would give it 2^64 limits.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mfa_portal.storage.database import Database
from mfa_portal.storage.types import Connection

MAX_FAILURES = 100  # failed password steps per address in one window (0: no limit)
WINDOW_SECONDS = 900.0
_MAX_SOURCE = 64  # characters of an address kept as a key (an IPv6 text form is at most 45)
_IPV6_PREFIX = 64


@dataclass(frozen=True)
class Admission:
    """Whether a password step may run; if not, the seconds until the address's window ends."""

    allowed: bool
    retry_after: float = 0.0


@dataclass(frozen=True)
class Reached:
    """An address's failures reached the limit: said once per window, for the log and the trail."""

    source: str  # as counted (an IPv6 address's /64)
    failures: int
    first: float
    last: float
    until: float


def parse_address(source: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``source`` as an address, an IPv4 address written as IPv6 (``::ffff:192.0.2.1``) as the
    IPv4 address; None when it is none (a test client, a unix socket)."""
    try:
        address = ipaddress.ip_address(source)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def address_key(source: str) -> str:
    """What one address counts as: itself, or for IPv6 its /64 network (``parse_address``)."""
    address = parse_address(source)
    if address is None:
        return source[:_MAX_SOURCE]  # not an address: as it is
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/{_IPV6_PREFIX}", strict=False))
    return str(address)


class AddressLimit:
    """Counters in ``table`` of ``store`` (one row per address: ``source``, ``window_start``,
    ``failures``, ``pending``, ``first_failure``, ``last_failure``, ``reported``)."""

    def __init__(
        self,
        store: Database,
        table: str,
        clock: Callable[[], float] = time.time,
        max_failures: int = MAX_FAILURES,
        window_seconds: float = WINDOW_SECONDS,
    ) -> None:
        if not table.isidentifier():  # it is put into statements: a name from the code only
            raise ValueError(f"not a table name: {table!r}")
        self._store = store
        self._table = table
        self._clock = clock
        self.max_failures = max_failures
        self.window_seconds = window_seconds

    @property
    def enabled(self) -> bool:
        return self.max_failures > 0

    def check(self, source: str) -> Admission:
        """Whether ``source`` may start a step, without reserving one (a read, no write)."""
        if not self.enabled:
            return Admission(True)
        return self._seen(address_key(source), self._clock())

    def _seen(self, key: str, now: float) -> Admission:
        with self._store.read() as conn:
            row = self._count(conn, key)
        refused_for = None if row is None else self._refusal(row, now)
        return Admission(refused_for is None, refused_for or 0.0)

    def admit(self, source: str) -> Admission:
        """Reserve one password step for ``source`` unless its failures and the steps it has in
        progress already make the limit."""
        if not self.enabled:
            return Admission(True)
        now = self._clock()
        key = address_key(source)
        seen = self._seen(key, now)  # a stopped address is refused without a write
        if not seen.allowed:
            return seen
        with self._store.transaction() as conn:
            table = self._table
            conn.execute(
                f"DELETE FROM {table} WHERE window_start <= ?", (now - self.window_seconds,)
            )
            conn.execute(
                f"INSERT INTO {table} (source, window_start) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (key, now),
            )
            row = self._count(conn, key)
            refused_for = self._refusal(row, now)
            if refused_for is not None:
                return Admission(False, refused_for)
            conn.execute(f"UPDATE {table} SET pending = pending + 1 WHERE source = ?", (key,))
        return Admission(True)

    def _count(self, conn: Connection, key: str) -> Any:
        """An address's row: its failures, its steps in progress, when its window started."""
        return conn.execute(
            f"SELECT failures, pending, window_start FROM {self._table} WHERE source = ?", (key,)
        ).fetchone()

    def _refusal(self, row: Any, now: float) -> float | None:
        """Seconds until the window of an address at its limit ends; None if it may try (or its
        window has ended)."""
        ends = float(row["window_start"]) + self.window_seconds
        if now >= ends or row["failures"] + row["pending"] < self.max_failures:
            return None
        return max(ends - now, 1.0)

    def settle(self, source: str, *, failed: bool) -> Reached | None:
        """End a step ``admit`` allowed; when it failed, count it. Returns the limit's being
        reached when this failure reached it (once per window)."""
        if not self.enabled:
            return None
        now = self._clock()
        key = address_key(source)
        table = self._table
        with self._store.transaction() as conn:
            release = "pending = CASE WHEN pending > 0 THEN pending - 1 ELSE 0 END"
            if not failed:
                conn.execute(f"UPDATE {table} SET {release} WHERE source = ?", (key,))
                return None
            conn.execute(
                f"UPDATE {table} SET {release}, failures = failures + 1, "
                "first_failure = COALESCE(first_failure, ?), last_failure = ? WHERE source = ?",
                (now, now, key),
            )
            row = conn.execute(f"SELECT * FROM {table} WHERE source = ?", (key,)).fetchone()
            if row is None or row["reported"] or row["failures"] < self.max_failures:
                return None
            conn.execute(f"UPDATE {table} SET reported = 1 WHERE source = ?", (key,))
        until = row["window_start"] + self.window_seconds
        return Reached(key, row["failures"], row["first_failure"], now, until)
