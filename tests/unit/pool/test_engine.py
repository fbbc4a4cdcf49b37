"""Dispatch: unknown and unsupported operations, the IAM rule, validation before the handler; the clock."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mfa_portal.clock import FakeClock, SystemClock, SystemRandom
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.registry import Params, Result
from tests.support.cognito_errors import raises_cognito

POOL = "us-east-1_abc123"
SPY_ANSWER: Result = {"Username": "spy", "UserAttributes": []}  # fits GetUser and AdminGetUser


class Spy:
    """A stand-in handler that records what it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple[Context, Params]] = []

    def __call__(self, ctx: Context, p: Params) -> Result:
        self.calls.append((ctx, p))
        return dict(SPY_ANSWER)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch, engine: Engine) -> Spy:
    handler = Spy()
    monkeypatch.setitem(engine.handlers, "AdminGetUser", handler)
    monkeypatch.setitem(engine.handlers, "GetUser", handler)
    return handler


def test_unknown_operation(engine: Engine) -> None:
    with raises_cognito("UnknownOperationException") as caught:
        engine.call("StealEverything", {}, iam_principal="test")
    assert caught.message == "Unknown operation StealEverything."
    assert caught.status == 400
    assert not engine.supports("StealEverything")


def test_model_operation_without_a_handler_is_explicitly_unsupported(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(engine.handlers, "AdminGetUser")
    assert not engine.supports("AdminGetUser")
    with raises_cognito("UnsupportedOperationException") as caught:
        engine.call("AdminGetUser", {"UserPoolId": POOL, "Username": "a"}, iam_principal="test")
    assert "AdminGetUser is not supported by the embedded user pool" in caught.message


def test_supported_operations(engine: Engine) -> None:
    for name in ("CreateUserPool", "AdminCreateUser", "InitiateAuth", "RespondToAuthChallenge"):
        assert engine.supports(name)


def test_iam_operation_without_a_principal_is_refused_before_anything_else(
    engine: Engine, spy: Spy
) -> None:
    with raises_cognito("MissingAuthenticationTokenException") as caught:
        engine.call("AdminGetUser", {"Bogus": 1})  # invalid too: authentication comes first
    assert caught.status == 400
    assert spy.calls == []


def test_public_operation_needs_no_principal(engine: Engine, spy: Spy) -> None:
    assert engine.call("GetUser", {"AccessToken": "x" * 30}) == SPY_ANSWER
    assert spy.calls[0][0].iam_principal is None


def test_validation_runs_before_the_handler(engine: Engine, spy: Spy) -> None:
    with raises_cognito("InvalidParameterException"):
        engine.call("AdminGetUser", {"UserPoolId": "bad"}, iam_principal="test")
    with raises_cognito("SerializationException"):
        engine.call("AdminGetUser", ["not", "an", "object"], iam_principal="test")  # type: ignore[arg-type]
    assert spy.calls == []


def test_handler_gets_the_call_context(engine: Engine, spy: Spy, clock: FakeClock) -> None:
    params = {"UserPoolId": POOL, "Username": "alice"}
    engine.call("AdminGetUser", params, iam_principal="AKIDEXAMPLE", source_ip="203.0.113.9")
    ctx, given = spy.calls[0]
    assert given == params
    assert ctx.engine is engine
    assert ctx.now == clock.now()
    assert ctx.iam_principal == "AKIDEXAMPLE"
    assert ctx.source_ip == "203.0.113.9"


def test_each_call_reads_the_clock_once(engine: Engine, spy: Spy, clock: FakeClock) -> None:
    engine.call("AdminGetUser", {"UserPoolId": POOL, "Username": "a"}, iam_principal="t")
    clock.advance(42)
    engine.call("AdminGetUser", {"UserPoolId": POOL, "Username": "a"}, iam_principal="t")
    assert spy.calls[1][0].now - spy.calls[0][0].now == 42


def test_context_randomness_comes_from_the_engine(engine: Engine) -> None:
    class Fixed:
        def token_bytes(self, n: int) -> bytes:
            return b"\x07" * n

    engine.rng = Fixed()
    assert Context(engine, 0.0, None).random_bytes(3) == b"\x07\x07\x07"


def test_engine_parts_and_issuer(tmp_path: Path) -> None:
    eng = Engine(tmp_path / "d", issuer_base="https://pool.example/", region="eu-west-1")
    try:
        assert eng.issuer("eu-west-1_x") == "https://pool.example/eu-west-1_x"
        assert eng.region == "eu-west-1"
        assert isinstance(eng.clock, SystemClock)
        assert (tmp_path / "d" / "pool.sqlite3").exists()
        assert (tmp_path / "d" / "seed.key").exists()
    finally:
        eng.db.close()


def test_a_real_call_end_to_end(engine: Engine) -> None:
    created = engine.call("CreateUserPool", {"PoolName": "p"}, iam_principal="test")
    pool_id = created["UserPool"]["Id"]
    with raises_cognito("UserNotFoundException", "User does not exist."):
        engine.call(
            "AdminGetUser", {"UserPoolId": pool_id, "Username": "ghost"}, iam_principal="test"
        )


# --- clock and randomness ----------------------------------------------------------------------


def test_fake_clock_moves_only_when_told() -> None:
    clock = FakeClock(100.0)
    assert clock.now() == clock.now() == 100.0
    clock.advance(29.5)
    assert clock.now() == 129.5
    clock.set(5.0)
    assert clock.now() == 5.0
    assert FakeClock().now() == 1_800_000_000.0


def test_system_clock_is_the_wall_clock() -> None:
    before = time.time()
    now = SystemClock().now()
    assert before <= now <= time.time()


def test_system_random_gives_fresh_bytes() -> None:
    rng = SystemRandom()
    first, second = rng.token_bytes(32), rng.token_bytes(32)
    assert len(first) == 32 and first != second
    assert rng.token_bytes(0) == b""
