"""SRP challenges sealed in their ``SECRET_BLOCK`` (``pool.srp_blocks``): a start writes nothing, every
block is as long as any other, and a block is answered once, by one of racing threads or processes,
for its own pool and client, before it expires; answered blocks are forgotten later."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from mfa_portal.clock import FakeClock
from mfa_portal.cognito_api.srp import SrpClient
from mfa_portal.pool import srp, srp_blocks
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.passwords import PasswordHasher
from mfa_portal.pool.srp_blocks import KEEP_AFTER_EXPIRY
from tests.support.auth_world import ALL_FLOWS, SignInRig, tokens_of
from tests.support.cognito_errors import raises_cognito
from tests.support.pool_rig import PASSWORD
from tests.support.race import run_in_processes, run_together

WRONG = "Incorrect username or password."
SESSION_SECONDS = 180


def _rig(engine: Engine, **options: Any) -> SignInRig:
    rig = SignInRig(engine, flows=[*ALL_FLOWS, "ALLOW_USER_SRP_AUTH"], prevent=True, **options)
    rig.user("alice")
    return rig


def _start(rig: SignInRig, client: SrpClient, name: str = "alice") -> dict[str, Any]:
    params = {"USERNAME": name, "SRP_A": client.srp_a}
    started = rig.engine.call(
        "InitiateAuth",
        {"ClientId": rig.client_id, "AuthFlow": "USER_SRP_AUTH", "AuthParameters": params},
    )
    parameters: dict[str, Any] = started["ChallengeParameters"]
    return parameters


def _answers(rig: SignInRig, client: SrpClient, parameters: dict[str, Any]) -> dict[str, str]:
    return {
        **client.answer(parameters, now=rig.clock.now()),
        "USERNAME": parameters["USERNAME"],
    }


def _count(engine: Engine, table: str) -> int:
    with engine.db.read() as conn:
        return int(conn.execute(f"SELECT COUNT(*) AS n FROM {table}").fetchone()["n"])


def test_a_start_writes_nothing(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Anyone who knows a name may post starts: they must not fill the database."""
    rig = _rig(engine)

    def no_writes() -> None:
        raise AssertionError("an SRP start wrote")

    monkeypatch.setattr(engine.db, "transaction", no_writes)
    for name in ("alice", "nobody"):
        assert _start(rig, SrpClient(rig.pool_id, PASSWORD), name)["SECRET_BLOCK"]
    monkeypatch.undo()
    assert _count(engine, "auth_sessions") == 0


def test_every_block_is_as_long_as_any_other(engine: Engine) -> None:
    """A user's, a user's without a verifier yet, a made-up name's, an absurd name's: the length
    says nothing about who exists."""
    rig = _rig(engine)
    rig.user("legacy")
    rig.sql("DELETE FROM srp_verifiers WHERE user_id = ?", rig.row("legacy").id)
    names = ["alice", "legacy", "nobody", "x" * 3000]
    blocks = [_start(rig, SrpClient(rig.pool_id, PASSWORD), name)["SECRET_BLOCK"] for name in names]
    assert len({len(block) for block in blocks}) == 1
    assert all(base64.b64decode(block, validate=True) for block in blocks)  # what the SDKs sign


@pytest.mark.parametrize("name", ["x" * 128, "é" * 128, "\u2028" * 128])
def test_a_decoy_carries_a_name_of_cognitos_longest_with_the_longest_a(
    engine: Engine, name: str
) -> None:
    """The decoy carries its challenge too now; a name of 128 characters, each escaped in the JSON,
    must still fit beside the longest A, or its wrong answers would count against nothing."""
    rig = _rig(engine)
    ctx = Context(engine, engine.clock.now(), None)
    longest = "f" * srp.MAX_A_DIGITS
    decoy = srp_blocks.Decoy(name, rig.client_id, ctx.now + 60, longest, longest[:768], "f" * 64)
    block = srp_blocks.decoy_block(ctx, rig.pool_id, decoy)
    assert srp_blocks.decoy_of(ctx, rig.pool_id, block) == decoy
    assert len(block) == len(_start(rig, SrpClient(rig.pool_id, PASSWORD))["SECRET_BLOCK"])


def test_a_block_is_answered_once(engine: Engine) -> None:
    rig = _rig(engine)
    client = SrpClient(rig.pool_id, PASSWORD)
    answers = _answers(rig, client, _start(rig, client))
    assert tokens_of(rig.respond("PASSWORD_VERIFIER", None, **answers))["AccessToken"]
    with raises_cognito("NotAuthorizedException", WRONG):
        rig.respond("PASSWORD_VERIFIER", None, **answers)


def test_of_racing_answers_exactly_one_is_judged(engine: Engine) -> None:
    rig = _rig(engine)
    client = SrpClient(rig.pool_id, PASSWORD)
    answers = _answers(rig, client, _start(rig, client))

    def answer() -> str:
        try:
            return "tokens" if tokens_of(rig.respond("PASSWORD_VERIFIER", None, **answers)) else ""
        except Exception as exc:  # noqa: BLE001 - the loser's error is the outcome
            return type(exc).__name__

    outcomes = run_together([answer for _ in range(6)], after_each=engine.db.close)
    assert sorted(outcomes) == ["NotAuthorizedException"] * 5 + ["tokens"], outcomes


