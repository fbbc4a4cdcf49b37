"""Run attempts released at one instant, in threads or in processes: the shape of every
"exactly one wins" test."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any


class Overlap:
    """How many threads are inside ``inside()`` at once, and the most there ever were: the shape of
    every "at most N at a time" test."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self._lock = threading.Lock()

    @contextmanager
    def inside(self) -> Iterator[None]:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            yield
        finally:
            with self._lock:
                self.running -= 1


def run_together(
    attempts: Sequence[Callable[[], Any]],
    *,
    after_each: Callable[[], None] | None = None,
    timeout: float = 60,
) -> list[Any]:
    """Start each attempt in its own thread behind one barrier; return what each returned or raised.

    ``after_each`` runs in the attempt's thread when it is done (e.g. closing that thread's SQLite
    connection). Outcomes are in completion order; an exception is returned, not raised, so the
    test can count winners and losers.
    """
    barrier = threading.Barrier(len(attempts))
    outcomes: list[Any] = []
    lock = threading.Lock()

    def run(attempt: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            outcome: Any = attempt()
        except BaseException as exc:  # a loser's error is an outcome to assert on
            outcome = exc
        finally:
            if after_each is not None:
                after_each()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(attempt,)) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert len(outcomes) == len(attempts), "an attempt did not finish in time"
    return outcomes


def run_in_processes(
    target: Callable[..., None], args: Sequence[tuple[Any, ...]], *, timeout: float = 120
) -> list[Any]:
    """Run ``target(*a, start_line, results)`` for each ``a`` in its own spawned process.

    Processes share nothing but what the arguments name (a data directory, a database URL), as
    replicas do. ``target`` must be importable (module level), wait on ``start_line`` (a barrier of
    all the processes) once it is ready, and put exactly one outcome on ``results`` — a crash too,
    as text, so the parent fails with the reason. Outcomes come back sorted: arrival order means
    nothing.
    """
    spawn = multiprocessing.get_context("spawn")
    start_line, results = spawn.Barrier(len(args)), spawn.Queue()
    children = [spawn.Process(target=target, args=(*a, start_line, results)) for a in args]
    for child in children:
        child.start()
    outcomes = [results.get(timeout=timeout) for _ in children]
    for child in children:
        child.join(timeout=30)
    return sorted(outcomes)
