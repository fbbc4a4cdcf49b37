"""USER_SRP_AUTH over real HTTP with real boto3, on a client with PreventUserExistenceErrors=ENABLED:
neither step tells a real name from an unknown one.

Each test drives a real name and an unknown one through the same calls and compares what a caller
sees: status, error name and message, and the challenge's parameters.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from mfa_portal.cognito_api.srp import N, timestamp
from tests.support.wire import WireServer

PASSWORD = "Correct-Horse-9!"
REAL, UNKNOWN = "alice", "nobody"


class Pool:
    """A pool whose SRP client hides existence, with one user, ``alice``."""

    def __init__(self, server: WireServer, **pool_options: Any) -> None:
        self.server = server
        self.idp = server.client()
        self.pool_id = self.idp.create_user_pool(PoolName="hidden", **pool_options)["UserPool"][
            "Id"
        ]
        self.client_id = self.idp.create_user_pool_client(
            UserPoolId=self.pool_id,
            ClientName="web",
            ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            PreventUserExistenceErrors="ENABLED",
        )["UserPoolClient"]["ClientId"]

    def user(self, name: str, **extra: Any) -> str:
        made = self.idp.admin_create_user(
            UserPoolId=self.pool_id, Username=name, MessageAction="SUPPRESS", **extra
        )["User"]["Username"]
        self.idp.admin_set_user_password(
            UserPoolId=self.pool_id, Username=name, Password=PASSWORD, Permanent=True
        )
        return str(made)

    def raw_start(self, name: str, srp_a: str) -> tuple[int, dict[str, Any]]:
        """InitiateAuth posted by hand, so that a server error shows as its status."""
        body = {
            "ClientId": self.client_id,
            "AuthFlow": "USER_SRP_AUTH",
            "AuthParameters": {"USERNAME": name, "SRP_A": srp_a},
        }
        reply = requests.post(
            self.server.endpoint + "/",
            json=body,
            headers={
                "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
                "Content-Type": "application/x-amz-json-1.1",
            },
            timeout=30,
        )
        return reply.status_code, reply.json()


@pytest.fixture
def pool(wire_server: WireServer) -> Pool:
    made = Pool(wire_server)
    made.user(REAL)
    return made


@pytest.mark.parametrize(
    "srp_a",
    ["ab" * 1000, "ab" * 386, "-ab", "0xab", " ab ", "a_b", format(N, "x")],
    ids=["2000-digits", "772-digits", "sign", "0x", "blanks", "underscore", "N"],
)
def test_a_bad_srp_a_is_refused_alike_for_a_real_and_an_unknown_name(
    pool: Pool, srp_a: str
) -> None:
    """A too long A was a 500 for a real user and a normal challenge for an unknown name."""
    answers = [pool.raw_start(name, srp_a) for name in (REAL, UNKNOWN)]
    assert answers[0] == answers[1]
    assert answers[0] == (
        400,
        {
            "__type": "InvalidParameterException",
            "message": "SRP_A is not a valid SRP public value.",
        },
    )


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return str(err["Code"]), str(err["Message"])


def _start(pool: Pool, name: str) -> dict[str, str]:
    started = pool.idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": name, "SRP_A": format(pow(2, 12345, N), "x")},
    )
    parameters: dict[str, str] = started["ChallengeParameters"]
    return parameters


def test_the_salt_is_the_same_on_every_start_for_a_real_and_an_unknown_name(pool: Pool) -> None:
    """A real user's salt never changes between starts; an unknown name's was random each time."""
    for name in (REAL, UNKNOWN):
        salts = {_start(pool, name)["SALT"] for _ in range(3)}
        assert len(salts) == 1, name


def test_an_unknown_email_gets_a_generated_username_like_a_real_one(
    wire_server: WireServer,
) -> None:
    """In an email-as-username pool, a registered email comes back as the UUID the pool generated;
    an unknown one came back as typed."""
    email_pool = Pool(
        wire_server,
        UsernameAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
    )
    username = email_pool.user(
        "frank@example.com", UserAttributes=[{"Name": "email_verified", "Value": "true"}]
    )
    shown = {
        name: {_start(email_pool, name)["USER_ID_FOR_SRP"] for _ in range(2)}
        for name in ("frank@example.com", "FRANK@example.com", "ghost@example.com")
    }
    assert shown["frank@example.com"] == shown["FRANK@example.com"] == {username}
    (decoy,) = shown["ghost@example.com"]
    assert decoy != "ghost@example.com"
    assert len(decoy) == len(username) and decoy.count("-") == username.count("-") == 4


def test_a_claim_naming_someone_else_is_answered_alike(pool: Pool) -> None:
    """A real user's block answered with another USERNAME said "Invalid session for the user.",
    an unknown name's "Incorrect username or password."."""
    answers = []
    for name in (REAL, UNKNOWN):
        parameters = _start(pool, name)
        with pytest.raises(ClientError) as exc:
            pool.idp.respond_to_auth_challenge(
                ClientId=pool.client_id,
                ChallengeName="PASSWORD_VERIFIER",
                ChallengeResponses={
                    "USERNAME": "someone-else",
                    "PASSWORD_CLAIM_SECRET_BLOCK": parameters["SECRET_BLOCK"],
                    "TIMESTAMP": timestamp(time.time()),
                    "PASSWORD_CLAIM_SIGNATURE": "AAAA",
                },
            )
        answers.append(_error(exc))
    assert answers[0] == answers[1] == ("NotAuthorizedException", "Incorrect username or password.")
