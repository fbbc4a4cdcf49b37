"""Races are decided by the database: exactly one winner, every loser gets a Cognito error.

Threads share one engine (each thread has its own connection); processes share only the data
directory, as several ``mfa-portal pool serve`` workers would. The rig is the one in
``tests/support/race_world.py``: SQLite files here unless ``MFA_PORTAL_TEST_DATABASE=postgresql``
(``test_races_on_both_engines.py`` always runs its races on both engines).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mfa_portal.cognito_api import errors
from mfa_portal.pool import auth_sessions
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.passwords import PasswordHasher
from tests.support.engine_calls import IAM, respond_to_totp
from tests.support.race import run_in_processes
from tests.support.race_world import (
    NOW,
    TEMP_PASSWORD,
    THREADS,
    RaceWorld,
    answer_totp_in_a_process,
    race_world,
)


@pytest.fixture
def world(tmp_path: Path, database_url: str | None) -> Iterator[RaceWorld]:
    with race_world(tmp_path / "pool", database_url) as w:
        yield w


def race(world: RaceWorld, attempt: Callable[[], Any]) -> list[Any]:
    """Run ``attempt`` in THREADS threads released together; each result or CognitoError, in a list."""
    return world.in_threads([attempt] * THREADS)


def split(outcomes: list[Any]) -> tuple[list[Any], list[errors.CognitoError]]:
    strange = [o for o in outcomes if isinstance(o, BaseException)]
    strange = [o for o in strange if not isinstance(o, errors.CognitoError)]
    assert not strange, f"non-Cognito exceptions escaped: {strange!r}"
    failures = [o for o in outcomes if isinstance(o, errors.CognitoError)]
    return [o for o in outcomes if not isinstance(o, BaseException)], failures


# --- threads -----------------------------------------------------------------------------------


def test_racing_spends_of_one_auth_session_have_one_winner(world: RaceWorld) -> None:
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


def test_racing_answers_to_one_new_password_challenge_have_one_winner(world: RaceWorld) -> None:
    world.add_user("alice", temporary=True)
    challenge = world.sign_in("alice", TEMP_PASSWORD)
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


def test_racing_totp_answers_on_one_session_have_one_winner(world: RaceWorld) -> None:
    secret = world.enrolled("alice")
    session = world.sign_in("alice")["Session"]
    code = world.code(secret)

    def answer() -> dict[str, Any]:
        return respond_to_totp(world.engine, world.client_id, session, code)

    wins, losses = split(race(world, answer))
    assert len(wins) == 1 and "AuthenticationResult" in wins[0]
    assert len(losses) == THREADS - 1
    assert {e.code for e in losses} <= {"NotAuthorizedException", "CodeMismatchException"}


def test_racing_admin_create_user_with_one_name_has_one_winner(world: RaceWorld) -> None:
    def create() -> dict[str, Any]:
        return world.admin("AdminCreateUser", Username="alice", MessageAction="SUPPRESS")

    wins, losses = split(race(world, create))
    assert len(wins) == 1 and wins[0]["User"]["Username"] == "alice"
    assert {e.code for e in losses} == {"UsernameExistsException"}
    with world.engine.db.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 1


def test_racing_case_variants_in_a_case_insensitive_pool_have_one_winner(
    tmp_path: Path, database_url: str | None
) -> None:
    names = iter(["alice", "Alice", "ALICE", "aLice", "alIce", "aliCe", "alicE", "ALice"])
    lock = threading.Lock()
    with race_world(tmp_path / "ci", database_url) as w:
        pool_id = w.engine.call(
            "CreateUserPool",
            {"PoolName": "ci", "UsernameConfiguration": {"CaseSensitive": False}},
            iam_principal=IAM,
        )["UserPool"]["Id"]

        def create() -> dict[str, Any]:
            with lock:
                name = next(names)
            return w.engine.call(
                "AdminCreateUser",
                {"UserPoolId": pool_id, "Username": name, "MessageAction": "SUPPRESS"},
                iam_principal=IAM,
            )

        wins, losses = split(race(w, create))
        assert len(wins) == 1
        assert {e.code for e in losses} == {"UsernameExistsException"}


# --- processes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("sessions", ["one session", "a session each"])
def test_two_processes_racing_on_one_totp_code_have_one_winner(
    world: RaceWorld, sessions: str
) -> None:
    """The same code twice, from two pool processes: the session or the replay guard stops one."""
    secret = world.enrolled("alice")
    first = world.sign_in("alice")["Session"]
    second = first if sessions == "one session" else world.sign_in("alice")["Session"]
    code = world.code(secret)
    world.engine.db.close()

    data_dir, now = str(world.engine.data_dir), world.clock.now()
    args = [(data_dir, world.database_url, world.client_id, s, code, now) for s in (first, second)]
    outcomes = run_in_processes(answer_totp_in_a_process, args)
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
    outcomes = run_in_processes(_start_engine_in_another_process, [(str(data_dir),)] * 2)
    engine = Engine(data_dir)
    try:
        for sealed, kid in outcomes:
            assert not sealed.startswith("crash"), sealed
            assert engine.seal.open(sealed, "user:1") == "seed"
            assert kid == engine.signer.kid("access")
        assert engine.db.schema_version() >= 1
    finally:
        engine.db.close()
