"""The lockout policy (spec §4.7): its maths, and the one counter passwords and codes share.

How each entry point applies it (free failures, lock, reset, expiry, races) is one parametrized suite
in test_throttle.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from mfa_portal.clock import FakeClock
from mfa_portal.cognito_api.errors import CognitoError
from mfa_portal.pool import lockout, totp
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.pools import load_pool, save_pool
from mfa_portal.pool.users import User, find_user
from tests.support.cognito_errors import raises_cognito
from tests.support.engine_calls import confirmed_user, respond_to_totp

T0 = 1_800_000_000.0
EXCEEDED = "Password attempts exceeded"


def blank_user() -> User:
    return User(
        id=1,
        pool_id="us-east-1_x",
        username="u",
        sub="s",
        status="CONFIRMED",
        enabled=True,
        attributes={},
        password_hash=None,
        temp_password_expires=None,
        mfa_enabled=[],
        preferred_mfa=None,
        tokens_valid_after=0,
        failed_attempts=0,
        last_failure=0,
        locked_until=0,
        created=0,
        modified=0,
    )


def is_locked(user: User, now: float) -> bool:
    try:
        lockout.COGNITO.check_not_locked(user, now)
    except CognitoError as exc:
        assert exc.code == "NotAuthorizedException" and exc.message == EXCEEDED
        return True
    return False


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [
        (1, 0),
        (4, 0),
        (5, 1),
        (6, 2),
        (7, 4),
        (10, 32),
        (14, 512),
        (15, 900),
        (40, 900),
        (10**6, 900),
    ],
)
def test_lock_length_is_two_to_the_n_minus_five_capped_at_900(
    failures: int, seconds: float
) -> None:
    assert lockout.COGNITO.lock_seconds(failures) == seconds


def test_five_failures_are_free_then_one_second() -> None:
    user = blank_user()
    for i in range(4):
        lockout.COGNITO.record_failure(user, T0 + i)
        assert not is_locked(user, T0 + i)
    lockout.COGNITO.record_failure(user, T0 + 4)
    assert is_locked(user, T0 + 4)
    assert is_locked(user, T0 + 4.999)
    assert not is_locked(user, T0 + 5)


def test_each_further_failure_doubles_the_lock_up_to_the_cap() -> None:
    user, now = blank_user(), T0
    locks = []
    for _ in range(16):
        lockout.COGNITO.record_failure(user, now)
        locks.append(user.locked_until - now if user.locked_until else 0)
        now = max(now + 1, user.locked_until)  # the next attempt comes once the lock is over
    # The 15th failure hits the 900 s cap. Waiting out a 900 s lock is also 15 idle minutes, so
    # the next failure starts a new count: at most ~28 guesses an hour (ASVS 2.2.1 allows 100).
    assert locks == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 0]
    assert user.failed_attempts == 1


def test_fifteen_idle_minutes_forget_the_failures() -> None:
    user = blank_user()
    for i in range(6):
        lockout.COGNITO.record_failure(user, T0 + i * 10)
    last = user.last_failure
    lockout.COGNITO.record_failure(user, last + 899)  # not yet idle: counts on (7th failure → 4 s)
    assert user.failed_attempts == 7 and user.locked_until == last + 899 + 4
    lockout.COGNITO.record_failure(user, user.last_failure + 900)
    assert user.failed_attempts == 1
    assert not is_locked(user, user.last_failure)


def test_success_resets_the_counter() -> None:
    user = blank_user()
    for i in range(7):
        lockout.COGNITO.record_failure(user, T0 + i * 100)
    lockout.COGNITO.record_success(user)
    assert (user.failed_attempts, user.locked_until) == (0, 0)
    assert not is_locked(user, T0 + 700)


# --- through the engine -------------------------------------------------------------------------

IAM = "test"
PASSWORD = "Passw0rd!x"


def setup(engine: Engine, mfa: str = "OFF") -> tuple[str, str]:
    pool_id = engine.call("CreateUserPool", {"PoolName": "p"}, iam_principal=IAM)["UserPool"]["Id"]
    with engine.db.transaction() as conn:
        pool = load_pool(conn, pool_id)
        pool.mfa = {"MfaConfiguration": mfa, "SoftwareTokenMfaConfiguration": {"Enabled": True}}
        save_pool(conn, pool)
    client = engine.call(
        "CreateUserPoolClient",
        {
            "UserPoolId": pool_id,
            "ClientName": "c",
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"],
        },
        iam_principal=IAM,
    )["UserPoolClient"]["ClientId"]
    confirmed_user(engine, pool_id, "alice", PASSWORD)
    return pool_id, client


def login(
    engine: Engine, client: str, password: str, *, admin_pool: str | None = None
) -> dict[str, Any]:
    params = {"USERNAME": "alice", "PASSWORD": password}
    if admin_pool:
        return engine.call(
            "AdminInitiateAuth",
            {
                "UserPoolId": admin_pool,
                "ClientId": client,
                "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                "AuthParameters": params,
            },
            iam_principal=IAM,
        )
    return engine.call(
        "InitiateAuth",
        {"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": params},
    )


def stored(engine: Engine, pool_id: str) -> User:
    with engine.db.read() as conn:
        user = find_user(conn, load_pool(conn, pool_id), "alice")
    assert user is not None
    return user


def test_iam_authorised_sign_in_shares_the_counter(engine: Engine, clock: FakeClock) -> None:
    """Spec §4.7: "regardless of whether those are requested with unauthenticated or
    IAM-authorized API operations" (every entry point's own behaviour: test_throttle.py)."""
    pool_id, client = setup(engine)
    for _ in range(5):
        with raises_cognito("NotAuthorizedException", "Incorrect username or password."):
            login(engine, client, "Wrong-pass-1")
    with raises_cognito("NotAuthorizedException", EXCEEDED):
        login(engine, client, PASSWORD)
    # IAM-authorised attempts share the counter (spec §4.1).
    with raises_cognito("NotAuthorizedException", EXCEEDED):
        login(engine, client, PASSWORD, admin_pool=pool_id)
    assert stored(engine, pool_id).failed_attempts == 5  # attempts during the lock are not failures
    clock.advance(1)
    assert "AuthenticationResult" in login(engine, client, PASSWORD)
    assert stored(engine, pool_id).failed_attempts == 0


