"""At most one argon2 hash per core on the machine, whichever worker process asks for it.

An argon2id hash walks 19 MiB of memory at random. Two hashes on two cores run at full speed; four
on two cores evict each other's memory from the CPU caches, so each costs more CPU and sign-ins per
second fall (measured on the bench machine: 4-9 % fewer sign-ins with ``--workers 2`` when each worker
let two hashes run at once). One process alone hashes on one thread per core, so no more run at
once. Under ``--workers N`` the parent also creates one POSIX named semaphore with a slot per core
before the workers start and removes it when it stops; every worker opens it by name, so the bound
holds for the machine, not for each process. A hash in a slot also runs on a core of its own (``hash_cores``).

A worker killed in the middle of a hash never gives its slot back (POSIX semaphores have no undo).
So a wait is bounded: a worker that waits more than ``WAIT_LIMIT`` for a slot logs it once and stops
using the shared semaphore for the rest of its life, keeping only its own threads' bound. That is how
a single process behaves, rather than every sign-in queueing behind slots that will never return.
"""

from __future__ import annotations

import functools
import logging
import os
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

import posix_ipc

from mfa_portal.pool import hash_cores
from mfa_portal.pool.thread_pools import ProcessThreadPool

log = logging.getLogger("mfa_portal.pool.hash_slots")

P = ParamSpec("P")
T = TypeVar("T")

# A hash takes about 20 ms; with one waiting thread per core in each of a few workers, a slot frees
# within a few hashes. Waiting a whole second means slots were lost, or the machine is swamped.
WAIT_LIMIT = 1.0
HASH_THREAD_NAME = "mfa-portal-hash"  # the prefix of the hashing threads' names
NAME_PREFIX = "/mfa-portal-hash-"  # then the serving parent's process id and a random part
SHM = Path("/dev/shm")  # where Linux keeps named semaphores, as sem.<name>
_SHM_PREFIX = "sem." + NAME_PREFIX[1:]  # how our names appear there


