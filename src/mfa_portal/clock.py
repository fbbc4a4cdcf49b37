"""Time and randomness, injected so engine logic never reads them directly.

Tests hand the engine a ``FakeClock`` and move it across TOTP step boundaries instead of patching
``time``; production uses ``SystemClock`` and ``SystemRandom`` (the OS CSPRNG).
"""

from __future__ import annotations

import secrets
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""
        ...


class Random(Protocol):
    def token_bytes(self, n: int) -> bytes:
        """``n`` bytes from a CSPRNG."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds

    def set(self, when: float) -> None:
        self._now = when


class SystemRandom:
    def token_bytes(self, n: int) -> bytes:
        return secrets.token_bytes(n)
