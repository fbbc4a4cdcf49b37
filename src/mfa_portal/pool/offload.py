"""Run a blocking engine call on a worker thread, off the event loop.

Not Starlette's ``run_in_threadpool`` (anyio's ``to_thread``): its capacity limiter, cancel scope
and worker queue cost about 130 µs of CPU per hop on the bench machine, against 60 µs for asyncio's
``run_in_executor``. On a sign-in, whose argon2 hash leaves little CPU for anything else, that
difference is a measurable share of the throughput.

Same bound as anyio's default (40 threads): a burst of slow calls waits for a thread instead of
starting hundreds. Waiting callers cost nothing but a queued item; argon2 itself is bounded
separately (``hash_slots``). A forked child (an embedding application's pre-fork server) starts its
own pool: threads do not survive a fork. The caller's ``contextvars`` are not carried over: the
engine reads none.
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

MAX_THREADS = 40
THREAD_NAME = "mfa-portal-call"  # the prefix of their names

T = TypeVar("T")

_lock = threading.Lock()
_executor: tuple[int, ThreadPoolExecutor] | None = None  # with the pid that started it


def _pool() -> ThreadPoolExecutor:
    global _executor
    pid, current = _executor or (0, None)
    if current is not None and pid == os.getpid():
        return current
    with _lock:
        if _executor is None or _executor[0] != os.getpid():  # none yet, or the parent's
            _executor = (os.getpid(), ThreadPoolExecutor(MAX_THREADS, THREAD_NAME))
        return _executor[1]


async def in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` on one of the process's call threads; its result or its exception.

    A cancelled caller stops waiting; the call itself runs to its end (a transaction is never
    abandoned half way), as with Starlette's helper.
    """
    call = functools.partial(fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_pool(), call)
