"""Run a blocking engine call on a worker thread, off the event loop.

Not Starlette's ``run_in_threadpool`` (anyio's ``to_thread``): its capacity limiter, cancel scope
and worker queue cost about 130 µs of CPU per hop on the bench machine, against 60 µs for asyncio's
``run_in_executor``. On a sign-in, whose argon2 hash leaves little CPU for anything else, that
difference is a measurable share of the throughput.

Same bound as anyio's default (40 threads): a burst of slow calls waits for a thread instead of
starting hundreds. Waiting callers cost nothing but a queued item; argon2 itself is bounded
separately (``hash_slots``). A forked child starts its own pool (``thread_pools``). The caller's
``contextvars`` are not carried over: the engine reads none.

A call that hashes a password goes to a password-call thread instead (``in_password_thread``), where
its hash runs without one more hop, and its mail, if any, is sent from a call thread.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from mfa_portal.pool.password_calls import FinishElsewhere
from mfa_portal.pool.passwords import HASH_SLOTS
from mfa_portal.thread_pools import ProcessThreadPool

MAX_THREADS = 40
THREAD_NAME = "mfa-portal-call"  # the prefix of their names

T = TypeVar("T")

_CALL_THREADS = ProcessThreadPool(MAX_THREADS, THREAD_NAME)


async def in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` on one of the process's call threads; its result or its exception.

    A cancelled caller stops waiting; the call itself runs to its end (a transaction is never
    abandoned half way), as with Starlette's helper.
    """
    call = functools.partial(fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_CALL_THREADS.get(), call)


async def in_password_thread(
    fn: Callable[..., dict[str, Any]], *args: Any, **kwargs: Any
) -> dict[str, Any]:
    """``fn(*args, **kwargs)``, a call that hashes a password (``password_calls``), on one of the
    process's password-call threads; as ``in_thread`` otherwise. When the call has mail to send,
    it stops there and its rest runs on a call thread (``password_calls.FinishElsewhere``)."""
    call = functools.partial(_password_call, functools.partial(fn, *args, **kwargs))
    executor = HASH_SLOTS.password_call_threads()
    answer, rest = await asyncio.get_running_loop().run_in_executor(executor, call)
    if rest is None:
        return answer
    # Shielded: its transaction has committed, so the rest runs to its end even if this caller
    # is cancelled, rather than leave a challenge open whose code was never mailed.
    return await asyncio.shield(asyncio.wrap_future(rest))


def _password_call(
    call: Callable[[], dict[str, Any]],
) -> tuple[dict[str, Any], Future[dict[str, Any]] | None]:
    """On the password-call thread: the call's answer, or its rest already started on a call
    thread (started here, so a caller that stopped waiting does not stop it)."""
    try:
        return call(), None
    except FinishElsewhere as rest:
        return {}, _CALL_THREADS.get().submit(rest.finish)
