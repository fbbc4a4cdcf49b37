"""At most one argon2 hash per core on the machine, whichever worker process asks for it.

An argon2id hash walks 19 MiB of memory at random. Two hashes on two cores run at full speed; four
on two cores evict each other's memory from the CPU caches, so each costs more CPU and sign-ins per
second fall (measured on the bench machine: 4-9 % fewer sign-ins with ``--workers 2`` when each
worker let two hashes run at once). One process alone has a slot per core of its own. Under
``--workers N`` the parent also creates one POSIX named semaphore with a slot per core before the
workers start and removes it when it stops; every worker opens it by name, so the bound holds for
the machine, not for each process. A hash in a slot also runs on a core of its own
(``hash_cores``).

A worker killed in the middle of a hash never gives its slot back (POSIX semaphores have no undo).
So a wait is bounded: a worker that waits more than ``WAIT_LIMIT`` for a slot logs it once and stops
using the shared semaphore for the rest of its life, keeping only its own slots. That is how
a single process behaves, rather than every sign-in queueing behind slots that will never return.
"""

from __future__ import annotations

import functools
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

import posix_ipc

from mfa_portal.pool import hash_cores
from mfa_portal.thread_pools import ProcessThreadPool

log = logging.getLogger("mfa_portal.pool.hash_slots")

P = ParamSpec("P")
T = TypeVar("T")

# A hash takes about 20 ms; with one waiting thread per core in each of a few workers, a slot frees
# within a few hashes. Waiting a whole second means slots were lost, or the machine is swamped.
WAIT_LIMIT = 1.0
HASH_THREAD_NAME = "mfa-portal-hash"  # the prefix of the hashing threads' names
PASSWORD_CALL_THREAD_NAME = "mfa-portal-password-call"  # and of the password-call threads'
NAME_PREFIX = "/mfa-portal-hash-"  # then the serving parent's process id and a random part
SHM = Path("/dev/shm")  # where Linux keeps named semaphores, as sem.<name>
_SHM_PREFIX = "sem." + NAME_PREFIX[1:]  # how our names appear there


class HashSlots:
    """Where a process hashes: in the machine's slots when it has joined them (otherwise in its own,
    one per core), each hash on a core of its own, and on threads that keep the hash's memory.

    Two sets of threads, both started on demand:

    - **Password-call threads** run a whole call that hashes (a password sign-in, a sign-up), and
      its hashes right there. A sign-in then wakes one thread, not three: the event loop hands it
      to a call thread, which handed the hash to a hashing thread, which handed it back. Each
      wake-up starts on caches the hashes have just flushed; on 2 cores with ``--workers 2`` the
      two extra hops cost 1-6 % of the sign-ins per second (four A/B runs of 6-12 alternating
      rounds; context switches per sign-in fell from 20-22 to 16-17).
    - **Hashing threads** hash for any other thread: the portal's in-process calls, a call the wire
      did not expect to hash. They only ever hash, never wait for the database: a call that holds
      the write lock and waits for one of them always gets it, so no cycle of waits can form. (A
      password-call thread may wait for the write lock; the holder must not wait for that thread.)
    """

    def __init__(self, cores: int) -> None:
        self._count = cores
        self._mine = threading.local()  # set on the password-call threads
        # A hash's 19 MiB stays with the thread that allocated it (glibc keeps a freed block in the
        # thread's malloc arena for the next one). So hashes run on few threads of their own;
        # hashing on the callers' threads kept one block per thread that ever hashed (up to 40
        # per worker, 760 MiB).
        self._hashers = ProcessThreadPool(threads_per_worker(cores, 1), HASH_THREAD_NAME)
        self._callers = self._password_call_threads(cores, 1)
        self._own = threading.BoundedSemaphore(cores)  # the bound when not in the machine's slots
        placeable = hash_cores.placeable(cores)
        self._own_cores = hash_cores.ProcessCores(placeable) if placeable else None
        self._machine: posix_ipc.Semaphore | None = None
        self._shared_cores: hash_cores.SharedCores | None = None

    def join(self, name: str, workers: int = 1) -> None:
        """Share the machine-wide slots the serving parent created as ``name`` with the other
        ``workers`` (if they can be opened: otherwise say so, and bound only this process's hashes).

        Called as a worker starts, before it hashes: it then keeps fewer threads (see
        ``threads_per_worker``)."""
        try:
            self._machine = posix_ipc.Semaphore(name)
            self._shared_cores = hash_cores.open_shared(name, hash_cores.placeable(self._count))
        except (posix_ipc.Error, OSError) as exc:
            log.warning("cannot open the workers' shared hash slots %s (%s)", name, exc)
            return
        self._hashers = ProcessThreadPool(
            threads_per_worker(self._count, workers), HASH_THREAD_NAME
        )
        self._callers = self._password_call_threads(self._count, workers)

    @property
    def shared(self) -> bool:
        return self._machine is not None

    def password_call_threads(self) -> Executor:
        """Where a call that hashes runs whole (``offload.in_password_thread``)."""
        return self._callers.get()

    def running_password_call(self) -> bool:
        """Whether the calling thread is one of this process's password-call threads."""
        return bool(getattr(self._mine, "calling", False))

    def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` in a slot, on this thread when it is a password-call thread,
        otherwise on a hashing thread while the caller waits; the result or the exception."""
        call = functools.partial(fn, *args, **kwargs)
        if self.running_password_call():
            return self._in_slot(call)
        return self._hashers.get().submit(self._in_slot, call).result()

    def _password_call_threads(self, slots: int, workers: int) -> ProcessThreadPool:
        return ProcessThreadPool(
            password_call_threads_per_worker(slots, workers),
            PASSWORD_CALL_THREAD_NAME,
            self._mark_caller,
        )

    def _mark_caller(self) -> None:
        self._mine.calling = True

    def _in_slot(self, call: Callable[[], T]) -> T:
        with self._held():
            return call()

    @contextmanager
    def _held(self) -> Iterator[None]:
        """The machine's slot (if joined) or one of this process's, and a core of its own
        (``hash_cores``)."""
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
        with self._own, hash_cores.placed(self._own_cores):
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
    slots (at least 2, at most all of them) bounds the machine at about 2 × slots blocks, and still
    lets a worker that gets more than its share of the hashes use twice its share of the cores.
    """
    return min(slots, password_call_threads_per_worker(slots, workers))


def password_call_threads_per_worker(slots: int, workers: int) -> int:
    """How many password-call threads one of ``workers`` keeps: also twice its share of the slots,
    at least 2, but possibly more than the slots (a single process on 2 cores keeps 4).

    A password-call thread spends part of each call reading the user and signing tokens; with no
    more threads than slots, a slot would sit unused meanwhile.
    """
    return max(2, -(-2 * slots // max(workers, 1)))  # ceiling division


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
