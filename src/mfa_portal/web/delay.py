"""A timing equaliser for the password step (Authelia's ``Delayer``).

A refused sign-in waits at least as long as a typical accepted one, plus a little jitter, so response
time does not tell an unknown user from a known one or a wrong password from a locked account.
"""

from __future__ import annotations

import secrets
import threading
import time


class Delayer:
    def __init__(self, floor_seconds: float = 0.0) -> None:
        self._floor = floor_seconds
        self._average = floor_seconds
        self._lock = threading.Lock()

    def accepted(self, started: float) -> None:
        """Learn how long an accepted password step takes (moving average)."""
        elapsed = time.monotonic() - started
        with self._lock:
            self._average = 0.8 * self._average + 0.2 * elapsed

    def refused(self, started: float) -> None:
        """Sleep until a refused step has taken as long as an accepted one would."""
        with self._lock:
            target = max(self._average, self._floor)
        target *= 1 + secrets.randbelow(100) / 1000  # up to +10% jitter
        remaining = target - (time.monotonic() - started)
        if remaining > 0:
            time.sleep(remaining)
