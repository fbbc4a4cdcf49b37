"""The machine-wide argon2 slots: shared by threads and processes, removed with their server, and
given up (once, logged) when slots are lost, instead of stalling every sign-in."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import posix_ipc
import pytest

from mfa_portal.pool import hash_slots
from mfa_portal.pool.hash_slots import HashSlots, machine_slots
from tests.support.race import Overlap


@contextmanager
def created(cores: int) -> Iterator[str]:
    """The machine's slots, which this machine can always create."""
    with machine_slots(cores) as name:
        assert name is not None
        yield name


def overlaps(intervals: list[tuple[float, float]]) -> int:
    """How many of the (start, end) intervals begin before the previous one ended."""
    ordered = sorted(intervals)
    return sum(1 for a, b in zip(ordered, ordered[1:], strict=False) if b[0] < a[1])


def hold_briefly() -> tuple[float, float]:
    """A stand-in for a hash: when it began and ended."""
    began = time.monotonic()
    time.sleep(0.01)
    return began, time.monotonic()


def hold_slot(name: str, times: int, out: multiprocessing.Queue[tuple[float, float]]) -> None:
    """In a spawned process: take the shared slot ``times`` times, reporting when each was held."""
    slots = HashSlots(4)  # this process alone would allow four at once
    slots.join(name)
    for _ in range(times):
        out.put(slots.run(hold_briefly))


def test_processes_and_their_threads_share_the_machines_slots() -> None:
    """Three processes (plus this one's threads) against one slot: never two holders at once."""
    with created(1) as name:
        ctx = multiprocessing.get_context("spawn")  # as uvicorn starts its workers
        out: multiprocessing.Queue[tuple[float, float]] = ctx.Queue()
        procs = [ctx.Process(target=hold_slot, args=(name, 15, out)) for _ in range(3)]
        for proc in procs:
            proc.start()
        local = HashSlots(4)
        local.join(name)
        mine: list[tuple[float, float]] = []

        def hold() -> None:
            mine.append(local.run(hold_briefly))

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _: hold(), range(15)))
        theirs = [out.get(timeout=60) for _ in range(45)]
        for proc in procs:
            proc.join(timeout=60)
            assert proc.exitcode == 0
    assert len(mine) == 15
    assert overlaps(mine + theirs) == 0


def test_the_slots_exist_while_their_server_runs_and_are_removed_after(tmp_path: Path) -> None:
    with created(3) as name:
        assert name.startswith(hash_slots.NAME_PREFIX)
        opened = posix_ipc.Semaphore(name)
        assert opened.value == 3
        opened.close()
        assert (Path("/dev/shm") / f"sem.{name[1:]}").stat().st_mode & 0o077 == 0  # this user only
    with pytest.raises(posix_ipc.ExistentialError):
        posix_ipc.Semaphore(name)
    with pytest.raises(RuntimeError), created(1) as failed:  # a server that fails to start
        raise RuntimeError("port in use")
    with pytest.raises(posix_ipc.ExistentialError):
        posix_ipc.Semaphore(failed)


