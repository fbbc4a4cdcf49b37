"""Each password hash on a core of its own: threads and worker processes holding slots at once run on
different cores, go back to every core after, and hash anyway where the kernel will not place them."""

from __future__ import annotations

import logging
import multiprocessing
import os
import subprocess
import threading
from multiprocessing.synchronize import Barrier as ProcessBarrier
from pathlib import Path

import posix_ipc
import pytest

from mfa_portal.pool import hash_cores, hash_slots
from mfa_portal.pool.hash_slots import HashSlots, machine_slots

CORES = sorted(os.sched_getaffinity(0))
needs_two_cores = pytest.mark.skipif(len(CORES) < 2, reason="placement needs two cores to choose")


def cores_while_held(slots: HashSlots, holders: int) -> list[set[int]]:
    """The cores each of ``holders`` threads may run on while they all hold a slot at once."""
    barrier = threading.Barrier(holders, timeout=10)
    seen: list[set[int]] = []
    hashing_threads: set[int] = set()

    def hold() -> None:
        seen.append(os.sched_getaffinity(0))
        hashing_threads.add(threading.get_native_id())
        barrier.wait()

    callers = [threading.Thread(target=slots.run, args=(hold,)) for _ in range(holders)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(timeout=20)
    assert len(seen) == holders
    for thread in hashing_threads:
        assert os.sched_getaffinity(thread) == set(CORES)  # back on every core
    return seen


@needs_two_cores
def test_hashes_held_at_once_in_one_process_run_on_cores_of_their_own() -> None:
    for _ in range(3):  # and the cores come back for the next hashes
        seen = cores_while_held(HashSlots(len(CORES)), len(CORES))
        assert sorted(next(iter(s)) for s in seen) == CORES
        assert all(len(s) == 1 for s in seen)


def hold_in_worker(
    name: str, barrier: ProcessBarrier, out: multiprocessing.Queue[list[int]]
) -> None:
    """In a spawned process (as uvicorn starts its workers): hold a slot while the others do."""
    slots = HashSlots(len(CORES))
    slots.join(name)

    def hold() -> int:
        out.put(sorted(os.sched_getaffinity(0)))
        barrier.wait(timeout=30)
        return threading.get_native_id()

    hashing_thread = slots.run(hold)
    out.put(sorted(os.sched_getaffinity(hashing_thread)))


@needs_two_cores
def test_the_workers_of_one_server_hash_on_different_cores() -> None:
    with machine_slots(len(CORES)) as name:
        assert name is not None
        ctx = multiprocessing.get_context("spawn")
        barrier = ctx.Barrier(len(CORES))
        out: multiprocessing.Queue[list[int]] = ctx.Queue()
        procs = [ctx.Process(target=hold_in_worker, args=(name, barrier, out)) for _ in CORES]
        for proc in procs:
            proc.start()
        reports = [out.get(timeout=60) for _ in range(2 * len(CORES))]
        for proc in procs:
            proc.join(timeout=60)
            assert proc.exitcode == 0
    held = [r for r in reports if len(r) == 1]
    assert sorted(core for (core,) in held) == CORES  # one each, all different
    assert [r for r in reports if len(r) > 1] == [CORES] * len(CORES)  # and every core after


@needs_two_cores
def test_with_fewer_slots_than_cores_the_kernel_places_the_hashes() -> None:
    """A CPU quota below the CPU set: no core is reserved, the thread keeps all of its cores."""
    assert cores_while_held(HashSlots(1), 1) == [set(CORES)]
    with machine_slots(1) as name:
        assert name is not None
        assert not list(Path("/dev/shm").glob(f"sem.{name[1:]}-core*"))
        slots = HashSlots(1)
        slots.join(name)
        assert cores_while_held(slots, 1) == [set(CORES)]


def test_a_kernel_that_refuses_placement_still_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A container whose seccomp profile forbids sched_setaffinity: hashes run unplaced, and the
    cores they took are given back, so placement works again once the kernel allows it."""

    def refuse(pid: int, cores: object) -> None:
        raise PermissionError("Operation not permitted")

    slots = HashSlots(len(CORES))
    with monkeypatch.context() as patch:
        patch.setattr(os, "sched_setaffinity", refuse)
        for _ in range(2 * len(CORES)):
            assert cores_while_held(slots, 1) == [set(CORES)]
    if len(CORES) > 1:
        seen = cores_while_held(slots, len(CORES))
        assert sorted(next(iter(s)) for s in seen) == CORES


def test_without_a_free_core_the_hash_runs_where_the_kernel_puts_it() -> None:
    cores = hash_cores.ProcessCores(CORES[:1])
    with hash_cores.placed(cores):
        assert os.sched_getaffinity(0) == {CORES[0]}
        with hash_cores.placed(cores):  # none left
            assert os.sched_getaffinity(0) == {CORES[0]}  # unchanged, not widened or moved
        assert os.sched_getaffinity(0) == {CORES[0]}
    assert os.sched_getaffinity(0) == set(CORES)
    assert cores.take() == CORES[0]  # given back once, not twice
    assert cores.take() is None


def test_the_per_core_slots_live_and_go_with_their_server() -> None:
    with machine_slots(len(CORES)) as name:
        assert name is not None
        for core in CORES:
            opened = posix_ipc.Semaphore(hash_cores.core_name(name, core))
            assert opened.value == 1
            opened.close()
            shm = Path("/dev/shm") / f"sem.{hash_cores.core_name(name, core)[1:]}"
            assert shm.stat().st_mode & 0o077 == 0  # this user only
    for core in CORES:
        with pytest.raises(posix_ipc.ExistentialError):
            posix_ipc.Semaphore(hash_cores.core_name(name, core))


def test_a_start_removes_the_per_core_slots_of_a_killed_server() -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    orphan = hash_cores.core_name(f"{hash_slots.NAME_PREFIX}{gone.pid}-killed", CORES[0])
    posix_ipc.Semaphore(orphan, posix_ipc.O_CREX, mode=0o600, initial_value=1).close()
    with machine_slots(1):
        pass
    with pytest.raises(posix_ipc.ExistentialError):
        posix_ipc.Semaphore(orphan)


def test_a_server_that_cannot_create_per_core_slots_still_bounds_its_hashes(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(name: str, cores: object) -> list[posix_ipc.Semaphore]:
        raise posix_ipc.PermissionsError("Permission denied")

    monkeypatch.setattr(hash_cores, "create_shared", refuse)
    with caplog.at_level(logging.WARNING, logger="mfa_portal.pool.hash_slots"):
        with machine_slots(len(CORES)) as name:
            assert name is not None
            slots = HashSlots(len(CORES))
            slots.join(name)
            assert slots.shared
            assert cores_while_held(slots, 1) == [set(CORES)]  # the kernel places it
    assert ["per-core" in r.getMessage() for r in caplog.records] == [True]