class HashSlots:
    """Where a process hashes: on threads of its own (one per slot; fewer for one of several
    workers, see ``threads_per_worker``), in the machine's slots when it has joined them, each hash
    on a core of its own."""

    def __init__(self, cores: int) -> None:
        self._count = cores
        # A hash's 19 MiB stays with the thread that allocated it (glibc keeps a freed block in the
        # thread's malloc arena for the next one). Hashing on a thread per slot keeps that to one
        # block per slot and spares the next hash its page faults; hashing on the callers' threads
        # kept one per thread that ever hashed (up to 40 per worker, 760 MiB).
        self._threads = ProcessThreadPool(cores, HASH_THREAD_NAME)
        placeable = hash_cores.placeable(cores)
        self._own_cores = hash_cores.ProcessCores(placeable) if placeable else None
        self._machine: posix_ipc.Semaphore | None = None
        self._shared_cores: hash_cores.SharedCores | None = None

    def join(self, name: str, workers: int = 1) -> None:
        """Share the machine-wide slots the serving parent created as ``name`` with the other
        ``workers`` (if they can be opened: otherwise say so, and bound only this process's hashes).

        Called as a worker starts, before it hashes: it then hashes on fewer threads (see
        ``threads_per_worker``)."""
        try:
            self._machine = posix_ipc.Semaphore(name)
            self._shared_cores = hash_cores.open_shared(name, hash_cores.placeable(self._count))
        except (posix_ipc.Error, OSError) as exc:
            log.warning("cannot open the workers' shared hash slots %s (%s)", name, exc)
            return
        self._threads = ProcessThreadPool(
            threads_per_worker(self._count, workers), HASH_THREAD_NAME
        )

    @property
    def shared(self) -> bool:
        return self._machine is not None

    def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` on one of this process's hashing threads, in a slot; the caller
        waits for its result or its exception."""
        call = functools.partial(fn, *args, **kwargs)
        return self._threads.get().submit(self._in_slot, call).result()

    def _in_slot(self, call: Callable[[], T]) -> T:
        with self._held():
            return call()

    @contextmanager
    def _held(self) -> Iterator[None]:
        """The machine's slot (if joined) and a core of its own (``hash_cores``); this process's
        bound is its number of hashing threads."""
        machine = self._machine
        if machine is not None:
            if _acquire(machine):
                try:
                    with hash_cores.placed(self._shared_cores):
                        yield
                finally:
                    machine.release()
                return
            self._leave(machine)
        with hash_cores.placed(self._own_cores):
            yield

    def _leave(self, machine: posix_ipc.Semaphore) -> None:
        if self._machine is machine:
            self._machine = None
            log.warning(
                "no machine-wide hash slot came free within %.1f s; this worker now bounds only "
                "its own hashes (a worker may have died mid-hash, or the machine is overloaded)",
                WAIT_LIMIT,
            )


def threads_per_worker(slots: int, workers: int) -> int:
    """How many hashing threads one of ``workers`` keeps, when they share ``slots``.

    Each thread keeps its hash's 19 MiB, so a thread per slot in every worker would keep
    workers × slots blocks: 4,096 (76 GiB) for 64 workers on 64 cores. Twice a worker's share of the
    slots (at least 2) bounds the machine at about 2 × slots blocks, and still lets a worker that
    gets more than its share of the sign-ins hash on twice its share of the cores.
    """
    share = -(-2 * slots // max(workers, 1))  # ceiling division
    return max(1, min(slots, max(2, share)))


def _acquire(machine: posix_ipc.Semaphore) -> bool:
    """Wait up to ``WAIT_LIMIT`` for a slot. A signal delivered to this thread interrupts the wait
    (posix_ipc raises then, e.g. the SIGTERM that starts a graceful shutdown): wait again for the
    time left, as the standard library does for its own calls, instead of failing the sign-in."""
    deadline = time.monotonic() + WAIT_LIMIT
    while True:
        try:
            machine.acquire(max(0.0, deadline - time.monotonic()))
            return True
        except posix_ipc.SignalError:
            continue
        except posix_ipc.BusyError:
            return False


@contextmanager
def machine_slots(cores: int) -> Iterator[str | None]:
    """Create the machine-wide slots for the workers of one server; yields the name to join.

    With them, one semaphore per core (``hash_cores``) when there is a slot for each core.

    Only this user may open them (mode 0600); they are removed when the server stops. Where POSIX
    semaphores cannot be created (no writable ``/dev/shm`` in some containers) the server still
    starts: it logs why and yields None, and each worker bounds only its own hashes.
    """
    _remove_orphans()
    name = f"{NAME_PREFIX}{os.getpid()}-{secrets.token_hex(8)}"
    try:
        semaphore = posix_ipc.Semaphore(name, posix_ipc.O_CREX, mode=0o600, initial_value=cores)
    except (posix_ipc.Error, OSError) as exc:
        log.warning(
            "cannot create the workers' shared hash slots (%s); each worker bounds only its own "
            "hashes",
            exc,
        )
        yield None
        return
    try:
        per_core = hash_cores.create_shared(name, hash_cores.placeable(cores))
    except (posix_ipc.Error, OSError) as exc:
        log.warning(
            "cannot create the workers' per-core hash slots (%s); the kernel places hashes", exc
        )
        per_core = []
    try:
        yield name
    finally:
        hash_cores.remove_shared(per_core)
        semaphore.unlink()
        semaphore.close()


def _remove_orphans(shm: Path = SHM) -> None:
    """Remove the slots of servers that were killed before they could (SIGKILL, a crash): their
    names carry the serving parent's process id, and that process is gone. Workers it left behind
    keep their handles; only the name goes."""
    try:
        entries = list(shm.glob(_SHM_PREFIX + "*"))
    except OSError:
        return
    for entry in entries:
        pid = entry.name[len(_SHM_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or Path(f"/proc/{pid}").exists():
            continue
        try:
            if entry.stat().st_uid == os.getuid():
                posix_ipc.unlink_semaphore(NAME_PREFIX + entry.name[len(_SHM_PREFIX) :])
        except (posix_ipc.Error, OSError):
            continue  # removed meanwhile, or not ours to remove


def process_cores() -> int:
    """How many cores this process may run on (its CPU affinity): one process's slots."""
    return len(hash_cores.this_process()) or os.cpu_count() or 1
