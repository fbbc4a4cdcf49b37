"""A real clock that tests can move forward, for servers running in another thread."""

from __future__ import annotations

import threading
import time


class OffsetClock:
    """Wall-clock time plus an offset: a wire server can run on it and a test can skip ahead.

    Moving forward only (never back) keeps TOTP steps monotonic, as a real clock would.
    """

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds
