"""GetTokensFromRefreshToken and refresh-token rotation, over HTTP with boto3.

What the SDKs do to keep a session alive past the access token's hour (Amplify v6 calls
GetTokensFromRefreshToken), and what rotation promises: each refresh hands out a new refresh token,
a lost answer may be retried within the grace period, and a replaced token used after that revokes
the whole family.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.clocks import OffsetClock
from tests.support.wire import MakeWireServer

PASSWORD = "Correct-Horse-9!"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@dataclass
class RefreshPool:
    idp: Any
    pool_id: str
    clock: OffsetClock

    def client(self, **extra: Any) -> dict[str, Any]:
        made: dict[str, Any] = self.idp.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName="app", ExplicitAuthFlows=FLOWS, **extra
        )["UserPoolClient"]
        return made

    def sign_in(self, client_id: str, secret: str | None = None) -> dict[str, Any]:
        params = {"USERNAME": "alice", "PASSWORD": PASSWORD}
        if secret:
            from mfa_portal.cognito_api.secret_hash import compute_secret_hash

            params["SECRET_HASH"] = compute_secret_hash(secret, "alice", client_id)
        result: dict[str, Any] = self.idp.initiate_auth(
            ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params
        )["AuthenticationResult"]
        return result

    def refresh(self, client_id: str, token: str, **extra: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.idp.get_tokens_from_refresh_token(
            ClientId=client_id, RefreshToken=token, **extra
        )["AuthenticationResult"]
        return result


@pytest.fixture
def pool(make_wire_server: MakeWireServer) -> RefreshPool:
    clock = OffsetClock()
    idp = make_wire_server(clock=clock).client()
    pool_id = idp.create_user_pool(PoolName="refresh")["UserPool"]["Id"]
    idp.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS")
    idp.admin_set_user_password(
        UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True
    )
    return RefreshPool(idp, pool_id, clock)


def _code(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return str(err["Code"]), str(err["Message"])


def test_get_tokens_from_refresh_token_renews_an_expired_access_token(pool: RefreshPool) -> None:
    client_id = pool.client()["ClientId"]
    first = pool.sign_in(client_id)
    pool.clock.advance(3700)  # past the access token's hour
    with pytest.raises(ClientError):
        pool.idp.get_user(AccessToken=first["AccessToken"])
    renewed = pool.refresh(client_id, first["RefreshToken"])
    assert "RefreshToken" not in renewed  # without rotation the refresh token stays the same
    assert pool.idp.get_user(AccessToken=renewed["AccessToken"])["Username"] == "alice"
    again = pool.refresh(client_id, first["RefreshToken"])
    assert again["AccessToken"] != renewed["AccessToken"]


def test_rotation_hands_out_a_new_refresh_token_each_time(pool: RefreshPool) -> None:
    client_id = pool.client(RefreshTokenRotation={"Feature": "ENABLED"})["ClientId"]
    first = pool.sign_in(client_id)
    second = pool.refresh(client_id, first["RefreshToken"])
    third = pool.refresh(client_id, second["RefreshToken"])
    assert len({first["RefreshToken"], second["RefreshToken"], third["RefreshToken"]}) == 3
    assert pool.idp.get_user(AccessToken=third["AccessToken"])["Username"] == "alice"


def test_a_replaced_token_used_again_revokes_the_whole_family(pool: RefreshPool) -> None:
    client_id = pool.client(RefreshTokenRotation={"Feature": "ENABLED"})["ClientId"]
    first = pool.sign_in(client_id)
    second = pool.refresh(client_id, first["RefreshToken"])
    with pytest.raises(ClientError) as exc:  # a stolen copy of the first token, replayed
        pool.refresh(client_id, first["RefreshToken"])
    assert _code(exc)[0] == "RefreshTokenReuseException"
    with pytest.raises(ClientError) as exc:  # and the legitimate holder's newer token dies with it
        pool.refresh(client_id, second["RefreshToken"])
    assert _code(exc) == ("NotAuthorizedException", "Refresh Token has been revoked")
    with pytest.raises(ClientError):
        pool.idp.get_user(AccessToken=second["AccessToken"])


def test_within_the_grace_period_a_lost_answer_may_be_retried(pool: RefreshPool) -> None:
    client_id = pool.client(
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 30}
    )["ClientId"]
    first = pool.sign_in(client_id)
    pool.refresh(client_id, first["RefreshToken"])  # the answer the client never received
    pool.clock.advance(10)
    retried = pool.refresh(client_id, first["RefreshToken"])
    assert pool.idp.get_user(AccessToken=retried["AccessToken"])["Username"] == "alice"
    pool.clock.advance(31)
    with pytest.raises(ClientError) as exc:
        pool.refresh(client_id, first["RefreshToken"])
    assert _code(exc)[0] == "RefreshTokenReuseException"


def test_a_rotating_client_refreshes_only_through_get_tokens(pool: RefreshPool) -> None:
    client_id = pool.client(RefreshTokenRotation={"Feature": "ENABLED"})["ClientId"]
    first = pool.sign_in(client_id)
    with pytest.raises(ClientError) as exc:
        pool.idp.initiate_auth(
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},
        )
    assert _code(exc)[0] == "InvalidParameterException"


def test_a_client_with_a_secret_must_send_it(pool: RefreshPool) -> None:
    client = pool.client(GenerateSecret=True)
    first = pool.sign_in(client["ClientId"], client["ClientSecret"])
    with pytest.raises(ClientError) as exc:
        pool.refresh(client["ClientId"], first["RefreshToken"])
    assert _code(exc)[0] == "NotAuthorizedException"
    with pytest.raises(ClientError) as exc:
        pool.refresh(client["ClientId"], first["RefreshToken"], ClientSecret="w" * 51)
    assert _code(exc)[0] == "NotAuthorizedException"
    renewed = pool.refresh(
        client["ClientId"], first["RefreshToken"], ClientSecret=client["ClientSecret"]
    )
    assert "AccessToken" in renewed


def test_a_token_of_another_client_or_a_made_up_one_is_refused(pool: RefreshPool) -> None:
    one, two = pool.client()["ClientId"], pool.client()["ClientId"]
    first = pool.sign_in(one)
    with pytest.raises(ClientError) as exc:
        pool.refresh(two, first["RefreshToken"])
    assert _code(exc) == ("NotAuthorizedException", "Refresh Token has different Client")
    with pytest.raises(ClientError) as exc:
        pool.refresh(one, "x" * 86)
    assert _code(exc) == ("NotAuthorizedException", "Invalid Refresh Token")


def test_refresh_needs_the_flow_on_the_client(pool: RefreshPool) -> None:
    client_id = pool.client()["ClientId"]
    first = pool.sign_in(client_id)
    pool.idp.update_user_pool_client(
        UserPoolId=pool.pool_id, ClientId=client_id, ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )
    with pytest.raises(ClientError) as exc:
        pool.refresh(client_id, first["RefreshToken"])
    assert _code(exc)[0] == "InvalidParameterException"