def test_lost_slots_are_given_up_once_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A worker killed mid-hash keeps its slot forever: after one bounded wait this process hashes
    under its own bound only, so later sign-ins do not each wait for a slot that never returns."""
    monkeypatch.setattr(hash_slots, "WAIT_LIMIT", 0.2)
    with created(1) as name:
        lost = posix_ipc.Semaphore(name)
        lost.acquire(0)  # held by a worker that died
        slots = HashSlots(2)
        slots.join(name)
        ran = []
        began = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="mfa_portal.pool.hash_slots"):
            slots.run(lambda: ran.append(time.monotonic() - began))
            slots.run(lambda: ran.append(time.monotonic() - began))
        lost.close()
    # The wait ends by the semaphore's own timer (on the realtime clock): a hair early on monotonic.
    assert ran[0] >= 0.19 and ran[1] - ran[0] < 0.1  # the second hash did not wait again
    assert not slots.shared
    assert [r.message for r in caplog.records if "hash slot" in r.message] != []
    assert len([r for r in caplog.records if r.name == "mfa_portal.pool.hash_slots"]) == 1


def test_a_signal_during_the_wait_does_not_fail_the_hash() -> None:
    """A signal delivered to a hashing thread waiting for a slot (uvicorn's SIGTERM at shutdown may
    land on any thread) interrupts the semaphore wait; the wait resumes, and the hash runs once a
    slot is free."""
    previous = signal.signal(signal.SIGUSR1, lambda *_: None)
    try:
        with created(1) as name:
            busy = posix_ipc.Semaphore(name)
            busy.acquire(0)
            slots = HashSlots(1)
            slots.join(name)
            outcome: list[str] = []

            def hash_once() -> None:
                try:
                    slots.run(lambda: outcome.append("hashed"))
                except Exception as exc:  # what the sign-in would have failed with
                    outcome.append(type(exc).__name__)

            before = set(threading.enumerate())
            waiter = threading.Thread(target=hash_once)
            waiter.start()
            time.sleep(0.1)
            [hashing] = [
                t
                for t in threading.enumerate()
                if t not in before and t.name.startswith(hash_slots.HASH_THREAD_NAME)
            ]
            assert hashing.ident is not None
            signal.pthread_kill(hashing.ident, signal.SIGUSR1)
            time.sleep(0.1)
            busy.release()
            waiter.join(timeout=5)
            busy.close()
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert outcome == ["hashed"]
    assert slots.shared  # an interrupted wait is not a lost slot


def test_without_posix_semaphores_the_server_still_starts_and_says_why(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A container without a writable /dev/shm: no shared slots, one warning, hashing goes on."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise posix_ipc.PermissionsError("Permission denied")

    monkeypatch.setattr(posix_ipc, "Semaphore", refuse)
    with caplog.at_level(logging.WARNING, logger="mfa_portal.pool.hash_slots"):
        with machine_slots(2) as name:
            assert name is None
        slots = HashSlots(2)
        slots.join("/mfa-portal-hash-gone")
        slots.run(lambda: None)
    assert not slots.shared
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 2 and all("Permission denied" in w for w in warnings)


def test_a_start_removes_the_slots_of_servers_killed_before_they_could() -> None:
    """A server killed with SIGKILL cannot remove its slots; the next start on the machine removes
    those whose server process is gone, and leaves a running server's alone."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    orphan_name = f"{hash_slots.NAME_PREFIX}{gone.pid}-killed"
    orphan = posix_ipc.Semaphore(orphan_name, posix_ipc.O_CREX, mode=0o600, initial_value=1)
    orphan.close()
    running_name = f"{hash_slots.NAME_PREFIX}{os.getpid()}-running"
    running = posix_ipc.Semaphore(running_name, posix_ipc.O_CREX, mode=0o600, initial_value=1)
    try:
        with created(2) as name:
            assert name.startswith(f"{hash_slots.NAME_PREFIX}{os.getpid()}-")
        with pytest.raises(posix_ipc.ExistentialError):
            posix_ipc.Semaphore(orphan_name)
        posix_ipc.Semaphore(running_name).close()  # still there
    finally:
        running.unlink()
        running.close()


def test_a_process_hashes_on_one_thread_per_slot_and_answers_each_caller() -> None:
    """Twelve callers at once against two slots: two hashes at a time, always on the same two
    threads, and each caller gets its own result or its own exception back."""
    slots = HashSlots(2)
    overlap = Overlap()
    threads: set[int] = set()

    def fake_hash(n: int) -> int:
        with overlap.inside():
            threads.add(threading.get_native_id())
            time.sleep(0.02)
        if n == 7:
            raise ValueError("hash 7 is malformed")
        return n * n

    def call(n: int) -> int | str:
        try:
            return slots.run(fake_hash, n)
        except ValueError as exc:
            return str(exc)

    with ThreadPoolExecutor(12) as callers:
        answers = list(callers.map(call, range(12)))
    assert answers == [n * n if n != 7 else "hash 7 is malformed" for n in range(12)]
    assert overlap.most == 2
    assert len(threads) == 2


MEMORY_PROBE = """
import threading
from mfa_portal.pool.passwords import PasswordHasher

def rss_kib():
    with open("/proc/self/status") as status:
        return int(next(l for l in status if l.startswith("VmRSS")).split()[1])

hasher = PasswordHasher()
stored = hasher.hash("correct horse")
before = rss_kib()
for _ in range(3):  # 48 threads that each verify a password once
    callers = [threading.Thread(target=hasher.verify, args=(stored, "correct horse")) for _ in range(16)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
print(rss_kib() - before)
"""


