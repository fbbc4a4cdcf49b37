"""Races are decided by the database: exactly one winner, every loser gets a Cognito error.

Threads share one engine (each thread has its own SQLite connection); processes share only the data
directory, as several ``mfa-portal pool serve`` workers would.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp
import pytest

from mfa_portal.clock import FakeClock
from mfa_portal.cognito_api import errors
from mfa_portal.pool import auth_sessions
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.passwords import PasswordHasher
from tests.support.engine_calls import totp_pool
from tests.support.race import run_together

IAM = "test"
PASSWORD = "Correct-Horse-9!"
THREADS = 8
NOW = 1_800_000_015.0


@dataclass
class World:
    engine: Engine
    clock: FakeClock
    pool_id: str
    client_id: str

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

    def add_user(self, username: str, *, temporary: bool = False) -> None:
        self.admin(
            "AdminCreateUser",
            Username=username,
            MessageAction="SUPPRESS",
            TemporaryPassword="Temp-Pass-123!",
        )
        if not temporary:
            self.admin("AdminSetUserPassword", Username=username, Password=PASSWORD, Permanent=True)

    def enrol(self, username: str) -> str:
        access = self.sign_in(username)["AuthenticationResult"]["AccessToken"]
        secret = str(
            self.engine.call("AssociateSoftwareToken", {"AccessToken": access})["SecretCode"]
        )
        self.engine.call(
            "VerifySoftwareToken",
            {"AccessToken": access, "UserCode": pyotp.TOTP(secret).at(self.clock.now())},
        )
        self.engine.call(
            "SetUserMFAPreference",
            {
                "AccessToken": access,
                "SoftwareTokenMfaSettings": {"Enabled": True, "PreferredMfa": True},
            },
        )
        self.clock.advance(30)  # the enrolment code's step is consumed; move to a fresh one
        return secret


def make_world(data_dir: Path, clock: FakeClock) -> World:
    engine = Engine(data_dir, clock=clock, hasher=PasswordHasher(memory_kib=256, time_cost=1))
    pool_id, client_id = totp_pool(engine, "race")
    return World(engine, clock, pool_id, client_id)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = make_world(tmp_path / "pool", FakeClock(NOW))
    yield w
    w.engine.db.close()


def race(world: World, attempt: Callable[[], Any]) -> list[Any]:
    """Run ``attempt`` in THREADS threads released together; each result or CognitoError, in a list."""
    return run_together([attempt] * THREADS, after_each=world.engine.db.close)


def split(outcomes: list[Any]) -> tuple[list[Any], list[errors.CognitoError]]:
    strange = [o for o in outcomes if isinstance(o, BaseException)]
    strange = [o for o in strange if not isinstance(o, errors.CognitoError)]
    assert not strange, f"non-Cognito exceptions escaped: {strange!r}"
    failures = [o for o in outcomes if isinstance(o, errors.CognitoError)]
    return [o for o in outcomes if not isinstance(o, BaseException)], failures


# --- threads -----------------------------------------------------------------------------------


def test_racing_spends_of_one_auth_session_have_one_winner(world: World) -> None:
    world.add_user("alice")
    with world.engine.db.transaction() as conn:
        user_id = conn.execute("SELECT id FROM users WHERE username = 'alice'").fetchone()[0]
        session = auth_sessions.create_session(
            Context(world.engine, NOW, None),
            conn,
            pool_id=world.pool_id,
            client_id=world.client_id,
            user_id=user_id,
            stage=auth_sessions.SessionStage.PASSWORD_OK,
            challenge="SOFTWARE_TOKEN_MFA",
            ttl_seconds=180,
        )

    def spend() -> int:
        with world.engine.db.transaction() as conn:
            found = auth_sessions.spend_session(Context(world.engine, NOW, None), conn, session)
        return found.user_id

    wins, losses = split(race(world, spend))
    assert wins == [user_id]
    assert {(type(e), e.message) for e in losses} == {
        (errors.NotAuthorizedException, "Invalid session for the user.")
    }


def test_racing_answers_to_one_new_password_challenge_have_one_winner(world: World) -> None:
    world.add_user("alice", temporary=True)
    challenge = world.sign_in("alice", "Temp-Pass-123!")
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"

    def answer() -> dict[str, Any]:
        return world.engine.call(
            "RespondToAuthChallenge",
            {
                "ClientId": world.client_id,
                "ChallengeName": "NEW_PASSWORD_REQUIRED",
                "Session": challenge["Session"],
                "ChallengeResponses": {"USERNAME": "alice", "NEW_PASSWORD": "Brand-New-Pass-7!"},
            },
        )

    wins, losses = split(race(world, answer))
    assert len(wins) == 1 and "AuthenticationResult" in wins[0]
    assert {(e.code, e.message) for e in losses} == {
        ("NotAuthorizedException", "Invalid session for the user.")
    }


def test_racing_totp_answers_on_one_session_have_one_winner(world: World) -> None:
    world.add_user("alice")
    secret = world.enrol("alice")
    session = world.sign_in("alice")["Session"]
    code = pyotp.TOTP(secret).at(world.clock.now())

    def answer() -> dict[str, Any]:
        return world.engine.call(
            "RespondToAuthChallenge",
            {
                "ClientId": world.client_id,
                "ChallengeName": "SOFTWARE_TOKEN_MFA",
                "Session": session,
                "ChallengeResponses": {"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code},
            },
        )

    wins, losses = split(race(world, answer))
    assert len(wins) == 1 and "AuthenticationResult" in wins[0]
    assert len(losses) == THREADS - 1
    assert {e.code for e in losses} <= {"NotAuthorizedException", "CodeMismatchException"}


def test_racing_admin_create_user_with_one_name_has_one_winner(world: World) -> None:
    def create() -> dict[str, Any]:
        return world.admin("AdminCreateUser", Username="alice", MessageAction="SUPPRESS")

    wins, losses = split(race(world, create))
    assert len(wins) == 1 and wins[0]["User"]["Username"] == "alice"
    assert {e.code for e in losses} == {"UsernameExistsException"}
    with world.engine.db.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 1


def test_racing_case_variants_in_a_case_insensitive_pool_have_one_winner(tmp_path: Path) -> None:
    w = make_world(tmp_path / "ci", FakeClock(NOW))
    pool_id = w.engine.call(
        "CreateUserPool",
        {"PoolName": "ci", "UsernameConfiguration": {"CaseSensitive": False}},
        iam_principal=IAM,
    )["UserPool"]["Id"]
    names = iter(["alice", "Alice", "ALICE", "aLice", "alIce", "aliCe", "alicE", "ALice"])
    lock = threading.Lock()

    def create() -> dict[str, Any]:
        with lock:
            name = next(names)
        return w.engine.call(
            "AdminCreateUser",
            {"UserPoolId": pool_id, "Username": name, "MessageAction": "SUPPRESS"},
            iam_principal=IAM,
        )

    try:
        wins, losses = split(race(w, create))
        assert len(wins) == 1
        assert {e.code for e in losses} == {"UsernameExistsException"}
    finally:
        w.engine.db.close()


# --- processes ---------------------------------------------------------------------------------


def _answer_in_another_process(
    data_dir: str,
    client_id: str,
    session: str,
    code: str,
    now: float,
    start_line: Any,
    results: Any,
) -> None:
    """A separate pool process: its own Engine on the shared data dir, its clock at the same instant."""
    engine = Engine(
        Path(data_dir), clock=FakeClock(now), hasher=PasswordHasher(memory_kib=256, time_cost=1)
    )
    try:
        start_line.wait(30)  # both engines are open: call at the same moment
        engine.call(
            "RespondToAuthChallenge",
            {
                "ClientId": client_id,
                "ChallengeName": "SOFTWARE_TOKEN_MFA",
                "Session": session,
                "ChallengeResponses": {"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code},
            },
        )
        results.put("tokens")
    except errors.CognitoError as err:
        results.put(err.code)
    except BaseException as exc:  # reported, so the parent fails with the reason
        results.put(f"crash: {exc!r}")
    finally:
        engine.db.close()


@pytest.mark.parametrize("sessions", ["one session", "a session each"])
def test_two_processes_racing_on_one_totp_code_have_one_winner(
    world: World, tmp_path: Path, sessions: str
) -> None:
    """The same code twice, from two pool processes: the session or the replay guard stops one."""
    world.add_user("alice")
    secret = world.enrol("alice")
    first = world.sign_in("alice")["Session"]
    second = first if sessions == "one session" else world.sign_in("alice")["Session"]
    code = pyotp.TOTP(secret).at(world.clock.now())
    world.engine.db.close()

    spawn = multiprocessing.get_context("spawn")
    start_line, results = spawn.Barrier(2), spawn.Queue()
    children = [
        spawn.Process(
            target=_answer_in_another_process,
            args=(
                str(world.engine.data_dir),
                world.client_id,
                session,
                code,
                world.clock.now(),
                start_line,
                results,
            ),
        )
        for session in (first, second)
    ]
    for child in children:
        child.start()
    outcomes = sorted(results.get(timeout=60) for _ in children)
    for child in children:
        child.join(timeout=30)
    expected_loss = (
        "NotAuthorizedException" if sessions == "one session" else "CodeMismatchException"
    )
    assert outcomes == sorted(["tokens", expected_loss])


def _start_engine_in_another_process(data_dir: str, start_line: Any, results: Any) -> None:
    """A pool process starting on a data dir that may not exist yet."""
    try:
        start_line.wait(30)
        engine = Engine(Path(data_dir), hasher=PasswordHasher(memory_kib=256, time_cost=1))
        results.put((engine.seal.seal("seed", "user:1"), engine.signer.kid("access")))
        engine.db.close()
    except BaseException as exc:  # reported, so the parent fails with the reason
        results.put((f"crash: {exc!r}", ""))


def test_two_processes_starting_on_an_empty_data_dir_agree_on_keys(tmp_path: Path) -> None:
    """Schema, seed key and signing keys are created once; neither process fails or forks a key."""
    data_dir = tmp_path / "fresh"
    spawn = multiprocessing.get_context("spawn")
    start_line, results = spawn.Barrier(2), spawn.Queue()
    children = [
        spawn.Process(
            target=_start_engine_in_another_process, args=(str(data_dir), start_line, results)
        )
        for _ in range(2)
    ]
    for child in children:
        child.start()
    outcomes = [results.get(timeout=60) for _ in children]
    for child in children:
        child.join(timeout=30)
    engine = Engine(data_dir)
    try:
        for sealed, kid in outcomes:
            assert not sealed.startswith("crash"), sealed
            assert engine.seal.open(sealed, "user:1") == "seed"
            assert kid == engine.signer.kid("access")
        assert engine.db.schema_version() >= 1
    finally:
        engine.db.close()
