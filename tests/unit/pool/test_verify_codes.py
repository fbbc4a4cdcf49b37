"""Sign-up and attribute verification codes: sealed at rest, bound to user and purpose, single-use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mfa_portal.clock import FakeClock
from mfa_portal.cognito_api import errors
from mfa_portal.mail import Message
from mfa_portal.pool import verify_codes
from mfa_portal.pool.context import Context
from mfa_portal.pool.engine import Engine
from mfa_portal.pool.passwords import PasswordHasher
from mfa_portal.pool.verify_codes import Verdict
from tests.unit.pool.test_reset_codes import make_user

IAM = "test"


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return Engine(tmp_path, clock=FakeClock(), hasher=PasswordHasher(memory_kib=1024, time_cost=1))


def issue(engine: Engine, user_id: int, purpose: str = verify_codes.SIGN_UP) -> str:
    with engine.db.transaction() as conn:
        ctx = Context(engine, engine.clock.now(), None)
        return verify_codes.issue_code(ctx, conn, user_id, purpose, destination="a@example.com")


def check(engine: Engine, user_id: int, code: str, purpose: str = verify_codes.SIGN_UP) -> Verdict:
    with engine.db.transaction() as conn:
        ctx = Context(engine, engine.clock.now(), None)
        return verify_codes.check_code(ctx, conn, user_id, purpose, code).verdict


def test_the_code_is_not_stored(engine: Engine) -> None:
    user_id = make_user(engine)
    code = issue(engine, user_id)
    with engine.db.read() as conn:
        row = dict(conn.execute("SELECT * FROM verification_codes").fetchone())
    assert code not in str(row)


def test_a_code_is_bound_to_its_purpose_and_user(engine: Engine) -> None:
    alice, bob = make_user(engine, "alice"), make_user(engine, "bob")
    code = issue(engine, alice)
    assert check(engine, alice, code, verify_codes.EMAIL) is Verdict.EXPIRED  # none sent for email
    assert check(engine, bob, code) is Verdict.EXPIRED
    assert check(engine, alice, code) is Verdict.ACCEPTED
    assert check(engine, alice, code) is Verdict.EXPIRED  # single use


def test_a_sealed_code_moved_to_another_row_does_not_match(engine: Engine) -> None:
    alice, bob = make_user(engine, "alice"), make_user(engine, "bob")
    code = issue(engine, alice)
    issue(engine, bob)
    with engine.db.transaction() as conn:
        conn.execute(
            "UPDATE verification_codes SET code_hash = "
            "(SELECT code_hash FROM verification_codes WHERE user_id = ?) WHERE user_id = ?",
            (alice, bob),
        )
    assert check(engine, bob, code) is Verdict.WRONG


class FailingMailer:
    def send(self, message: Message) -> None:
        raise OSError("connection refused to smtp.example: code in " + message.body)


def test_a_failed_delivery_keeps_the_user_and_says_so(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    engine.mailer = FailingMailer()
    pool_id = engine.call(
        "CreateUserPool",
        {"PoolName": "p", "AutoVerifiedAttributes": ["email"]},
        iam_principal=IAM,
    )["UserPool"]["Id"]
    client_id = engine.call(
        "CreateUserPoolClient", {"UserPoolId": pool_id, "ClientName": "c"}, iam_principal=IAM
    )["UserPoolClient"]["ClientId"]
    params: dict[str, Any] = {
        "ClientId": client_id,
        "Username": "alice",
        "Password": "Correct-Horse-9!",
        "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}],
    }
    with pytest.raises(errors.CodeDeliveryFailureException):
        engine.call("SignUp", params)
    user = engine.call(
        "AdminGetUser", {"UserPoolId": pool_id, "Username": "alice"}, iam_principal=IAM
    )
    assert user["UserStatus"] == "UNCONFIRMED"
    assert "code in" not in caplog.text  # the cause is logged by type only
    with pytest.raises(errors.CodeDeliveryFailureException):
        engine.call("ResendConfirmationCode", {"ClientId": client_id, "Username": "alice"})
