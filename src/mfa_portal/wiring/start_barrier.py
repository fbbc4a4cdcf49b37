"""Workers start serving together: none accepts a connection before every one has built its app.

The workers share one listening socket, and a worker accepts as soon as it has built its app. The
first one up would answer a load balancer's health check alone and take every connection opened
meanwhile; kept alive, those connections stay with it, so a freshly started server ran on one core
until they closed. So the serving parent creates a POSIX named semaphore next to the argon2 slots
(same name with ``-ready``: removed with them, and by the same clean-up when the parent was killed).
Each worker posts it once its app is built, then waits until it counts every worker. A worker that
never gets there (it failed, or the machine is swamped) holds the others back ``PATIENCE`` at most;
they then start without it, and say so. A worker that replaces a dead one later finds the count
already full and starts at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

import posix_ipc

log = logging.getLogger("mfa_portal.wiring.start_barrier")

PATIENCE = 30.0  # seconds; a worker builds its app in one or two
POLL_SECONDS = 0.005


def barrier_name(slots_name: str) -> str:
    return f"{slots_name}-ready"


@contextmanager
def created(slots_name: str | None) -> Iterator[str | None]:
    """The barrier for the workers of the server whose argon2 slots are ``slots_name``; None (no
    barrier: each worker starts when it is ready) where there are no slots or it cannot be made."""
    if slots_name is None or not posix_ipc.SEMAPHORE_VALUE_SUPPORTED:
        yield None
        return
    name = barrier_name(slots_name)
    try:
        semaphore = posix_ipc.Semaphore(name, posix_ipc.O_CREX, mode=0o600, initial_value=0)
    except (posix_ipc.Error, OSError) as exc:
        log.warning("cannot create the workers' start barrier (%s); each starts when ready", exc)
        yield None
        return
    try:
        yield name
    finally:
        semaphore.unlink()
        semaphore.close()


def arrive_and_wait(name: str, workers: int, patience: float = PATIENCE) -> bool:
    """Count this worker in, then wait until all ``workers`` are; False if they were not within
    ``patience`` seconds (or the barrier is gone), after which the caller starts anyway."""
    try:
        semaphore = posix_ipc.Semaphore(name)
    except (posix_ipc.Error, OSError) as exc:
        log.warning("cannot open the workers' start barrier %s (%s); starting now", name, exc)
        return False
    try:
        semaphore.release()
        deadline = time.monotonic() + patience
        while semaphore.value < workers:
            if time.monotonic() >= deadline:
                log.warning(
                    "%d of %d workers built their app within %g s; this one starts anyway",
                    semaphore.value,
                    workers,
                    patience,
                )
                return False
            time.sleep(POLL_SECONDS)
        return True
    finally:
        semaphore.close()
