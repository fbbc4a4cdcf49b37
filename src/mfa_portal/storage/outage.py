"""Which errors mean that a store could not be reached, rather than a bug.

A restart or fail-over of PostgreSQL or Redis, or a network cut to either, shows up as a connection
error on whatever request needs the store next. The answer to such a request is "try again in a
moment" (``web.store_outage``), not a server error with a traceback.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable


@functools.cache
def _unreachable_types() -> tuple[type[BaseException], ...]:
    """PostgreSQL: a refused, dropped or silent connection, or the server shutting down (psycopg's
    ``OperationalError``, raw or as SQLAlchemy wraps it), and no pooled connection free in time
    (SQLAlchemy's ``TimeoutError``: every one is waiting for a slow or silent server). Redis: a
    refused, dropped or timed-out connection. SQLite is a file in the data directory: its errors
    are left as they are. Imported when first needed, as the stores' own modules are: a
    deployment without them never loads them."""
    import psycopg
    import redis.exceptions
    import sqlalchemy.exc

    return (
        psycopg.OperationalError,
        sqlalchemy.exc.OperationalError,
        sqlalchemy.exc.TimeoutError,
        redis.exceptions.ConnectionError,
        redis.exceptions.TimeoutError,
    )


def unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says a database or Redis could not be reached."""
    return isinstance(exc, _unreachable_types())


def summary(exc: BaseException) -> str:
    """One line for the log: the error's class and the first line of its message (the drivers put
    the host and port in these, never a password)."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


class OutageLog:
    """The ERROR lines of requests refused while a store is unreachable, at most one a second.

    Every request fails while a store is down, so one line per refused request flooded the log at
    the site's request rate (thousands of lines a second, each costing disk and log-shipping, and
    hiding everything else). Now the first refusal of each kind of error is logged at once; those
    that follow within ``interval`` seconds are held, and when it ends the last of them is logged
    with the number of the others. So a process logs at most one line per kind per interval, and
    every refusal is counted, also those of an outage's last second.
    """

    def __init__(
        self,
        logger: logging.Logger,
        *,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        later: Callable[[float, Callable[[], None]], object] | None = None,
    ) -> None:
        self._logger = logger
        self._interval = interval
        self._clock = clock
        self._later = later or _in_a_timer_thread
        self._lock = threading.Lock()
        self._logged_at: dict[str, float] = {}  # error class -> when its last line was written
        self._held: dict[str, tuple[int, str, tuple[object, ...]]] = {}  # -> (count, last line)

    def error(self, exc: BaseException, message: str, *args: object) -> None:
        """Log ``message % args`` for ``exc`` now, or hold it if its kind was logged just now."""
        kind = f"{type(exc).__module__}.{type(exc).__qualname__}"
        with self._lock:
            now = self._clock()
            logged_at = self._logged_at.get(kind, float("-inf"))
            if now - logged_at >= self._interval and kind not in self._held:
                self._logged_at[kind] = now
            else:
                count = self._held.get(kind, (0, "", ()))[0]
                self._held[kind] = (count + 1, message, args)
                if count == 0:  # the first held: write the held ones when the interval ends
                    wait = max(0.0, logged_at + self._interval - now)
                    self._later(wait, lambda: self._write_held(kind))
                return
        self._logger.error(message, *args)

    def _write_held(self, kind: str) -> None:
        with self._lock:
            count, message, args = self._held.pop(kind)
            self._logged_at[kind] = self._clock()
        if count > 1:
            message += " (and %d more refused like it since the last such line)"
            args = (*args, count - 1)
        self._logger.error(message, *args)


def _in_a_timer_thread(seconds: float, call: Callable[[], None]) -> None:
    timer = threading.Timer(seconds, call)
    timer.daemon = True  # a process that stops meanwhile does not wait for it
    timer.start()
