"""The workers' start barrier (wiring.start_barrier), with real processes: none passes before the
last one arrives, a missing one holds the others back only for the patience, and the barrier goes
away with its server."""

from __future__ import annotations

import logging
import multiprocessing
import os
import secrets
import time
from collections.abc import Iterator
from multiprocessing.queues import Queue

import posix_ipc
import pytest

from mfa_portal.pool.hash_slots import NAME_PREFIX
from mfa_portal.wiring import start_barrier


@pytest.fixture
def barrier() -> Iterator[str]:
    slots_name = f"{NAME_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    with start_barrier.created(slots_name) as name:
        assert name == f"{slots_name}-ready"
        yield name
    with pytest.raises(posix_ipc.ExistentialError):  # removed when its server stops
        posix_ipc.Semaphore(name)


Result = tuple[float, float, bool]  # arrived, released (seconds after the start), passed


def _worker(name: str, workers: int, delay: float, started: float, out: Queue[Result]) -> None:
    time.sleep(delay)
    arrived = time.monotonic() - started
    passed = start_barrier.arrive_and_wait(name, workers, patience=20)
    out.put((arrived, time.monotonic() - started, passed))


def test_no_worker_passes_before_the_last_one_has_arrived(barrier: str) -> None:
    context = multiprocessing.get_context("spawn")  # as uvicorn starts its workers
    out: Queue[Result] = context.Queue()
    started = time.monotonic()
    delays = [0.0, 0.3, 1.2]
    workers = [
        context.Process(target=_worker, args=(barrier, len(delays), delay, started, out))
        for delay in delays
    ]
    for worker in workers:
        worker.start()
    results = sorted(out.get(timeout=60) for _ in workers)
    for worker in workers:
        worker.join(timeout=10)
    last_arrival = max(arrived for arrived, _, _ in results)
    assert all(passed for _, _, passed in results)
    assert all(released >= last_arrival for _, released, _ in results)
    assert max(released for _, released, _ in results) - last_arrival < 1.0


def test_a_worker_that_never_arrives_holds_the_others_back_only_for_the_patience(
    barrier: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "mfa_portal.wiring.start_barrier")
    started = time.monotonic()
    assert start_barrier.arrive_and_wait(barrier, 2, patience=0.3) is False
    assert 0.3 <= time.monotonic() - started < 5
    assert ["1 of 2 workers built their app within 0.3 s; this one starts anyway"] == [
        record.getMessage() for record in caplog.records
    ]


def test_a_worker_that_replaces_a_dead_one_starts_at_once(barrier: str) -> None:
    for _ in range(2):  # the first two workers arrived long ago
        posix_ipc.Semaphore(barrier).release()
    started = time.monotonic()
    assert start_barrier.arrive_and_wait(barrier, 2, patience=10) is True
    assert time.monotonic() - started < 1


def test_without_slots_there_is_no_barrier_and_a_gone_one_does_not_hold_a_worker() -> None:
    with start_barrier.created(None) as name:
        assert name is None
    gone = f"{NAME_PREFIX}{os.getpid()}-{secrets.token_hex(4)}-ready"
    assert start_barrier.arrive_and_wait(gone, 2, patience=10) is False
