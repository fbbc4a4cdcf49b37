"""Which core a password hash runs on: a core of its own, held for the hash and given back after.

A slot per core bounds how many hashes run at once, but the kernel still chooses where each runs. A
thread woken when a slot frees up is often queued on a core that is busy with another hash; when the
other core goes idle a moment later, Linux does not pull the waiting thread over (it skips balancing
on a core whose idle spells are short, and these are), so one core runs two hashes in turn while the
other sleeps for a scheduler tick or two. Measured under sign-in load on 2 cores with ``--workers 2``:
2-5 % of the CPU idle, and sign-ins at 0.84x of the argon2 ceiling; with each hash kept on a core
of its own, 0.3 % idle and 0.88x.

So a hash takes one of the cores (a set of them per process, or named semaphores per core shared by
the workers of one server), runs on that core only, and then returns the thread to the cores it had.
Placement is best effort: no free core, or a kernel that refuses, means the hash runs where the
kernel puts it, as before.
"""

from __future__ import annotations

import collections
import itertools
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Protocol

import posix_ipc


class Cores(Protocol):
    """Cores a hash can take: at most one holder each."""

    def take(self) -> int | None:
        """A free core, now held; None when none is free."""

    def give(self, core: int) -> None:
        """Give back a core ``take`` returned."""


def this_process() -> list[int]:
    """The cores this process may run on (its CPU affinity); none known where that is not Linux."""
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return []


def placeable(slots: int) -> list[int]:
    """The cores to place hashes on: this process's, when there is one slot for each.

    A container whose CPU quota is below its CPU set (2 CPUs' worth on a 64-core host) has fewer slots
    than cores; the kernel then has idle cores to choose from, so placement is left to it.
    """
    cores = this_process()
    return cores if len(cores) == slots else []


class ProcessCores:
    """The cores for the hashes of one process, when it is the only process hashing."""

    def __init__(self, cores: Sequence[int]) -> None:
        # A deque's pops and appends are atomic, so no lock that a fork could copy while held.
        # Taken from the left and given back on the right, the cores take turns; separate processes
        # start their turns where their process ids say, so that they spread over the cores.
        self._free = collections.deque(cores)
        self._free.rotate(os.getpid() % max(len(cores), 1))

    def take(self) -> int | None:
        try:
            return self._free.popleft()
        except IndexError:
            return None

    def give(self, core: int) -> None:
        self._free.append(core)


class SharedCores:
    """The cores for the hashes of every worker of one server: a named semaphore of one per core."""

    def __init__(self, cores: dict[int, posix_ipc.Semaphore]) -> None:
        self._semaphores = cores
        self._order = sorted(cores)
        self._turn = itertools.count()

    def take(self) -> int | None:
        count = len(self._order)
        start = os.getpid() + next(self._turn)
        for i in range(count):
            core = self._order[(start + i) % count]
            try:
                self._semaphores[core].acquire(0)  # sem_trywait: never blocks or is interrupted
            except posix_ipc.BusyError:
                continue
            return core
        return None

    def give(self, core: int) -> None:
        self._semaphores[core].release()


def core_name(slots_name: str, core: int) -> str:
    """The named semaphore for ``core`` among the slots named ``slots_name``."""
    return f"{slots_name}-core{core}"


def create_shared(slots_name: str, cores: Sequence[int]) -> list[posix_ipc.Semaphore]:
    """Create one semaphore per core (this user only), for a server's workers to open."""
    created: list[posix_ipc.Semaphore] = []
    try:
        for core in cores:
            created.append(
                posix_ipc.Semaphore(
                    core_name(slots_name, core), posix_ipc.O_CREX, mode=0o600, initial_value=1
                )
            )
    except (posix_ipc.Error, OSError):
        remove_shared(created)
        raise
    return created


def remove_shared(semaphores: list[posix_ipc.Semaphore]) -> None:
    for semaphore in semaphores:
        with suppress(posix_ipc.Error, OSError):
            semaphore.unlink()
        semaphore.close()


def open_shared(slots_name: str, cores: Sequence[int]) -> SharedCores | None:
    """The per-core semaphores the serving parent created, or None when it created none."""
    opened: dict[int, posix_ipc.Semaphore] = {}
    for core in cores:
        try:
            opened[core] = posix_ipc.Semaphore(core_name(slots_name, core))
        except (posix_ipc.Error, OSError):
            continue
    return SharedCores(opened) if opened else None


@contextmanager
def placed(cores: Cores | None) -> Iterator[None]:
    """Run the body on a core of its own, taken from ``cores``, if one is free and the kernel lets
    this thread be placed; otherwise where the kernel puts it."""
    if cores is None or (core := cores.take()) is None:
        yield
        return
    had = _move_to(core)
    try:
        yield
    finally:
        if had is not None:
            with suppress(OSError):
                os.sched_setaffinity(0, had)
        cores.give(core)


def _move_to(core: int) -> set[int] | None:
    """Keep this thread on ``core``; the cores it had, or None if it stays where it was."""
    try:
        had = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {core})  # 0 is this thread: Linux sets affinity per thread
    except OSError:
        return None
    return had
