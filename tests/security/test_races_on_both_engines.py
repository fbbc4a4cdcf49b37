"""Exactly one of N racing uses wins, on SQLite and on PostgreSQL, across threads and processes.

The guarantees behind single-use things — the TOTP replay guard's compare-and-set, a challenge
session spent once, a recovery code used once, a failure counter that counts every failure — come
from the storage layer's write transaction (SQLite's ``BEGIN IMMEDIATE``, PostgreSQL's advisory
lock). Each race here runs on both engines; processes share only the data directory (its keys) and
the database, as several replicas of one deployment do.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from mfa_portal.admin.recovery_codes import RecoveryCodes
from mfa_portal.admin.store import PortalStore
from mfa_portal.cognito_api import errors
from tests.support.race import run_in_processes, run_together
from tests.support.race_world import (
    THREADS,
    RaceWorld,
    answer_totp,
    answer_totp_in_a_process,
    race_world,
)
from tests.support.support_desk import cheap_hasher

PROCESSES = 3


@pytest.fixture
def world(tmp_path: Path, any_database: str | None) -> Iterator[RaceWorld]:
    with race_world(tmp_path / "pool", any_database) as w:
        yield w


def test_threads_racing_one_challenge_session_have_one_winner(world: RaceWorld) -> None:
    secret = world.enrolled("alice")
    session = world.sign_in("alice")["Session"]
    attempt = partial(answer_totp, world.engine, world.client_id, session, world.code(secret))
    outcomes = sorted(world.in_threads([attempt] * THREADS))
    assert outcomes.count("tokens") == 1
    assert set(outcomes) - {"tokens"} <= {"NotAuthorizedException", "CodeMismatchException"}


def test_threads_racing_one_totp_code_have_one_winner(world: RaceWorld) -> None:
    """A session each: only the replay guard (compare-and-set on the time step) stops the others
    (after five replays the lockout answers the rest)."""
    secret = world.enrolled("alice")
    sessions = [world.sign_in("alice")["Session"] for _ in range(THREADS)]
    code = world.code(secret)
    attempts = [partial(answer_totp, world.engine, world.client_id, s, code) for s in sessions]
    outcomes = sorted(world.in_threads(attempts))
    assert outcomes.count("tokens") == 1
    assert set(outcomes) - {"tokens"} <= {"CodeMismatchException", "NotAuthorizedException"}


@pytest.mark.parametrize("sessions", ["one session", "a session each"])
def test_processes_racing_one_totp_code_have_one_winner(world: RaceWorld, sessions: str) -> None:
    secret = world.enrolled("alice")
    first = world.sign_in("alice")["Session"]
    chosen = [
        first if sessions == "one session" else world.sign_in("alice")["Session"]
        for _ in range(PROCESSES)
    ]
    code = world.code(secret)
    world.engine.db.close()
    data_dir = str(world.engine.data_dir)
    args = [
        (data_dir, world.database_url, world.client_id, s, code, world.clock.now()) for s in chosen
    ]
    outcomes = run_in_processes(answer_totp_in_a_process, args)
    loss = "NotAuthorizedException" if sessions == "one session" else "CodeMismatchException"
    assert outcomes == sorted(["tokens"] + [loss] * (PROCESSES - 1)), outcomes


def test_concurrent_wrong_passwords_are_each_counted(world: RaceWorld) -> None:
    """Lockout counting under concurrency: no lost update of the failure counter."""
    world.add_user("bob")

    def wrong() -> str:
        try:
            world.sign_in("bob", "Wrong-Password-1!")
        except errors.CognitoError as err:
            return err.code
        return "tokens"

    outcomes = world.in_threads([wrong] * 4)
    assert "tokens" not in outcomes
    with world.engine.db.read() as conn:
        failed = conn.execute("SELECT failed_attempts FROM users WHERE username = 'bob'")
        assert failed.fetchone()[0] == 4


# --- the portal store: recovery codes ----------------------------------------------------------

POOL, SUB = "us-east-1_race", "sub-1"


@pytest.fixture
def store(tmp_path: Path, any_database: str | None) -> Iterator[PortalStore]:
    s = PortalStore.in_data_dir(tmp_path / "portal", any_database)
    yield s
    s.close_all()


def test_threads_racing_one_recovery_code_have_one_winner(store: PortalStore) -> None:
    codes = RecoveryCodes(store, hasher=cheap_hasher())
    code = codes.issue(POOL, SUB)[0]
    results = run_together([partial(codes.consume, POOL, SUB, code)] * THREADS)
    assert sorted(results) == [False] * (THREADS - 1) + [True]
    assert codes.remaining(POOL, SUB) == 9


def _use_recovery_code_in_a_process(
    data_dir: str, url: str | None, code: str, start_line: Any, results: Any
) -> None:
    try:
        store = PortalStore.in_data_dir(Path(data_dir), url)
        try:
            codes = RecoveryCodes(store, hasher=cheap_hasher())
            start_line.wait(60)
            results.put(codes.consume(POOL, SUB, code))
        finally:
            store.close_all()
    except BaseException as exc:  # reported, so the parent fails with the reason
        results.put(f"crash: {exc!r}")


def test_processes_racing_one_recovery_code_have_one_winner(
    store: PortalStore, tmp_path: Path, any_database: str | None
) -> None:
    code = RecoveryCodes(store, hasher=cheap_hasher()).issue(POOL, SUB)[0]
    store.close()
    args = [(str(tmp_path / "portal"), any_database, code)] * PROCESSES
    outcomes = run_in_processes(_use_recovery_code_in_a_process, args)
    assert outcomes == [False] * (PROCESSES - 1) + [True], outcomes