def test_many_signing_in_threads_keep_one_hashs_memory_per_slot_not_per_thread() -> None:
    """glibc keeps a freed 19 MiB hash block in the malloc arena of the thread that hashed: when
    every calling thread hashed, a worker grew by 19 MiB per thread that ever signed someone in."""
    probe = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE], capture_output=True, text=True, timeout=120
    )
    assert probe.returncode == 0, probe.stderr
    grown_mib = int(probe.stdout) / 1024
    slots = hash_slots.process_cores()
    assert grown_mib < (slots + 2) * 19, f"grew {grown_mib:.0f} MiB with {slots} slots"


@pytest.mark.parametrize(
    ("slots", "workers", "threads"),
    [(2, 1, 2), (2, 2, 2), (8, 2, 8), (4, 4, 2), (64, 64, 2), (16, 3, 11), (1, 1, 1), (1, 4, 1)],
)
def test_a_worker_keeps_twice_its_share_of_the_slots_in_hashing_threads(
    slots: int, workers: int, threads: int
) -> None:
    assert hash_slots.threads_per_worker(slots, workers) == threads


@pytest.mark.parametrize(
    ("slots", "workers", "threads"),
    [(2, 1, 4), (2, 2, 2), (8, 2, 8), (4, 4, 2), (64, 64, 2), (16, 3, 11), (1, 1, 2), (1, 4, 2)],
)
def test_a_worker_keeps_twice_its_share_of_the_slots_in_password_call_threads(
    slots: int, workers: int, threads: int
) -> None:
    """Even beyond the slots: a password-call thread reading a user or signing tokens leaves its
    slot to another."""
    assert hash_slots.password_call_threads_per_worker(slots, workers) == threads


def test_a_password_call_hashes_on_its_own_thread_in_one_of_the_processs_slots() -> None:
    """Eight password calls and eight other callers at once against two slots: the calls' hashes
    run on the calls' own threads, the others' on hashing threads, never more than two at once,
    though the process keeps four password-call threads."""
    slots = HashSlots(2)
    overlap = Overlap()

    def fake_hash() -> str:
        with overlap.inside():
            time.sleep(0.02)
            return threading.current_thread().name

    def password_call() -> tuple[str, str]:
        return threading.current_thread().name, slots.run(fake_hash)

    calls = [slots.password_call_threads().submit(password_call) for _ in range(8)]
    with ThreadPoolExecutor(8) as callers:
        others = list(callers.map(lambda _: slots.run(fake_hash), range(8)))
    answered = [call.result(timeout=30) for call in calls]
    assert all(caller == hasher for caller, hasher in answered)
    assert {caller for caller, _ in answered} <= {
        f"{hash_slots.PASSWORD_CALL_THREAD_NAME}_{n}" for n in range(4)
    }
    assert all(name.startswith(hash_slots.HASH_THREAD_NAME + "_") for name in others)
    assert overlap.most == 2


def test_a_call_that_hashes_while_holding_a_lock_gets_a_hash_while_password_calls_wait_for_it() -> (
    None
):
    """A call thread holding the database's write lock needs a hash (ChangePassword hashes inside
    its transaction); every password-call thread is waiting for that lock. Were their threads the
    ones that hash for others, nothing could move until the database's busy timeout."""
    slots = HashSlots(2)
    write_lock = threading.Semaphore(1)  # a lock the test can break if the threads are stuck
    holding = threading.Event()

    def change_password() -> str:
        with write_lock:
            holding.set()
            time.sleep(0.1)  # the password calls are now queued on the lock
            return slots.run(lambda: "hashed")

    def password_call() -> str:
        holding.wait(5)
        with write_lock:
            return slots.run(lambda: "signed in")

    waiting = [slots.password_call_threads().submit(password_call) for _ in range(4)]
    call_thread = ThreadPoolExecutor(1)
    changed = call_thread.submit(change_password)
    try:
        assert changed.result(timeout=5) == "hashed"
        assert [call.result(timeout=5) for call in waiting] == ["signed in"] * 4
    finally:
        for _ in range(len(waiting) + 1):  # after a failure, let the stuck threads end
            write_lock.release()
        call_thread.shutdown()
