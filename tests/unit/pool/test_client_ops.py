"""Create/Describe/Update/List/DeleteUserPoolClient."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mfa_portal.pool.engine import Engine
from mfa_portal.pool.pools import load_client
from tests.support.cognito_errors import raises_cognito
from tests.support.engine_calls import call, create_pool

DEFAULT_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]


@pytest.fixture
def pool_id(engine: Engine) -> str:
    return str(create_pool(engine)["Id"])


def create_client(engine: Engine, pool_id: str, **params: Any) -> dict[str, Any]:
    response = call(
        engine, "CreateUserPoolClient", {"UserPoolId": pool_id, "ClientName": "web", **params}
    )
    return dict(response["UserPoolClient"])


def test_create_client_defaults(engine: Engine, pool_id: str) -> None:
    client = create_client(engine, pool_id)
    assert re.fullmatch(r"[a-z0-9]{26}", client["ClientId"])
    assert "ClientSecret" not in client
    assert client["UserPoolId"] == pool_id and client["ClientName"] == "web"
    assert client["ExplicitAuthFlows"] == DEFAULT_FLOWS
    assert client["AuthSessionValidity"] == 3
    assert client["PreventUserExistenceErrors"] == "LEGACY"
    assert client["EnableTokenRevocation"] is True
    assert (
        client["AccessTokenValidity"],
        client["IdTokenValidity"],
        client["RefreshTokenValidity"],
    ) == (60, 60, 30)
    assert client["TokenValidityUnits"] == {
        "AccessToken": "minutes",
        "IdToken": "minutes",
        "RefreshToken": "days",
    }
    with engine.db.read() as conn:
        stored = load_client(conn, client["ClientId"], pool_id)
    assert stored.access_token_seconds == stored.id_token_seconds == 3600
    assert stored.refresh_token_seconds == 30 * 86400
    assert stored.auth_session_seconds == 180
    assert stored.allows("ALLOW_USER_SRP_AUTH") and not stored.allows("ALLOW_USER_PASSWORD_AUTH")


def test_generate_secret(engine: Engine, pool_id: str) -> None:
    client = create_client(engine, pool_id, GenerateSecret=True)
    assert re.fullmatch(r"[a-z0-9]{51}", client["ClientSecret"])
    other = create_client(engine, pool_id, GenerateSecret=True)
    assert other["ClientSecret"] != client["ClientSecret"]
    described = call(
        engine, "DescribeUserPoolClient", {"UserPoolId": pool_id, "ClientId": client["ClientId"]}
    )
    assert described["UserPoolClient"] == client


def test_custom_client_secret(engine: Engine, pool_id: str) -> None:
    secret = "a" * 24 + "B1"
    assert (
        create_client(engine, pool_id, GenerateSecret=True, ClientSecret=secret)["ClientSecret"]
        == secret
    )
    with raises_cognito("InvalidParameterException"):
        call(
            engine,
            "CreateUserPoolClient",
            {
                "UserPoolId": pool_id,
                "ClientName": "x",
                "GenerateSecret": False,
                "ClientSecret": secret,
            },
        )


def test_explicit_flows_and_settings_are_kept(engine: Engine, pool_id: str) -> None:
    client = create_client(
        engine,
        pool_id,
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        AuthSessionValidity=15,
        PreventUserExistenceErrors="ENABLED",
        EnableTokenRevocation=False,
        AccessTokenValidity=5,
        TokenValidityUnits={"AccessToken": "minutes"},
        ReadAttributes=["email"],
    )
    assert client["ExplicitAuthFlows"] == [
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    ]
    assert client["ReadAttributes"] == ["email"]
    with engine.db.read() as conn:
        stored = load_client(conn, client["ClientId"], pool_id)
    assert stored.auth_session_seconds == 900
    assert stored.prevent_user_existence_errors is True
    assert stored.token_revocation is False
    assert stored.access_token_seconds == 300


def test_legacy_flows_alone_are_accepted(engine: Engine, pool_id: str) -> None:
    client = create_client(
        engine, pool_id, ExplicitAuthFlows=["ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH"]
    )
    with engine.db.read() as conn:
        stored = load_client(conn, client["ClientId"], pool_id)
    assert stored.allows("ALLOW_ADMIN_USER_PASSWORD_AUTH") and stored.allows(
        "ALLOW_USER_PASSWORD_AUTH"
    )


def test_mixing_legacy_and_allow_flows_is_refused(engine: Engine, pool_id: str) -> None:
    with raises_cognito("InvalidParameterException") as caught:
        call(
            engine,
            "CreateUserPoolClient",
            {
                "UserPoolId": pool_id,
                "ClientName": "x",
                "ExplicitAuthFlows": ["ADMIN_NO_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            },
        )
    message = caught.message
    assert "ALLOW_" in message


def test_value_without_unit_uses_cognito_default_units(engine: Engine, pool_id: str) -> None:
    client = create_client(engine, pool_id, AccessTokenValidity=2, RefreshTokenValidity=10)
    assert client["TokenValidityUnits"] == {
        "AccessToken": "hours",
        "IdToken": "minutes",
        "RefreshToken": "days",
    }
    with engine.db.read() as conn:
        stored = load_client(conn, client["ClientId"], pool_id)
    assert stored.access_token_seconds == 7200 and stored.refresh_token_seconds == 10 * 86400


def test_unit_without_value_keeps_the_default_lifetime(engine: Engine, pool_id: str) -> None:
    client = create_client(
        engine, pool_id, TokenValidityUnits={"AccessToken": "hours", "RefreshToken": "hours"}
    )
    assert (client["AccessTokenValidity"], client["RefreshTokenValidity"]) == (1, 720)


@pytest.mark.parametrize(
    "params",
    [
        {"AccessTokenValidity": 4, "TokenValidityUnits": {"AccessToken": "minutes"}},
        {"AccessTokenValidity": 2, "TokenValidityUnits": {"AccessToken": "days"}},
        {"IdTokenValidity": 25},
        {"IdTokenValidity": 299, "TokenValidityUnits": {"IdToken": "seconds"}},
        {"RefreshTokenValidity": 59, "TokenValidityUnits": {"RefreshToken": "minutes"}},
        {"RefreshTokenValidity": 3651},
        {"RefreshTokenValidity": 0},
        {
            "AccessTokenValidity": 1,
            "TokenValidityUnits": {"AccessToken": "days", "RefreshToken": "hours"},
            "RefreshTokenValidity": 2,
        },
    ],
)
def test_token_validity_out_of_range(engine: Engine, pool_id: str, params: dict[str, Any]) -> None:
    with raises_cognito("InvalidParameterException", "Invalid range for token validity."):
        call(engine, "CreateUserPoolClient", {"UserPoolId": pool_id, "ClientName": "x", **params})


@pytest.mark.parametrize(
    "params",
    [
        {"AccessTokenValidity": 5, "TokenValidityUnits": {"AccessToken": "minutes"}},
        {"IdTokenValidity": 1, "TokenValidityUnits": {"IdToken": "days"}},
        {"RefreshTokenValidity": 60, "TokenValidityUnits": {"RefreshToken": "minutes"}},
        {"RefreshTokenValidity": 3650},
    ],
)
def test_token_validity_bounds_are_inclusive(
    engine: Engine, pool_id: str, params: dict[str, Any]
) -> None:
    create_client(engine, pool_id, **params)


def test_auth_session_validity_range_is_checked_at_dispatch(engine: Engine, pool_id: str) -> None:
    for bad in (2, 16):
        with raises_cognito("InvalidParameterException"):
            call(
                engine,
                "CreateUserPoolClient",
                {"UserPoolId": pool_id, "ClientName": "x", "AuthSessionValidity": bad},
            )


def test_oauth_flag_needs_flows(engine: Engine, pool_id: str) -> None:
    with raises_cognito("InvalidParameterException"):
        call(
            engine,
            "CreateUserPoolClient",
            {"UserPoolId": pool_id, "ClientName": "x", "AllowedOAuthFlowsUserPoolClient": True},
        )


def test_client_in_unknown_pool(engine: Engine) -> None:
    with raises_cognito("ResourceNotFoundException", "User pool us-east-1_nope does not exist."):
        call(engine, "CreateUserPoolClient", {"UserPoolId": "us-east-1_nope", "ClientName": "x"})


def test_describe_unknown_client_or_wrong_pool(engine: Engine, pool_id: str) -> None:
    client = create_client(engine, pool_id)
    other = create_pool(engine)["Id"]
    with raises_cognito("ResourceNotFoundException", "User pool client nope does not exist."):
        call(engine, "DescribeUserPoolClient", {"UserPoolId": pool_id, "ClientId": "nope"})
    with raises_cognito("ResourceNotFoundException"):
        call(
            engine, "DescribeUserPoolClient", {"UserPoolId": other, "ClientId": client["ClientId"]}
        )


def test_update_resets_omitted_members_and_keeps_id_and_secret(
    engine: Engine, pool_id: str
) -> None:
    client = create_client(
        engine,
        pool_id,
        GenerateSecret=True,
        AuthSessionValidity=10,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
    )
    updated = call(
        engine,
        "UpdateUserPoolClient",
        {
            "UserPoolId": pool_id,
            "ClientId": client["ClientId"],
            "PreventUserExistenceErrors": "ENABLED",
        },
    )["UserPoolClient"]
    assert updated["ClientId"] == client["ClientId"]
    assert updated["ClientSecret"] == client["ClientSecret"]
    assert updated["ClientName"] == "web"
    assert updated["AuthSessionValidity"] == 3
    assert updated["ExplicitAuthFlows"] == DEFAULT_FLOWS
    assert updated["PreventUserExistenceErrors"] == "ENABLED"
    described = call(
        engine, "DescribeUserPoolClient", {"UserPoolId": pool_id, "ClientId": client["ClientId"]}
    )
    assert described["UserPoolClient"] == updated


def test_update_validates(engine: Engine, pool_id: str) -> None:
    client = create_client(engine, pool_id)
    with raises_cognito("InvalidParameterException", "Invalid range for token validity."):
        call(
            engine,
            "UpdateUserPoolClient",
            {"UserPoolId": pool_id, "ClientId": client["ClientId"], "IdTokenValidity": 48},
        )
    with raises_cognito("ResourceNotFoundException"):
        call(engine, "UpdateUserPoolClient", {"UserPoolId": pool_id, "ClientId": "nope"})


def test_list_clients_pages(engine: Engine, pool_id: str) -> None:
    ids = {create_client(engine, pool_id, ClientName=f"c{i}")["ClientId"] for i in range(3)}
    create_client(engine, create_pool(engine)["Id"])
    first = call(engine, "ListUserPoolClients", {"UserPoolId": pool_id, "MaxResults": 2})
    assert len(first["UserPoolClients"]) == 2 and "NextToken" in first
    second = call(
        engine,
        "ListUserPoolClients",
        {"UserPoolId": pool_id, "MaxResults": 2, "NextToken": first["NextToken"]},
    )
    assert "NextToken" not in second
    listed = first["UserPoolClients"] + second["UserPoolClients"]
    assert {c["ClientId"] for c in listed} == ids
    assert all(set(c) == {"ClientId", "UserPoolId", "ClientName"} for c in listed)
    with raises_cognito("ResourceNotFoundException"):
        call(engine, "ListUserPoolClients", {"UserPoolId": "us-east-1_nope"})


def test_delete_client(engine: Engine, pool_id: str) -> None:
    client = create_client(engine, pool_id)
    assert (
        call(
            engine, "DeleteUserPoolClient", {"UserPoolId": pool_id, "ClientId": client["ClientId"]}
        )
        == {}
    )
    with raises_cognito("ResourceNotFoundException"):
        call(
            engine,
            "DescribeUserPoolClient",
            {"UserPoolId": pool_id, "ClientId": client["ClientId"]},
        )
    with raises_cognito("ResourceNotFoundException"):
        call(
            engine, "DeleteUserPoolClient", {"UserPoolId": pool_id, "ClientId": client["ClientId"]}
        )


def test_refresh_token_rotation_is_kept_and_described(engine: Engine) -> None:
    pool_id = create_pool(engine)["Id"]
    rotation = {"Feature": "ENABLED", "RetryGracePeriodSeconds": 10}
    params = {"UserPoolId": pool_id, "ClientName": "c", "RefreshTokenRotation": rotation}
    client = call(engine, "CreateUserPoolClient", params)["UserPoolClient"]
    assert client["RefreshTokenRotation"] == rotation
    described = call(
        engine, "DescribeUserPoolClient", {"UserPoolId": pool_id, "ClientId": client["ClientId"]}
    )["UserPoolClient"]
    assert described["RefreshTokenRotation"] == rotation


def test_a_client_with_only_legacy_flows_may_still_refresh(engine: Engine) -> None:
    pool_id = create_pool(engine)["Id"]
    client = call(
        engine,
        "CreateUserPoolClient",
        {"UserPoolId": pool_id, "ClientName": "c", "ExplicitAuthFlows": ["ADMIN_NO_SRP_AUTH"]},
    )["UserPoolClient"]
    with engine.db.read() as conn:
        loaded = load_client(conn, client["ClientId"])
    assert loaded.allows("ALLOW_REFRESH_TOKEN_AUTH")
    assert loaded.allows("ALLOW_ADMIN_USER_PASSWORD_AUTH")
    assert not loaded.allows("ALLOW_USER_PASSWORD_AUTH")
