"""The wire's worker threads: calls leave the event loop, answer or raise as themselves, at most
``MAX_THREADS`` run at once, and a forked worker process gets threads of its own. A password call
runs on a password-call thread and leaves its mail to a call thread, which sends it even when the
caller stopped waiting."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from typing import Any

import pytest

from mfa_portal.pool import offload
from mfa_portal.pool.hash_slots import PASSWORD_CALL_THREAD_NAME
from mfa_portal.pool.password_calls import FinishElsewhere
from tests.support.race import Overlap


def test_a_call_runs_on_a_named_worker_thread_with_its_arguments() -> None:
    def where(a: int, *, b: int) -> tuple[str, int]:
        return threading.current_thread().name, a + b

    name, total = asyncio.run(offload.in_thread(where, 2, b=3))
    assert name.startswith(offload.THREAD_NAME)
    assert total == 5


def test_a_calls_exception_reaches_the_caller() -> None:
    def fails() -> None:
        raise LookupError("no such user")

    with pytest.raises(LookupError, match="no such user"):
        asyncio.run(offload.in_thread(fails))


def test_no_more_than_max_threads_calls_run_at_once() -> None:
    overlap = Overlap()
    release = threading.Event()

    def held() -> None:
        with overlap.inside():
            release.wait(10)

    async def burst() -> None:
        calls = [
            asyncio.ensure_future(offload.in_thread(held)) for _ in range(offload.MAX_THREADS + 20)
        ]
        for _ in range(200):  # until every thread is busy
            await asyncio.sleep(0.01)
            if overlap.running == offload.MAX_THREADS:
                break
        await asyncio.sleep(0.1)  # a 41st would have started by now
        assert overlap.running == offload.MAX_THREADS
        release.set()
        await asyncio.gather(*calls)

    asyncio.run(burst())
    assert overlap.most == offload.MAX_THREADS


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_runs_calls_on_threads_of_its_own() -> None:
    """The parent's pool has idle threads that do not exist in a child; a child that queued work
    on that pool would wait for ever. ``pool serve`` spawns its workers, but an application that
    embeds the wire app may well fork (gunicorn's pre-fork workers do)."""
    assert asyncio.run(offload.in_thread(lambda: 1)) == 1  # the parent's pool exists
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only when its call came back
        signal.alarm(10)
        try:
            code = 0 if asyncio.run(offload.in_thread(lambda: 42)) == 42 else 1
        finally:
            os._exit(code if "code" in locals() else 2)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail("the forked child's call never ran")


def test_a_password_call_runs_on_a_password_call_thread_and_its_mail_on_a_call_thread() -> None:
    threads: dict[str, str] = {}

    def mail_and_answer() -> dict[str, Any]:
        threads["mail"] = threading.current_thread().name
        return {"ChallengeName": "EMAIL_OTP"}

    def sign_in() -> dict[str, Any]:
        threads["call"] = threading.current_thread().name
        raise FinishElsewhere(mail_and_answer)

    assert asyncio.run(offload.in_password_thread(sign_in)) == {"ChallengeName": "EMAIL_OTP"}
    assert threads["call"].startswith(PASSWORD_CALL_THREAD_NAME)
    assert threads["mail"].startswith(offload.THREAD_NAME)
    assert asyncio.run(offload.in_password_thread(lambda: {"answer": 1})) == {"answer": 1}


def test_a_password_calls_failure_or_its_mails_reaches_the_caller() -> None:
    def mail_fails() -> dict[str, Any]:
        raise ConnectionRefusedError("no mail server")

    def hash_fails() -> dict[str, Any]:
        raise KeyError("no such user")

    def sign_in() -> dict[str, Any]:
        raise FinishElsewhere(mail_fails)

    with pytest.raises(KeyError, match="no such user"):
        asyncio.run(offload.in_password_thread(hash_fails))
    with pytest.raises(ConnectionRefusedError, match="no mail server"):
        asyncio.run(offload.in_password_thread(sign_in))


def test_the_rest_of_a_password_call_runs_even_when_its_caller_stops_waiting() -> None:
    """Its transaction has committed: a challenge must not stay open with its code never sent."""
    hashing = threading.Event()
    proceed = threading.Event()
    mailed = threading.Event()

    def sign_in() -> dict[str, Any]:
        hashing.set()
        proceed.wait(10)

        def mail() -> dict[str, Any]:
            mailed.set()
            return {}

        raise FinishElsewhere(mail)

    async def caller_gives_up() -> None:
        call = asyncio.ensure_future(offload.in_password_thread(sign_in))
        while not hashing.is_set():
            await asyncio.sleep(0.01)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        proceed.set()

    asyncio.run(caller_gives_up())
    assert mailed.wait(10)
