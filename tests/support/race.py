"""Run attempts in threads released at one instant: the shape of every "exactly one wins" test."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any


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
