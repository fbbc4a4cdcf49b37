"""Password-reset codes: generation, sealed storage, expiry, guess counting and the request limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from mfa_portal.clock import FakeClock
from mfa_portal.cognito_api import messages
from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.pool import reset_codes
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.ids import numeric_code
from mfa_portal.pool.passwords import PasswordHasher
from mfa_portal.pool.reset_codes import Verdict
from tests.support.cognito_errors import raises_cognito

IAM = "test"


class FixedRandom:
    def __init__(self, byte: int) -> None:
        self.byte = byte

    def token_bytes(self, n: int) -> bytes:
        return bytes([self.byte]) * n


def make_user(engine: Engine, name: str = "alice") -> int:
    pools = engine.call("ListUserPools", {"MaxResults": 1}, iam_principal=IAM)["UserPools"]
    if pools:
        pool_id = pools[0]["Id"]
    else:
        made = engine.call("CreateUserPool", {"PoolName": "p"}, iam_principal=IAM)
        pool_id = made["UserPool"]["Id"]
    engine.call(
        "AdminCreateUser",
        {"UserPoolId": pool_id, "Username": name, "MessageAction": "SUPPRESS"},
        iam_principal=IAM,
    )
    with engine.db.read() as conn:
        row = conn.execute("SELECT id FROM users WHERE username = ?", (name,)).fetchone()
    return int(row["id"])


def ctx_of(engine: Engine) -> Context:
    return Context(engine, engine.clock.now(), None)


def issue(engine: Engine, user_id: int, *, counted: bool = True) -> str:
    with engine.db.transaction() as conn:
        return reset_codes.issue_code(ctx_of(engine), conn, user_id, counted=counted)


def check(engine: Engine, user_id: int, code: str) -> Verdict:
    with engine.db.transaction() as conn:
        return reset_codes.check_code(ctx_of(engine), conn, user_id, code)


def other(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.mark.parametrize(("byte", "expected"), [(0x00, "000000"), (0xFF, "551615")])
def test_code_is_six_digits_from_the_injected_randomness(
    tmp_path: Path, clock: FakeClock, byte: int, expected: str
) -> None:
    engine = Engine(
        tmp_path,
        clock=clock,
        rng=FixedRandom(byte),
        hasher=PasswordHasher(memory_kib=1024, time_cost=1),
    )
    try:
        assert (
            numeric_code(ctx_of(engine), reset_codes.CODE_DIGITS) == expected
        )  # (2**64 - 1) % 10**6 == 551615
    finally:
        engine.db.close()


def test_sealed_code_matches_only_its_code_and_user(engine: Engine) -> None:
    ctx = ctx_of(engine)
    stored = reset_codes.seal_code(ctx, 7, "123456")
    assert "123456" not in stored
    assert reset_codes.matches(ctx, 7, stored, "123456")
    assert not reset_codes.matches(ctx, 7, stored, "123457")
    assert not reset_codes.matches(ctx, 8, stored, "123456")  # moved to another user's row
    assert reset_codes.seal_code(ctx, 7, "123456") != stored  # a fresh salt (and nonce) each time
    assert not reset_codes.matches(ctx, 7, "v1:AAAA", "123456")
    assert not reset_codes.matches(ctx, 7, "garbage", "123456")


def test_right_code_is_accepted_once(engine: Engine) -> None:
    user = make_user(engine)
    code = issue(engine, user)
    assert check(engine, user, code) is Verdict.ACCEPTED
    assert check(engine, user, code) is Verdict.EXPIRED


def test_never_issued(engine: Engine) -> None:
    assert check(engine, make_user(engine), "000000") is Verdict.EXPIRED


def test_fifth_wrong_guess_voids_the_code(engine: Engine) -> None:
    user = make_user(engine)
    code = issue(engine, user)
    assert [check(engine, user, other(code)) for _ in range(5)] == [Verdict.WRONG] * 5
    assert check(engine, user, code) is Verdict.EXPIRED
    with engine.db.read() as conn:
        row = conn.execute("SELECT code_hash, attempts FROM reset_codes").fetchone()
    assert row["code_hash"] is None and row["attempts"] == 5


def test_a_row_at_the_attempt_limit_is_refused_even_with_a_hash(engine: Engine) -> None:
    user = make_user(engine)
    code = issue(engine, user)
    with engine.db.transaction() as conn:
        conn.execute("UPDATE reset_codes SET attempts = ?", (reset_codes.MAX_WRONG_CODES,))
    assert check(engine, user, code) is Verdict.EXPIRED


def test_code_expires_after_one_hour(engine: Engine, clock: FakeClock) -> None:
    user = make_user(engine)
    code = issue(engine, user)
    clock.advance(reset_codes.CODE_SECONDS)
    assert check(engine, user, code) is Verdict.EXPIRED
    code = issue(engine, user)
    clock.advance(reset_codes.CODE_SECONDS - 0.5)
    assert check(engine, user, code) is Verdict.ACCEPTED


def test_a_new_code_replaces_the_old_one_and_resets_the_guess_count(engine: Engine) -> None:
    user = make_user(engine)
    first = issue(engine, user)
    for _ in range(4):
        check(engine, user, other(first))
    second = issue(engine, user)
    if second != first:
        assert check(engine, user, first) is Verdict.WRONG
    for _ in range(3):
        check(engine, user, other(second))
    assert check(engine, user, second) is Verdict.ACCEPTED


def test_requests_are_limited_in_a_sliding_hour(engine: Engine, clock: FakeClock) -> None:
    user = make_user(engine)
    for _ in range(reset_codes.MAX_REQUESTS_PER_HOUR):
        issue(engine, user)
        clock.advance(600)
    with raises_cognito("LimitExceededException") as caught:
        issue(engine, user)
    assert caught.message == messages.ATTEMPT_LIMIT_EXCEEDED
    issue(engine, user, counted=False)  # an administrator's reset is not limited
    clock.advance(600)  # the first request is now exactly an hour old
    issue(engine, user)
    with pytest.raises(CognitoError):
        issue(engine, user)


def test_rows_go_with_their_user(engine: Engine) -> None:
    user = make_user(engine)
    issue(engine, user)
    with engine.db.transaction() as conn:
        conn.execute("DELETE FROM users WHERE id = ?", (user,))
    with engine.db.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM reset_codes").fetchone()[0] == 0
