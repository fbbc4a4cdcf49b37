"""PreventUserExistenceErrors=ENABLED over real HTTP with real boto3: limits do not give users away.

A real name and an unknown one are driven through the same sequence of calls; every answer (error
name and message, or the response) must be the same for both (spec §7.3, ASVS 6.3.8).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from mfa_portal.clock import FakeClock

if TYPE_CHECKING:
    from tests.support.wire import MakeWireServer

PASSWORD = "Correct-Horse-9!"
REAL, UNKNOWN = "alice", "nobody"


class Pool:
    """A pool whose app client hides existence, with one user, ``alice``, on a fake clock."""

    def __init__(self, make_wire_server: MakeWireServer) -> None:
        self.clock = FakeClock(1_800_000_015.0)
        self.idp = make_wire_server(clock=self.clock).client()
        self.pool_id = self.idp.create_user_pool(
            PoolName="hidden",
            AccountRecoverySetting={
                "RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]
            },
        )["UserPool"]["Id"]
        self.client_id = self.idp.create_user_pool_client(
            UserPoolId=self.pool_id,
            ClientName="web",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"],
            PreventUserExistenceErrors="ENABLED",
        )["UserPoolClient"]["ClientId"]
        self.idp.admin_create_user(
            UserPoolId=self.pool_id,
            Username=REAL,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": "alice@example.com"},
                {"Name": "email_verified", "Value": "true"},
            ],
        )
        self.idp.admin_set_user_password(
            UserPoolId=self.pool_id, Username=REAL, Password=PASSWORD, Permanent=True
        )

    def sign_in(self, name: str) -> Any:
        return self.idp.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": "Wrong-Horse-9!"},
        )

    def admin_sign_in(self, name: str) -> Any:
        return self.idp.admin_initiate_auth(
            UserPoolId=self.pool_id,
            ClientId=self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": "Wrong-Horse-9!"},
        )

    def forgot(self, name: str) -> Any:
        return self.idp.forgot_password(ClientId=self.client_id, Username=name)

    def confirm(self, name: str) -> Any:
        return self.idp.confirm_forgot_password(
            ClientId=self.client_id,
            Username=name,
            ConfirmationCode="000000",
            Password="New-Horse-9!x",
        )


def answer(call: Callable[[str], Any], name: str) -> str:
    """What a client can tell from one call: the error name and message, or that it succeeded."""
    try:
        call(name)
    except ClientError as exc:
        return f"{exc.response['Error']['Code']}: {exc.response['Error']['Message']}"
    return "ok"


@pytest.fixture
def pool(make_wire_server: MakeWireServer) -> Pool:
    return Pool(make_wire_server)


@pytest.mark.parametrize("entry", ["InitiateAuth", "AdminInitiateAuth"])
def test_the_sixth_wrong_password_answers_alike_for_real_and_unknown_names(
    pool: Pool, entry: str
) -> None:
    attempt = pool.sign_in if entry == "InitiateAuth" else pool.admin_sign_in
    answers = {name: [answer(attempt, name) for _ in range(7)] for name in (REAL, UNKNOWN)}
    wrong = "NotAuthorizedException: Incorrect username or password."
    locked = "NotAuthorizedException: Password attempts exceeded"
    assert answers[REAL] == [wrong] * 5 + [locked] * 2
    assert answers[UNKNOWN] == answers[REAL]
    pool.clock.advance(1)  # the lock ends alike, too
    assert answer(attempt, UNKNOWN) == answer(attempt, REAL) == wrong


def test_forgot_password_limit_answers_alike_for_real_and_unknown_names(pool: Pool) -> None:
    answers = {name: [answer(pool.forgot, name) for _ in range(6)] for name in (REAL, UNKNOWN)}
    limit = "LimitExceededException: Attempt limit exceeded, please try after some time."
    assert answers[REAL] == ["ok"] * 5 + [limit]
    assert answers[UNKNOWN] == answers[REAL]
    pool.clock.advance(3600)
    assert answer(pool.forgot, UNKNOWN) == answer(pool.forgot, REAL) == "ok"


def test_confirm_forgot_password_answers_alike_for_real_and_unknown_names(pool: Pool) -> None:
    expired = "ExpiredCodeException: Invalid code provided, please request a code again."
    mismatch = "CodeMismatchException: Invalid verification code provided, please try again."
    for name in (REAL, UNKNOWN):
        assert answer(pool.confirm, name) == expired, name  # no code was requested
        pool.forgot(name)
        guesses = [answer(pool.confirm, name) for _ in range(6)]
        assert guesses == [mismatch] * 5 + [expired], name  # five guesses void the code
        pool.forgot(name)
        assert answer(pool.confirm, name) == mismatch, name
        pool.clock.advance(3600)  # the code expires after an hour
        assert answer(pool.confirm, name) == expired, name