def _answer_in_process(
    data_dir: str,
    url: str | None,
    now: float,
    params: dict[str, Any],
    start_line: Any,
    results: Any,
) -> None:
    try:
        engine = Engine(
            Path(data_dir),
            clock=FakeClock(now),
            hasher=PasswordHasher(memory_kib=1024, time_cost=1),
            database_url=url,
        )
        start_line.wait()
        try:
            engine.call("RespondToAuthChallenge", params)
            results.put("tokens")
        except Exception as exc:  # noqa: BLE001 - the loser's error is the outcome
            results.put(type(exc).__name__)
        engine.db.close_all()
    except BaseException as exc:  # the parent fails with the reason
        results.put(repr(exc))


def test_of_answers_racing_in_processes_exactly_one_is_judged(
    engine: Engine, tmp_path: Path, database_url: str | None
) -> None:
    rig = _rig(engine)
    client = SrpClient(rig.pool_id, PASSWORD)
    params = {
        "ClientId": rig.client_id,
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeResponses": _answers(rig, client, _start(rig, client)),
    }
    racers = [(str(tmp_path / "pool"), database_url, rig.clock.now(), params)] * 4
    outcomes = run_in_processes(_answer_in_process, racers)
    assert outcomes == ["NotAuthorizedException"] * 3 + ["tokens"], outcomes


def test_an_expired_block_is_refused(engine: Engine) -> None:
    rig = _rig(engine)
    client = SrpClient(rig.pool_id, PASSWORD)
    parameters = _start(rig, client)
    rig.clock.advance(SESSION_SECONDS)
    with raises_cognito("NotAuthorizedException", WRONG):
        rig.respond("PASSWORD_VERIFIER", None, **_answers(rig, client, parameters))


def test_a_block_answers_only_for_its_own_client_and_pool(engine: Engine) -> None:
    rig = _rig(engine)
    client = SrpClient(rig.pool_id, PASSWORD)
    answers = _answers(rig, client, _start(rig, client))
    mine = rig.client_id
    rig.add_client(ClientName="other", ExplicitAuthFlows=[*ALL_FLOWS, "ALLOW_USER_SRP_AUTH"])
    with raises_cognito("NotAuthorizedException", WRONG):
        rig.respond("PASSWORD_VERIFIER", None, **answers)  # the other client of the pool
    other_pool = _rig(engine)
    with raises_cognito("NotAuthorizedException", WRONG):
        other_pool.respond("PASSWORD_VERIFIER", None, **answers)
    assert tokens_of(rig.respond("PASSWORD_VERIFIER", None, client_id=mine, **answers))


def test_a_changed_block_is_refused(engine: Engine) -> None:
    rig = _rig(engine)
    client = SrpClient(rig.pool_id, PASSWORD)
    parameters = _start(rig, client)
    raw = bytearray(base64.b64decode(parameters["SECRET_BLOCK"]))
    raw[100] = ord("A") if raw[100] != ord("A") else ord("B")
    forged = {**parameters, "SECRET_BLOCK": base64.b64encode(bytes(raw)).decode()}
    with raises_cognito("NotAuthorizedException", WRONG):
        rig.respond("PASSWORD_VERIFIER", None, **_answers(rig, client, forged))


def test_answered_blocks_are_forgotten_an_hour_after_they_expire(engine: Engine) -> None:
    rig = _rig(engine)
    for _ in range(2):
        client = SrpClient(rig.pool_id, PASSWORD)
        rig.respond("PASSWORD_VERIFIER", None, **_answers(rig, client, _start(rig, client)))
    assert _count(engine, "srp_spent") == 2
    rig.clock.advance(SESSION_SECONDS + KEEP_AFTER_EXPIRY + 1)
    client = SrpClient(rig.pool_id, PASSWORD)
    rig.respond("PASSWORD_VERIFIER", None, **_answers(rig, client, _start(rig, client)))
    assert _count(engine, "srp_spent") == 1  # the two old ones went with the next answer


def test_replaying_an_answer_tells_no_name_from_a_user(engine: Engine) -> None:
    """A decoy's block is answered once too: were its replays counted against the name while a
    user's replays are refused uncounted, six replays would end in "Password attempts exceeded"
    only for a name that is no user."""
    rig = _rig(engine)
    said: dict[str, list[str]] = {}
    for name in ("alice", "nobody"):
        client = SrpClient(rig.pool_id, "Wrong-horse-9!")
        answers = _answers(rig, client, _start(rig, client, name))
        said[name] = []
        for _ in range(7):
            with raises_cognito("NotAuthorizedException") as caught:
                rig.respond("PASSWORD_VERIFIER", None, **answers)
            said[name].append(caught.message)
    assert said["alice"] == said["nobody"] == [WRONG] * 7
