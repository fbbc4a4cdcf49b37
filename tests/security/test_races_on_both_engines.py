"""Exactly one of N racing uses wins, on SQLite and on PostgreSQL, across threads and processes.

The guarantees behind single-use things — the TOTP replay guard's compare-and-set, a challenge
session spent once, a recovery code used once, a failure counter that counts every failure — come
from the storage layer's write transaction (SQLite's ``BEGIN IMMEDIATE``, PostgreSQL's advisory
lock). Each race here runs on both engines; processes share only the data directory (its keys) and
the database, as several replicas of one deployment do.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pyotp
import pytest

from mfa_portal.admin.recovery_codes import RecoveryCodes
from mfa_portal.admin.store import PortalStore
from mfa_portal.clock import FakeClock
from mfa_portal.cognito_api import errors
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.passwords import PasswordHasher
from tests.support.engine_calls import totp_pool
from tests.support.race import run_together
from tests.support.support_desk import cheap_hasher

IAM = "test"
PASSWORD = "Correct-Horse-9!"
THREADS = 8
PROCESSES = 3
NOW = 1_800_000_015.0


@dataclass
class World:
    engine: Engine
    clock: FakeClock
    pool_id: str
    client_id: str
    url: str | None

    def admin(self, op: str, **params: Any) -> dict[str, Any]:
        return self.engine.call(op, {"UserPoolId": self.pool_id, **params}, iam_principal=IAM)

    def sign_in(self, username: str, password: str = PASSWORD) -> dict[str, Any]:
        return self.engine.call(
            "InitiateAuth",
            {
                "ClientId": self.client_id,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": username, "PASSWORD": password},
            },
        )

    def enrolled(self, username: str) -> str:
        self.admin("AdminCreateUser", Username=username, MessageAction="SUPPRESS")
        self.admin("AdminSetUserPassword", Username=username, Password=PASSWORD, Permanent=True)
        access = self.sign_in(username)["AuthenticationResult"]["AccessToken"]
        secret = str(
            self.engine.call("AssociateSoftwareToken", {"AccessToken": access})["SecretCode"]
        )
        code = pyotp.TOTP(secret).at(self.clock.now())
        self.engine.call("VerifySoftwareToken", {"AccessToken": access, "UserCode": code})
        self.engine.call(
            "SetUserMFAPreference",
            {
                "AccessToken": access,
                "SoftwareTokenMfaSettings": {"Enabled": True, "PreferredMfa": True},
            },
        )
        self.clock.advance(30)  # the enrolment code's step is consumed; move to a fresh one
        return secret


def _engine(data_dir: Path, now: float, url: str | None) -> Engine:
    return Engine(
        data_dir,
        clock=FakeClock(now),
        hasher=PasswordHasher(memory_kib=256, time_cost=1),
        database_url=url,
    )


@pytest.fixture
def world(tmp_path: Path, any_database: str | None) -> Iterator[World]:
    engine = _engine(tmp_path / "pool", NOW, any_database)
    assert isinstance(engine.clock, FakeClock)
    pool_id, client_id = totp_pool(engine, "race")
    yield World(engine, engine.clock, pool_id, client_id, any_database)
    engine.db.close_all()


def answer(engine: Engine, client_id: str, session: str, code: str) -> str:
    """One SOFTWARE_TOKEN_MFA answer: "tokens", or the Cognito error's code."""
    try:
        engine.call(
            "RespondToAuthChallenge",
            {
                "ClientId": client_id,
                "ChallengeName": "SOFTWARE_TOKEN_MFA",
                "Session": session,
                "ChallengeResponses": {"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code},
            },
        )
    except errors.CognitoError as err:
        return err.code
    return "tokens"


def in_threads(world: World, attempts: Sequence[Callable[[], Any]]) -> list[Any]:
    return run_together(attempts, after_each=world.engine.db.close)


def _answer_in_a_process(
    data_dir: str,
    url: str | None,
    client_id: str,
    session: str,
    code: str,
    now: float,
    start_line: Any,
    results: Any,
) -> None:
    """A separate pool process (a replica): its own Engine on the shared keys and database."""
    try:
        engine = _engine(Path(data_dir), now, url)
        try:
            start_line.wait(60)
            results.put(answer(engine, client_id, session, code))
        finally:
            engine.db.close_all()
    except BaseException as exc:  # reported, so the parent fails with the reason
        results.put(f"crash: {exc!r}")


def in_processes(target: Callable[..., None], args: list[tuple[Any, ...]]) -> list[Any]:
    spawn = multiprocessing.get_context("spawn")
    start_line, results = spawn.Barrier(len(args)), spawn.Queue()
    children = [spawn.Process(target=target, args=(*a, start_line, results)) for a in args]
    for child in children:
        child.start()
    outcomes = [results.get(timeout=120) for _ in children]
    for child in children:
        child.join(timeout=30)
    return sorted(outcomes)


def test_threads_racing_one_challenge_session_have_one_winner(world: World) -> None:
    secret = world.enrolled("alice")
    session = world.sign_in("alice")["Session"]
    code = pyotp.TOTP(secret).at(world.clock.now())
    attempt = partial(answer, world.engine, world.client_id, session, code)
    outcomes = sorted(in_threads(world, [attempt] * THREADS))
    assert outcomes.count("tokens") == 1
    assert set(outcomes) - {"tokens"} <= {"NotAuthorizedException", "CodeMismatchException"}


def test_threads_racing_one_totp_code_have_one_winner(world: World) -> None:
    """A session each: only the replay guard (compare-and-set on the time step) stops the others
    (after five replays the lockout answers the rest)."""
    secret = world.enrolled("alice")
    sessions = [world.sign_in("alice")["Session"] for _ in range(THREADS)]
    code = pyotp.TOTP(secret).at(world.clock.now())
    attempts = [partial(answer, world.engine, world.client_id, s, code) for s in sessions]
    outcomes = sorted(in_threads(world, attempts))
    assert outcomes.count("tokens") == 1
    assert set(outcomes) - {"tokens"} <= {"CodeMismatchException", "NotAuthorizedException"}


@pytest.mark.parametrize("sessions", ["one session", "a session each"])
def test_processes_racing_one_totp_code_have_one_winner(world: World, sessions: str) -> None:
    secret = world.enrolled("alice")
    first = world.sign_in("alice")["Session"]
    chosen = [
        first if sessions == "one session" else world.sign_in("alice")["Session"]
        for _ in range(PROCESSES)
    ]
    code = pyotp.TOTP(secret).at(world.clock.now())
    world.engine.db.close()
    data_dir = str(world.engine.data_dir)
    args = [(data_dir, world.url, world.client_id, s, code, world.clock.now()) for s in chosen]
    outcomes = in_processes(_answer_in_a_process, args)
    loss = "NotAuthorizedException" if sessions == "one session" else "CodeMismatchException"
    assert outcomes == sorted(["tokens"] + [loss] * (PROCESSES - 1)), outcomes


def test_concurrent_wrong_passwords_are_each_counted(world: World) -> None:
    """Lockout counting under concurrency: no lost update of the failure counter."""
    world.admin("AdminCreateUser", Username="bob", MessageAction="SUPPRESS")
    world.admin("AdminSetUserPassword", Username="bob", Password=PASSWORD, Permanent=True)

    def wrong() -> str:
        try:
            world.sign_in("bob", "Wrong-Password-1!")
        except errors.CognitoError as err:
            return err.code
        return "tokens"

    outcomes = in_threads(world, [wrong] * 4)
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
    outcomes = in_processes(_use_recovery_code_in_a_process, args)
    assert outcomes == [False] * (PROCESSES - 1) + [True], outcomes
