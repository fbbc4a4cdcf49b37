"""The client seam: boto3 and the in-process engine raise the same error type and code for one failure."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from mfa_portal.cognito_api import client as client_module
from mfa_portal.cognito_api import errors
from mfa_portal.cognito_api.client import (
    BotoCognitoClient,
    CognitoClient,
    PoolUnreachable,
    client_config,
)
from mfa_portal.pool.client import EngineCognitoClient
from mfa_portal.pool.engine import Engine
from tests.support.cognito_errors import raises_cognito
from tests.support.wire_server import free_port, running_wire_server

POOL = "us-east-1_abc123"


def boto(endpoint: str | None = None, key: str = "AKIDEXAMPLE", secret: str = "s") -> Any:
    return boto3.client(
        "cognito-idp",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
    )


@pytest.fixture
def stubbed() -> Iterator[tuple[BotoCognitoClient, Stubber]]:
    raw = boto()
    with Stubber(raw) as stubber:
        yield BotoCognitoClient(raw), stubber
        stubber.assert_no_pending_responses()


def test_boto_call_returns_the_response_without_metadata(
    stubbed: tuple[BotoCognitoClient, Stubber],
) -> None:
    client, stubber = stubbed
    stubber.add_response(
        "admin_get_user",
        {"Username": "alice", "UserStatus": "CONFIRMED", "ResponseMetadata": {"RequestId": "r"}},
        {"UserPoolId": POOL, "Username": "alice"},
    )
    assert client.call("AdminGetUser", UserPoolId=POOL, Username="alice") == {
        "Username": "alice",
        "UserStatus": "CONFIRMED",
    }


def test_boto_client_error_becomes_the_cognito_error_class(
    stubbed: tuple[BotoCognitoClient, Stubber],
) -> None:
    client, stubber = stubbed
    stubber.add_client_error("admin_get_user", "UserNotFoundException", "User does not exist.")
    with raises_cognito("UserNotFoundException") as caught:
        client.call("AdminGetUser", UserPoolId=POOL, Username="ghost")
    assert isinstance(caught.error, errors.UserNotFoundException)  # botocore's error, translated
    assert caught.message == "User does not exist."
    assert caught.error.__cause__ is None  # no botocore internals chained along


def test_boto_error_outside_the_model_keeps_its_code(
    stubbed: tuple[BotoCognitoClient, Stubber],
) -> None:
    client, stubber = stubbed
    stubber.add_client_error("list_user_pools", "ThrottlingException", "Rate exceeded")
    with raises_cognito("ThrottlingException") as caught:
        client.call("ListUserPools", MaxResults=1)
    assert isinstance(caught.error, errors.CognitoError)


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"UserPoolId": POOL}, "Username"),  # missing required member
        ({"UserPoolId": POOL, "Username": ""}, "Username"),  # below min length
        ({"UserPoolId": POOL, "Username": "a", "Bogus": 1}, "Bogus"),  # unknown member
    ],
)
def test_boto_client_side_validation_is_an_invalid_parameter_error(
    params: dict[str, Any], names: str
) -> None:
    """botocore validates before sending; the portal must still see a CognitoError, as with the engine."""
    with raises_cognito("InvalidParameterException") as caught:
        BotoCognitoClient(boto()).call("AdminGetUser", **params)
    assert isinstance(caught.error, errors.InvalidParameterException)
    assert names in caught.message


def test_boto_client_side_validation_does_not_echo_values() -> None:
    secret = 987654321987  # a code or password of the wrong type is still a secret
    with raises_cognito("InvalidParameterException") as caught:
        BotoCognitoClient(boto()).call(
            "AdminSetUserPassword", UserPoolId=POOL, Username="a", Password=secret
        )
    assert isinstance(caught.error, errors.InvalidParameterException)
    assert "Password" in caught.message
    assert str(secret) not in caught.message


def test_boto_supports_every_model_operation() -> None:
    client = BotoCognitoClient(boto())
    assert client.supports("AdminDeleteSoftwareToken")
    assert not client.supports("StealEverything")


def test_boto_not_implemented_becomes_unsupported_operation() -> None:
    class MotoLike:
        def admin_delete_software_token(self, **params: Any) -> dict[str, Any]:
            raise NotImplementedError(
                "The admin_delete_software_token action has not been implemented"
            )

    with raises_cognito("UnsupportedOperationException") as caught:
        BotoCognitoClient(MotoLike()).call(
            "AdminDeleteSoftwareToken", UserPoolId=POOL, Username="a"
        )
    assert isinstance(caught.error, errors.CognitoError)
    assert "has not been implemented" in caught.message


def test_engine_client_calls_as_a_trusted_principal(engine: Engine) -> None:
    client: CognitoClient = EngineCognitoClient(engine)
    pool_id = client.call("CreateUserPool", PoolName="p")["UserPool"]["Id"]  # an IAM operation
    assert client.call("DescribeUserPool", UserPoolId=pool_id)["UserPool"]["Name"] == "p"
    assert client.supports("AdminGetUser")
    assert not client.supports("StealEverything")


def _missing_user(client: CognitoClient) -> errors.CognitoError:
    pool_id = client.call("CreateUserPool", PoolName="seam")["UserPool"]["Id"]
    with pytest.raises(errors.CognitoError) as caught:
        client.call("AdminGetUser", UserPoolId=pool_id, Username="ghost")
    return caught.value


def _invalid_pool_id(client: CognitoClient) -> errors.CognitoError:
    with pytest.raises(errors.CognitoError) as caught:
        client.call("AdminGetUser", UserPoolId="no-underscore", Username="ghost")
    return caught.value


def _unknown_pool(client: CognitoClient) -> errors.CognitoError:
    with pytest.raises(errors.CognitoError) as caught:
        client.call("DescribeUserPool", UserPoolId="us-east-1_nothere")
    return caught.value


def _missing_member(client: CognitoClient) -> errors.CognitoError:
    with pytest.raises(errors.CognitoError) as caught:
        client.call("AdminGetUser", UserPoolId=POOL)
    return caught.value


@pytest.mark.parametrize(
    "failure", [_missing_user, _invalid_pool_id, _unknown_pool, _missing_member]
)
def test_engine_and_wire_raise_the_same_error(engine: Engine, tmp_path: Path, failure: Any) -> None:
    in_process = failure(EngineCognitoClient(engine))
    with running_wire_server(tmp_path / "wire") as server:
        raw = boto(server.endpoint, server.access_key_id, server.secret_access_key)
        over_wire = failure(BotoCognitoClient(raw))
    assert type(over_wire) is type(in_process)
    assert over_wire.code == in_process.code
    if failure is not _missing_member:  # botocore words its client-side check differently
        assert over_wire.message == in_process.message
    assert isinstance(over_wire, errors.CognitoError) and over_wire.status == in_process.status


def configured(endpoint: str) -> BotoCognitoClient:
    """A client as the portal builds one for Amazon Cognito (its timeouts and retries)."""
    return BotoCognitoClient(
        boto3.client(
            "cognito-idp",
            region_name="us-east-1",
            endpoint_url=endpoint,
            aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key="s",
            config=client_config(),
        )
    )


def test_a_pool_nobody_answers_at_is_pool_unreachable_at_once() -> None:
    """Before, boto3's connection error went through every page uncaught (a 500)."""
    started = time.monotonic()
    with pytest.raises(PoolUnreachable) as raised:
        configured(f"http://127.0.0.1:{free_port()}").call("GetUser", AccessToken="t")
    assert time.monotonic() - started < 10  # three attempts, short back-off
    assert isinstance(raised.value, errors.CognitoError)  # pages that handle the pool's errors
    assert raised.value.code == "InternalErrorException"
    assert "GetUser: EndpointConnectionError" in raised.value.message


def test_a_pool_that_never_answers_is_given_up_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """An endpoint that accepts and then says nothing held a request (and its thread) for minutes
    under boto3's defaults (60 s to read, 5 attempts). The portal's limit, shortened here."""
    monkeypatch.setattr(client_module, "READ_TIMEOUT_SECONDS", 0.5)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        started = time.monotonic()
        with pytest.raises(PoolUnreachable) as raised:
            configured(f"http://127.0.0.1:{silent.getsockname()[1]}").call(
                "GetUser", AccessToken="t"
            )
        elapsed = time.monotonic() - started
    assert "ReadTimeoutError" in raised.value.message
    assert client_module.ATTEMPTS * 0.5 <= elapsed < 10
