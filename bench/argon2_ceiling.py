"""The argon2 ceiling: argon2id verifications per second on every core, with the pool's parameters.

A USER_PASSWORD_AUTH sign-in costs one argon2id verification by design, so no server on this machine
can sign in faster than the hardware verifies hashes. The bench measures that directly: N separate
processes (not threads, so no interpreter lock and no client in the way), each verifying a hash made
by the pool's own ``PasswordHasher`` (its parameters, read from the code) in a loop for the same
wall-clock window; the ceiling is the total verifications over the window. The processes verify with
argon2-cffi itself, outside the pool's hash slots, so the kernel alone places them: a process that
never sleeps keeps its core, which is what the server's slots do by hand.
"""

from __future__ import annotations

import multiprocessing
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from multiprocessing.synchronize import Barrier

import argon2

from mfa_portal.pool import passwords

PASSWORD = "Bench-Pass-123!"


@dataclass(frozen=True)
class Ceiling:
    per_second: float
    processes: int
    memory_kib: int
    time_cost: int
    parallelism: int

    @property
    def parameters(self) -> str:
        return f"argon2id m={self.memory_kib // 1024} MiB, t={self.time_cost}, p={self.parallelism}"


def _verify_loop(
    stored: str, seconds: float, start: Barrier, out: multiprocessing.Queue[int]
) -> None:
    hasher = argon2.PasswordHasher()  # the parameters are in the stored hash
    start.wait()
    deadline = time.monotonic() + seconds
    count = 0
    while time.monotonic() < deadline:
        hasher.verify(stored, PASSWORD)  # raises if it does not match
        count += 1
    out.put(count)


def measure(
    processes: int, seconds: float, during: AbstractContextManager[object] | None = None
) -> Ceiling:
    """Verifications per second with ``processes`` processes verifying for ``seconds``;
    ``during`` (e.g. ``cpu_profile.Sampling``) is entered once the processes are ready and left
    once they have all reported, so it covers their work and not their start."""
    stored = passwords.PasswordHasher().hash(PASSWORD)
    ctx = multiprocessing.get_context("fork")  # one process per core, like server workers
    start = ctx.Barrier(processes + 1)
    out: multiprocessing.Queue[int] = ctx.Queue()
    workers = [
        ctx.Process(target=_verify_loop, args=(stored, seconds, start, out))
        for _ in range(processes)
    ]
    for w in workers:
        w.start()
    with during or nullcontext():
        start.wait()
        began = time.monotonic()
        total = sum(out.get(timeout=seconds + 120) for _ in workers)
        elapsed = max(time.monotonic() - began, seconds)
    for w in workers:
        w.join()
    return Ceiling(
        per_second=total / elapsed,
        processes=processes,
        memory_kib=passwords.MEMORY_KIB,
        time_cost=passwords.TIME_COST,
        parallelism=passwords.PARALLELISM,
    )


def combined(rounds: list[Ceiling]) -> Ceiling:
    """Equal-length rounds of the ceiling as one: their mean rate."""
    first = rounds[0]
    mean = sum(c.per_second for c in rounds) / len(rounds)
    return Ceiling(mean, first.processes, first.memory_kib, first.time_cost, first.parallelism)