def test_lock_doubles_through_sign_in(engine: Engine, clock: FakeClock) -> None:
    _, client = setup(engine)
    for _ in range(6):
        with raises_cognito("NotAuthorizedException", "Incorrect username or password."):
            login(engine, client, "Wrong-pass-1")
        clock.advance(1)
    # the sixth failure locked for 2 s; one second has passed
    with raises_cognito("NotAuthorizedException", EXCEEDED):
        login(engine, client, PASSWORD)
    clock.advance(1)
    assert "AuthenticationResult" in login(engine, client, PASSWORD)


def test_passwords_and_mfa_codes_count_into_one_counter(engine: Engine, clock: FakeClock) -> None:
    pool_id, client = setup(engine, mfa="OPTIONAL")
    user = stored(engine, pool_id)
    ctx = Context(engine, clock.now(), None)
    with engine.db.transaction() as conn:
        secret = totp.start_association(ctx, conn, user.id)
        totp.verify_association(ctx, conn, user, totp.code_at(secret, totp.step_at(ctx.now)), "p")
        conn.execute(
            "UPDATE users SET mfa_enabled = '[\"SOFTWARE_TOKEN_MFA\"]' WHERE id = ?", (user.id,)
        )
    clock.advance(30)

    def answer(session: str, code: str) -> dict[str, Any]:
        return respond_to_totp(engine, client, session, code)

    first = login(engine, client, PASSWORD)["Session"]
    for _ in range(3):
        with raises_cognito("CodeMismatchException"):
            answer(first, "000000")
    second = login(engine, client, PASSWORD)["Session"]  # a right password does not reset it
    for _ in range(2):
        with raises_cognito("CodeMismatchException"):
            answer(second, "000000")
    assert stored(engine, pool_id).failed_attempts == 5
    right = totp.code_at(secret, totp.step_at(clock.now()))
    with raises_cognito("NotAuthorizedException", EXCEEDED):
        answer(second, right)
    with raises_cognito("NotAuthorizedException", EXCEEDED):
        login(engine, client, PASSWORD)
    clock.advance(1)
    assert "AuthenticationResult" in answer(second, right)  # the session survived the lock
