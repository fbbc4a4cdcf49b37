"""A thread pool per process: threads do not survive a fork, so a forked child starts its own.

``pool serve`` spawns its workers, but an application that embeds the wire app may well fork
(gunicorn's pre-fork workers do); a child that queued work on its parent's pool would wait for ever
for threads that do not exist in it.

A ground-floor module: the pool runs its engine calls and hashes on such pools, the portal its
forward-auth decisions on a network store.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor


class ProcessThreadPool:
    """Up to ``threads`` named threads, started on demand in the process that uses them; each
    runs ``initializer`` (if given) as it starts."""

    def __init__(
        self, threads: int, name: str, initializer: Callable[[], None] | None = None
    ) -> None:
        self.threads = threads
        self.name = name
        self._initializer = initializer
        self._lock = threading.Lock()
        self._current: tuple[int, ThreadPoolExecutor] | None = None  # with the pid that started it

    def get(self) -> ThreadPoolExecutor:
        current = self._current
        if current is not None and current[0] == os.getpid():
            return current[1]
        with self._lock:
            if self._current is None or self._current[0] != os.getpid():  # none, or the parent's
                self._current = (
                    os.getpid(),
                    ThreadPoolExecutor(self.threads, self.name, initializer=self._initializer),
                )
            return self._current[1]
